/**
 * The outage rules of the pure core: when a receiver counts as up, the probe, the held
 * deliveries, free probes, the backoff, and what a run gives up.
 */
import { describe, expect, test } from '@jest/globals'
import { downSinceOf, freeRedelivery, inProbeSpans, PROBE_TIME_MARGIN_MS } from '../../src/core/bookmark/moves.js'
import { GIVE_UP_SKIPS, releaseHeld, replaceProbe, type Decision, type Outcome } from '../../src/core/decisions.js'
import { planRun, type HookScan, type Policy } from '../../src/core/plan.js'
import { answerOf, backoffMs, chargedAttempts, FRESH_SUCCESS_MS, receiverEvidence, verdictOf } from '../../src/core/receiver.js'
import { DeliveryLedger, type GuidFacts } from '../../src/core/ledger.js'
import { bigId, checkpointEntry, facts, finalEntry, hookBookmark, HOUR, MINUTE, NOW, policy, scan } from '../fixtures/builders.js'

const DOWN = { newestOk: false, lastOkAt: NOW - 3 * HOUR }

function planDown(list: GuidFacts[], overrides: Partial<HookScan> = {}, pol: Partial<Policy> = {}) {
  const s = scan({ facts: list, ...DOWN, ...overrides })
  const run = planRun([s], policy(pol), NOW)
  return { scan: s, run, hook: run.hooks.get(s.key)! }
}

function state(decisions: readonly Decision[]): Record<string, string> {
  return Object.fromEntries(decisions.map(d => [d.facts.guid, d.probe ? 'probe' : d.action === 'redeliver' ? 'redeliver' : `${d.reason}${d.held ? ' (held)' : ''}`]))
}

describe('receiverEvidence', () => {
  test('up only when the newest attempt succeeded, at most FRESH_SUCCESS_MS ago', () => {
    expect(receiverEvidence({ newestOk: true, lastOkAt: NOW - FRESH_SUCCESS_MS }, NOW)).toBe('up')
    expect(receiverEvidence({ newestOk: true, lastOkAt: NOW - FRESH_SUCCESS_MS - 1 }, NOW)).toBe('unclear')
    expect(receiverEvidence({ newestOk: false, lastOkAt: NOW - 1000 }, NOW)).toBe('unclear')
    expect(receiverEvidence({}, NOW)).toBe('unclear')
  })
})

describe('an answer is evidence', () => {
  test('a 2xx is ok; a 4xx or a 500 is the receiver refusing that payload; timeouts, failed connections and 502/503/504 mean it could not be reached', () => {
    const a = (statusCode: number, status = `Invalid HTTP Response: ${statusCode}`) => answerOf({ status, statusCode })
    expect([a(200, 'OK'), a(204, 'OK'), a(202)]).toEqual(['ok', 'ok', 'ok'])
    expect([a(400), a(401), a(404), a(410), a(422), a(429), a(500), a(501), a(505), a(301)]).toEqual(Array(10).fill('refused'))
    expect([a(0, 'timed out'), a(502, 'failed to connect to host'), a(502), a(503), a(504), a(0, 'failed to connect to network'), a(0, 'Peer certificate cannot be authenticated')]).toEqual(
      Array(7).fill('unreachable')
    )
    expect([verdictOf('ok'), verdictOf('refused'), verdictOf('unreachable')]).toEqual(['up', 'up', 'down'])
  })

  test('the listing shows a receiver up when its newest attempt got an answer, a success or a refusal, a moment ago', () => {
    expect(receiverEvidence({ newestOk: false, newestAnswered: true, lastAnswerAt: NOW - MINUTE }, NOW)).toBe('up')
    expect(receiverEvidence({ newestOk: false, newestAnswered: true, lastAnswerAt: NOW - FRESH_SUCCESS_MS - 1 }, NOW)).toBe('unclear')
    expect(receiverEvidence({ newestOk: false, newestAnswered: true, lastAnswerAt: NOW - 3 * HOUR, downBefore: true }, NOW)).toBe('up')
    expect(receiverEvidence({ newestOk: false, newestAnswered: false, lastAnswerAt: NOW - MINUTE }, NOW)).toBe('unclear')
  })

  test('organization and repository hooks are pinged, never probed: every due delivery waits for the answer', () => {
    const { run, hook } = planDown([facts({ guid: 'a', firstAt: NOW - 2 * HOUR }), facts({ guid: 'b' })], { pingable: true })
    expect(run.pings).toEqual([hook.key])
    expect(hook.check).toBe('ping')
    expect(run.toRedeliver).toEqual([])
    expect(state(hook.decisions)).toEqual({ a: 'receiver-down (held)', b: 'receiver-down (held)' })
    expect(releaseHeld(run, new Map([[hook.key, 'up']]), { maxRedeliveries: 500 }).map(d => d.facts.guid)).toEqual(['a', 'b'])
  })

  test('a dry run, or a receiver the listing shows up, is never pinged', () => {
    expect(planDown([facts({ guid: 'a' })], { pingable: true }, { dryRun: true }).run.pings).toEqual([])
    expect(planDown([facts({ guid: 'a' })], { pingable: true, newestOk: true, lastOkAt: NOW - MINUTE }).run.pings).toEqual([])
  })
})

describe('the ledger reads pings as evidence, never as deliveries', () => {
  test('a ping is no failing delivery; its answer is the newest evidence', () => {
    const ledger = new DeliveryLedger()
    ledger.add({ id: bigId(1), guid: 'push-1', deliveredAt: NOW - HOUR, redelivery: false, status: 'timed out', statusCode: 0, event: 'push', action: null })
    ledger.add({ id: bigId(2), guid: 'ping-1', deliveredAt: NOW - MINUTE, redelivery: false, status: 'Invalid HTTP Response: 404', statusCode: 404, event: 'ping', action: null })
    expect([...ledger.facts()].map(f => f.guid)).toEqual(['push-1'])
    expect([ledger.newestOk, ledger.newestAnswered, ledger.lastAnswerAt]).toEqual([false, true, NOW - MINUTE])
  })

  test("a probe the receiver refused is charged; one that could not reach it is free; a replay's is free either way", () => {
    const ledger = new DeliveryLedger(freeRedelivery(hookBookmark({ floor: NOW - 10 * HOUR, probes: [[NOW - HOUR, NOW]] })))
    const attempt = (id: number, guid: string, statusCode: number, redelivery = true) => ({
      id: bigId(id),
      guid,
      deliveredAt: NOW - id * MINUTE,
      redelivery,
      status: `Invalid HTTP Response: ${statusCode}`,
      statusCode,
      event: 'push',
      action: null
    })
    ledger.add(attempt(1, 'refused', 400))
    ledger.add(attempt(2, 'refused', 400, false))
    ledger.add(attempt(3, 'unreached', 503))
    ledger.add(attempt(4, 'unreached', 503, false))
    const byGuid = new Map([...ledger.facts()].map(f => [f.guid, chargedAttempts(f.redeliveries, f.freeRedeliveries)]))
    expect(Object.fromEntries(byGuid)).toEqual({ refused: 1, unreached: 0 })
    const replayed = new DeliveryLedger(freeRedelivery(hookBookmark({ floor: NOW - 10 * HOUR, replays: [[NOW - HOUR, NOW]] })))
    for (const a of [attempt(1, 'refused', 400), attempt(2, 'refused', 400, false), attempt(3, 'unreached', 503), attempt(4, 'unreached', 503, false)]) replayed.add(a)
    expect([...replayed.facts()].map(f => chargedAttempts(f.redeliveries, f.freeRedeliveries))).toEqual([0, 0])
  })
})

describe('backoff and charged attempts', () => {
  test('1 h, 4 h, 16 h, then at most 24 h', () => {
    expect([0, 1, 2, 3, 4, 10].map(backoffMs)).toEqual([0, HOUR, 4 * HOUR, 16 * HOUR, 24 * HOUR, 24 * HOUR])
  })
  test('free probes are not charged, never below zero', () => {
    expect(chargedAttempts(3, 1)).toBe(2)
    expect(chargedAttempts(1, 2)).toBe(0)
  })
  test('a refused delivery waits for its backoff, counted from its newest attempt', () => {
    const f = (n: number, ago: number) => facts({ guid: `g${n}-${ago}`, redeliveries: n, newestAt: NOW - ago, firstAt: NOW - 20 * HOUR })
    const { hook } = planDown([f(1, HOUR - 1), f(1, HOUR), f(2, 4 * HOUR - 1), f(2, 4 * HOUR)], { newestOk: true, lastOkAt: NOW - MINUTE })
    expect(state(hook.decisions)).toEqual({ [`g1-${HOUR - 1}`]: 'backoff', [`g1-${HOUR}`]: 'redeliver', [`g2-${4 * HOUR - 1}`]: 'backoff', [`g2-${4 * HOUR}`]: 'redeliver' })
  })
})

describe('a hook whose receiver is not shown up', () => {
  test('one probe, the least-tried oldest due delivery; the other due ones are held as receiver-down', () => {
    const list = [
      facts({ guid: 'old-tried', firstAt: NOW - 5 * HOUR, redeliveries: 1, newestAt: NOW - 3 * HOUR }),
      facts({ guid: 'old', firstAt: NOW - 4 * HOUR }),
      facts({ guid: 'new', firstAt: NOW - HOUR }),
      facts({ guid: 'filtered', event: 'issues', firstAt: NOW - 6 * HOUR })
    ]
    const { hook, run } = planDown(list, {}, { events: [{ event: 'push' }] })
    expect(hook.evidence).toBe('unclear')
    expect(state(hook.decisions)).toEqual({ 'old-tried': 'receiver-down (held)', old: 'probe', new: 'receiver-down (held)', filtered: 'filtered' })
    expect(run.toRedeliver.map(d => d.facts.guid)).toEqual(['old'])
  })

  test('a free probe counts as a try when choosing the next probe, but not against max-attempts', () => {
    const list = [facts({ guid: 'a', firstAt: NOW - 5 * HOUR, redeliveries: 2, freeRedeliveries: 2 }), facts({ guid: 'b', firstAt: NOW - 4 * HOUR, redeliveries: 1 })]
    const { hook } = planDown(list)
    expect(hook.decisions.map(d => d.attempts)).toEqual([0, 1])
    // a: listed twice (both free); b: once: b is the probe.
    expect(state(hook.decisions)).toEqual({ a: 'receiver-down (held)', b: 'probe' })
  })

  test('up from a success listed late, once a run found the receiver down', () => {
    const late = { newestOk: true, lastOkAt: NOW - HOUR }
    expect(receiverEvidence(late, NOW)).toBe('unclear')
    expect(receiverEvidence({ ...late, downBefore: true }, NOW)).toBe('up')
    const { hook } = planDown([facts({ guid: 'a' })], { ...late, previous: hookBookmark({ downSince: NOW - 3 * HOUR }) })
    expect(hook.evidence).toBe('up')
  })

  test('replaceProbe: the next held delivery becomes the probe, within the budget', () => {
    const list = [1, 2, 3].map(n => facts({ guid: `g${n}`, firstAt: NOW - n * HOUR }))
    const { run } = planDown(list, {}, { maxRedeliveries: 2 })
    expect(replaceProbe(run, 'hook-1', { maxRedeliveries: 2 })?.facts.guid).toBe('g2')
    expect(replaceProbe(run, 'hook-1', { maxRedeliveries: 2 })).toBeUndefined()
  })

  test('probes of every hook go first, before the due deliveries of hooks that are up', () => {
    const down = scan({ key: 'down', facts: [facts({ guid: 'd1', firstAt: NOW - HOUR }), facts({ guid: 'd2', firstAt: NOW - 2 * HOUR })], ...DOWN })
    const up = scan({ key: 'up', facts: [facts({ guid: 'u1', firstAt: NOW - 9 * HOUR })] })
    const run = planRun([up, down], policy(), NOW)
    expect(run.toRedeliver.map(d => d.facts.guid)).toEqual(['d2', 'u1'])
  })

  test('dry run: no probe, every due delivery is reported as dry-run', () => {
    const { hook } = planDown([facts({ guid: 'a' }), facts({ guid: 'b', firstAt: NOW - 2 * HOUR })], {}, { dryRun: true })
    expect(state(hook.decisions)).toEqual({ a: 'dry-run', b: 'dry-run' })
  })

  test('releaseHeld: an up verdict sends the held deliveries, oldest first, within what is left of the budget', () => {
    const list = [1, 2, 3, 4].map(n => facts({ guid: `g${n}`, firstAt: NOW - n * HOUR }))
    const { run, hook } = planDown(list, {}, { maxRedeliveries: 3 })
    const released = releaseHeld(run, new Map([['hook-1', 'up']]), { maxRedeliveries: 3 })
    expect(released.map(d => d.facts.guid)).toEqual(['g3', 'g2'])
    expect(state(hook.decisions)).toEqual({ g4: 'probe', g3: 'redeliver', g2: 'redeliver', g1: 'budget' })
    expect(run.toRedeliver).toHaveLength(3)
  })

  test('releaseHeld: a hook whose probe did not fit in the budget has its held deliveries skipped as budget', () => {
    const a = scan({ key: 'a', facts: [facts({ guid: 'a1', firstAt: NOW - 3 * HOUR })], newestOk: true, lastOkAt: NOW - MINUTE })
    const b = scan({ key: 'b', facts: [facts({ guid: 'b1', firstAt: NOW - 2 * HOUR }), facts({ guid: 'b2', firstAt: NOW - HOUR })], ...DOWN })
    const run = planRun([a, b], policy({ maxRedeliveries: 1 }), NOW)
    // The probe of b goes first and takes the budget of 1; a1 is over it.
    expect(run.toRedeliver.map(d => d.facts.guid)).toEqual(['b1'])
    const c = scan({ key: 'c', facts: [facts({ guid: 'c1', firstAt: NOW - 5 * HOUR }), facts({ guid: 'c2', firstAt: NOW - HOUR })], ...DOWN })
    const tight = planRun([b, c], policy({ maxRedeliveries: 1 }), NOW)
    releaseHeld(tight, new Map(), { maxRedeliveries: 1 })
    expect([...tight.hooks.values()][0].decisions.map(d => [d.facts.guid, d.action, d.reason])).toEqual([
      ['b1', 'skip', 'budget'],
      ['b2', 'skip', 'budget']
    ])
    expect(state([...tight.hooks.values()][1].decisions)).toEqual({ c1: 'probe', c2: 'receiver-down (held)' })
  })

  test('releaseHeld: down and unknown verdicts keep them waiting, each said as it is', () => {
    for (const [verdict, reason] of [
      ['down', 'receiver-down'],
      ['unknown', 'receiver-unknown']
    ] as const) {
      const { run, hook } = planDown([facts({ guid: 'a', firstAt: NOW - 2 * HOUR }), facts({ guid: 'b' })])
      expect(releaseHeld(run, new Map([['hook-1', verdict]]), { maxRedeliveries: 500 })).toEqual([])
      expect(state(hook.decisions)).toEqual({ a: 'probe', b: `${reason} (held)` })
    }
  })
})

describe('the bookmark of a hook found down', () => {
  function after(verdict: 'up' | 'down' | 'unknown', previous = hookBookmark({ floor: NOW - 10 * HOUR })) {
    const list = [facts({ guid: 'a', firstAt: NOW - 2 * HOUR, newestId: bigId(1) }), facts({ guid: 'b', firstAt: NOW - HOUR, newestId: bigId(2) })]
    const { scan: s, run, hook } = planDown(list, { previous, floorBase: previous.floor, scanStart: previous.floor, newestAt: NOW - 30 * MINUTE })
    const outcomes = new Map<Decision, Outcome>([[run.toRedeliver[0], { result: 'redelivered', at: NOW }]])
    releaseHeld(run, new Map([['hook-1', verdict]]), { maxRedeliveries: 500 })
    return { bookmark: finalEntry(s, hook, outcomes, NOW, { verdict, probedAt: NOW }), hook, scan: s, run }
  }

  test('the probe is free; the held ones keep the floor; downSince is the oldest failure since the last success', () => {
    const { bookmark } = after('down')
    expect(bookmark.probes).toEqual([[NOW, NOW]])
    expect(bookmark.floor).toBe(NOW - 2 * HOUR)
    expect(bookmark.downSince).toBe(NOW - 2 * HOUR)
    expect(bookmark.sent).toEqual(new Map([[bigId(1), NOW]]))
  })

  test('downSince is kept across runs while down, and cleared once up', () => {
    expect(after('unknown', hookBookmark({ floor: NOW - 10 * HOUR, downSince: NOW - 9 * HOUR })).bookmark.downSince).toBe(NOW - 9 * HOUR)
    expect(after('up', hookBookmark({ floor: NOW - 10 * HOUR, downSince: NOW - 9 * HOUR })).bookmark.downSince).toBeUndefined()
  })

  test('one span per outage: a probe while the receiver was already down extends it; a new outage starts another', () => {
    const ongoing = hookBookmark({ floor: NOW - 10 * HOUR, downSince: NOW - 9 * HOUR, probes: [[NOW - 9 * HOUR, NOW - HOUR]] })
    expect(after('down', ongoing).bookmark.probes).toEqual([[NOW - 9 * HOUR, NOW]])
    const over = hookBookmark({ floor: NOW - 10 * HOUR, probes: [[NOW - 9 * HOUR, NOW - 5 * HOUR]] })
    expect(after('unknown', over).bookmark.probes).toEqual([
      [NOW - 9 * HOUR, NOW - 5 * HOUR],
      [NOW, NOW]
    ])
    // A probe that got through leaves no span; spans older than what a scan reads are dropped.
    expect(after('up', over).bookmark.probes).toEqual([[NOW - 9 * HOUR, NOW - 5 * HOUR]])
    const old = hookBookmark({ floor: NOW - 2 * HOUR, probes: [[NOW - 9 * HOUR, NOW - 5 * HOUR]] })
    expect(after('up', old).bookmark.probes).toEqual([])
  })

  test('a failed redelivery inside a span (give or take PROBE_TIME_MARGIN_MS) is free', () => {
    const spans: Array<[number, number]> = [[NOW - 5 * HOUR, NOW - 4 * HOUR]]
    expect(inProbeSpans(spans, NOW - 5 * HOUR - PROBE_TIME_MARGIN_MS)).toBe(true)
    expect(inProbeSpans(spans, NOW - 4 * HOUR + PROBE_TIME_MARGIN_MS)).toBe(true)
    expect(inProbeSpans(spans, NOW - 4 * HOUR + PROBE_TIME_MARGIN_MS + 1)).toBe(false)
    const ledger = new DeliveryLedger(t => inProbeSpans(spans, t))
    const attempt = (id: string, at: number, redelivery: boolean) => ({ id, guid: 'g', deliveredAt: at, redelivery, status: 'failed to connect to host', statusCode: 502, event: 'push', action: null })
    ledger.add(attempt('1', NOW - 6 * HOUR, false))
    ledger.add(attempt('2', NOW - 270 * MINUTE, true))
    ledger.add(attempt('3', NOW - HOUR, true))
    expect([...ledger.facts()][0]).toMatchObject({ redeliveries: 2, freeRedeliveries: 1 })
  })

  test('a probe about to be sent is already in a span in the checkpoint (a run killed after sending it charges nothing)', () => {
    const list = [facts({ guid: 'a', firstAt: NOW - 2 * HOUR, newestId: bigId(1) }), facts({ guid: 'b', newestId: bigId(2) })]
    const { scan: s, hook } = planDown(list)
    const checkpoint = checkpointEntry(s, hook, new Map(), NOW, [bigId(1)])
    expect(checkpoint.probes).toEqual([[NOW, NOW]])
    expect(checkpoint.pending).toEqual(new Map([[bigId(1), NOW]]))
  })

  test('since when a receiver found down has been failing: its oldest failure after its last success', () => {
    const s = scan({ lastOkAt: NOW - 3 * HOUR })
    const plan = [...planRun([scan({ ...s, facts: [facts({ guid: 'before', firstAt: NOW - 4 * HOUR }), facts({ guid: 'after', firstAt: NOW - 2 * HOUR })] })], policy(), NOW).hooks.values()][0]
    expect(downSinceOf(s, plan, { verdict: 'down', probedAt: NOW })).toBe(NOW - 2 * HOUR)
  })
})

describe('given up', () => {
  test('max-attempts and outside-window are given up; other final skips are not', () => {
    expect([...GIVE_UP_SKIPS].sort()).toEqual(['max-attempts', 'outside-window'])
  })
})
