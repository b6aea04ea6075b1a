import { trustAgainstNow, type Bookmark, type HookBookmark } from '../core/bookmark.js'
import { formatDuration } from '../core/duration.js'
import { compareIds } from '../core/ids.js'
import { DeliveryLedger, isSuccess } from '../core/ledger.js'
import { plural } from '../core/plural.js'
import { inProbeSpans, type Decision, type HookScan } from '../core/plan.js'
import type { HookTarget } from '../core/types.js'
import { UnknownHookError, UserError, type DeliveriesPort, type Logger } from './ports.js'

/** A listing is in completion order; keep paging a little past the start so slow attempts are not cut off. */
const LISTING_SLACK_MS = 60_000

export interface ScannedHook {
  hook: HookTarget
  scan?: HookScan
  ledger?: DeliveryLedger
  /** The hook could not be scanned; the others go on. */
  error?: string
  /** A failure that ends the run (bad credentials). */
  fatal?: UserError
  /** A named hook that does not exist: the others go on, and the run fails at the end. */
  unknown?: UnknownHookError
  /** The run was interrupted before this hook's scan was complete: it is left as it was. */
  interrupted?: boolean
}

export interface ScanContext {
  previous: Bookmark
  lookbackMs: number
  windowMs: number
  github: DeliveriesPort
  log: Logger
  warn(message: string): void
  /** Aborted when the run is interrupted: the scan stops between pages. */
  signal?: AbortSignal
}

/** How far past GitHub's redelivery window a bookmark held back by an unfinished delivery is still read. */
const PAST_WINDOW_GRACE_MS = 24 * 60 * 60_000

/** Reads one hook's attempts newest first, back to its bookmark (or the lookback), into a ledger. */
export async function scanHook(hook: HookTarget, context: ScanContext): Promise<ScannedHook> {
  const { previous, lookbackMs, windowMs, github } = context
  let prior: HookBookmark | undefined
  // Failed redeliveries inside a probe span of the bookmark went into a receiver not known to be up: free.
  const ledger = new DeliveryLedger(t => prior !== undefined && inProbeSpans(prior.probes, t))
  let bounds: { floorBase: number; scanStart: number; windowStart: number; seenBefore?: number } | undefined
  // GitHub's clock is known once its first answer arrived: the runner's clock never decides what is new.
  const boundsNow = (): { floorBase: number; scanStart: number; windowStart: number; seenBefore?: number } => {
    const now = github.now()
    const trusted = trustAgainstNow(previous.hooks.get(hook.key), previous.legacyFloor, now, now - lookbackMs)
    if (trusted.problem) {
      // The legacy value is one for every hook: the same words, so the run warns once.
      const whose = previous.hooks.has(hook.key) ? `${hook.label}: the bookmark is not trusted, since ${trusted.problem}` : `The bookmark is not trusted: ${trusted.problem}`
      context.warn(`${whose}; scanning the last ${formatDuration(lookbackMs)} and writing a new bookmark.`)
    }
    prior = trusted.previous
    // A day past the window is still read, so what leaves it while unfinished is given up and reported, not dropped.
    return { floorBase: trusted.floor, scanStart: Math.max(trusted.floor, now - windowMs - PAST_WINDOW_GRACE_MS), windowStart: now - windowMs, seenBefore: prior?.seenUntil }
  }
  let lost = false
  try {
    // A hook GitHub says never delivered has nothing to list: it costs no request.
    if (!hook.neverDelivered)
      await github.listDeliveries(hook, page => {
        if (context.signal?.aborted) return false
        bounds ??= boundsNow()
        const { floorBase, scanStart, windowStart, seenBefore } = bounds
        let more = page.length > 0
        for (const attempt of page) {
          if (attempt.deliveredAt >= scanStart) ledger.add(attempt)
          // Failures no run has seen, and GitHub can no longer redeliver (older than the window).
          if (attempt.deliveredAt < windowStart && attempt.deliveredAt > (seenBefore ?? floorBase - 1) && !isSuccess(attempt)) lost = true
          if (attempt.deliveredAt + attempt.durationMs + LISTING_SLACK_MS < scanStart) more = false
        }
        return more
      })
  } catch (error) {
    // A stop aborts the request in progress: the hook is not scanned, as below.
    if (context.signal?.aborted) return { hook, error: 'the run was interrupted before its scan was complete', interrupted: true }
    if (error instanceof UnknownHookError) return { hook, unknown: error }
    if (error instanceof UserError) return { hook, fatal: error }
    return { hook, error: error instanceof Error ? error.message : String(error) }
  }
  // Half a scan must not move the bookmark: the hook is treated as not scanned.
  if (context.signal?.aborted) return { hook, error: 'the run was interrupted before its scan was complete', interrupted: true }
  ledger.seal()
  const { floorBase, scanStart } = bounds ?? boundsNow()
  if (lost) {
    context.warn(
      `${hook.label}: the last run was longer ago than GitHub can redeliver (${formatDuration(windowMs)}); failures delivered between ${new Date(floorBase).toISOString()} and ${new Date(bounds?.windowStart ?? scanStart).toISOString()} can no longer be recovered. Run this more often.`
    )
  }
  context.log.debug(`${hook.label}: scanned ${plural(ledger.scanned, 'attempt')} of ${plural(ledger.size, 'delivery', 'deliveries')} since ${new Date(scanStart).toISOString()}`)
  return {
    hook,
    ledger,
    scan: {
      key: hook.key,
      facts: [...ledger.facts()],
      scanStart,
      floorBase,
      newestAt: ledger.newestAt,
      newestOk: ledger.newestOk,
      lastOkAt: ledger.lastOkAt,
      previous: prior,
      ...(hook.scope !== undefined ? { scope: hook.scope } : {})
    }
  }
}

/**
 * The attempts GitHub now lists for redeliveries sent since `since`: per guid, whether the
 * newest attempt after the one redelivered succeeded. A guid absent from the answer has
 * no new attempt listed yet. Undefined when GitHub could not be asked.
 */
export async function newAttempts(github: DeliveriesPort, hook: HookTarget, decisions: Decision[], since: number): Promise<Map<string, boolean> | undefined> {
  const redelivered = new Map(decisions.map(d => [d.facts.guid, d.facts.newestId]))
  const found = new Map<string, boolean>()
  try {
    await github.listDeliveries(hook, page => {
      for (const attempt of page) {
        const id = redelivered.get(attempt.guid)
        if (id !== undefined && compareIds(attempt.id, id) > 0) found.set(attempt.guid, found.get(attempt.guid) === true || isSuccess(attempt))
      }
      return page.length > 0 && !page.some(a => a.deliveredAt + a.durationMs + LISTING_SLACK_MS < since)
    })
  } catch {
    return undefined
  }
  return found
}
