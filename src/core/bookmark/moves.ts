/**
 * How the bookmark moves: the values a run writes (a checkpoint before each batch, the final one
 * at the end, and a replay's), where a hook's floor goes, what stays in flight, the spans whose
 * failed redeliveries cost nothing, since when a receiver is down, and where a scan stopped
 * part-way resumes. Pure: no I/O; `core/plan.ts` and `core/decisions.ts` decide, this computes what the bookmark keeps of it.
 */
import type { DeliveryId } from '../ids.js'
import { isFinished, sentAt, type Decision, type HookPlan, type ReceiverState, type RunPlan } from '../decisions.js'
import type { HookScan } from '../plan.js'
import type { Answer } from '../receiver.js'
import type { Candidate } from '../replay.js'
import type { Bookmark, HookBookmark, Resume } from './format.js'
import { isForgotten, keepsDone, PLANNED_IN_FLIGHT_MS, SENT_IN_FLIGHT_MS } from './trust.js'

/**
 * How far a hook's floor trails the newest delivery seen: deliveries still running during a scan
 * (up to 30 s on GHES) can be listed after newer ones. The one source of this gap: `format.ts`
 * writes a quiet hook whose `seen` is this far above its floor in the fewest characters.
 */
export const LATE_LISTING_MARGIN_MS = 2 * 60_000

/** What a scan stopped part-way carries over at most: beyond it, the next scan lists the hook from its newest delivery again. */
export const MAX_CARRIED_FACTS = 100
const MAX_CARRIED_SETTLED = 400

/**
 * The hook's bookmark after this run. The floor moves up to the newest delivery
 * seen (less a margin for late listing) but never past an unfinished delivery;
 * in-flight redeliveries are remembered so no later run sends them again.
 */
function nextHookBookmark(scan: HookScan, plan: HookPlan, now: number, receiver: ReceiverState = {}): HookBookmark {
  // Nothing is later than GitHub's clock: a delivery dated after it (a hostile or broken API) moves no floor past now.
  const newestAt = scan.newestAt === undefined ? undefined : Math.min(scan.newestAt, now)
  // A scan stopped part-way did not reach the floor: it stays, and the next scan continues where this one stopped.
  let floor = newestAt === undefined || scan.partial ? scan.floorBase : newestAt - LATE_LISTING_MARGIN_MS
  for (const facts of plan.inFlight) floor = Math.min(floor, facts.firstAt)
  for (const decision of plan.decisions) {
    if (!isFinished(decision)) floor = Math.min(floor, decision.facts.firstAt)
  }
  floor = Math.min(Math.max(floor, scan.floorBase), now)

  const done = new Map<string, number>()
  for (const [guid, at] of scan.previous?.done ?? []) if (keepsDone(at, floor)) done.set(guid, at)
  for (const decision of plan.decisions) {
    if (keepsDone(decision.facts.firstAt, floor) && isFinished(decision)) {
      done.set(decision.facts.guid, decision.facts.firstAt)
    }
  }
  const seen = [scan.previous?.seenUntil, newestAt].filter((t): t is number => t !== undefined).map(t => Math.min(t, now))
  const downSince = downSinceOf(scan, plan, receiver)
  const resume = resumeAfter(scan, plan)
  return {
    floor,
    ...(seen.length > 0 ? { seenUntil: Math.max(...seen) } : {}),
    ...inFlightAfter(scan, plan, now, new Map()),
    done,
    probes: receiver.verdict === 'up' ? keptProbeSpans(scan) : probeSpansAfter(scan, plan, new Map()),
    ...keptReplaySpans(scan),
    ...(downSince !== undefined ? { downSince } : {}),
    ...(scan.scope !== undefined ? { scope: scan.scope } : {}),
    ...(resume ? { resume } : {})
  }
}

/**
 * Where the next scan of a hook whose scan stopped part-way continues, and what it must know of
 * the part already listed: the failing deliveries not finished (in flight, waiting, or whose
 * original was not reached) and the successes whose original was not reached. Undefined when
 * the scan was complete, or when that is more than a bookmark should hold (the next scan then
 * lists the hook from its newest delivery again: requests, not deliveries, are lost).
 */
function resumeAfter(scan: HookScan, plan: HookPlan): Resume | undefined {
  const { partial } = scan
  if (!partial || partial.cursor === undefined) return undefined
  const finished = new Set(plan.decisions.filter(d => isFinished(d)).map(d => d.facts.guid))
  const done = scan.previous?.done
  const facts = scan.facts.filter(f => !f.hasOriginal || (f.firstAt >= scan.scanStart && !finished.has(f.guid) && !done?.has(f.guid)))
  if (facts.length > MAX_CARRIED_FACTS || partial.settled.length > MAX_CARRIED_SETTLED) return undefined
  return { cursor: partial.cursor, reachedAt: partial.reachedAt, carry: { settled: partial.settled, facts } }
}

/**
 * The hook's bookmark while redeliveries are being sent: the floor stays where it was,
 * and everything sent so far, plus the batch about to be sent, is in flight.
 */
function checkpointHookBookmark(scan: HookScan, plan: HookPlan, now: number, planned: ReadonlyMap<DeliveryId, number>): HookBookmark {
  const previous = scan.previous
  return {
    floor: previous?.floor ?? scan.floorBase,
    ...(previous?.seenUntil !== undefined ? { seenUntil: previous.seenUntil } : {}),
    ...inFlightAfter(scan, plan, now, planned),
    done: new Map(previous?.done ?? []),
    // A probe about to be sent, or sent, is already free here: a run killed after sending it charges nothing.
    probes: probeSpansAfter(scan, plan, planned),
    ...keptReplaySpans(scan),
    ...(previous?.downSince !== undefined ? { downSince: previous.downSince } : {}),
    ...(scan.scope !== undefined ? { scope: scan.scope } : {}),
    ...(previous?.resume ? { resume: previous.resume } : {})
  }
}

/** What a run knows when it writes its bookmark: its scans, its plan, and what came of each redelivery so far. */
export interface RunProgress {
  scans: readonly HookScan[]
  /** Each decision with what its request came to so far (`decisions.ts`). */
  plan: RunPlan
}

/**
 * The bookmark a checkpoint writes: the one read at the start, with each scanned hook's entry
 * holding everything sent so far and `batch`, about to be sent, in flight.
 */
export function checkpointBookmark(previous: Bookmark, run: RunProgress, batch: readonly Decision[], now: number): Bookmark {
  const planned = new Map<string, Map<DeliveryId, number>>()
  for (const decision of batch) planned.set(decision.hookKey, (planned.get(decision.hookKey) ?? new Map<DeliveryId, number>()).set(decision.facts.newestId, now))
  const hooks = new Map<string, HookBookmark>(previous.hooks)
  for (const scan of run.scans) hooks.set(scan.key, checkpointHookBookmark(scan, run.plan.hooks.get(scan.key)!, now, planned.get(scan.key) ?? new Map()))
  return previous.reachFrom !== undefined ? { hooks, reachFrom: previous.reachFrom } : { hooks }
}

/** Where the run's bookmark entries go at the end: the hooks it found, and the fleet they are (complete: every repository of it was read). */
export interface FinalScope {
  found: ReadonlySet<string>
  fleet?: { scope: string; complete: boolean }
  windowMs: number
  /** The first hook this run could not reach within the request budget: the next run starts there. */
  reachFrom?: string
}

/**
 * The bookmark a run leaves: each scanned hook's next entry (`nextHookBookmark`). Entries of
 * hooks not scanned may be another target's sharing this state: kept until nothing in them
 * matters. A fleet's own entries of hooks it no longer has go at once, unless part of the
 * fleet could not be read.
 */
export function finalBookmark(previous: Bookmark, run: RunProgress, receivers: ReadonlyMap<string, ReceiverState>, now: number, scope: FinalScope): Bookmark {
  const { found, fleet } = scope
  const gone = (entryScope: string | undefined): boolean => fleet !== undefined && fleet.complete && entryScope === fleet.scope
  const kept = [...previous.hooks].filter(([key, entry]) => found.has(key) || (!gone(entry.scope) && !isForgotten(entry, now, scope.windowMs)))
  const hooks = new Map(kept)
  for (const scan of run.scans) hooks.set(scan.key, nextHookBookmark(scan, run.plan.hooks.get(scan.key)!, now, receivers.get(scan.key)))
  return scope.reachFrom !== undefined ? { hooks, reachFrom: scope.reachFrom } : { hooks }
}

/**
 * Redeliveries in flight: earlier ones neither expired nor listed yet, those made (or perhaps
 * made) this run, and those planned. An id that is no longer its delivery's newest attempt
 * has been listed: its redelivery is no longer in flight.
 */
function inFlightAfter(scan: HookScan, plan: HookPlan, now: number, planned: ReadonlyMap<DeliveryId, number>): Pick<HookBookmark, 'pending' | 'sent'> {
  const newest = new Set(scan.facts.map(f => f.newestId))
  const keep = (map: ReadonlyMap<DeliveryId, number> | undefined, lifetime: number): Map<DeliveryId, number> => {
    const out = new Map<DeliveryId, number>()
    for (const [id, at] of map ?? []) if (now < at + lifetime && newest.has(id)) out.set(id, at)
    return out
  }
  const pending = keep(scan.previous?.pending, PLANNED_IN_FLIGHT_MS)
  const sent = keep(scan.previous?.sent, SENT_IN_FLIGHT_MS)
  for (const [id, at] of planned) pending.set(id, at)
  for (const decision of plan.decisions) {
    const at = sentAt(decision.outcome)
    if (at === undefined) continue
    pending.delete(decision.facts.newestId)
    sent.set(decision.facts.newestId, at)
  }
  return { pending, sent }
}

/** Earlier probe spans that can still matter: those reaching into what a scan reads. */
function keptProbeSpans(scan: HookScan): Array<[number, number]> {
  return (scan.previous?.probes ?? []).filter(([, to]) => to >= scan.scanStart - PROBE_TIME_MARGIN_MS).map(([from, to]) => [from, to])
}

/**
 * The probe spans with this run's probes (sent, perhaps sent, or about to be): a probe extends
 * the last span when the receiver was already down at the previous run (one span per outage),
 * else starts one.
 */
function probeSpansAfter(scan: HookScan, plan: HookPlan, planned: ReadonlyMap<DeliveryId, number>): Array<[number, number]> {
  const spans = keptProbeSpans(scan)
  const downBefore = scan.previous?.downSince !== undefined
  for (const decision of plan.decisions) {
    if (!decision.probe) continue
    const at = sentAt(decision.outcome) ?? planned.get(decision.facts.newestId)
    if (at === undefined) continue
    const last = spans[spans.length - 1]
    if (downBefore && last && last[1] <= at) last[1] = at
    else spans.push([at, at])
  }
  return mergeSpans(spans)
}

/** Earlier replay spans that can still matter: those reaching into what a scan reads. */
function keptReplaySpans(scan: HookScan): Pick<HookBookmark, 'replays'> {
  const kept = (scan.previous?.replays ?? []).filter(([, to]) => to >= scan.scanStart - PROBE_TIME_MARGIN_MS).map(([from, to]) => [from, to] as [number, number])
  return kept.length > 0 ? { replays: kept } : {}
}

/**
 * Which failed redeliveries of a hook cost no attempt, by the bookmark's spans: a probe that could
 * not reach a receiver not known to be up, and whatever a replay sent (it is not the scheduled runs' try).
 */
export function freeRedelivery(entry: HookBookmark | undefined): (deliveredAt: number, answer: Answer) => boolean {
  return (t, answer) => entry !== undefined && ((answer === 'unreachable' && inProbeSpans(entry.probes, t)) || inProbeSpans(entry.replays ?? [], t))
}

/** A failed redelivery this close to a probe span counts as a probe (GitHub's times and ours differ a little). */
export const PROBE_TIME_MARGIN_MS = 2 * 60_000

/** Whether a failed redelivery at `t` went into a receiver not known to be up. */
export function inProbeSpans(spans: ReadonlyArray<readonly [number, number]>, t: number): boolean {
  return spans.some(([from, to]) => t >= from - PROBE_TIME_MARGIN_MS && t <= to + PROBE_TIME_MARGIN_MS)
}

/** Since when a receiver this run did not find up has been failing; undefined when it was found up, or not probed. */
export function downSinceOf(scan: HookScan, plan: HookPlan, receiver: ReceiverState | undefined): number | undefined {
  if (receiver?.verdict !== 'down' && receiver?.verdict !== 'unknown') return undefined
  return scan.previous?.downSince ?? failingSince(scan, plan) ?? receiver.probedAt
}

/** Since when the hook's receiver has been failing: its oldest failure after its newest success. */
function failingSince(scan: HookScan, plan: HookPlan): number | undefined {
  let since: number | undefined
  for (const decision of plan.decisions) {
    const at = decision.facts.firstAt
    if (scan.lastOkAt !== undefined && at < scan.lastOkAt) continue
    if (since === undefined || at < since) since = at
  }
  return since
}

/** Spans sorted and joined where they overlap or touch. */
export function mergeSpans(spans: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = []
  for (const [from, to] of [...spans].sort((x, y) => x[0] - y[0])) {
    const last = out[out.length - 1]
    if (last && from <= last[1]) last[1] = Math.max(last[1], to)
    else out.push([from, to])
  }
  return out
}

/**
 * The automatic redelivery's bookmark with what a replay is sending: the redelivered attempts in
 * flight (`planned` before the request, `sent` after it), so the scheduled run does not send them
 * again, and the replay's span among the spans whose failed redeliveries cost no attempt. Its
 * floors never move; a hook without an entry gets one at the floor the scheduled run would use now.
 */
export function bookmarkWithReplay(previous: Bookmark, batch: readonly Candidate[], at: number, how: 'planned' | 'sent', newFloor: number): Bookmark {
  const hooks = new Map(previous.hooks)
  for (const c of batch) {
    const entry: HookBookmark = hooks.get(c.hookKey) ?? { floor: newFloor, pending: new Map(), sent: new Map(), done: new Map(), probes: [] }
    const replays = (entry.replays ?? []).map(([from, to]) => [from, to] as [number, number])
    const next: HookBookmark = { ...entry, pending: new Map(entry.pending), sent: new Map(entry.sent), replays }
    if (how === 'planned') next.pending.set(c.newestId, at)
    else {
      next.pending.delete(c.newestId)
      next.sent.set(c.newestId, at)
    }
    const last = replays[replays.length - 1]
    if (last && last[1] >= at - PLANNED_IN_FLIGHT_MS) last[1] = Math.max(last[1], at)
    else replays.push([at, at])
    hooks.set(c.hookKey, next)
  }
  return { ...previous, hooks }
}
