/**
 * What a run plans for each failing delivery: redeliver it, or skip it and why, and the ping or
 * probe of a receiver not known to be up. How a decision changes after that (the probe replaced,
 * the held deliveries released, what each request came to) is `decisions.ts`; what the bookmark
 * keeps of it, `bookmark/moves.ts`.
 */
import type { HookBookmark } from './bookmark/format.js'
import { isInFlight } from './bookmark/trust.js'
import type { Config, EventFilter } from './config.js'
import { redeliveryWindowMs } from './hostname.js'
import { chooseProbe, oldestFirst, type Decision, type HookPlan, type RunPlan } from './decisions.js'
import type { GuidFacts } from './ledger.js'
import { backoffMs, chargedAttempts, receiverEvidence } from './receiver.js'

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

/** A decision, or its hook's plan, while `planRun` makes it: afterwards only `decisions.ts` changes it. */
type Draft<T> = { -readonly [K in keyof T]: T[K] }

function matchesEvents(filters: EventFilter[], event: string, action: string | null): boolean {
  if (filters.length === 0) return true
  return filters.some(f => f.event === event && (f.action === undefined || f.action === action))
}

/**
 * Decides, for every failing delivery of every hook, whether to redeliver it now and why not.
 * A hook whose receiver the listing does not show up is pinged (or, without a ping, gets one
 * probe); its due deliveries are held until the answer is known (`releaseHeld`, `decisions.ts`).
 */
export function planRun(scans: HookScan[], policy: Policy, now: number): RunPlan {
  const hooks = new Map<string, HookPlan>()
  const pings: string[] = []
  const probes: Draft<Decision>[] = []
  const due: Draft<Decision>[] = []
  for (const scan of scans) {
    const evidence = receiverEvidence({ ...scan, downBefore: scan.previous?.downSince !== undefined }, now)
    const plan: Draft<HookPlan> & { decisions: Decision[]; inFlight: GuidFacts[] } = { key: scan.key, decisions: [], inFlight: [], outsideScan: 0, alreadyDone: 0, evidence }
    const done = scan.previous?.done
    const hookDue: Draft<Decision>[] = []
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
      const decision: Draft<Decision> = { hookKey: scan.key, facts, attempts, action: 'skip' }
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
