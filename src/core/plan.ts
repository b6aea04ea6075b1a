/**
 * What a run does with each failing delivery: the plan (redeliver, or skip and why), the probe
 * or ping of a receiver not known to be up, the held deliveries' release, and what each request's
 * outcome leaves. What the bookmark keeps of it is computed in `bookmark/moves.ts`.
 */
import type { HookBookmark } from './bookmark/format.js'
import { isInFlight } from './bookmark/trust.js'
import type { Config, EventFilter } from './config.js'
import { redeliveryWindowMs } from './hostname.js'
import type { GuidFacts } from './ledger.js'
import { backoffMs, chargedAttempts, receiverEvidence, type Evidence, type ProbeVerdict } from './receiver.js'

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

/** Whether a delivery is finished for good after this run: skipped for a reason no later run retries. */
export function isFinished(decision: Decision, outcome: Outcome | undefined): boolean {
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

export function outcomeKey(decision: Pick<Decision, 'hookKey' | 'facts'>): string {
  return `${decision.hookKey}\u0000${decision.facts.guid}`
}
