import type { Config } from './core/config.js'
import { redeliveryWindowMs } from './core/hostname.js'
import { noun, plural } from './core/plural.js'
import type { HookTarget, RunResult } from './core/types.js'
import { UserError, type BookmarkStore, type Logger } from './engine/ports.js'
import { runEngine } from './engine/run.js'
import { createClient, type ClientContext, type GitHubClient } from './github/client.js'
import { GitHubClock } from './github/clock.js'
import { appHookRoute, GitHubDeliveries, orgHookRoute, repoHookRoute, type HookRoute } from './github/deliveries.js'
import { describeError, explainHttpError, isHttpError, type CredentialKind } from './github/errors.js'
import { appHook, HookDirectory, resolveHooks, type HookOwner } from './github/hooks.js'
import { pacingFromEnvironment, type Pacing } from './github/timing.js'
import { VariableStore } from './state/variable-store.js'

export interface SessionIO {
  log: Logger
  /** Registers a secret so the runner masks it; called before the secret can reach any output. */
  mask(secret: string): void
  /** Overrides the bookmark store (the CLI's state file). */
  store?: BookmarkStore
  /** GitHub's waits; by default what GitHub asks for. */
  pacing?: Pacing
  /** Aborted on SIGINT/SIGTERM: the run stops before its next redelivery and still reports. */
  signal?: AbortSignal
}

interface Access {
  client: GitHubClient
  credential: CredentialKind
  tokenIsInstallationToken: boolean
}

/** Connects the engine to GitHub for one configuration and runs it. */
export async function redeliverFailedDeliveries(config: Config, io: SessionIO): Promise<RunResult> {
  const masked = new Set<string>()
  const mask = (secret: string): void => {
    if (!secret || masked.has(secret)) return
    masked.add(secret)
    io.mask(secret)
  }
  const clock = new GitHubClock()
  const pacing = io.pacing ?? pacingFromEnvironment()
  const context: ClientContext = {
    pacing,
    baseUrl: config.location.apiBaseUrl,
    clock,
    log: { debug: m => io.log.debug(m), warning: m => io.log.warning(m) },
    mask,
    requests: { total: 0, writes: 0 }
  }
  if (config.token) mask(config.token)
  if (config.app) maskKey(config.app.privateKey, mask)

  const appClient = config.app ? createClient(context, { app: config.app }) : undefined
  const installations = new Map<number, Access>()
  let tokenClient: Access | undefined
  const tokenAccess = (token: string): Access =>
    (tokenClient ??= { client: createClient(context, { token }), credential: 'token', tokenIsInstallationToken: token.startsWith('ghs_') })

  let hooks: HookTarget[]
  let route: HookRoute
  let access: Access
  let directory: HookDirectory | undefined
  let unmatched: string | undefined
  const target = config.target
  if (target.type === 'app') {
    access = { client: appClient!, credential: 'app-jwt', tokenIsInstallationToken: false }
    route = appHookRoute
    hooks = [appHook(config.location.webBaseUrl, config.app!.appId)]
  } else {
    route = target.type === 'org' ? orgHookRoute(target.org) : repoHookRoute(target.owner, target.repo)
    access = appClient
      ? await installationAccess(context, appClient, target.type === 'org' ? { org: target.org } : { owner: target.owner, repo: target.repo }, installations)
      : tokenAccess(config.token!)
    const owner = hookOwner(config, route.permission('read', access.credential))
    directory = new HookDirectory(access.client, owner, access.credential, access.tokenIsInstallationToken)
    ;({ hooks, unmatched } = await resolveHooks(directory, config.hooks))
  }

  let store = io.store
  if (!store && config.state) {
    const { repository, variable } = config.state
    const stateAccess = config.token ? tokenAccess(config.token) : await installationAccess(context, appClient!, repository, installations)
    store = new VariableStore(stateAccess.client, repository, variable, stateAccess.credential, stateAccess.tokenIsInstallationToken)
  }

  const deliveries = new GitHubDeliveries(access, clock, route, pacing, directory)
  const result = await runEngine({
    hooks,
    policy: {
      maxAttempts: config.maxAttempts,
      maxRedeliveries: config.maxRedeliveries,
      events: config.events,
      maxAgeMs: config.maxAgeMs,
      dryRun: config.dryRun,
      windowMs: redeliveryWindowMs(config.location)
    },
    lookbackMs: config.lookbackMs,
    // A receiver has 10 s to answer (30 s on GHES); leave GitHub's queue time on top of that.
    verifyDelayMs: config.location.kind === 'ghes' ? pacing.verifyDelayMs.ghes : pacing.verifyDelayMs.dotcom,
    sleep: pacing.sleep,
    github: deliveries,
    store,
    log: io.log,
    signal: io.signal
  })
  // Payload URLs that named no hook fail the run, now that the hooks that exist were processed.
  if (unmatched) result.failures.unshift(unmatched)
  io.log.debug(`This run made ${plural(context.requests.total, 'request')} to GitHub, ${context.requests.writes} of them ${noun(context.requests.writes, 'a write', 'writes')}.`)
  return result
}

function hookOwner(config: Config, permission: string): HookOwner {
  const web = config.location.webBaseUrl
  if (config.target.type === 'org') {
    const { org } = config.target
    return {
      kind: 'org',
      name: org,
      listPath: '/orgs/{org}/hooks',
      params: { org },
      webSettingsUrl: `${web}/organizations/${org}/settings/hooks`,
      permission
    }
  }
  const { owner, repo } = config.target as { owner: string; repo: string }
  return {
    kind: 'repo',
    name: `${owner}/${repo}`,
    listPath: '/repos/{owner}/{repo}/hooks',
    params: { owner, repo },
    webSettingsUrl: `${web}/${owner}/${repo}/settings/hooks`,
    permission
  }
}

/** An installation token of the app for an organization or repository, found with the app's JWT. */
async function installationAccess(
  context: ClientContext,
  appClient: GitHubClient,
  where: { org: string } | { owner: string; repo: string },
  known: Map<number, Access>
): Promise<Access> {
  const name = 'org' in where ? where.org : `${where.owner}/${where.repo}`
  let installationId: number
  try {
    const { data } = 'org' in where
      ? await appClient.request('GET /orgs/{org}/installation', { org: where.org })
      : await appClient.request('GET /repos/{owner}/{repo}/installation', { owner: where.owner, repo: where.repo })
    installationId = (data as { id: number }).id
  } catch (error) {
    if (isHttpError(error) && error.status === 404) {
      throw new UserError(`The GitHub App given by "app-id" is not installed on ${name}. Install it there (with the Webhooks and, for the state variable, Variables permissions), or pass a "token" instead.`)
    }
    if (isHttpError(error) && (error.status === 401 || error.status === 403)) {
      throw new UserError(explainHttpError(error, { action: `find the app's installation on ${name}`, credential: 'app-jwt', permission: "the app's own JSON Web Token" }))
    }
    throw new Error(`finding the app's installation on ${name} failed: ${describeError(error)}`)
  }
  // The state repository is often under the same installation as the hooks: one token serves both.
  const cached = known.get(installationId)
  if (cached) return cached
  let token: string
  try {
    const auth = (await appClient.auth({ type: 'installation', installationId })) as { token: string }
    token = auth.token
  } catch (error) {
    if (isHttpError(error)) {
      throw new UserError(explainHttpError(error, { action: `create an installation token for ${name}`, credential: 'app-jwt', permission: "the app's own JSON Web Token" }))
    }
    throw error
  }
  context.mask(token)
  const access: Access = { client: createClient(context, { token }), credential: 'installation', tokenIsInstallationToken: false }
  known.set(installationId, access)
  return access
}

/** Masks the key as given and line by line, as the runner masks multi-line secrets. */
function maskKey(key: string, mask: (secret: string) => void): void {
  mask(key)
  for (const line of key.split('\n')) if (line.trim() && !line.startsWith('-----')) mask(line.trim())
}
