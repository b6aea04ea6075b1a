/**
 * Property-style test of the planner over many runs. The simulation plays GitHub:
 * it holds every delivery attempt, lists what a run may see, accepts redeliveries
 * (appending a new attempt) and answers with a receiver model per delivery. Each
 * run does what the engine does with the pure core: ledger -> planRun -> redeliver
 * -> nextHookBookmark (optionally through serialize/parse).
 */
import { describe, expect, test } from '@jest/globals'
import { parseBookmark, serializeBookmark, type Bookmark, type HookBookmark } from '../../src/core/bookmark.js'
import type { EventFilter } from '../../src/core/config.js'
import { DeliveryLedger, type Attempt } from '../../src/core/ledger.js'
import { IN_FLIGHT_GRACE_MS, matchesEvents, nextHookBookmark, outcomeKey, planRun, WINDOW_SAFETY_MS, type HookScan, type Outcome, type Policy } from '../../src/core/plan.js'
import { bigId, DAY, HOUR, MINUTE, NOW, SECOND } from '../fixtures/builders.js'
import { Prng } from '../fixtures/prng.js'

interface Delivery {
  hook: string
  guid: string
  event: string
  action: string | null
  firstAt: number
  originalOk: boolean
  /** The n-th redelivery (1-based) succeeds when n >= successOn; Infinity: fails forever. */
  successOn: number
}

interface ServerAttempt extends Attempt {
  hook: string
  /** When the attempt shows up in listings (deliveries still running are listed late). */
  visibleAt: number
}

interface SimOptions {
  seed: number
  hooks: string[]
  deliveriesPerHook: number
  /** Deliveries arrive during this span after the start. */
  streamMs: number
  /** Runs continue this long after the stream ends, so everything settles. */
  settleMs: number
  runEveryMs: [number, number]
  policy: Policy
  lookbackMs: number
  /** Largest delay before an original attempt is listed (must stay under LATE_LISTING_MARGIN_MS). */
  originalLagMs: number
  /** Largest delay before a redelivery's attempt is listed (must stay under IN_FLIGHT_GRACE_MS). */
  redeliveryLagMs: number
  pError: number
  pRateLimit: number
  pCrash: number
  roundTrip: boolean
}

interface SimResult {
  deliveries: Delivery[]
  redeliveries: Map<string, number>
  runs: number
  sentPerRun: number[]
  totalRequests: number
}

const EVENTS: Array<[string, string | null]> = [
  ['push', null],
  ['pull_request', 'opened'],
  ['pull_request', 'closed'],
  ['issues', 'opened'],
  ['check_run', 'completed']
]

function simulate(o: SimOptions): SimResult {
  const rng = new Prng(o.seed)
  const start = NOW
  let nextId = 0
  const newId = (): string => bigId(nextId++ * 7 + rng.int(0, 6))

  // The stream of original deliveries, with a receiver model for each.
  const deliveries: Delivery[] = []
  const server: ServerAttempt[] = []
  for (const hook of o.hooks) {
    for (let i = 0; i < o.deliveriesPerHook; i++) {
      const [event, action] = rng.pick(EVENTS)
      const roll = rng.next()
      const d: Delivery = {
        hook,
        guid: `${hook}-g${i}`,
        event,
        action,
        // GitHub's delivered_at has whole seconds.
        firstAt: start + Math.floor(rng.int(0, o.streamMs) / SECOND) * SECOND,
        originalOk: roll < 0.4,
        successOn: roll < 0.7 ? Infinity : rng.int(1, 5)
      }
      deliveries.push(d)
    }
  }
  deliveries.sort((a, b) => a.firstAt - b.firstAt)
  for (const d of deliveries) {
    server.push({
      hook: d.hook,
      id: newId(),
      guid: d.guid,
      deliveredAt: d.firstAt,
      visibleAt: d.firstAt + rng.int(0, o.originalLagMs),
      redelivery: false,
      status: d.originalOk ? 'OK' : 'Invalid HTTP Response: 502',
      statusCode: d.originalOk ? 200 : 502,
      event: d.event,
      action: d.action
    })
  }
  const byGuid = new Map(deliveries.map(d => [d.guid, d]))

  const redeliveries = new Map<string, number>()
  const sentPerRun: number[] = []
  let stored: string | undefined
  let bookmark: Bookmark = { hooks: new Map() }
  let now = start + rng.int(0, o.runEveryMs[1])
  let runs = 0
  let totalRequests = 0
  const end = start + o.streamMs + o.settleMs

  while (now <= end) {
    runs++
    const previous: Bookmark = o.roundTrip ? parseBookmark(stored).bookmark : bookmark

    // Scan every hook: the server lists what is visible, the runner keeps what is at or after scanStart.
    const scans: HookScan[] = o.hooks.map(key => {
      const prior: HookBookmark | undefined = previous.hooks.get(key)
      const floorBase = prior?.floor ?? now - o.lookbackMs
      const scanStart = Math.max(floorBase, now - o.policy.windowMs)
      const ledger = new DeliveryLedger()
      for (const a of server) if (a.hook === key && a.visibleAt <= now && a.deliveredAt >= scanStart) ledger.add(a)
      ledger.seal()
      return { key, facts: [...ledger.facts()], scanStart, floorBase, newestAt: ledger.newestAt, previous: prior }
    })
    const plan = planRun(scans, o.policy, now)

    // Per-run properties.
    expect(plan.toRedeliver.length).toBeLessThanOrEqual(o.policy.maxRedeliveries)
    const keys = plan.toRedeliver.map(outcomeKey)
    expect(new Set(keys).size).toBe(keys.length)
    for (const d of plan.toRedeliver) {
      const delivery = byGuid.get(d.facts.guid)!
      expect(delivery.hook).toBe(d.hookKey)
      expect(d.attempts).toBeLessThan(o.policy.maxAttempts)
      expect(matchesEvents(o.policy.events, delivery.event, delivery.action)).toBe(true)
      expect(d.facts.ok).toBe(false)
      expect(d.facts.newestAt).toBeGreaterThanOrEqual(now - o.policy.windowMs + WINDOW_SAFETY_MS)
      if (o.policy.maxAgeMs !== undefined) expect(d.facts.firstAt).toBeGreaterThanOrEqual(now - o.policy.maxAgeMs)
      // What is redelivered is an attempt of that very delivery.
      expect(server.some(a => a.id === d.facts.newestId && a.guid === d.facts.guid)).toBe(true)
    }

    // Redeliver: the server appends a new attempt for each accepted request.
    const outcomes = new Map<string, Outcome>()
    let stop: Outcome | undefined
    let sent = 0
    for (const d of plan.toRedeliver) {
      if (stop) {
        outcomes.set(outcomeKey(d), stop)
        continue
      }
      totalRequests++
      if (rng.chance(o.pRateLimit)) {
        stop = { result: 'skipped', reason: 'rate-limited', message: 'secondary rate limit' }
        outcomes.set(outcomeKey(d), stop)
        continue
      }
      if (rng.chance(o.pError)) {
        outcomes.set(outcomeKey(d), { result: 'error', message: 'HTTP 502' })
        continue
      }
      const delivery = byGuid.get(d.facts.guid)!
      const n = (redeliveries.get(delivery.guid) ?? 0) + 1
      redeliveries.set(delivery.guid, n)
      sent++
      const success = n >= delivery.successOn
      const deliveredAt = now + Math.floor(rng.int(0, 5 * SECOND) / SECOND) * SECOND
      server.push({
        hook: delivery.hook,
        id: newId(),
        guid: delivery.guid,
        deliveredAt,
        visibleAt: deliveredAt + rng.int(0, o.redeliveryLagMs),
        redelivery: true,
        status: success ? 'OK' : 'Invalid HTTP Response: 500',
        statusCode: success ? 200 : 500,
        event: delivery.event,
        action: delivery.action
      })
      outcomes.set(outcomeKey(d), { result: 'redelivered', at: now })
    }
    sentPerRun.push(sent)

    // The next bookmark; a crash leaves only what was planned (marked in flight before sending).
    const crashed = plan.toRedeliver.length > 0 && rng.chance(o.pCrash)
    const next: Bookmark = { hooks: new Map(previous.hooks) }
    for (const s of scans) {
      const hookPlan = plan.hooks.find(p => p.key === s.key)!
      if (crashed) {
        const planned = new Map(plan.toRedeliver.filter(d => d.hookKey === s.key).map(d => [d.facts.newestId, now] as const))
        next.hooks.set(s.key, nextHookBookmark(s, hookPlan, new Map(), now, planned))
      } else {
        next.hooks.set(s.key, nextHookBookmark(s, hookPlan, outcomes, now))
      }
      const b = next.hooks.get(s.key)!
      // The floor never moves back, and never past what is still unfinished.
      expect(b.floor).toBeGreaterThanOrEqual(s.floorBase)
    }
    if (!o.policy.dryRun) {
      bookmark = next
      stored = serializeBookmark(next).text
    }
    now += rng.int(o.runEveryMs[0], o.runEveryMs[1])
  }
  return { deliveries, redeliveries, runs, sentPerRun, totalRequests }
}

/** How often each delivery must have been redelivered at the end. */
function expected(d: Delivery, p: Policy): number {
  if (d.originalOk) return 0
  if (!matchesEvents(p.events, d.event, d.action)) return 0
  return Math.min(d.successOn, p.maxAttempts)
}

function basePolicy(overrides: Partial<Policy> = {}): Policy {
  return { maxAttempts: 3, maxRedeliveries: 10_000, events: [], dryRun: false, windowMs: 3 * DAY, ...overrides }
}

function baseOptions(overrides: Partial<SimOptions> = {}): SimOptions {
  return {
    seed: 1,
    hooks: ['101', '202'],
    deliveriesPerHook: 150,
    streamMs: 4 * HOUR,
    settleMs: 2 * HOUR,
    runEveryMs: [45 * SECOND, 75 * SECOND],
    policy: basePolicy(),
    lookbackMs: DAY,
    originalLagMs: 90_000,
    redeliveryLagMs: 150 * SECOND,
    pError: 0,
    pRateLimit: 0,
    pCrash: 0,
    roundTrip: false,
    ...overrides
  }
}

function mismatches(result: SimResult, p: Policy): string[] {
  const wrong: string[] = []
  for (const d of result.deliveries) {
    const got = result.redeliveries.get(d.guid) ?? 0
    const want = expected(d, p)
    if (got !== want) wrong.push(`${d.guid} (${d.event}.${d.action}, originalOk=${d.originalOk}, successOn=${d.successOn}): ${got} redeliveries, expected ${want}`)
  }
  return wrong
}

function assertExactlyOnce(result: SimResult, p: Policy): void {
  expect(mismatches(result, p)).toEqual([])
}

describe('planner simulation', () => {
  test('the PRNG is deterministic', () => {
    const a = new Prng(42)
    const b = new Prng(42)
    const xs = Array.from({ length: 5 }, () => a.next())
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs)
    expect(new Set(xs).size).toBe(5)
  })

  test.each([1, 2, 3, 4, 5])('frequent runs, late listings, no errors (seed %i): exact counts', seed => {
    const o = baseOptions({ seed })
    const result = simulate(o)
    assertExactlyOnce(result, o.policy)
    // The stream had every kind of delivery.
    const failForever = result.deliveries.filter(d => !d.originalOk && d.successOn === Infinity)
    expect(failForever.length).toBeGreaterThan(20)
    for (const d of failForever) expect(result.redeliveries.get(d.guid)).toBe(o.policy.maxAttempts)
    expect(result.runs).toBeGreaterThan(200)
  })

  test.each([11, 12, 13])('with the bookmark serialized and parsed between runs (seed %i)', seed => {
    const o = baseOptions({ seed, roundTrip: true })
    assertExactlyOnce(simulate(o), o.policy)
  })

  test.each([21, 22, 23])('request errors, rate limits and crashes are retried, never duplicated (seed %i)', seed => {
    const o = baseOptions({ seed, pError: 0.15, pRateLimit: 0.03, pCrash: 0.05, roundTrip: true })
    const result = simulate(o)
    assertExactlyOnce(result, o.policy)
    expect(result.totalRequests).toBeGreaterThan([...result.redeliveries.values()].reduce((a, b) => a + b, 0))
  })

  test.each([31, 32])('runs every 10 minutes (seed %i)', seed => {
    const o = baseOptions({ seed, runEveryMs: [9 * MINUTE, 11 * MINUTE] })
    assertExactlyOnce(simulate(o), o.policy)
  })

  test.each([41, 42])('irregular runs with long gaps (seed %i)', seed => {
    const o = baseOptions({ seed, runEveryMs: [30 * SECOND, 3 * HOUR], settleMs: 20 * HOUR, roundTrip: true })
    assertExactlyOnce(simulate(o), o.policy)
  })

  test.each([51, 52])('a small budget: respected every run, the rest is sent by later runs (seed %i)', seed => {
    const p = basePolicy({ maxRedeliveries: 2 })
    const o = baseOptions({ seed, policy: p, settleMs: 6 * HOUR })
    const result = simulate(o)
    expect(Math.max(...result.sentPerRun)).toBe(2)
    assertExactlyOnce(result, p)
  })

  test.each([61, 62])('an events filter: filtered deliveries are never redelivered (seed %i)', seed => {
    const p = basePolicy({ events: [{ event: 'push' }, { event: 'pull_request', action: 'opened' }] })
    const o = baseOptions({ seed, policy: p })
    const result = simulate(o)
    assertExactlyOnce(result, p)
    const filteredFailing = result.deliveries.filter(d => !d.originalOk && !matchesEvents(p.events, d.event, d.action))
    expect(filteredFailing.length).toBeGreaterThan(10)
    for (const d of filteredFailing) expect(result.redeliveries.get(d.guid)).toBeUndefined()
  })

  test.each([1, 5])('max-attempts %i', maxAttempts => {
    const p = basePolicy({ maxAttempts })
    const o = baseOptions({ seed: 70 + maxAttempts, policy: p, pError: 0.1, roundTrip: true })
    assertExactlyOnce(simulate(o), p)
  })

  test('a dry run redelivers nothing', () => {
    const p = basePolicy({ dryRun: true })
    const result = simulate(baseOptions({ seed: 81, policy: p, settleMs: HOUR }))
    expect(result.totalRequests).toBe(0)
    expect(result.redeliveries.size).toBe(0)
  })

  test('redeliveries listed just inside the in-flight grace are not sent twice', () => {
    const o = baseOptions({ seed: 91, redeliveryLagMs: IN_FLIGHT_GRACE_MS - 10 * SECOND, runEveryMs: [20 * SECOND, 40 * SECOND] })
    assertExactlyOnce(simulate(o), o.policy)
  })

  test('max-age: nothing older than max-age is sent, nothing more than max-attempts', () => {
    const p = basePolicy({ maxAgeMs: 20 * MINUTE })
    const o = baseOptions({ seed: 101, policy: p, runEveryMs: [5 * MINUTE, 15 * MINUTE], pError: 0.2 })
    const result = simulate(o)
    for (const d of result.deliveries) {
      const got = result.redeliveries.get(d.guid) ?? 0
      expect(got).toBeLessThanOrEqual(expected(d, p))
    }
    expect(result.redeliveries.size).toBeGreaterThan(10)
  })
})

describe('planner simulation: negative controls (the simulation can detect violations)', () => {
  test('redelivery attempts listed later than the in-flight grace are sent again', () => {
    const o = baseOptions({ seed: 201, redeliveryLagMs: 3 * IN_FLIGHT_GRACE_MS, runEveryMs: [20 * SECOND, 40 * SECOND], settleMs: HOUR })
    const wrong = mismatches(simulate(o), o.policy)
    expect(wrong.length).toBeGreaterThan(0)
  })

  test('original attempts listed much later than the late-listing margin can be missed', () => {
    const o = baseOptions({ seed: 202, originalLagMs: 40 * MINUTE, settleMs: HOUR })
    const wrong = mismatches(simulate(o), o.policy)
    expect(wrong.some(w => w.includes(': 0 redeliveries'))).toBe(true)
  })
})
