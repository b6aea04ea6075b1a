import type { Bookmark, HookBookmark } from '../core/bookmark/format.js'
import { freeRedelivery, LATE_LISTING_MARGIN_MS } from '../core/bookmark/moves.js'
import { trustedStart } from '../core/bookmark/trust.js'
import { coveredShare, mayListMore, owedAfterListing, type RateReading } from '../core/budget.js'
import { formatDuration } from '../core/duration.js'
import { compareIds } from '../core/ids.js'
import { DeliveryLedger, isSuccess, PING_EVENT } from '../core/ledger.js'
import { answerOf, type Answer } from '../core/receiver.js'
import { plural, thousands } from '../core/plural.js'
import type { Decision } from '../core/decisions.js'
import type { HookScan } from '../core/plan.js'
import type { HookTarget } from '../core/types.js'
import { UnknownHookError, UserError, type DeliveriesPort, type ListedAttempt, type Logger, type PageInfo } from './ports.js'

/** A listing is in completion order; keep paging a little past the start so slow attempts are not cut off. */
const LISTING_SLACK_MS = 60_000

/** What scanning one hook came to: its scan for the plan (core/plan.ts HookScan) and ledger, or why there is none. */
export interface ScanResult {
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
  /** The request budget was spent before this hook was reached: the next run reaches it first. */
  deferred?: boolean
}

/**
 * The run's request budget, shared by the scans of all its hooks: each page is listed only if
 * what is left after it still covers the redeliveries of the failures found so far, and the
 * share of the other jobs using the credential (core/budget.ts).
 */
export class ListingBudget {
  private readonly ledgers = new Set<DeliveryLedger>()
  private reading: RateReading | undefined
  /** A page was refused: hooks not started yet are not reached this run. */
  private spent = false

  constructor(private readonly maxRedeliveries: number) {}

  track(ledger: DeliveryLedger): void {
    this.ledgers.add(ledger)
  }

  private owed(): number {
    let failing = 0
    let hooksFailing = 0
    for (const ledger of this.ledgers) {
      failing += ledger.failingCount
      if (ledger.failingCount > 0) hooksFailing++
    }
    return owedAfterListing(failing, this.maxRedeliveries, hooksFailing)
  }

  /** What GitHub said of the rate limit with a page. */
  observe(rate: RateReading | undefined): void {
    if (rate) this.reading = rate
  }

  /** Whether the page after the last one may be listed. */
  allowsNextPage(): boolean {
    if (mayListMore(this.reading, this.owed())) return true
    this.spent = true
    return false
  }

  /** Whether a hook not started yet may be: at least its newest page. */
  allowsHook(): boolean {
    return !this.spent && mayListMore(this.reading, this.owed())
  }

  get last(): RateReading | undefined {
    return this.reading
  }
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
  /** The run's request budget; none: list every hook to its floor. */
  budget?: ListingBudget
}

/** How far past GitHub's redelivery window a bookmark held back by an unfinished delivery is still read. */
const PAST_WINDOW_GRACE_MS = 24 * 60 * 60_000

/**
 * Reads one hook's attempts newest first, back to its bookmark (or the lookback), into a ledger.
 * Within the request budget: a scan that must stop part-way records where (`HookScan.partial`),
 * and the next one lists what is newer, then continues from there.
 */
export async function scanHook(hook: HookTarget, context: ScanContext): Promise<ScanResult> {
  const { previous, lookbackMs, windowMs, github, budget } = context
  if (budget && !budget.allowsHook()) return { hook, deferred: true, error: 'not reached within the request budget; the next run reaches it first' }
  let prior: HookBookmark | undefined
  // Failed redeliveries inside a span of the bookmark cost nothing: probes that could not reach the receiver, replays.
  const ledger = new DeliveryLedger((t, answer) => freeRedelivery(prior)(t, answer))
  budget?.track(ledger)
  let bounds: { floorBase: number; scanStart: number; windowStart: number; seenBefore?: number } | undefined
  // GitHub's clock is known once its first answer arrived: the runner's clock never decides what is new.
  const boundsNow = (): { floorBase: number; scanStart: number; windowStart: number; seenBefore?: number } => {
    const now = github.now()
    const trusted = trustedStart(previous, hook, now, lookbackMs)
    if (trusted.warning) context.warn(trusted.warning)
    prior = trusted.previous
    // What the last scan, stopped part-way, carried over is known before any attempt is added.
    if (prior?.resume) ledger.resume(prior.resume.carry)
    // A day past the window is still read, so what leaves it while unfinished is given up and reported, not dropped.
    return { floorBase: trusted.floor, scanStart: Math.max(trusted.floor, now - windowMs - PAST_WINDOW_GRACE_MS), windowStart: now - windowMs, seenBefore: prior?.seenUntil }
  }
  let lost = false
  let pages = 0
  let reachedAt: number | undefined
  let stopped: { cursor: string; reachedAt: number } | undefined
  /** Reads pages until they are older than `until()`; a page the budget cannot afford ends the scan part-way. */
  const reader =
    (until: () => number) =>
    (page: ListedAttempt[], info?: PageInfo): boolean => {
      if (context.signal?.aborted) return false
      bounds ??= boundsNow()
      const { floorBase, scanStart, windowStart, seenBefore } = bounds
      const stopAt = until()
      pages++
      let more = page.length > 0
      for (const attempt of page) {
        if (attempt.deliveredAt >= scanStart) ledger.add(attempt)
        reachedAt = Math.min(reachedAt ?? attempt.deliveredAt, attempt.deliveredAt)
        // Failures no run has seen, and GitHub can no longer redeliver (older than the window).
        if (attempt.deliveredAt < windowStart && attempt.deliveredAt > (seenBefore ?? floorBase - 1) && !isSuccess(attempt) && attempt.event !== PING_EVENT) lost = true
        if (attempt.deliveredAt + attempt.durationMs + LISTING_SLACK_MS < stopAt) more = false
      }
      budget?.observe(info?.rate)
      if (more && info?.next !== undefined && budget && !budget.allowsNextPage()) {
        stopped = { cursor: info.next, reachedAt: reachedAt! }
        return false
      }
      return more
    }
  // After a scan stopped part-way: what is newer than it listed, then on from where it stopped.
  const resumeAt = (): { cursor: string; top: number } | undefined => {
    const cursor = prior?.resume?.cursor
    return cursor !== undefined && prior?.seenUntil !== undefined ? { cursor, top: prior.seenUntil - LATE_LISTING_MARGIN_MS } : undefined
  }
  let resumeRefused: string | undefined
  try {
    // A hook GitHub says never delivered has nothing to list: it costs no request.
    if (!hook.neverDelivered) {
      let resume: { cursor: string; top: number } | undefined
      let reachedTop = false
      await github.listDeliveries(
        hook,
        reader(() => {
          resume = resumeAt()
          return Math.max(bounds!.scanStart, resume?.top ?? bounds!.scanStart)
        })
      )
      // The newest part ended by reaching what the last scan listed (not by the budget, an interruption or the list's end).
      reachedTop = resume !== undefined && !stopped && !context.signal?.aborted && reachedAt !== undefined && reachedAt < resume.top
      if (reachedTop && resume) {
        const listedBefore = pages
        try {
          await github.listDeliveries(
            hook,
            reader(() => bounds!.scanStart),
            resume.cursor
          )
        } catch (error) {
          // GitHub would not continue from the position kept (a cursor it no longer takes): the next run lists from the newest again.
          if (pages > listedBefore || error instanceof UserError || error instanceof UnknownHookError) throw error
          resumeRefused = error instanceof Error ? error.message : String(error)
        }
      }
    }
  } catch (error) {
    // A stop aborts the request in progress: the hook is not scanned, as below.
    if (context.signal?.aborted) return { hook, error: 'the run was interrupted before its scan was complete', interrupted: true }
    if (error instanceof UnknownHookError) return { hook, unknown: error }
    if (error instanceof UserError) return { hook, fatal: error }
    return { hook, error: error instanceof Error ? error.message : String(error) }
  }
  // Half a scan must not move the bookmark: the hook is treated as not scanned.
  if (context.signal?.aborted) return { hook, error: 'the run was interrupted before its scan was complete', interrupted: true }
  const { floorBase, scanStart } = bounds ?? boundsNow()
  const settled = stopped || resumeRefused ? ledger.awaitingOriginal() : []
  ledger.seal()
  if (lost) {
    context.warn(
      `${hook.label}: the last run was longer ago than GitHub can redeliver (${formatDuration(windowMs)}); failures delivered between ${new Date(floorBase).toISOString()} and ${new Date(bounds?.windowStart ?? scanStart).toISOString()} can no longer be recovered. Run this more often.`
    )
  }
  if (resumeRefused) context.warn(`${hook.label}: GitHub did not continue the listing where the last run stopped (${resumeRefused}); the next run lists this hook from its newest delivery again.`)
  const partial = stopped ? { cursor: stopped.cursor, reachedAt: stopped.reachedAt, settled } : resumeRefused && reachedAt !== undefined ? { reachedAt, settled } : undefined
  if (stopped) {
    const newest = ledger.newestAt ?? stopped.reachedAt
    const share = Math.round(100 * coveredShare(newest, stopped.reachedAt, scanStart))
    const rate = budget?.last
    context.warn(
      `${hook.label}: its window holds more deliveries than this run's request budget can list: it covered ${share}% of it (${plural(pages, 'page')}, back to ${new Date(stopped.reachedAt).toISOString()} of ${new Date(scanStart).toISOString()}), keeping ${rate ? `${thousands(rate.remaining)} of the ${thousands(rate.limit)} requests an hour left` : 'the rest of the budget'} for its redeliveries and other jobs. Failures found there are handled now; the next run continues where this one stopped.`
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
      newestAnswered: ledger.newestAnswered,
      lastOkAt: ledger.lastOkAt,
      lastAnswerAt: ledger.lastAnswerAt,
      pingable: github.canPing?.(hook) === true,
      previous: prior,
      ...(hook.scope !== undefined ? { scope: hook.scope } : {}),
      ...(partial ? { partial } : {})
    }
  }
}

/**
 * The attempts GitHub now lists for redeliveries sent since `since`: per guid, what the receiver
 * made of the attempts after the one redelivered (`ok` if any succeeded, else `refused` if it
 * answered any). A guid absent from the answer has no new attempt listed yet. Undefined when
 * GitHub could not be asked.
 */
export async function newAttempts(github: DeliveriesPort, hook: HookTarget, decisions: Decision[], since: number): Promise<Map<string, Answer> | undefined> {
  const redelivered = new Map(decisions.map(d => [d.facts.guid, d.facts.newestId]))
  const found = new Map<string, Answer>()
  const listed = await visitListedSince(github, hook, since, attempt => {
    const id = redelivered.get(attempt.guid)
    if (id !== undefined && compareIds(attempt.id, id) > 0) found.set(attempt.guid, bestAnswer(found.get(attempt.guid), answerOf(attempt)))
  })
  return listed ? found : undefined
}

/** Visits the attempts GitHub lists newest first, back to `since`; false when GitHub could not be asked. */
async function visitListedSince(github: DeliveriesPort, hook: HookTarget, since: number, visit: (attempt: ListedAttempt) => void): Promise<boolean> {
  try {
    await github.listDeliveries(hook, page => {
      for (const attempt of page) visit(attempt)
      return page.length > 0 && !page.some(a => a.deliveredAt + a.durationMs + LISTING_SLACK_MS < since)
    })
    return true
  } catch {
    return false
  }
}

const ANSWER_RANK: Record<Answer, number> = { unreachable: 0, refused: 1, ok: 2 }

function bestAnswer(a: Answer | undefined, b: Answer): Answer {
  return a !== undefined && ANSWER_RANK[a] >= ANSWER_RANK[b] ? a : b
}

/** How far before the time a ping was sent (GitHub's clock, as this run knows it) its delivery may be dated. */
const PING_CLOCK_MARGIN_MS = 5_000

/**
 * What the receiver answered to a ping sent at `since`: the newest `ping` attempt GitHub lists
 * from then on. Undefined when none is listed yet, or GitHub could not be asked.
 */
export async function pingAnswer(github: DeliveriesPort, hook: HookTarget, since: number): Promise<Answer | undefined> {
  let newest: { at: number; answer: Answer } | undefined
  const listed = await visitListedSince(github, hook, since, attempt => {
    if (attempt.event !== PING_EVENT || attempt.deliveredAt < since - PING_CLOCK_MARGIN_MS) return
    if (newest === undefined || attempt.deliveredAt > newest.at) newest = { at: attempt.deliveredAt, answer: answerOf(attempt) }
  })
  return listed ? newest?.answer : undefined
}
