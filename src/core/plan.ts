import { keepsDone, type HookBookmark } from './bookmark.js'
import type { EventFilter } from './config.js'
import type { DeliveryId } from './ids.js'
import type { GuidFacts } from './ledger.js'

export type SkipReason =
  | 'filtered'
  | 'too-old'
  | 'max-attempts'
  | 'outside-window'
  | 'budget'
  | 'rate-limited'
  | 'refused'
  | 'dry-run'
  /** Another run, overlapping this one, is redelivering it. */
  | 'in-flight'
  /** The run was interrupted (SIGINT, SIGTERM) before sending it; the next run does. */
  | 'interrupted'

/** Skips after which a delivery is finished for good; the others are retried by the next run. */
export const FINAL_SKIPS: ReadonlySet<SkipReason> = new Set(['filtered', 'too-old', 'max-attempts', 'outside-window', 'refused'])

export interface Policy {
  maxAttempts: number
  maxRedeliveries: number
  events: EventFilter[]
  maxAgeMs?: number
  dryRun: boolean
  /** How far back GitHub can still redeliver: 3 days on github.com, 7 on GHES. */
  windowMs: number
}

/** A redelivery is in flight until its new attempt is listed, or this long after it was requested. */
export const IN_FLIGHT_GRACE_MS = 3 * 60_000
/** Deliveries still running during a scan (up to 30 s on GHES) can be listed after newer ones. */
export const LATE_LISTING_MARGIN_MS = 2 * 60_000
/** Do not ask for what will have left GitHub's redelivery window by the time the request is made. */
export const WINDOW_SAFETY_MS = 15 * 60_000

export interface HookScan {
  key: string
  facts: readonly GuidFacts[]
  /** Start of what this run scanned (the bookmark or the lookback), GitHub time. */
  scanStart: number
  /** The bookmark's floor before this run, or the lookback start when there was none. */
  floorBase: number
  newestAt?: number
  previous?: HookBookmark
}

export interface Decision {
  hookKey: string
  facts: GuidFacts
  /** Redeliveries of it that GitHub lists, by this action or by hand. */
  attempts: number
  action: 'redeliver' | 'skip'
  reason?: SkipReason
}

export interface HookPlan {
  key: string
  decisions: Decision[]
  inFlight: GuidFacts[]
  /** Failing guids whose first attempt is older than the scan: decided by an earlier run. */
  outsideScan: number
  /** Failing guids an earlier run already finished (skipped for good). */
  alreadyDone: number
}

export interface RunPlan {
  hooks: HookPlan[]
  /** In the order to send them: the oldest first, since they leave GitHub's window first. */
  toRedeliver: Decision[]
}

export function matchesEvents(filters: EventFilter[], event: string, action: string | null): boolean {
  if (filters.length === 0) return true
  return filters.some(f => f.event === event && (f.action === undefined || f.action === action))
}

/** Decides, for every failing delivery of every hook, whether to redeliver it now and why not. */
export function planRun(scans: HookScan[], policy: Policy, now: number): RunPlan {
  const hooks: HookPlan[] = []
  const due: Decision[] = []
  for (const scan of scans) {
    const plan: HookPlan = { key: scan.key, decisions: [], inFlight: [], outsideScan: 0, alreadyDone: 0 }
    const pending = scan.previous?.pending
    const done = scan.previous?.done
    for (const facts of scan.facts) {
      if (facts.ok) continue
      if (!facts.hasOriginal || facts.firstAt < scan.scanStart) {
        plan.outsideScan++
        continue
      }
      if (done?.has(facts.guid)) {
        plan.alreadyDone++
        continue
      }
      const requestedAt = pending?.get(facts.newestId)
      if (requestedAt !== undefined && now < requestedAt + IN_FLIGHT_GRACE_MS) {
        plan.inFlight.push(facts)
        continue
      }
      const attempts = facts.redeliveries
      const decision: Decision = { hookKey: scan.key, facts, attempts, action: 'skip' }
      if (!matchesEvents(policy.events, facts.event, facts.action)) decision.reason = 'filtered'
      else if (attempts >= policy.maxAttempts) decision.reason = 'max-attempts'
      else if (policy.maxAgeMs !== undefined && facts.firstAt < now - policy.maxAgeMs) decision.reason = 'too-old'
      else if (facts.newestAt < now - policy.windowMs + WINDOW_SAFETY_MS) decision.reason = 'outside-window'
      else due.push(decision)
      plan.decisions.push(decision)
    }
    hooks.push(plan)
  }
  due.sort((a, b) => a.facts.firstAt - b.facts.firstAt || (a.facts.guid < b.facts.guid ? -1 : 1))
  const toRedeliver: Decision[] = []
  due.forEach((decision, index) => {
    if (index >= policy.maxRedeliveries) decision.reason = 'budget'
    else if (policy.dryRun) decision.reason = 'dry-run'
    else {
      decision.action = 'redeliver'
      toRedeliver.push(decision)
    }
  })
  return { hooks, toRedeliver }
}

export type Outcome =
  | { result: 'redelivered'; at: number }
  /** `uncertainAt`: the request may have gone through; it is treated as in flight from then. */
  | { result: 'error'; message: string; uncertainAt?: number }
  | { result: 'skipped'; reason: Extract<SkipReason, 'refused' | 'rate-limited' | 'in-flight' | 'interrupted'>; message: string }

/** Where a redelivery request or its absence leaves a decision. */
export function finalReason(decision: Decision, outcome: Outcome | undefined): SkipReason | undefined {
  if (decision.action === 'skip') return decision.reason
  return outcome?.result === 'skipped' ? outcome.reason : undefined
}

function isFinished(decision: Decision, outcome: Outcome | undefined): boolean {
  const reason = finalReason(decision, outcome)
  return reason !== undefined && FINAL_SKIPS.has(reason)
}

/**
 * The hook's bookmark after this run. The floor moves up to the newest delivery
 * seen (less a margin for late listing) but never past an unfinished delivery;
 * in-flight redeliveries are remembered so no later run sends them again.
 */
export function nextHookBookmark(
  scan: HookScan,
  plan: HookPlan,
  outcomes: ReadonlyMap<string, Outcome>,
  now: number,
  planned: ReadonlyMap<DeliveryId, number> = new Map()
): HookBookmark {
  let floor = scan.newestAt === undefined ? scan.floorBase : scan.newestAt - LATE_LISTING_MARGIN_MS
  for (const facts of plan.inFlight) floor = Math.min(floor, facts.firstAt)
  for (const decision of plan.decisions) {
    if (!isFinished(decision, outcomes.get(outcomeKey(decision)))) floor = Math.min(floor, decision.facts.firstAt)
  }
  floor = Math.max(floor, scan.floorBase)

  const pending = pendingAfter(scan, plan, outcomes, now, planned)

  const done = new Map<string, number>()
  for (const [guid, at] of scan.previous?.done ?? []) if (keepsDone(at, floor)) done.set(guid, at)
  for (const decision of plan.decisions) {
    if (keepsDone(decision.facts.firstAt, floor) && isFinished(decision, outcomes.get(outcomeKey(decision)))) {
      done.set(decision.facts.guid, decision.facts.firstAt)
    }
  }
  const seen = [scan.previous?.seenUntil, scan.newestAt].filter((t): t is number => t !== undefined)
  return { floor, ...(seen.length > 0 ? { seenUntil: Math.max(...seen) } : {}), pending, done }
}

/**
 * The hook's bookmark while redeliveries are being sent: the floor stays where it was,
 * and everything sent so far, plus the batch about to be sent, is in flight.
 */
export function checkpointHookBookmark(
  scan: HookScan,
  plan: HookPlan,
  outcomes: ReadonlyMap<string, Outcome>,
  now: number,
  planned: ReadonlyMap<DeliveryId, number>
): HookBookmark {
  return {
    floor: scan.previous?.floor ?? scan.floorBase,
    ...(scan.previous?.seenUntil !== undefined ? { seenUntil: scan.previous.seenUntil } : {}),
    pending: pendingAfter(scan, plan, outcomes, now, planned),
    done: new Map(scan.previous?.done ?? [])
  }
}

/** Redeliveries in flight: earlier ones not yet expired, those made (or perhaps made) this run, and those planned. */
function pendingAfter(
  scan: HookScan,
  plan: HookPlan,
  outcomes: ReadonlyMap<string, Outcome>,
  now: number,
  planned: ReadonlyMap<DeliveryId, number>
): Map<DeliveryId, number> {
  const pending = new Map<DeliveryId, number>()
  for (const [id, at] of scan.previous?.pending ?? []) if (now < at + IN_FLIGHT_GRACE_MS) pending.set(id, at)
  for (const [id, at] of planned) pending.set(id, at)
  for (const decision of plan.decisions) {
    const outcome = outcomes.get(outcomeKey(decision))
    if (outcome?.result === 'redelivered') pending.set(decision.facts.newestId, outcome.at)
    else if (outcome?.result === 'error' && outcome.uncertainAt !== undefined) pending.set(decision.facts.newestId, outcome.uncertainAt)
  }
  return pending
}

export function outcomeKey(decision: Pick<Decision, 'hookKey' | 'facts'>): string {
  return `${decision.hookKey}\u0000${decision.facts.guid}`
}
