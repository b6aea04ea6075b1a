import type { HookBookmark } from './bookmark/format.js'
import { freeRedelivery } from './bookmark/moves.js'
import { PLANNED_IN_FLIGHT_MS, SENT_IN_FLIGHT_MS } from './bookmark/trust.js'
import { formatDuration } from './duration.js'
import { DeliveryLedger, isSuccess, type Attempt, type GuidFacts } from './ledger.js'
import { FINAL_SKIPS, stateOf, type Decision, type RunPlan, type SkipReason } from './decisions.js'
import { planRun, type HookScan, type Policy } from './plan.js'
import { backoffMs } from './receiver.js'
import { REASON_TEXT } from './summary.js'

/**
 * `explain GUID`: what GitHub lists of one delivery on a hook, what the bookmark records of
 * it, and what the next run would do. The decision is the planner's own (`planRun` on the scan
 * the next run would make); nothing here re-decides it.
 */

/** A webhook delivery's guid, as GitHub writes it (a UUID): checked before it is used anywhere. */
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export interface StateRecord {
  /** A redelivery of its newest attempt that a run sent (or was about to send), not listed yet. */
  inFlight?: { kind: 'sent' | 'planned'; at: number; until: number }
  /** Redeliveries that count against `max-attempts`; probes into a receiver that was down do not. */
  attemptsCharged?: number
  /** Failed redeliveries that cost nothing (probes while the receiver was not known to be up, replays). */
  freeRedeliveries?: number
  /** The receiver refused its last redelivery: the next waits until then. */
  backoffUntil?: number
  /** Finished for good by an earlier run, and why (as the planner would decide it now; `refused`: GitHub would not redeliver it). */
  givenUp?: { reason: SkipReason }
  /** The hook's receiver has been failing since then (found down by a run). */
  receiverDownSince?: number
}

export type NextRun =
  | { action: 'redeliver'; probe?: boolean }
  /** Due, but waits for the probe of its hook: sent if the receiver answers it, else it waits at no cost. */
  | { action: 'held' }
  | { action: 'skip'; reason: SkipReason }
  | { action: 'nothing'; because: 'succeeded' | 'in-flight' | 'given-up' | 'outside-scan' }

export interface Explanation {
  guid: string
  hookKey: string
  event?: string
  action?: string | null
  /** Every attempt GitHub lists of it on the hook, newest first. */
  attempts: Attempt[]
  state: StateRecord
  next: NextRun
}

export interface ExplainInput {
  guid: string
  hookKey: string
  attempts: readonly Attempt[]
  /** The scan the next run would make of the hook, and the plan of the next run over every hook. */
  scan: HookScan
  plan: RunPlan
  policy: Policy
  now: number
}

export function explainDelivery(input: ExplainInput): Explanation {
  const { guid, scan, plan, now } = input
  const attempts = [...input.attempts].sort((a, b) => b.deliveredAt - a.deliveredAt)
  const first = attempts.at(-1)
  const base = { guid, hookKey: input.hookKey, attempts, ...(first ? { event: first.event, action: first.action } : {}) }
  const entry = scan.previous
  const state: StateRecord = entry?.downSince !== undefined ? { receiverDownSince: entry.downSince } : {}
  if (attempts.some(isSuccess)) return { ...base, state, next: { action: 'nothing', because: 'succeeded' } }

  const scanned = scan.facts.find(f => f.guid === guid)
  if (!scanned) {
    // The floor never passes an unfinished delivery: one behind it was finished by an earlier run.
    const alone = planAlone(input, entry, ownFacts(attempts, entry))
    if (alone) {
      state.attemptsCharged = alone.attempts
      state.givenUp = { reason: finalOr(alone.reason) }
    }
    return { ...base, state, next: { action: 'nothing', because: 'outside-scan' } }
  }
  const facts = scanned
  const inFlight = inFlightRecord(entry, facts.newestId, now)
  if (inFlight) state.inFlight = inFlight
  const hookPlan = plan.hooks.get(scan.key)
  const decision = hookPlan?.decisions.find(d => d.facts.guid === guid)
  const alone = entry?.done.has(guid) || !decision ? planAlone(input, entry, facts) : undefined
  const charged = decision?.attempts ?? alone?.attempts
  if (charged !== undefined) {
    state.attemptsCharged = charged
    state.freeRedeliveries = facts.freeRedeliveries
    const until = facts.newestAt + backoffMs(charged)
    if (charged > 0 && until > now) state.backoffUntil = until
  }
  if (entry?.done.has(guid)) {
    state.givenUp = { reason: finalOr(alone?.reason) }
    return { ...base, state, next: { action: 'nothing', because: 'given-up' } }
  }
  if (hookPlan?.inFlight.some(f => f.guid === guid)) return { ...base, state, next: { action: 'nothing', because: 'in-flight' } }
  if (!decision) return { ...base, state, next: { action: 'nothing', because: 'outside-scan' } }
  const planned = stateOf(decision)
  if (planned.state === 'held') return { ...base, state, next: { action: 'held' } }
  if (planned.state === 'skipped') return { ...base, state, next: { action: 'skip', reason: planned.reason ?? 'budget' } }
  return { ...base, state, next: { action: 'redeliver', ...(planned.state === 'probe' ? { probe: true } : {}) } }
}

/** The planner's decision for the delivery alone, as if no run had finished it or had it in flight. */
function planAlone(input: ExplainInput, entry: HookBookmark | undefined, facts: GuidFacts | undefined): Decision | undefined {
  if (!facts) return undefined
  const done = new Map(entry?.done ?? [])
  done.delete(input.guid)
  const previous = entry ? { ...entry, done, pending: new Map(), sent: new Map() } : undefined
  const scan = { ...input.scan, facts: [facts], scanStart: Math.min(input.scan.scanStart, facts.firstAt), previous }
  return planRun([scan], input.policy, input.now).hooks.get(input.scan.key)?.decisions[0]
}

/** Why a run finished it for good: the planner's reason today when it is a final one; else GitHub refused to redeliver it. */
function finalOr(reason: SkipReason | undefined): SkipReason {
  return reason !== undefined && FINAL_SKIPS.has(reason) ? reason : 'refused'
}

/** The delivery's facts from its own attempts, as a scan reaching back to its first would have them. */
function ownFacts(attempts: readonly Attempt[], entry: HookBookmark | undefined): GuidFacts | undefined {
  const ledger = new DeliveryLedger(freeRedelivery(entry))
  for (const attempt of attempts) ledger.add(attempt)
  ledger.seal()
  return [...ledger.facts()][0]
}

function inFlightRecord(entry: HookBookmark | undefined, id: string, now: number): StateRecord['inFlight'] {
  const sent = entry?.sent.get(id)
  if (sent !== undefined && now < sent + SENT_IN_FLIGHT_MS) return { kind: 'sent', at: sent, until: sent + SENT_IN_FLIGHT_MS }
  const planned = entry?.pending.get(id)
  if (planned !== undefined && now < planned + PLANNED_IN_FLIGHT_MS) return { kind: 'planned', at: planned, until: planned + PLANNED_IN_FLIGHT_MS }
  return undefined
}

/** What the next run would do, in words. */
export function nextRunText(next: NextRun, policy: Pick<Policy, 'maxAttempts'>): string {
  switch (next.action) {
    case 'redeliver':
      return next.probe ? "redeliver it as its hook's probe: the receiver is not known to be up, and its answer decides whether the rest is sent" : 'redeliver it'
    case 'held':
      return "wait for its hook's probe: sent if the receiver answers it, else it waits, at no cost of an attempt"
    case 'skip':
      return `not redeliver it: ${REASON_TEXT[next.reason] ?? next.reason}${next.reason === 'max-attempts' ? ` (${policy.maxAttempts})` : ''}`
    case 'nothing':
      return {
        succeeded: 'nothing: an attempt of it succeeded',
        'in-flight': 'nothing yet: a redelivery of it is in flight; once GitHub lists it, its result decides',
        'given-up': 'nothing: an earlier run finished it for good',
        'outside-scan': 'nothing: it is older than what the next run reads (an earlier run decided it), or its first attempt is not listed any more'
      }[next.because]
  }
}

/** The explanation as text for a terminal: attempts, state, next run. */
export function renderExplanation(explanation: Explanation, hookLabel: string, policy: Pick<Policy, 'maxAttempts'>, now: number): string {
  const { state } = explanation
  const event = explanation.event ? ` (${explanation.event}${explanation.action ? `.${explanation.action}` : ''})` : ''
  const lines = [`${explanation.guid}${event} on ${hookLabel}`, `  Attempts GitHub lists, newest first:`]
  for (const a of explanation.attempts) {
    lines.push(`    ${iso(a.deliveredAt)}  id ${a.id}  ${a.redelivery ? 'redelivery' : 'original  '}  ${isSuccess(a) ? 'OK' : 'failed'}: ${a.status} (${a.statusCode})`)
  }
  lines.push('  State:')
  const recorded: string[] = []
  if (state.inFlight) {
    const what = state.inFlight.kind === 'sent' ? 'sent' : 'about to be sent (perhaps sent)'
    recorded.push(`a redelivery ${what} at ${iso(state.inFlight.at)}, in flight until it is listed or ${iso(state.inFlight.until)}`)
  }
  if (state.attemptsCharged !== undefined) {
    const free = state.freeRedeliveries ? `; ${state.freeRedeliveries} more cost nothing` : ''
    recorded.push(`${state.attemptsCharged} of max-attempts ${policy.maxAttempts} redeliveries charged${free}`)
  }
  if (state.backoffUntil !== undefined) recorded.push(`backoff until ${iso(state.backoffUntil)} (${fromNow(state.backoffUntil - now)} from now)`)
  if (state.givenUp) recorded.push(`given up: ${REASON_TEXT[state.givenUp.reason] ?? state.givenUp.reason}`)
  if (state.receiverDownSince !== undefined) recorded.push(`the hook's receiver found down, failing since ${iso(state.receiverDownSince)}`)
  lines.push(...(recorded.length > 0 ? recorded.map(r => `    ${r}`) : ['    nothing about it']))
  lines.push(`  The next run would ${nextRunText(explanation.next, policy)}.`)
  return lines.join('\n') + '\n'
}

function iso(ms: number): string {
  return new Date(ms).toISOString()
}

/** A wait as a person reads it: to the minute from ten minutes on (GitHub's times are to the second, its clock a moment off), else to the second. */
function fromNow(ms: number): string {
  const MINUTE = 60_000
  return ms >= 10 * MINUTE ? formatDuration(Math.round(ms / MINUTE) * MINUTE) : formatDuration(Math.max(1000, Math.ceil(ms / 1000) * 1000))
}
