import { reachOrder } from '../core/budget.js'
import { formatDuration } from '../core/duration.js'
import { ACTION_NAMING, type Naming } from '../core/input-errors.js'
import { noun, plural } from '../core/plural.js'
import { planRun, type Policy } from '../core/plan.js'
import type { HookTarget, ReportRow, RunResult } from '../core/types.js'
import { BookmarkKeeper } from './bookmark-keeper.js'
import { mapConcurrent } from './pool.js'
import { UserError, warningsOnce, type BookmarkStore, type DeliveriesPort, type Logger, type UnknownHookError } from './ports.js'
import { Redeliverer } from './redeliver.js'
import { tally } from './results.js'
import { ListingBudget, scanHook, type ScanResult } from './scan.js'
import { abortableSleep } from './sleep.js'

export interface EngineOptions {
  hooks: HookTarget[]
  policy: Policy
  lookbackMs: number
  github: DeliveriesPort
  store?: BookmarkStore
  log: Logger
  /** Hooks scanned at once: far below GitHub's 100 concurrent requests. */
  scanConcurrency?: number
  /** Redeliveries between two checkpoints of the bookmark. */
  checkpointEvery?: number
  /** How long a receiver can take to answer (GitHub gives up after 10 s, 30 s on GHES), and then some. */
  verifyDelayMs?: number
  /** Waits; given the run's signal, so an interruption can end them early. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  /**
   * Aborted when the run is interrupted (SIGINT, SIGTERM): no further redelivery is sent;
   * the bookmark and the results still record what was. Its reason names the signal.
   */
  signal?: AbortSignal
  /**
   * The fleet these hooks are (HookTarget.scope), and whether every repository of it could be
   * read: then an entry of that fleet whose hook was not found is of a hook gone, and leaves.
   */
  fleet?: { scope: string; complete: boolean }
  /** Said before the scan, with the run's warnings (e.g. repositories of a fleet that could not be read). */
  warnings?: string[]
  /** How the front end names inputs in its messages: the action's words when absent. */
  naming?: Naming
}

/**
 * One run: read the bookmark, scan every hook, decide (pure core), redeliver,
 * save the bookmark, and count what happened.
 */
export async function runEngine(options: EngineOptions): Promise<RunResult> {
  const { hooks, policy, github, log } = options
  const naming = options.naming ?? ACTION_NAMING
  const { said: warnings, warn } = warningsOnce(log)
  const failures: string[] = []

  for (const message of options.warnings ?? []) warn(message)
  let lookbackMs = options.lookbackMs
  if (lookbackMs > policy.windowMs) {
    warn(`${naming.subject('lookback')} is ${formatDuration(lookbackMs)}, longer than GitHub can redeliver (${formatDuration(policy.windowMs)}); scanning ${formatDuration(policy.windowMs)}.`)
    lookbackMs = policy.windowMs
  }

  const keeper = new BookmarkKeeper({ store: options.store, hooks, fleet: options.fleet, policy, now: () => github.now(), log, warn })
  // Every scan starts with its hook's newest page: those of the first hooks travel while the bookmark is read.
  const scanConcurrency = options.scanConcurrency ?? 8
  for (const hook of hooks.slice(0, scanConcurrency)) github.prefetchFirstPage?.(hook)
  const previous = await keeper.read(lookbackMs)

  const { signal } = options
  const budget = new ListingBudget(policy.maxRedeliveries)
  const context = { previous, lookbackMs, windowMs: policy.windowMs, github, log, warn, signal, budget }
  // The hooks the last run could not reach within the request budget first; results in the hooks' own order.
  const order = reachOrder(hooks, previous.reachFrom)
  const byKey = new Map((await mapConcurrent(order, scanConcurrency, hook => scanHook(hook, context))).map(s => [s.hook.key, s]))
  const scannedAll = hooks.map(hook => byKey.get(hook.key)!)
  const deferred = order.filter(hook => byKey.get(hook.key)!.deferred)
  if (deferred.length > 0) {
    warn(
      `The request budget was spent before ${plural(deferred.length, 'hook')} of ${hooks.length} could be reached (${namedFew(deferred.map(h => h.label))}); the next run reaches ${noun(deferred.length, 'it', 'them')} first. Run less often, split the hooks with ${naming.quoted('shard')}, or give them a credential with a larger rate limit.`
    )
  }
  const fatal = scannedAll.find(s => s.fatal)?.fatal
  if (fatal) throw fatal
  // Named hooks that do not exist are named together at the end; the others are processed.
  const unknown = scannedAll.flatMap(s => (s.unknown ? [s.unknown] : []))
  const scanned = scannedAll.filter(s => !s.unknown)
  // None of them exists: nothing to do but say so, as for any bad input.
  if (unknown.length > 0 && scanned.length === 0) throw new UserError(unknownHooksMessage(unknown, naming))
  const scans = scanned.flatMap(s => (s.scan ? [s.scan] : []))

  const plan = planRun(scans, policy, github.now())
  const redeliverer = new Redeliverer({
    hooks,
    scans,
    plan,
    github,
    keeper,
    log,
    warn,
    checkpointEvery: options.checkpointEvery ?? 40,
    maxRedeliveries: policy.maxRedeliveries,
    verifyDelayMs: options.verifyDelayMs ?? 15_000,
    sleep: ms => (options.sleep ?? abortableSleep)(ms, signal),
    signal
  })
  await redeliverer.run()
  failures.push(...redeliverer.failures)

  const now = github.now()
  const unsaved = await keeper.finish({ scans, plan }, redeliverer.receivers, now, deferred[0]?.key)
  if (unsaved) failures.push(unsaved)

  const expiry = { windowMs: policy.windowMs, marginMs: policy.expiringWithinMs, now }
  const { hooks: hookResults, rows, totals } = tally(scanned, plan, redeliverer.receivers, log, expiry)
  if (unknown.length > 0) failures.push(unknownHooksMessage(unknown, naming, true))
  for (const s of scanned) if (s.error && !s.interrupted && !s.deferred) failures.push(`Could not scan ${s.hook.label}: ${s.error}`)
  if (totals.errors > 0) {
    failures.push(`${plural(totals.errors, 'redelivery request')} failed after retries; the next run tries again.`)
  }
  if (signal?.aborted) failures.push(interruptedMessage(signal, scanned, rows))
  return { totals, hooks: hookResults, rows, warnings, failures, dryRun: policy.dryRun, finishedAt: now }
}

/** The first few of a list of names, and how many more. */
function namedFew(names: string[], few = 5): string {
  return names.length <= few ? names.join(', ') : `${names.slice(0, few).join(', ')} and ${names.length - few} more`
}

function unknownHooksMessage(unknown: UnknownHookError[], naming: Naming, processed = false): string {
  const byOwner = new Map<string, string[]>()
  for (const u of unknown) byOwner.set(u.owner, [...(byOwner.get(u.owner) ?? []), u.hookId])
  const missing = [...byOwner].map(([owner, ids]) => `${owner} has no ${noun(ids.length, 'webhook')} ${ids.join(', ')}`).join('; ')
  const them = noun(unknown.length, 'it', 'them')
  return `${naming.subject('hook-id')}: ${missing} (deleted, or the credential cannot see ${them})${processed ? '; the other hooks were processed' : ''}. Remove ${them} from ${naming.quoted('hook-id')}, or check the credential's access.`
}

/** What an interrupted run did and left: the next run picks up from its bookmark. */
function interruptedMessage(signal: AbortSignal, scanned: ScanResult[], rows: ReportRow[]): string {
  const by = typeof signal.reason === 'string' ? ` by ${signal.reason}` : ''
  const sent = rows.filter(r => r.result === 'redelivered').length
  const left = rows.filter(r => r.reason === 'interrupted').length
  const unscanned = scanned.filter(s => s.interrupted).length
  const parts = [`${plural(sent, 'redelivery was', 'redeliveries were')} sent`]
  if (left > 0) parts.push(`${left} left for the next run`)
  if (unscanned > 0) parts.push(`${plural(unscanned, 'hook')} not scanned`)
  return `The run was interrupted${by}: ${parts.join(', ')}. The bookmark records what was sent; the next run continues from it.`
}
