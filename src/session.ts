import type { Config } from './core/config.js'
import { fleetScope, inShard, shardKey } from './core/fleet.js'
import { redeliveryWindowMs } from './core/hostname.js'
import { noun, plural } from './core/plural.js'
import type { HookTarget, RunResult } from './core/types.js'
import { UserError, type BookmarkStore, type DeliveriesPort, type Logger } from './engine/ports.js'
import { runEngine } from './engine/run.js'
import { createClient, type ClientContext, type GitHubClient } from './github/client.js'
import { GitHubClock } from './github/clock.js'
import { appHookRoute, GitHubDeliveries, orgHookRoute, repoFleetHookRoute, repoHookRoute } from './github/deliveries.js'
import { findFleetHooks, type FleetHooks } from './github/fleet.js'
import { describeError, explainHttpError, isHttpError, type CredentialKind } from './github/errors.js'
import { appHook, HookDirectory, resolveHooks, type HookOwner } from './github/hooks.js'
import { GITHUB_PACING, type Pacing } from './github/timing.js'
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
  const pacing = io.pacing ?? GITHUB_PACING
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
  const tokenAccess = (token: string): Access => (tokenClient ??= { client: createClient(context, { token }), credential: 'token', tokenIsInstallationToken: token.startsWith('ghs_') })

  let hooks: HookTarget[]
  let deliveries: DeliveriesPort
  let fleet: { scope: string; complete: boolean } | undefined
  let unmatched: string | undefined
  const warnings: string[] = []
  const target = config.target
  if (target.type === 'app') {
    const access: Access = { client: appClient!, credential: 'app-jwt', tokenIsInstallationToken: false }
    hooks = [appHook(config.location.webBaseUrl, config.app!.appId)]
    deliveries = new GitHubDeliveries(access, clock, appHookRoute, pacing)
  } else if (target.type === 'fleet') {
    // One credential per owner: an app is installed once on each.
    const accesses = new Map<string, Promise<Access>>()
    const accessFor = (owner: string): Promise<Access> => {
      const key = owner.toLowerCase()
      let access = accesses.get(key)
      if (!access) {
        access = appClient ? installationAccess(context, appClient, { org: owner }, installations) : Promise.resolve(tokenAccess(config.token!))
        accesses.set(key, access)
      }
      return access
    }
    const scope = fleetScope(target.repositories, config.hooks, config.shard)
    const found = await findFleetHooks({ repositories: target.repositories, hooks: config.hooks, shard: config.shard, scope, webBaseUrl: config.location.webBaseUrl }, accessFor)
    hooks = found.hooks
    warnings.push(...fleetWarnings(found, config))
    fleet = { scope, complete: found.unreadable.length === 0 && found.failed.length === 0 }
    const shardText = config.shard ? `, ${found.repositories} of them in shard ${config.shard.index}/${config.shard.count}` : ''
    io.log.info(`${found.selected} ${found.selected === 1 ? 'repository' : 'repositories'} selected${shardText}; ${hooks.length} ${hooks.length === 1 ? 'hook' : 'hooks'} to scan.`)
    const ports = new Map<string, GitHubDeliveries>()
    for (const [owner, access] of accesses) ports.set(owner, new GitHubDeliveries(await access, clock, repoFleetHookRoute, pacing))
    const portOf = (hook: HookTarget): GitHubDeliveries => ports.get((hook.repository ?? '').split('/')[0].toLowerCase())!
    deliveries = {
      now: () => clock.now(),
      listDeliveries: (hook, onPage) => portOf(hook).listDeliveries(hook, onPage),
      redeliver: (hook, id) => portOf(hook).redeliver(hook, id)
    }
  } else {
    const route = target.type === 'org' ? orgHookRoute(target.org) : repoHookRoute(target.owner, target.repo)
    const access = appClient
      ? await installationAccess(context, appClient, target.type === 'org' ? { org: target.org } : { owner: target.owner, repo: target.repo }, installations)
      : tokenAccess(config.token!)
    const owner = hookOwner(config, route.permission('read', access.credential))
    const directory = new HookDirectory(access.client, owner, access.credential, access.tokenIsInstallationToken)
    const resolved = await resolveHooks(directory, config.hooks)
    unmatched = resolved.unmatched
    const shardKeyOf = (hook: HookTarget): string =>
      shardKey(target.type === 'org' ? { kind: 'org', org: target.org, id: hook.id! } : { kind: 'repo', repo: `${target.owner}/${target.repo}`, id: hook.id! })
    hooks = resolved.hooks.filter(hook => inShard(config.shard, shardKeyOf(hook)))
    deliveries = new GitHubDeliveries(access, clock, route, pacing, directory)
  }

  let store = io.store
  if (!store && config.state) {
    const { repository, variable } = config.state
    const stateAccess = config.token ? tokenAccess(config.token) : await installationAccess(context, appClient!, repository, installations)
    store = new VariableStore(stateAccess.client, repository, variable, stateAccess.credential, stateAccess.tokenIsInstallationToken)
  }

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
    signal: io.signal,
    ...(fleet ? { fleet } : {}),
    warnings
  })
  // Payload URLs that named no hook fail the run, now that the hooks that exist were processed.
  if (unmatched) result.failures.unshift(unmatched)
  io.log.debug(`This run made ${plural(context.requests.total, 'request')} to GitHub, ${context.requests.writes} of them ${noun(context.requests.writes, 'a write', 'writes')}.`)
  return result
}

/** One warning naming every repository left out, and what the credential needs. */
function fleetWarnings(found: FleetHooks, config: Config): string[] {
  const warnings: string[] = []
  const credential = config.app ? "the app's installation" : 'the token'
  if (found.unreadable.length > 0) {
    const n = found.unreadable.length
    warnings.push(
      `${capitalize(credential)} cannot read the webhooks of ${n} ${n === 1 ? 'repository' : 'repositories'} (404 or 403), skipped: ${found.unreadable.join(', ')}. ` +
        `The others were scanned. To include ${n === 1 ? 'it' : 'them'}, ${credential} needs ${repoFleetHookRoute.permission('write', config.app ? 'installation' : 'token')}.`
    )
  }
  for (const { repository, message } of found.failed) warnings.push(`Could not list the webhooks of ${repository} (${message}): skipped this run.`)
  if (found.hooks.length === 0 && found.unreadable.length === 0 && found.failed.length === 0) {
    warnings.push(
      `No webhook matched: "repository" selected ${found.repositories} ${found.repositories === 1 ? 'repository' : 'repositories'}${config.hooks.length > 0 ? ' and "hook-id" none of their active hooks' : ' with no active hooks'}${config.shard ? ` in shard ${config.shard.index}/${config.shard.count}` : ''}.`
    )
  }
  return warnings
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
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
async function installationAccess(context: ClientContext, appClient: GitHubClient, where: { org: string } | { owner: string; repo: string }, known: Map<number, Access>): Promise<Access> {
  const name = 'org' in where ? where.org : `${where.owner}/${where.repo}`
  let installationId: number
  try {
    const { data } =
      'org' in where
        ? await appClient.request('GET /orgs/{org}/installation', { org: where.org })
        : await appClient.request('GET /repos/{owner}/{repo}/installation', { owner: where.owner, repo: where.repo })
    installationId = (data as { id: number }).id
  } catch (error) {
    if (isHttpError(error) && error.status === 404) {
      throw new UserError(
        `The GitHub App given by "app-id" is not installed on ${name}. Install it there (with the Webhooks and, for the state variable, Variables permissions), or pass a "token" instead.`
      )
    }
    if (isHttpError(error) && (error.status === 401 || error.status === 403)) {
      throw new UserError(explainHttpError(error, { action: `find the app's installation on ${name}`, credential: 'app-jwt', permission: "the app's own JSON Web Token" }))
    }
    throw new Error(`finding the app's installation on ${name} failed: ${describeError(error)}`, { cause: error })
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
