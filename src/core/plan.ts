import { isForgotten, keepsDone, mergeSpans, type Bookmark, type HookBookmark, type Resume } from './bookmark.js'
import type { Config, EventFilter } from './config.js'
import { redeliveryWindowMs } from './hostname.js'
import type { DeliveryId } from './ids.js'
import type { GuidFacts } from './ledger.js'
import { backoffMs, chargedAttempts, receiverEvidence, type Answer, type Evidence, type ProbeVerdict } from './receiver.js'

/** How a run asks a receiver whether it is up: a ping of the hook, or one probe redelivery (the app's hook has no ping). */
export type ReceiverCheck = 'ping' | 'probe'

/**
 * Why a failing delivery was not redelivered. In flight: another run is sending it.
 * Receiver-down: a ping or probe could not reach its receiver; it waits, at no cost of an attempt.
 * Receiver-unknown: the ping's or probe's answer was not listed by the end of the wait; it waits too.
 * Backoff: its receiver refused the last redelivery; the next waits. Interrupted: the run
 * was stopped (SIGINT, SIGTERM) before sending it; the next run does.
 */
export const SKIP_REASONS = [
  'filtered',
  'too-old',
  'max-attempts',
  'outside-window',
  'budget',
  'rate-limited',
  'refused',
  'dry-run',
  'in-flight',
  'receiver-down',
  'receiver-unknown',
  'backoff',
  'interrupted'
] as const
export type SkipReason = (typeof SKIP_REASONS)[number]

/** Skips after which a delivery is finished for good; the others are retried by the next run. */
export const FINAL_SKIPS: ReadonlySet<SkipReason> = new Set(['filtered', 'too-old', 'max-attempts', 'outside-window', 'refused'])
/** Final skips that mean giving up on a delivery GitHub could still have redelivered: the `given-up` output. */
export const GIVE_UP_SKIPS: ReadonlySet<SkipReason> = new Set(['max-attempts', 'outside-window'])

/** What the plan reads of the configuration. */
const POLICY_KEYS = ['maxAttempts', 'maxRedeliveries', 'events', 'maxAgeMs', 'dryRun', 'expiringWithinMs'] as const

export type Policy = Pick<Config, (typeof POLICY_KEYS)[number]> & {
  /** How far back GitHub can still redeliver: 3 days on github.com, 7 on GHES. */
  windowMs: number
}

/** The policy of a configuration: its own settings, and the redelivery window of its GitHub. */
export function policyOf(config: Config): Policy {
  const picked = Object.fromEntries(POLICY_KEYS.map(key => [key, config[key]])) as Pick<Config, (typeof POLICY_KEYS)[number]>
  return { ...picked, windowMs: redeliveryWindowMs(config.location) }
}

/**
 * A redelivery GitHub accepted is in flight until its new attempt is listed (GitHub can take
 * minutes), or at most this long. One only planned before a run stopped may never have been
 * sent: it waits the short grace alone.
 */
export const SENT_IN_FLIGHT_MS = 60 * 60_000
export const PLANNED_IN_FLIGHT_MS = 3 * 60_000
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
  /** Whether the newest attempt listed succeeded or got an answer, and the newest success and answer: evidence that the receiver is up. */
  newestOk?: boolean
  newestAnswered?: boolean
  lastOkAt?: number
  lastAnswerAt?: number
  /** GitHub can ping this hook (organization and repository hooks): asked that way, not with a probe. */
  pingable?: boolean
  previous?: HookBookmark
  /** The fleet the hook belongs to, carried into its bookmark. */
  scope?: string
  /**
   * The scan stopped part-way to stay within the request budget: it listed back to `reachedAt`;
   * `cursor` is where the next page begins; `settled`, the guids of successes whose original it did not reach.
   */
  partial?: { cursor?: string; reachedAt: number; settled: string[] }
}

/** What a scan stopped part-way carries over at most: beyond it, the next scan lists the hook from its newest delivery again. */
export const MAX_CARRIED_FACTS = 100
export const MAX_CARRIED_SETTLED = 400

export interface Decision {
  hookKey: string
  facts: GuidFacts
  /** Redeliveries of it that count against max-attempts: GitHub lists them, by this action or by hand, less free probes. */
  attempts: number
  action: 'redeliver' | 'skip'
  reason?: SkipReason
  /** Sent first, alone for its hook, to learn whether the receiver is up. */
  probe?: boolean
  /** Due, but waits for its hook's ping or probe: sent if the receiver is up, else skipped as `receiver-down` (or `receiver-unknown`). */
  held?: boolean
}

export interface HookPlan {
  key: string
  decisions: Decision[]
  inFlight: GuidFacts[]
  /** Failing guids whose first attempt is older than the scan: decided by an earlier run. */
  outsideScan: number
  /** Failing guids an earlier run already finished (skipped for good). */
  alreadyDone: number
  /** What the listing said of the receiver; a ping (or probe) is sent when it is unclear and something is due. */
  evidence: Evidence
  /** How this run asks the receiver, when the listing left it unclear and something is due. */
  check?: ReceiverCheck
}

export interface RunPlan {
  /** By hook key, in the order of the scans. */
  hooks: ReadonlyMap<string, HookPlan>
  /** In the order to send them: the oldest first, since they leave GitHub's window first. */
  toRedeliver: Decision[]
  /** Hooks to ping before anything of theirs is sent, by key: never in a dry run, at most once each. */
  pings: string[]
}

function matchesEvents(filters: EventFilter[], event: string, action: string | null): boolean {
  if (filters.length === 0) return true
  return filters.some(f => f.event === event && (f.action === undefined || f.action === action))
}

/** Whether a redelivery of this attempt id is still in flight at `now`. */
function isInFlight(previous: HookBookmark | undefined, id: DeliveryId, now: number): boolean {
  const sentAt = previous?.sent.get(id)
  if (sentAt !== undefined && now < sentAt + SENT_IN_FLIGHT_MS) return true
  const plannedAt = previous?.pending.get(id)
  return plannedAt !== undefined && now < plannedAt + PLANNED_IN_FLIGHT_MS
}

/**
 * Decides, for every failing delivery of every hook, whether to redeliver it now and why not.
 * A hook whose receiver the listing does not show up is pinged (or, without a ping, gets one
 * probe); its due deliveries are held until the answer is known (`releaseHeld`).
 */
export function planRun(scans: HookScan[], policy: Policy, now: number): RunPlan {
  const hooks = new Map<string, HookPlan>()
  const pings: string[] = []
  const probes: Decision[] = []
  const due: Decision[] = []
  for (const scan of scans) {
    const evidence = receiverEvidence({ ...scan, downBefore: scan.previous?.downSince !== undefined }, now)
    const plan: HookPlan = { key: scan.key, decisions: [], inFlight: [], outsideScan: 0, alreadyDone: 0, evidence }
    const done = scan.previous?.done
    const hookDue: Decision[] = []
    for (const facts of scan.facts) {
      if (!facts.hasOriginal || facts.firstAt < scan.scanStart) {
        plan.outsideScan++
        continue
      }
      if (done?.has(facts.guid)) {
        plan.alreadyDone++
        continue
      }
      if (isInFlight(scan.previous, facts.newestId, now)) {
        plan.inFlight.push(facts)
        continue
      }
      const attempts = chargedAttempts(facts.redeliveries, facts.freeRedeliveries)
      const decision: Decision = { hookKey: scan.key, facts, attempts, action: 'skip' }
      if (!matchesEvents(policy.events, facts.event, facts.action)) decision.reason = 'filtered'
      else if (attempts >= policy.maxAttempts) decision.reason = 'max-attempts'
      else if (policy.maxAgeMs !== undefined && facts.firstAt < now - policy.maxAgeMs) decision.reason = 'too-old'
      // Given up (and reported) before its original leaves what a scan reads: never dropped silently.
      else if (facts.firstAt < now - policy.windowMs + WINDOW_SAFETY_MS) decision.reason = 'outside-window'
      else if (now < facts.newestAt + backoffMs(attempts)) decision.reason = 'backoff'
      else hookDue.push(decision)
      plan.decisions.push(decision)
    }
    if (hookDue.length > 0 && evidence !== 'up' && !policy.dryRun) {
      plan.check = scan.pingable === true ? 'ping' : 'probe'
      // A ping asks without spending any delivery's attempt; without one, the probe is a due delivery.
      const probe = plan.check === 'probe' ? chooseProbe(hookDue) : undefined
      if (probe) {
        probe.probe = true
        probes.push(probe)
      } else pings.push(scan.key)
      for (const decision of hookDue) {
        if (decision === probe) continue
        decision.held = true
        decision.reason = 'receiver-down'
      }
    } else {
      due.push(...hookDue)
    }
    hooks.set(scan.key, plan)
  }
  // Probes first: their answers decide what else can be sent. Then the oldest, which leave GitHub's window first.
  const ordered = [...probes.sort(oldestFirst), ...due.sort(oldestFirst)]
  const toRedeliver: Decision[] = []
  ordered.forEach((decision, index) => {
    if (index >= policy.maxRedeliveries) decision.reason = 'budget'
    else if (policy.dryRun) decision.reason = 'dry-run'
    else {
      decision.action = 'redeliver'
      toRedeliver.push(decision)
    }
  })
  return { hooks, toRedeliver, pings }
}

/**
 * The probe: a delivery that was redelivered least, free probes included, the oldest of those.
 * Each probe adds a redelivery to its delivery, so while a receiver stays down the probe moves
 * on to the next delivery run after run; one the receiver refuses is charged and waits for its
 * backoff, so it is not the probe again while others wait.
 */
function chooseProbe(due: Decision[]): Decision {
  return [...due].sort((a, b) => a.facts.redeliveries - b.facts.redeliveries || oldestFirst(a, b))[0]
}

function oldestFirst(a: Decision, b: Decision): number {
  return a.facts.firstAt - b.facts.firstAt || (a.facts.guid < b.facts.guid ? -1 : 1)
}

/**
 * GitHub refused to redeliver the probe (a 4xx for that delivery), or to ping the hook: that
 * says nothing of the receiver, so the next held delivery of the hook becomes the probe.
 * Undefined when none is left.
 */
export function replaceProbe(plan: RunPlan, hookKey: string, policy: Pick<Policy, 'maxRedeliveries'>): Decision | undefined {
  const held = plan.hooks.get(hookKey)?.decisions.filter(d => d.held) ?? []
  if (held.length === 0 || plan.toRedeliver.length >= policy.maxRedeliveries) return undefined
  const probe = chooseProbe(held)
  probe.held = false
  probe.probe = true
  probe.action = 'redeliver'
  probe.reason = undefined
  plan.toRedeliver.push(probe)
  return probe
}

/**
 * After the pings and probes: the held deliveries of hooks whose receiver answered are sent,
 * oldest first, within what is left of `max-redeliveries`; those of receivers that could not be
 * reached stay `receiver-down`, those whose answer is not known yet become `receiver-unknown`.
 */
export function releaseHeld(plan: RunPlan, verdicts: ReadonlyMap<string, ProbeVerdict>, policy: Pick<Policy, 'maxRedeliveries'>): Decision[] {
  for (const hook of plan.hooks.values()) {
    if (verdicts.get(hook.key) !== 'unknown') continue
    for (const decision of hook.decisions) if (decision.held) decision.reason = 'receiver-unknown'
  }
  // A hook whose probe did not fit in the budget learnt nothing: its held deliveries wait for the budget, not for a receiver.
  for (const hook of plan.hooks.values()) {
    if (!hook.decisions.some(d => d.probe && d.reason === 'budget')) continue
    for (const decision of hook.decisions) {
      if (!decision.held) continue
      decision.held = false
      decision.reason = 'budget'
    }
  }
  let left = policy.maxRedeliveries - plan.toRedeliver.length
  const released: Decision[] = []
  const held = [...plan.hooks.values()].flatMap(h => (verdicts.get(h.key) === 'up' ? h.decisions.filter(d => d.held) : [])).sort(oldestFirst)
  for (const decision of held) {
    decision.held = false
    if (left <= 0) {
      decision.reason = 'budget'
      continue
    }
    left--
    decision.action = 'redeliver'
    decision.reason = undefined
    released.push(decision)
  }
  plan.toRedeliver.push(...released)
  return released
}

export type Outcome =
  | { result: 'redelivered'; at: number }
  /** `uncertainAt`: the request may have gone through; it is treated as in flight from then. */
  | { result: 'error'; message: string; uncertainAt?: number }
  | { result: 'skipped'; reason: Extract<SkipReason, 'refused' | 'rate-limited' | 'in-flight' | 'interrupted'>; message: string }

/** When a redelivery went out, or perhaps went out (GitHub's answer lost); undefined when it was not sent. */
export function sentAt(outcome: Outcome | undefined): number | undefined {
  return outcome?.result === 'redelivered' ? outcome.at : outcome?.result === 'error' ? outcome.uncertainAt : undefined
}

/** Where a redelivery request or its absence leaves a decision. */
export function finalReason(decision: Decision, outcome: Outcome | undefined): SkipReason | undefined {
  if (decision.action === 'skip') return decision.reason
  return outcome?.result === 'skipped' ? outcome.reason : undefined
}

function isFinished(decision: Decision, outcome: Outcome | undefined): boolean {
  const reason = finalReason(decision, outcome)
  return reason !== undefined && FINAL_SKIPS.has(reason)
}

/** What this run learnt of a hook's receiver, for its bookmark and the summary. */
export interface ReceiverState {
  /** How it was asked: a ping, or a probe redelivery. */
  check?: ReceiverCheck
  verdict?: ProbeVerdict
  /** GitHub time of the ping or probe, the fallback for when the receiver began failing. */
  probedAt?: number
}

/**
 * The hook's bookmark after this run. The floor moves up to the newest delivery
 * seen (less a margin for late listing) but never past an unfinished delivery;
 * in-flight redeliveries are remembered so no later run sends them again.
 */
function nextHookBookmark(scan: HookScan, plan: HookPlan, outcomes: ReadonlyMap<string, Outcome>, now: number, receiver: ReceiverState = {}): HookBookmark {
  // Nothing is later than GitHub's clock: a delivery dated after it (a hostile or broken API) moves no floor past now.
  const newestAt = scan.newestAt === undefined ? undefined : Math.min(scan.newestAt, now)
  // A scan stopped part-way did not reach the floor: it stays, and the next scan continues where this one stopped.
  let floor = newestAt === undefined || scan.partial ? scan.floorBase : newestAt - LATE_LISTING_MARGIN_MS
  for (const facts of plan.inFlight) floor = Math.min(floor, facts.firstAt)
  for (const decision of plan.decisions) {
    if (!isFinished(decision, outcomes.get(outcomeKey(decision)))) floor = Math.min(floor, decision.facts.firstAt)
  }
  floor = Math.min(Math.max(floor, scan.floorBase), now)

  const done = new Map<string, number>()
  for (const [guid, at] of scan.previous?.done ?? []) if (keepsDone(at, floor)) done.set(guid, at)
  for (const decision of plan.decisions) {
    if (keepsDone(decision.facts.firstAt, floor) && isFinished(decision, outcomes.get(outcomeKey(decision)))) {
      done.set(decision.facts.guid, decision.facts.firstAt)
    }
  }
  const seen = [scan.previous?.seenUntil, newestAt].filter((t): t is number => t !== undefined).map(t => Math.min(t, now))
  const downSince = downSinceOf(scan, plan, receiver)
  const resume = resumeAfter(scan, plan, outcomes)
  return {
    floor,
    ...(seen.length > 0 ? { seenUntil: Math.max(...seen) } : {}),
    ...inFlightAfter(scan, plan, outcomes, now, new Map()),
    done,
    probes: receiver.verdict === 'up' ? keptProbeSpans(scan) : probeSpansAfter(scan, plan, outcomes, new Map()),
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
function resumeAfter(scan: HookScan, plan: HookPlan, outcomes: ReadonlyMap<string, Outcome>): Resume | undefined {
  const { partial } = scan
  if (!partial || partial.cursor === undefined) return undefined
  const finished = new Set(plan.decisions.filter(d => isFinished(d, outcomes.get(outcomeKey(d)))).map(d => d.facts.guid))
  const done = scan.previous?.done
  const facts = scan.facts.filter(f => !f.hasOriginal || (f.firstAt >= scan.scanStart && !finished.has(f.guid) && !done?.has(f.guid)))
  if (facts.length > MAX_CARRIED_FACTS || partial.settled.length > MAX_CARRIED_SETTLED) return undefined
  return { cursor: partial.cursor, reachedAt: partial.reachedAt, carry: { settled: partial.settled, facts } }
}

/**
 * The hook's bookmark while redeliveries are being sent: the floor stays where it was,
 * and everything sent so far, plus the batch about to be sent, is in flight.
 */
function checkpointHookBookmark(scan: HookScan, plan: HookPlan, outcomes: ReadonlyMap<string, Outcome>, now: number, planned: ReadonlyMap<DeliveryId, number>): HookBookmark {
  const previous = scan.previous
  return {
    floor: previous?.floor ?? scan.floorBase,
    ...(previous?.seenUntil !== undefined ? { seenUntil: previous.seenUntil } : {}),
    ...inFlightAfter(scan, plan, outcomes, now, planned),
    done: new Map(previous?.done ?? []),
    // A probe about to be sent, or sent, is already free here: a run killed after sending it charges nothing.
    probes: probeSpansAfter(scan, plan, outcomes, planned),
    ...keptReplaySpans(scan),
    ...(previous?.downSince !== undefined ? { downSince: previous.downSince } : {}),
    ...(scan.scope !== undefined ? { scope: scan.scope } : {}),
    ...(previous?.resume ? { resume: previous.resume } : {})
  }
}

/** What a run knows when it writes its bookmark: its scans, its plan, and what came of each redelivery so far. */
export interface RunProgress {
  scans: readonly HookScan[]
  plan: RunPlan
  outcomes: ReadonlyMap<string, Outcome>
}

/**
 * The bookmark a checkpoint writes: the one read at the start, with each scanned hook's entry
 * holding everything sent so far and `batch`, about to be sent, in flight.
 */
export function checkpointBookmark(previous: Bookmark, run: RunProgress, batch: readonly Decision[], now: number): Bookmark {
  const planned = new Map<string, Map<DeliveryId, number>>()
  for (const decision of batch) planned.set(decision.hookKey, (planned.get(decision.hookKey) ?? new Map()).set(decision.facts.newestId, now))
  const hooks = new Map<string, HookBookmark>(previous.hooks)
  for (const scan of run.scans) hooks.set(scan.key, checkpointHookBookmark(scan, run.plan.hooks.get(scan.key)!, run.outcomes, now, planned.get(scan.key) ?? new Map()))
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
  for (const scan of run.scans) hooks.set(scan.key, nextHookBookmark(scan, run.plan.hooks.get(scan.key)!, run.outcomes, now, receivers.get(scan.key)))
  return scope.reachFrom !== undefined ? { hooks, reachFrom: scope.reachFrom } : { hooks }
}

/**
 * Whether another run, whose bookmark a checkpoint merged (`theirs`), is sending this delivery
 * or has finished it: in flight in their bookmark (about to be sent, or sent), and not just the
 * expired entry this run started from (`mine`).
 */
export function inFlightElsewhere(decision: Decision, mine: Bookmark, theirs: Bookmark): boolean {
  const their = theirs.hooks.get(decision.hookKey)
  const my = mine.hooks.get(decision.hookKey)
  const id = decision.facts.newestId
  const theirPending = their?.pending.get(id)
  const theirSent = their?.sent.get(id)
  const sending = (theirPending !== undefined && theirPending !== my?.pending.get(id)) || (theirSent !== undefined && theirSent !== my?.sent.get(id))
  return sending || their?.done.has(decision.facts.guid) === true
}

/**
 * Redeliveries in flight: earlier ones neither expired nor listed yet, those made (or perhaps
 * made) this run, and those planned. An id that is no longer its delivery's newest attempt
 * has been listed: its redelivery is no longer in flight.
 */
function inFlightAfter(scan: HookScan, plan: HookPlan, outcomes: ReadonlyMap<string, Outcome>, now: number, planned: ReadonlyMap<DeliveryId, number>): Pick<HookBookmark, 'pending' | 'sent'> {
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
    const outcome = outcomes.get(outcomeKey(decision))
    const at = sentAt(outcome)
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
function probeSpansAfter(scan: HookScan, plan: HookPlan, outcomes: ReadonlyMap<string, Outcome>, planned: ReadonlyMap<DeliveryId, number>): Array<[number, number]> {
  const spans = keptProbeSpans(scan)
  const downBefore = scan.previous?.downSince !== undefined
  for (const decision of plan.decisions) {
    if (!decision.probe) continue
    const outcome = outcomes.get(outcomeKey(decision))
    const at = sentAt(outcome) ?? planned.get(decision.facts.newestId)
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

export function outcomeKey(decision: Pick<Decision, 'hookKey' | 'facts'>): string {
  return `${decision.hookKey}\u0000${decision.facts.guid}`
}
