/**
 * What happens to each failing delivery of a run, in one place: its decision, every change of
 * it, what its redelivery request came to, and the result and reason its report row shows.
 * `planRun` (`plan.ts`) creates the decisions; after that they change only through the
 * functions here, which the engine (`engine/redeliver.ts`) calls as things happen. Pure: no I/O.
 *
 * The states of a delivery, and how it moves between them:
 *
 *   skipped (reason)  planned so (filtered, max-attempts, too-old, outside-window, backoff, budget,
 *                     dry-run); final, except that a stopped run (`stopped`) names its own reason
 *                     for what is still held.
 *   held              due, but its hook's receiver is not known to be up: it waits for the hook's
 *                     ping or probe, reason `receiver-down` meanwhile. Becomes
 *                       - the probe, when GitHub refused the probe or the ping (`replaceProbe`);
 *                       - due, when the receiver answered and the budget allows (`releaseHeld`);
 *                       - skipped `budget`, when the budget does not, or the hook's probe did not fit in it;
 *                       - skipped `receiver-unknown`, when the answer is not listed yet (`releaseHeld`);
 *                       - skipped `receiver-down`, when the receiver could not be reached (it stays so);
 *                       - skipped `rate-limited` or `interrupted`, when the run stopped first (`stopped`).
 *   probe             sent first, alone for its hook, to learn whether the receiver is up; then settled.
 *   due               to be redelivered (action `redeliver`); then settled.
 *   settled (outcome) what its request came to (`settle`): redelivered; an error (perhaps sent:
 *                     `uncertainAt`, in flight from then; a later look may settle it as redelivered);
 *                     or skipped: refused by GitHub, rate-limited, in flight in an overlapping run,
 *                     or interrupted before it was sent.
 *
 * Not decisions at all: a delivery an earlier run has in flight (`HookPlan.inFlight`), one an
 * earlier run finished (`alreadyDone`), one older than the scan (`outsideScan`).
 *
 * `stateOf` names the state a delivery is in; `resultOf` answers what its row finally shows;
 * `finalReason`, why it was not redelivered.
 */
import type { Evidence, ProbeVerdict } from './receiver.js'
import type { GuidFacts } from './ledger.js'

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

/** What a redelivery request came to (or why it was not made, once the delivery was due). */
export type Outcome =
  | { result: 'redelivered'; at: number }
  /** `uncertainAt`: the request may have gone through; it is treated as in flight from then. */
  | { result: 'error'; message: string; uncertainAt?: number }
  | { result: 'skipped'; reason: Extract<SkipReason, 'refused' | 'rate-limited' | 'in-flight' | 'interrupted'>; message: string }

export interface Decision {
  readonly hookKey: string
  readonly facts: GuidFacts
  /** Redeliveries of it that count against max-attempts: GitHub lists them, by this action or by hand, less free probes. */
  readonly attempts: number
  readonly action: 'redeliver' | 'skip'
  readonly reason?: SkipReason
  /** Sent first, alone for its hook, to learn whether the receiver is up. */
  readonly probe?: boolean
  /** Due, but waits for its hook's ping or probe: sent if the receiver is up, else skipped as `receiver-down` (or `receiver-unknown`). */
  readonly held?: boolean
  /** What its redelivery request came to; undefined while it was not settled. */
  readonly outcome?: Outcome
}

export interface HookPlan {
  readonly key: string
  readonly decisions: readonly Decision[]
  readonly inFlight: readonly GuidFacts[]
  /** Failing guids whose first attempt is older than the scan: decided by an earlier run. */
  readonly outsideScan: number
  /** Failing guids an earlier run already finished (skipped for good). */
  readonly alreadyDone: number
  /** What the listing said of the receiver; a ping (or probe) is sent when it is unclear and something is due. */
  readonly evidence: Evidence
  /** How this run asks the receiver, when the listing left it unclear and something is due. */
  readonly check?: ReceiverCheck
}

export interface RunPlan {
  /** By hook key, in the order of the scans. */
  readonly hooks: ReadonlyMap<string, HookPlan>
  /** In the order to send them: the oldest first, since they leave GitHub's window first. */
  readonly toRedeliver: readonly Decision[]
  /** Hooks to ping before anything of theirs is sent, by key: never in a dry run, at most once each. */
  readonly pings: readonly string[]
}

/** What this run learnt of a hook's receiver, for its bookmark and the summary. */
export interface ReceiverState {
  /** How it was asked: a ping, or a probe redelivery. */
  check?: ReceiverCheck
  verdict?: ProbeVerdict
  /** GitHub time of the ping or probe, the fallback for when the receiver began failing. */
  probedAt?: number
}

/** Outside this module a decision and its hook's plan are read-only: the transitions below write through this view. */
type Writable<T> = { -readonly [K in keyof T]: T[K] }
const writable = <T>(value: T): Writable<T> => value
const queue = (plan: RunPlan): Decision[] => plan.toRedeliver as Decision[]

/**
 * The probe: a delivery that was redelivered least, free probes included, the oldest of those.
 * Each probe adds a redelivery to its delivery, so while a receiver stays down the probe moves
 * on to the next delivery run after run; one the receiver refuses is charged and waits for its
 * backoff, so it is not the probe again while others wait.
 */
export function chooseProbe<T extends Decision>(due: readonly T[]): T {
  return [...due].sort((a, b) => a.facts.redeliveries - b.facts.redeliveries || oldestFirst(a, b))[0]
}

export function oldestFirst(a: Decision, b: Decision): number {
  return a.facts.firstAt - b.facts.firstAt || (a.facts.guid < b.facts.guid ? -1 : 1)
}

/**
 * GitHub refused to redeliver the probe (a 4xx for that delivery), or to ping the hook: that
 * says nothing of the receiver, so the next held delivery of the hook becomes the probe (and the
 * hook is asked with a probe from then on). Undefined when none is left.
 */
export function replaceProbe(plan: RunPlan, hookKey: string, policy: { maxRedeliveries: number }): Decision | undefined {
  const hook = plan.hooks.get(hookKey)
  const held = hook?.decisions.filter(d => d.held) ?? []
  if (!hook || held.length === 0 || plan.toRedeliver.length >= policy.maxRedeliveries) return undefined
  const probe = writable(chooseProbe(held))
  probe.held = false
  probe.probe = true
  probe.action = 'redeliver'
  probe.reason = undefined
  writable(hook).check = 'probe'
  queue(plan).push(probe)
  return probe
}

/**
 * After the pings and probes: the held deliveries of hooks whose receiver answered are sent,
 * oldest first, within what is left of `max-redeliveries`; those of receivers that could not be
 * reached stay `receiver-down`, those whose answer is not known yet become `receiver-unknown`.
 */
export function releaseHeld(plan: RunPlan, verdicts: ReadonlyMap<string, ProbeVerdict>, policy: { maxRedeliveries: number }): Decision[] {
  for (const hook of plan.hooks.values()) {
    if (verdicts.get(hook.key) !== 'unknown') continue
    for (const decision of hook.decisions) if (decision.held) writable(decision).reason = 'receiver-unknown'
  }
  // A hook whose probe did not fit in the budget learnt nothing: its held deliveries wait for the budget, not for a receiver.
  for (const hook of plan.hooks.values()) {
    if (!hook.decisions.some(d => d.probe && d.reason === 'budget')) continue
    for (const decision of hook.decisions) {
      if (!decision.held) continue
      writable(decision).held = false
      writable(decision).reason = 'budget'
    }
  }
  let left = policy.maxRedeliveries - plan.toRedeliver.length
  const released: Decision[] = []
  const held = [...plan.hooks.values()].flatMap(h => (verdicts.get(h.key) === 'up' ? h.decisions.filter(d => d.held) : [])).sort(oldestFirst)
  for (const decision of held.map(writable)) {
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
  queue(plan).push(...released)
  return released
}

/** The run stopped (GitHub's limits, an interruption) before the held deliveries could go: they wait for that, not for a receiver. */
export function stopped(plan: RunPlan, reason: SkipReason): void {
  for (const hook of plan.hooks.values()) for (const decision of hook.decisions) if (decision.held) writable(decision).reason = reason
}

/** Records what a due delivery's redelivery request came to (or why it was not made). */
export function settle(decision: Decision, outcome: Outcome): void {
  writable(decision).outcome = outcome
}

/** The states above, as a delivery is in them (`held` and `skipped` carry the reason a row would show now). */
export type DeliveryState =
  { state: 'skipped'; reason: SkipReason | undefined } | { state: 'held'; reason: SkipReason | undefined } | { state: 'probe' } | { state: 'due' } | { state: 'settled'; outcome: Outcome }

export function stateOf(decision: Decision): DeliveryState {
  if (decision.action === 'skip') return { state: decision.held ? 'held' : 'skipped', reason: decision.reason }
  if (decision.outcome) return { state: 'settled', outcome: decision.outcome }
  return { state: decision.probe ? 'probe' : 'due' }
}

/** When a redelivery went out, or perhaps went out (GitHub's answer lost); undefined when it was not sent. */
export function sentAt(outcome: Outcome | undefined): number | undefined {
  return outcome?.result === 'redelivered' ? outcome.at : outcome?.result === 'error' ? outcome.uncertainAt : undefined
}

/** When a request whose answer was lost may have gone through; undefined for every other delivery. */
export function uncertainAt(decision: Decision): number | undefined {
  return decision.outcome?.result === 'error' ? decision.outcome.uncertainAt : undefined
}

/** Whether any redelivery of the run went out, or perhaps went out. */
export function anySent(plan: RunPlan): boolean {
  return [...plan.hooks.values()].some(hook => hook.decisions.some(d => sentAt(d.outcome) !== undefined))
}

/** Why a delivery was not redelivered, after everything the run did; undefined when it was (or its request failed). */
export function finalReason(decision: Decision): SkipReason | undefined {
  if (decision.action === 'skip') return decision.reason
  return decision.outcome?.result === 'skipped' ? decision.outcome.reason : undefined
}

/** Whether a delivery is finished for good after this run: skipped for a reason no later run retries. */
export function isFinished(decision: Decision): boolean {
  const reason = finalReason(decision)
  return reason !== undefined && FINAL_SKIPS.has(reason)
}

/** What a delivery's report row shows: redelivered, an error, or skipped and why (with GitHub's or the run's message). */
export type Result = { result: 'redelivered' } | { result: 'error'; message: string } | { result: 'skipped'; reason: SkipReason | undefined; message?: string }

export function resultOf(decision: Decision): Result {
  const { outcome } = decision
  if (decision.action === 'redeliver' && outcome?.result === 'redelivered') return { result: 'redelivered' }
  if (decision.action === 'redeliver' && outcome?.result === 'error') return { result: 'error', message: outcome.message }
  return { result: 'skipped', reason: finalReason(decision), ...(outcome?.result === 'skipped' ? { message: outcome.message } : {}) }
}

/** Waiting for its receiver after this run: held while it was down or unknown, or a probe that went out and was not answered. */
export function waitsForReceiver(decision: Decision): boolean {
  return decision.reason === 'receiver-down' || decision.reason === 'receiver-unknown' || (decision.probe === true && decision.outcome?.result === 'redelivered')
}
