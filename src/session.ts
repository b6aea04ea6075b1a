import type { Config } from './core/config.js'
import { ACTION_NAMING, type Naming } from './core/input-errors.js'
import { policyOf } from './core/plan.js'
import { noun, plural } from './core/plural.js'
import type { RunResult } from './core/types.js'
import type { BookmarkStore, Logger } from './engine/ports.js'
import { runEngine } from './engine/run.js'
import { Credentials } from './github/access.js'
import { loadGitHub, type ClientContext } from './github/client.js'
import { GitHubClock } from './github/clock.js'
import { GITHUB_PACING, type Pacing } from './github/timing.js'
import { VariableStore } from './state/variable-store.js'
import { resolveTarget } from './targets/index.js'
import type { ResolvedTarget } from './targets/target.js'
import { repoInstallation } from './targets/repo.js'

export interface SessionIO {
  log: Logger
  /**
   * Registers a secret the run makes (JWTs, installation tokens) so the runner masks it, before it
   * can reach any output. The token and key of the configuration are the caller's to mask (secretInputs).
   */
  mask(secret: string): void
  /** Overrides the bookmark store (the CLI's state file). */
  store?: BookmarkStore
  /** GitHub's waits; by default what GitHub asks for. */
  pacing?: Pacing
  /** Aborted on SIGINT/SIGTERM: the run stops before its next redelivery and still reports. */
  signal?: AbortSignal
  /** How the front end names inputs in its messages: the action's words when absent. */
  naming?: Naming
}

/** What a configuration reaches once connected: its hooks (through the target), the bookmark's store, GitHub's pace. */
export interface Connection {
  target: ResolvedTarget
  store?: BookmarkStore
  pacing: Pacing
  context: ClientContext
  credentials: Credentials
  /** Another variable beside the state variable, in its repository, with its access (`state-variable` given). */
  variable?: (name: string) => BookmarkStore
}

/** Connects one configuration to GitHub: config → target → access, and the store of its bookmark. */
export async function connect(config: Config, io: SessionIO): Promise<Connection> {
  // Before anything else: a proxy variable that cannot be used is the run's one error.
  const GitHub = await loadGitHub()
  const clock = new GitHubClock()
  const pacing = io.pacing ?? GITHUB_PACING
  const context: ClientContext = {
    GitHub,
    pacing,
    baseUrl: config.location.apiBaseUrl,
    clock,
    log: io.log,
    // The token and key given were masked by the front end as it took them in; this masks what the run makes.
    mask: io.mask,
    requests: { total: 0, writes: 0 },
    signal: io.signal,
    naming: io.naming ?? ACTION_NAMING
  }
  const credentials = new Credentials(context, { token: config.token, app: config.app })
  const target = await resolveTarget({ config, credentials, clock, log: io.log })

  let store = io.store
  let variable: Connection['variable']
  if (config.state) {
    const { repository } = config.state
    const access = config.token ? credentials.token() : await credentials.installation(repoInstallation(repository.owner, repository.repo))
    variable = name => new VariableStore(access, repository, name)
    store ??= variable(config.state.variable)
  }
  return { target, store, pacing, context, credentials, ...(variable ? { variable } : {}) }
}

/** Connects the engine to GitHub for one configuration and runs it: config → target → access → engine. */
export async function redeliverFailedDeliveries(config: Config, io: SessionIO): Promise<RunResult> {
  const connection = await connect(config, io)
  const { target, store, pacing } = connection
  const result = await runEngine({
    hooks: target.hooks,
    policy: policyOf(config),
    lookbackMs: config.lookbackMs,
    // A receiver has 10 s to answer (30 s on GHES); leave GitHub's queue time on top of that.
    verifyDelayMs: config.location.kind === 'ghes' ? pacing.verifyDelayMs.ghes : pacing.verifyDelayMs.dotcom,
    sleep: pacing.sleep,
    github: target.deliveries,
    store,
    log: io.log,
    signal: io.signal,
    naming: connection.credentials.naming,
    ...(target.fleet ? { fleet: target.fleet } : {}),
    warnings: target.warnings
  })
  // Payload URLs that named no hook fail the run, now that the hooks that exist were processed.
  if (target.unmatched) result.failures.unshift(target.unmatched)
  logRequests(io.log, connection)
  return result
}

/** How many requests, and writes, a session made: for debug logging. */
export function logRequests(log: Logger, { context, credentials }: Pick<Connection, 'context' | 'credentials'>): void {
  // An installation token is asked for with a POST: counted apart, so that no one reads it as a redelivery.
  const tokens = credentials.tokenRequests
  const writes = Math.max(0, context.requests.writes - tokens)
  const besides = tokens > 0 ? ` (besides ${plural(tokens, 'installation token request')})` : ''
  log.debug(`This run made ${plural(context.requests.total, 'request')} to GitHub, ${writes} of them ${noun(writes, 'a write', 'writes')}${besides}.`)
}
