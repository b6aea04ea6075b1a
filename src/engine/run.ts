import { adoptLegacyAppEntry, isForgotten, type Bookmark } from '../core/bookmark.js'
import { formatDuration } from '../core/duration.js'
import { nextHookBookmark, planRun, type Policy } from '../core/plan.js'
import type { HookTarget, RunResult } from '../core/types.js'
import { BookmarkKeeper } from './bookmark-keeper.js'
import { mapConcurrent } from './pool.js'
import { RateLimitedError, UserError, type BookmarkStore, type DeliveriesPort, type Logger } from './ports.js'
import { Redeliverer } from './redeliver.js'
import { tally } from './results.js'
import { scanHook } from './scan.js'

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
  sleep?: (ms: number) => Promise<void>
}

/**
 * One run: read the bookmark, scan every hook, decide (pure core), redeliver,
 * save the bookmark, and count what happened.
 */
export async function runEngine(options: EngineOptions): Promise<RunResult> {
  const { hooks, policy, github, log } = options
  const warnings: string[] = []
  const failures: string[] = []
  const warn = (message: string): void => {
    // Said once per run, however many hooks or checkpoints run into it.
    if (warnings.includes(message)) return
    warnings.push(message)
    log.warning(message)
  }

  let lookbackMs = options.lookbackMs
  if (lookbackMs > policy.windowMs) {
    warn(`lookback ${formatDuration(lookbackMs)} is longer than GitHub can redeliver (${formatDuration(policy.windowMs)}); scanning ${formatDuration(policy.windowMs)}.`)
    lookbackMs = policy.windowMs
  }

  const keeper = options.store ? new BookmarkKeeper(options.store, log, warn) : undefined
  // Every scan starts with its hook's newest page: those of the first hooks travel while the bookmark is read.
  for (const hook of hooks.slice(0, options.scanConcurrency ?? 8)) github.prefetchFirstPage?.(hook)
  let previous: Bookmark = { hooks: new Map() }
  if (keeper) {
    const parsed = await keeper.read()
    if (parsed.newer) {
      throw new UserError(`The ${keeper.description} holds a bookmark ${parsed.problem}. Use that version (or newer) of the action, or delete the variable to start over.`)
    }
    if (parsed.problem) {
      warn(`The ${keeper.description} does not hold a bookmark this action can read (${parsed.problem}); scanning the last ${formatDuration(lookbackMs)} and replacing it.`)
    }
    for (const problem of parsed.warnings ?? []) {
      warn(`The ${keeper.description} holds a bookmark entry this action cannot fully read: ${problem}.`)
    }
    previous = parsed.bookmark
    for (const hook of hooks) if (hook.kind === 'app') previous = adoptLegacyAppEntry(previous, hook.key)
    if (previous.legacyFloor !== undefined) {
      log.info(`Taking over the bookmark of GitHub's documented script: scanning from ${new Date(previous.legacyFloor).toISOString()}.`)
    }
  }

  const context = { previous, lookbackMs, windowMs: policy.windowMs, github, log, warn }
  const scanned = await mapConcurrent(hooks, options.scanConcurrency ?? 8, hook => scanHook(hook, context))
  const fatal = scanned.find(s => s.fatal)?.fatal
  if (fatal) throw fatal
  const scans = scanned.flatMap(s => (s.scan ? [s.scan] : []))

  const plan = planRun(scans, policy, github.now())
  const redeliverer = new Redeliverer({
    hooks,
    scans,
    plan,
    previous,
    github,
    keeper,
    log,
    warn,
    checkpointEvery: options.checkpointEvery ?? 40,
    maxRedeliveries: policy.maxRedeliveries,
    verifyDelayMs: options.verifyDelayMs ?? 15_000,
    sleep: options.sleep ?? (ms => new Promise(resolve => setTimeout(resolve, ms)))
  })
  await redeliverer.run()
  failures.push(...redeliverer.failures)

  const now = github.now()
  if (keeper && !policy.dryRun) {
    // Entries of hooks not scanned may be another target's sharing this state: kept until nothing in them matters.
    const kept = [...previous.hooks].filter(([key, entry]) => hooks.some(h => h.key === key) || !isForgotten(entry, now, policy.windowMs))
    const next: Bookmark = { hooks: new Map(kept) }
    for (const scan of scans) {
      next.hooks.set(scan.key, nextHookBookmark(scan, plan.hooks.find(p => p.key === scan.key)!, redeliverer.outcomes, now, redeliverer.receivers.get(scan.key)))
    }
    try {
      await keeper.write(next, { mergeWithOthers: true })
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      if (error instanceof RateLimitedError) {
        // The checkpoint written before the redeliveries still guards against sending anything twice.
        warn(`Could not save the bookmark (${message}). Nothing is lost: the next run scans again from the previous bookmark.`)
      } else {
        failures.push(`Could not save the bookmark to the ${keeper.description}: ${message}`)
      }
    }
  }

  const { hooks: hookResults, rows, totals } = tally(scanned, plan, redeliverer.outcomes, redeliverer.receivers, log)
  for (const s of scanned) if (s.error) failures.push(`Could not scan ${s.hook.label}: ${s.error}`)
  if (totals.errors > 0) {
    failures.push(`${totals.errors} redelivery request${totals.errors === 1 ? '' : 's'} failed after retries; the next run tries again.`)
  }
  return { totals, hooks: hookResults, rows, warnings, failures, dryRun: policy.dryRun, finishedAt: now }
}
