import { describe, expect, test } from '@jest/globals'
import type { HookBookmark } from '../../src/core/bookmark/format.js'
import { backoffMs } from '../../src/core/receiver.js'
import { LATE_LISTING_MARGIN_MS } from '../../src/core/bookmark/moves.js'
import { PLANNED_IN_FLIGHT_MS, SENT_IN_FLIGHT_MS } from '../../src/core/bookmark/trust.js'
import { FINAL_SKIPS, finalReason, type Decision, type Outcome } from '../../src/core/decisions.js'
import { WINDOW_SAFETY_MS, planRun, type HookScan, type Policy } from '../../src/core/plan.js'
import type { GuidFacts } from '../../src/core/ledger.js'
import { bigId, checkpointEntry, DAY, emptyHookPlan, facts, finalEntry, hookBookmark, HOUR, MINUTE, NOW, policy, scan } from '../fixtures/builders.js'

function planOne(list: GuidFacts[], overrides: Partial<HookScan> = {}, pol: Partial<Policy> = {}, now = NOW) {
  const s = scan({ facts: list, ...overrides })
  const run = planRun([s], policy(pol), now)
  return { scan: s, run, hook: run.hooks.get(s.key)! }
}

function reasons(decisions: readonly Decision[]): Record<string, string | undefined> {
  return Object.fromEntries(decisions.map(d => [d.facts.guid, d.action === 'redeliver' ? 'redeliver' : d.reason]))
}

describe('constants', () => {
  test('have the documented values', () => {
    expect(PLANNED_IN_FLIGHT_MS).toBe(180_000)
    expect(SENT_IN_FLIGHT_MS).toBe(3_600_000)
    expect(LATE_LISTING_MARGIN_MS).toBe(120_000)
    expect(WINDOW_SAFETY_MS).toBe(900_000)
    expect([...FINAL_SKIPS].sort()).toEqual(['filtered', 'max-attempts', 'outside-window', 'refused', 'too-old'])
  })
})

/** Whether the `events` input lets a delivery of this event and action through to be redelivered. */
function matchesEvents(events: Policy['events'], event: string, action: string | null): boolean {
  return planOne([facts({ event, action })], {}, { events }).hook.decisions[0].reason !== 'filtered'
}

describe('the events filter', () => {
  test('no filter matches everything', () => {
    expect(matchesEvents([], 'push', null)).toBe(true)
    expect(matchesEvents([], 'issues', 'opened')).toBe(true)
  })

  test('event filters', () => {
    const filters = [{ event: 'push' }, { event: 'pull_request', action: 'opened' }]
    expect(matchesEvents(filters, 'push', null)).toBe(true)
    expect(matchesEvents(filters, 'push', 'anything')).toBe(true)
    expect(matchesEvents(filters, 'pull_request', 'opened')).toBe(true)
    expect(matchesEvents(filters, 'pull_request', 'closed')).toBe(false)
    expect(matchesEvents(filters, 'pull_request', null)).toBe(false)
    expect(matchesEvents(filters, 'issues', 'opened')).toBe(false)
    expect(matchesEvents(filters, 'pushed', null)).toBe(false)
  })
})

describe('planRun: what is failing', () => {
  test('a due failing delivery is redelivered with its attempts count', () => {
    const f = facts({ guid: 'g', redeliveries: 2, newestAt: NOW - backoffMs(2) })
    const { run, hook } = planOne([f])
    expect(hook.decisions).toEqual([{ hookKey: 'hook-1', facts: f, attempts: 2, action: 'redeliver' }])
    expect(run.toRedeliver).toEqual([hook.decisions[0]])
    expect(hook).toMatchObject({ key: 'hook-1', inFlight: [], outsideScan: 0, alreadyDone: 0 })
  })

  test('a guid without its original in the scan is not decided here', () => {
    const { hook, run } = planOne([facts({ guid: 'g', hasOriginal: false })])
    expect(hook.decisions).toEqual([])
    expect(hook.outsideScan).toBe(1)
    expect(run.toRedeliver).toEqual([])
  })

  test('a guid whose first attempt is before scanStart is not decided here; at scanStart it is', () => {
    const scanStart = NOW - HOUR
    const { hook } = planOne([facts({ guid: 'before', firstAt: scanStart - 1 }), facts({ guid: 'at', firstAt: scanStart })], { scanStart })
    expect(reasons(hook.decisions)).toEqual({ at: 'redeliver' })
    expect(hook.outsideScan).toBe(1)
  })

  test('done guids are ignored', () => {
    const previous = hookBookmark({ done: new Map([['g', NOW - HOUR]]) })
    const { hook, run } = planOne([facts({ guid: 'g' }), facts({ guid: 'h' })], { previous })
    expect(reasons(hook.decisions)).toEqual({ h: 'redeliver' })
    expect(hook.alreadyDone).toBe(1)
    expect(run.toRedeliver.map(d => d.facts.guid)).toEqual(['h'])
  })
})

describe('planRun: in flight', () => {
  const requestedAt = NOW - MINUTE
  const previous = (): HookBookmark => hookBookmark({ pending: new Map([[bigId(7), requestedAt]]) })

  test('the newest attempt was redelivered recently: in flight, not a decision', () => {
    const f = facts({ guid: 'g', newestId: bigId(7), redeliveries: 1 })
    const { hook, run } = planOne([f], { previous: previous() })
    expect(hook.inFlight).toEqual([f])
    expect(hook.decisions).toEqual([])
    expect(run.toRedeliver).toEqual([])
  })

  test('only planned (perhaps never sent): in flight until exactly PLANNED_IN_FLIGHT_MS after', () => {
    const f = facts({ guid: 'g', newestId: bigId(7) })
    expect(planOne([f], { previous: previous() }, {}, requestedAt + PLANNED_IN_FLIGHT_MS - 1).hook.inFlight).toHaveLength(1)
    const expired = planOne([f], { previous: previous() }, {}, requestedAt + PLANNED_IN_FLIGHT_MS)
    expect(expired.hook.inFlight).toEqual([])
    expect(reasons(expired.hook.decisions)).toEqual({ g: 'redeliver' })
  })

  test('accepted by GitHub: in flight until its attempt is listed, up to exactly SENT_IN_FLIGHT_MS', () => {
    const f = facts({ guid: 'g', newestId: bigId(7) })
    const sent = (): HookBookmark => hookBookmark({ sent: new Map([[bigId(7), requestedAt]]) })
    expect(planOne([f], { previous: sent() }, {}, requestedAt + 20 * MINUTE).hook.inFlight).toHaveLength(1)
    expect(planOne([f], { previous: sent() }, {}, requestedAt + SENT_IN_FLIGHT_MS - 1).hook.inFlight).toHaveLength(1)
    const expired = planOne([f], { previous: sent() }, {}, requestedAt + SENT_IN_FLIGHT_MS)
    expect(expired.hook.inFlight).toEqual([])
    // Listed: a newer attempt; decided again at once.
    const listed = planOne([facts({ guid: 'g', newestId: bigId(9), redeliveries: 1 })], { previous: sent() }, {}, requestedAt + MINUTE)
    expect(listed.hook.inFlight).toEqual([])
  })

  test('once the redelivery is listed (a newer attempt), the guid is decided again', () => {
    const f = facts({ guid: 'g', newestId: bigId(8), redeliveries: 1 })
    const { hook } = planOne([f], { previous: previous() })
    expect(hook.inFlight).toEqual([])
    expect(hook.decisions.map(d => [d.action, d.attempts])).toEqual([['redeliver', 1]])
  })

  test('pending ids differing only beyond 2^53 do not match', () => {
    const f = facts({ guid: 'g', newestId: '9007199254740992' })
    const { hook } = planOne([f], { previous: hookBookmark({ pending: new Map([['9007199254740993', requestedAt]]) }) })
    expect(hook.inFlight).toEqual([])
    expect(hook.decisions).toHaveLength(1)
  })
})

describe('planRun: skip reasons', () => {
  test('events filter: event and event.action', () => {
    const list = [
      facts({ guid: 'push', event: 'push' }),
      facts({ guid: 'pr-opened', event: 'pull_request', action: 'opened' }),
      facts({ guid: 'pr-closed', event: 'pull_request', action: 'closed' }),
      facts({ guid: 'issues', event: 'issues', action: 'opened' })
    ]
    const { hook, run } = planOne(list, {}, { events: [{ event: 'push' }, { event: 'pull_request', action: 'opened' }] })
    expect(reasons(hook.decisions)).toEqual({ push: 'redeliver', 'pr-opened': 'redeliver', 'pr-closed': 'filtered', issues: 'filtered' })
    expect(run.toRedeliver.map(d => d.facts.guid).sort()).toEqual(['pr-opened', 'push'])
  })

  test('max-attempts: attempts >= max is skipped', () => {
    const list = [0, 1, 2, 3, 4].map(n => facts({ guid: `r${n}`, redeliveries: n, newestAt: NOW - 20 * HOUR }))
    const { hook } = planOne(list, {}, { maxAttempts: 3 })
    expect(reasons(hook.decisions)).toEqual({ r0: 'redeliver', r1: 'redeliver', r2: 'redeliver', r3: 'max-attempts', r4: 'max-attempts' })
    expect(hook.decisions.map(d => d.attempts)).toEqual([0, 1, 2, 3, 4])
  })

  test('max-attempts 1', () => {
    const { hook } = planOne([facts({ guid: 'a', redeliveries: 0 }), facts({ guid: 'b', redeliveries: 1 })], {}, { maxAttempts: 1 })
    expect(reasons(hook.decisions)).toEqual({ a: 'redeliver', b: 'max-attempts' })
  })

  test('max-age: strictly older than now - max-age is too old', () => {
    const maxAgeMs = 2 * HOUR
    const list = [facts({ guid: 'edge', firstAt: NOW - maxAgeMs }), facts({ guid: 'older', firstAt: NOW - maxAgeMs - 1, newestAt: NOW - MINUTE }), facts({ guid: 'young', firstAt: NOW - HOUR })]
    const { hook } = planOne(list, { scanStart: NOW - DAY }, { maxAgeMs })
    expect(reasons(hook.decisions)).toEqual({ edge: 'redeliver', older: 'too-old', young: 'redeliver' })
  })

  test('no max-age: nothing is too old', () => {
    const { hook } = planOne([facts({ guid: 'old', firstAt: NOW - 2 * DAY })], { scanStart: NOW - 3 * DAY })
    expect(reasons(hook.decisions)).toEqual({ old: 'redeliver' })
  })

  test('outside-window: first attempt older than window - safety margin (given up and reported before its original leaves the scan)', () => {
    const windowMs = 3 * DAY
    const edge = NOW - windowMs + WINDOW_SAFETY_MS
    const list = [
      facts({ guid: 'edge', firstAt: edge, newestAt: edge }),
      facts({ guid: 'gone', firstAt: edge - 1, newestAt: edge - 1 }),
      facts({ guid: 'renewed', firstAt: edge - HOUR, newestAt: edge + 1 })
    ]
    const { hook } = planOne(list, { scanStart: NOW - 4 * DAY }, { windowMs })
    expect(reasons(hook.decisions)).toEqual({ edge: 'redeliver', gone: 'outside-window', renewed: 'outside-window' })
  })

  test('outside-window on GHES uses the 7 day window', () => {
    const f = facts({ guid: 'g', firstAt: NOW - 5 * DAY })
    expect(reasons(planOne([f], { scanStart: NOW - 8 * DAY }, { windowMs: 3 * DAY }).hook.decisions)).toEqual({ g: 'outside-window' })
    expect(reasons(planOne([f], { scanStart: NOW - 8 * DAY }, { windowMs: 7 * DAY }).hook.decisions)).toEqual({ g: 'redeliver' })
  })

  test('reason precedence: filtered, then max-attempts, then too-old, then outside-window', () => {
    const base = { firstAt: NOW - 4 * DAY, newestAt: NOW - 4 * DAY, redeliveries: 5, event: 'issues' }
    const pol = { events: [{ event: 'push' }], maxAttempts: 3, maxAgeMs: HOUR }
    const s = { scanStart: NOW - 5 * DAY }
    expect(planOne([facts(base)], s, pol).hook.decisions[0].reason).toBe('filtered')
    expect(planOne([facts({ ...base, event: 'push' })], s, pol).hook.decisions[0].reason).toBe('max-attempts')
    expect(planOne([facts({ ...base, event: 'push', redeliveries: 0 })], s, pol).hook.decisions[0].reason).toBe('too-old')
    expect(planOne([facts({ ...base, event: 'push', redeliveries: 0 })], s, { ...pol, maxAgeMs: undefined }).hook.decisions[0].reason).toBe('outside-window')
  })
})

describe('planRun: budget across hooks', () => {
  function threeHooks(pol: Partial<Policy>) {
    const scans = [
      scan({ key: 'a', facts: [facts({ guid: 'a1', firstAt: NOW - 10 * MINUTE }), facts({ guid: 'a2', firstAt: NOW - 50 * MINUTE })] }),
      scan({ key: 'b', facts: [facts({ guid: 'b1', firstAt: NOW - 30 * MINUTE }), facts({ guid: 'b2', firstAt: NOW - 60 * MINUTE })] }),
      scan({ key: 'c', facts: [facts({ guid: 'c1', firstAt: NOW - 20 * MINUTE }), facts({ guid: 'c2', firstAt: NOW - 40 * MINUTE, redeliveries: 3 })] })
    ]
    return planRun(scans, policy(pol), NOW)
  }

  test('the oldest are sent first, across every hook', () => {
    const run = threeHooks({ maxRedeliveries: 500 })
    expect(run.toRedeliver.map(d => d.facts.guid)).toEqual(['b2', 'a2', 'b1', 'c1', 'a1'])
    expect(run.toRedeliver.map(d => d.hookKey)).toEqual(['b', 'a', 'b', 'c', 'a'])
  })

  test('what exceeds max-redeliveries is skipped as budget (the newest ones)', () => {
    const run = threeHooks({ maxRedeliveries: 2 })
    expect(run.toRedeliver.map(d => d.facts.guid)).toEqual(['b2', 'a2'])
    const all = [...run.hooks.values()].flatMap(h => h.decisions)
    expect(reasons(all)).toEqual({ a1: 'budget', a2: 'redeliver', b1: 'budget', b2: 'redeliver', c1: 'budget', c2: 'max-attempts' })
    expect([...run.hooks.keys()]).toEqual(['a', 'b', 'c'])
  })

  test('ties on firstAt are broken by guid, deterministically', () => {
    const at = NOW - HOUR
    const scans = [scan({ key: 'x', facts: [facts({ guid: 'm', firstAt: at }), facts({ guid: 'z', firstAt: at })] }), scan({ key: 'y', facts: [facts({ guid: 'a', firstAt: at })] })]
    expect(planRun(scans, policy({ maxRedeliveries: 2 }), NOW).toRedeliver.map(d => d.facts.guid)).toEqual(['a', 'm'])
  })

  test('skipped deliveries do not consume the budget', () => {
    const list = [
      facts({ guid: 'filtered', event: 'issues', firstAt: NOW - 3 * HOUR }),
      facts({ guid: 'maxed', redeliveries: 3, firstAt: NOW - 2 * HOUR }),
      facts({ guid: 'due', firstAt: NOW - HOUR })
    ]
    const { run } = planOne(list, {}, { maxRedeliveries: 1, events: [{ event: 'push' }] })
    expect(run.toRedeliver.map(d => d.facts.guid)).toEqual(['due'])
  })

  test('dry run: due ones are dry-run, over-budget ones are budget, nothing is sent', () => {
    const run = threeHooks({ maxRedeliveries: 2, dryRun: true })
    expect(run.toRedeliver).toEqual([])
    const all = [...run.hooks.values()].flatMap(h => h.decisions)
    expect(all.every(d => d.action === 'skip')).toBe(true)
    expect(reasons(all)).toEqual({ a1: 'budget', a2: 'dry-run', b1: 'budget', b2: 'dry-run', c1: 'budget', c2: 'max-attempts' })
  })

  test('no scans: empty plan', () => {
    expect(planRun([], policy(), NOW)).toEqual({ hooks: new Map(), toRedeliver: [], pings: [] })
  })
})

describe('finalReason', () => {
  const decision = (d: Partial<Decision>): Decision => ({ hookKey: 'h', facts: facts(), attempts: 0, action: 'redeliver', ...d })

  test('a skip keeps its reason whatever the outcome', () => {
    expect(finalReason(decision({ action: 'skip', reason: 'budget' }))).toBe('budget')
    expect(finalReason(decision({ action: 'skip', reason: 'filtered', outcome: { result: 'redelivered', at: NOW } }))).toBe('filtered')
  })

  test('a redelivery: the outcome decides', () => {
    const d = (outcome?: Outcome): Decision => decision(outcome ? { outcome } : {})
    expect(finalReason(d(undefined))).toBeUndefined()
    expect(finalReason(d({ result: 'redelivered', at: NOW }))).toBeUndefined()
    expect(finalReason(d({ result: 'error', message: 'boom' }))).toBeUndefined()
    expect(finalReason(d({ result: 'skipped', reason: 'refused', message: 'no' }))).toBe('refused')
    expect(finalReason(d({ result: 'skipped', reason: 'rate-limited', message: 'slow down' }))).toBe('rate-limited')
  })
})

describe("a hook's entry in the final bookmark", () => {
  const floorBase = NOW - 6 * HOUR
  const newestAt = NOW - 10 * MINUTE

  function next(list: GuidFacts[], outcomesFor: (d: Decision) => Outcome | undefined, opts: { previous?: HookBookmark; pol?: Partial<Policy>; now?: number; newest?: number } = {}) {
    const s = scan({ facts: list, scanStart: floorBase, floorBase, newestAt: 'newest' in opts ? opts.newest : newestAt, previous: opts.previous })
    const run = planRun([s], policy(opts.pol), opts.now ?? NOW)
    const outcomes = new Map<Decision, Outcome>()
    for (const d of [...run.hooks.values()][0].decisions) {
      const o = outcomesFor(d)
      if (o) outcomes.set(d, o)
    }
    // seenUntil has tests of its own below.
    const { seenUntil, ...bookmark } = finalEntry(s, [...run.hooks.values()][0], outcomes, opts.now ?? NOW)
    return { bookmark, seenUntil, run }
  }
  const none = (): undefined => undefined
  const accepted = (d: Decision): Outcome | undefined => (d.action === 'redeliver' ? { result: 'redelivered', at: NOW + 1000 } : undefined)

  test('nothing seen: floor stays at floorBase', () => {
    const s = scan({ floorBase, scanStart: floorBase })
    expect(finalEntry(s, emptyHookPlan(), new Map(), NOW)).toEqual({ floor: floorBase, pending: new Map(), sent: new Map(), done: new Map(), probes: [] })
  })

  test('only successes: floor = newestAt - LATE_LISTING_MARGIN_MS', () => {
    const { bookmark } = next([], none)
    expect(bookmark).toEqual({ floor: newestAt - LATE_LISTING_MARGIN_MS, pending: new Map(), sent: new Map(), done: new Map(), probes: [] })
  })

  test("a delivery dated after GitHub's clock (a hostile or broken API) never moves the floor or seenUntil past now", () => {
    const { bookmark, seenUntil } = next([], none, { newest: NOW + 30 * DAY })
    expect(bookmark.floor).toBe(NOW - LATE_LISTING_MARGIN_MS)
    expect(seenUntil).toBe(NOW)
    // Nor does an earlier run's seenUntil from the future survive.
    const later = next([], none, { newest: NOW + DAY, previous: hookBookmark({ floor: floorBase, seenUntil: NOW + 60 * DAY }) })
    expect(later.seenUntil).toBe(NOW)
    expect(later.bookmark.floor).toBeLessThanOrEqual(NOW)
  })

  test('never below floorBase', () => {
    const { bookmark } = next([], none, { newest: floorBase + MINUTE })
    expect(bookmark.floor).toBe(floorBase)
  })

  test('a redelivered delivery holds the floor at its first attempt and is in flight as sent', () => {
    const f = facts({ guid: 'g', firstAt: NOW - 2 * HOUR, newestId: bigId(3) })
    const { bookmark } = next([f], accepted)
    expect(bookmark).toEqual({ floor: NOW - 2 * HOUR, pending: new Map(), sent: new Map([[bigId(3), NOW + 1000]]), done: new Map(), probes: [] })
  })

  test('an errored redelivery holds the floor and is NOT pending', () => {
    const f = facts({ guid: 'g', firstAt: NOW - 2 * HOUR })
    const { bookmark } = next([f], () => ({ result: 'error', message: 'boom' }))
    expect(bookmark).toEqual({ floor: NOW - 2 * HOUR, pending: new Map(), sent: new Map(), done: new Map(), probes: [] })
  })

  test('a redelivery whose answer was lost holds the floor and is in flight as sent from when it was tried', () => {
    const f = facts({ guid: 'g', firstAt: NOW - 2 * HOUR, newestId: bigId(4) })
    const { bookmark } = next([f], () => ({ result: 'error', message: '502', uncertainAt: NOW - 500 }))
    expect(bookmark).toEqual({ floor: NOW - 2 * HOUR, pending: new Map(), sent: new Map([[bigId(4), NOW - 500]]), done: new Map(), probes: [] })
  })

  test('a rate-limited redelivery holds the floor and is not pending', () => {
    const f = facts({ guid: 'g', firstAt: NOW - 2 * HOUR })
    const { bookmark } = next([f], () => ({ result: 'skipped', reason: 'rate-limited', message: 'later' }))
    expect(bookmark).toEqual({ floor: NOW - 2 * HOUR, pending: new Map(), sent: new Map(), done: new Map(), probes: [] })
  })

  test('a planned redelivery without an outcome (crash) holds the floor', () => {
    const f = facts({ guid: 'g', firstAt: NOW - 2 * HOUR })
    expect(next([f], none).bookmark.floor).toBe(NOW - 2 * HOUR)
  })

  test('an over-budget delivery holds the floor', () => {
    const list = [facts({ guid: 'old', firstAt: NOW - 3 * HOUR }), facts({ guid: 'new', firstAt: NOW - 2 * HOUR })]
    const { bookmark, run } = next(list, accepted, { pol: { maxRedeliveries: 1 } })
    expect(reasons([...run.hooks.values()][0].decisions)).toEqual({ old: 'redeliver', new: 'budget' })
    expect(bookmark.floor).toBe(NOW - 3 * HOUR)
    const onlyBudget = next([facts({ guid: 'x', firstAt: NOW - 2 * HOUR }), facts({ guid: 'y', firstAt: NOW - HOUR })], accepted, { pol: { maxRedeliveries: 1 } })
    expect(onlyBudget.bookmark.floor).toBe(NOW - 2 * HOUR)
  })

  test('a budget skip alone holds the floor', () => {
    const list = [facts({ guid: 'sent', firstAt: NOW - 3 * HOUR }), facts({ guid: 'left', firstAt: NOW - 2 * HOUR })]
    // The sent one succeeds its request and is refused (finished); the left-over one must keep the floor.
    const { bookmark } = next(list, d => (d.action === 'redeliver' ? { result: 'skipped', reason: 'refused', message: 'no' } : undefined), {
      pol: { maxRedeliveries: 1 }
    })
    expect(bookmark.floor).toBe(NOW - 2 * HOUR)
    expect(bookmark.done).toEqual(new Map())
  })

  test('an in-flight delivery holds the floor and stays pending', () => {
    const requested = NOW - MINUTE
    const previous = hookBookmark({ floor: floorBase, pending: new Map([[bigId(5), requested]]) })
    const f = facts({ guid: 'g', firstAt: NOW - 2 * HOUR, newestId: bigId(5) })
    const { bookmark, run } = next([f], none, { previous })
    expect([...run.hooks.values()][0].inFlight).toEqual([f])
    expect(bookmark).toEqual({ floor: NOW - 2 * HOUR, pending: new Map([[bigId(5), requested]]), sent: new Map(), done: new Map(), probes: [] })
  })

  test('an unfinished delivery older than floorBase cannot pull the floor below floorBase', () => {
    const s = scan({ floorBase, scanStart: floorBase - HOUR, newestAt })
    const f = facts({ guid: 'g', firstAt: floorBase - 30 * MINUTE })
    const run = planRun([{ ...s, facts: [f] }], policy(), NOW)
    const b = finalEntry(s, [...run.hooks.values()][0], new Map([[run.toRedeliver[0], { result: 'error', message: 'x' } as Outcome]]), NOW)
    expect(b.floor).toBe(floorBase)
  })

  test.each<[string, Partial<Policy>, number]>([
    ['filtered', { events: [{ event: 'issues' }] }, 0],
    ['max-attempts', { maxAttempts: 1 }, 1],
    ['too-old', { maxAgeMs: HOUR }, 0]
  ])('a finished %s skip does not hold the floor and is done', (reason, pol, redeliveries) => {
    const f = facts({ guid: 'g', firstAt: NOW - 2 * HOUR - 1, redeliveries })
    const { bookmark, run } = next([f], none, { pol, newest: NOW - 5 * MINUTE })
    expect([...run.hooks.values()][0].decisions[0].reason).toBe(reason)
    // The floor moved past the finished delivery, so it is not kept in done either.
    expect(bookmark).toEqual({ floor: NOW - 5 * MINUTE - LATE_LISTING_MARGIN_MS, pending: new Map(), sent: new Map(), done: new Map(), probes: [] })
  })

  test('a refused redelivery is finished', () => {
    const f = facts({ guid: 'g', firstAt: NOW - 2 * HOUR })
    const { bookmark } = next([f], () => ({ result: 'skipped', reason: 'refused', message: 'gone' }))
    expect(bookmark).toEqual({ floor: newestAt - LATE_LISTING_MARGIN_MS, pending: new Map(), sent: new Map(), done: new Map(), probes: [] })
  })

  test('finished skips at or above the floor are remembered in done with their firstAt', () => {
    const held = facts({ guid: 'held', firstAt: NOW - 4 * HOUR })
    const maxedAbove = facts({ guid: 'maxed', firstAt: NOW - 3 * HOUR, redeliveries: 3 })
    const maxedAt = facts({ guid: 'maxed-at', firstAt: NOW - 4 * HOUR, redeliveries: 3 })
    const maxedBelow = facts({ guid: 'maxed-below', firstAt: NOW - 5 * HOUR, redeliveries: 3 })
    const { bookmark } = next([held, maxedAbove, maxedAt, maxedBelow], d => (d.facts.guid === 'held' ? { result: 'error', message: 'x' } : undefined))
    expect(bookmark.floor).toBe(NOW - 4 * HOUR)
    expect(bookmark.done).toEqual(
      new Map([
        ['maxed', NOW - 3 * HOUR],
        ['maxed-at', NOW - 4 * HOUR]
      ])
    )
  })

  test('the dry-run skip is not finished (it holds the floor)', () => {
    const f = facts({ guid: 'g', firstAt: NOW - 2 * HOUR })
    const { bookmark, run } = next([f], none, { pol: { dryRun: true } })
    expect([...run.hooks.values()][0].decisions[0].reason).toBe('dry-run')
    expect(bookmark.floor).toBe(NOW - 2 * HOUR)
  })

  test('in flight: unexpired entries whose attempt is not listed yet are kept; listed or expired ones dropped; accepted and uncertain ones become sent', () => {
    const previous = hookBookmark({
      floor: floorBase,
      pending: new Map([
        [bigId(1), NOW - PLANNED_IN_FLIGHT_MS + 1],
        [bigId(2), NOW - PLANNED_IN_FLIGHT_MS],
        [bigId(4), NOW - MINUTE]
      ]),
      sent: new Map([
        [bigId(5), NOW - SENT_IN_FLIGHT_MS + 1],
        [bigId(6), NOW - SENT_IN_FLIGHT_MS],
        [bigId(7), NOW - MINUTE]
      ])
    })
    const list = [
      // 1, 2, 5, 6 are still their delivery's newest attempt; 4 and 7 have been listed (newer attempts 40, 70).
      ...[1, 2, 5, 6].map(n => facts({ guid: `g${n}`, newestId: bigId(n), firstAt: NOW - HOUR })),
      facts({ guid: 'g4', newestId: bigId(40), firstAt: NOW - HOUR }),
      facts({ guid: 'g7', newestId: bigId(70), firstAt: NOW - HOUR }),
      facts({ guid: 'sent', newestId: bigId(20), firstAt: NOW - HOUR }),
      facts({ guid: 'unsure', newestId: bigId(21), firstAt: NOW - HOUR }),
      facts({ guid: 'failed', newestId: bigId(22), firstAt: NOW - HOUR })
    ]
    const { bookmark } = next(
      list,
      d =>
        d.facts.guid === 'sent'
          ? { result: 'redelivered', at: NOW + 2000 }
          : d.facts.guid === 'unsure'
            ? { result: 'error', message: 'x', uncertainAt: NOW + 3000 }
            : d.facts.guid === 'failed'
              ? { result: 'error', message: 'x' }
              : undefined,
      { previous }
    )
    expect(bookmark.pending).toEqual(new Map([[bigId(1), NOW - PLANNED_IN_FLIGHT_MS + 1]]))
    expect(bookmark.sent).toEqual(
      new Map([
        [bigId(5), NOW - SENT_IN_FLIGHT_MS + 1],
        [bigId(20), NOW + 2000],
        [bigId(21), NOW + 3000]
      ])
    )
  })

  test('done: previous entries at or above the new floor are kept, older ones pruned, new ones added', () => {
    // floor = newestAt (NOW - 10m) - LATE_LISTING_MARGIN_MS
    const floor = NOW - 10 * MINUTE - LATE_LISTING_MARGIN_MS
    const previous = hookBookmark({
      floor: floorBase,
      done: new Map([
        ['older', floor - 5 * MINUTE],
        ['edge', floor],
        ['prune', floor - 1000] // a whole second below the floor
      ])
    })
    const list = [facts({ guid: 'maxed', firstAt: floor + 3 * MINUTE, redeliveries: 3 })]
    const { bookmark } = next(list, none, { previous })
    expect(bookmark.floor).toBe(floor)
    expect(bookmark.done).toEqual(
      new Map([
        ['edge', floor],
        ['maxed', floor + 3 * MINUTE]
      ])
    )
    expect(bookmark.done.has('older')).toBe(false)
  })

  test('done guids from the previous bookmark stay done while the floor is held below them', () => {
    const previous = hookBookmark({ floor: floorBase, done: new Map([['old-done', NOW - 3 * HOUR]]) })
    const list = [facts({ guid: 'old-done', firstAt: NOW - 3 * HOUR }), facts({ guid: 'held', firstAt: NOW - 4 * HOUR })]
    const { bookmark, run } = next(list, () => ({ result: 'error', message: 'x' }), { previous })
    expect([...run.hooks.values()][0].alreadyDone).toBe(1)
    expect(bookmark.done).toEqual(new Map([['old-done', NOW - 3 * HOUR]]))
  })

  test('the bookmark is a fresh object: the previous one is not mutated', () => {
    const previous = hookBookmark({ floor: floorBase, pending: new Map([[bigId(1), NOW - HOUR]]), done: new Map([['x', NOW - 7 * HOUR]]) })
    const snapshot = { ...previous, pending: new Map(previous.pending), sent: new Map(previous.sent), done: new Map(previous.done), probes: [...previous.probes] }
    next([facts({ guid: 'g', firstAt: NOW - HOUR })], accepted, { previous })
    expect(previous).toEqual(snapshot)
  })
})

describe("a hook's entry in a checkpoint", () => {
  test('keeps the floor and done as they were; in flight: unexpired earlier, sent so far, perhaps sent, and the batch', () => {
    const previous = hookBookmark({
      floor: NOW - 3 * HOUR,
      pending: new Map([
        [bigId(1), NOW - 30_000],
        [bigId(2), NOW - 10 * MINUTE]
      ]),
      done: new Map([['given-up', NOW - HOUR]])
    })
    const sent = facts({ guid: 'sent', firstAt: NOW - 2 * HOUR, newestId: bigId(10) })
    const unclear = facts({ guid: 'unclear', firstAt: NOW - 2 * HOUR + 1, newestId: bigId(11) })
    const next = facts({ guid: 'next', firstAt: NOW - 2 * HOUR + 2, newestId: bigId(12) })
    const earlier = facts({ guid: 'earlier', firstAt: NOW - 2 * HOUR + 3, newestId: bigId(1) })
    const s = scan({ facts: [sent, unclear, next, earlier], scanStart: NOW - 3 * HOUR, floorBase: NOW - 3 * HOUR, previous })
    const run = planRun([s], policy(), NOW)
    const outcomes = new Map<Decision, Outcome>([
      [run.toRedeliver[0], { result: 'redelivered', at: NOW - 2000 }],
      [run.toRedeliver[1], { result: 'error', message: '502', uncertainAt: NOW - 1000 }]
    ])
    const checkpoint = checkpointEntry(s, [...run.hooks.values()][0], outcomes, NOW, [bigId(12)])
    expect(checkpoint).toEqual({
      floor: NOW - 3 * HOUR,
      // bigId(2) expired; bigId(1) is still in flight, not yet listed.
      pending: new Map([
        [bigId(1), NOW - 30_000],
        [bigId(12), NOW]
      ]),
      sent: new Map([
        [bigId(10), NOW - 2000],
        [bigId(11), NOW - 1000]
      ]),
      done: new Map([['given-up', NOW - HOUR]]),
      probes: []
    })
  })

  test('without a previous bookmark the floor is the scan base', () => {
    const s = scan({ floorBase: NOW - DAY, scanStart: NOW - DAY })
    expect(checkpointEntry(s, emptyHookPlan(), new Map(), NOW).floor).toBe(NOW - DAY)
  })
})

describe('seenUntil: the newest attempt any run has seen', () => {
  const floorBase = NOW - DAY
  test('moves up to the newest attempt of the scan, never back', () => {
    const s = scan({ floorBase, scanStart: floorBase, newestAt: NOW - HOUR, previous: hookBookmark({ floor: floorBase, seenUntil: NOW - 2 * HOUR }) })
    expect(finalEntry(s, emptyHookPlan(), new Map(), NOW).seenUntil).toBe(NOW - HOUR)
    const older = scan({ floorBase, scanStart: floorBase, newestAt: NOW - 3 * HOUR, previous: hookBookmark({ floor: floorBase, seenUntil: NOW - 2 * HOUR }) })
    expect(finalEntry(older, emptyHookPlan(), new Map(), NOW).seenUntil).toBe(NOW - 2 * HOUR)
  })

  test('stays as it was when nothing is seen, and is absent when no run saw anything', () => {
    const quiet = scan({ floorBase, scanStart: floorBase, previous: hookBookmark({ floor: floorBase, seenUntil: NOW - 2 * HOUR }) })
    expect(finalEntry(quiet, emptyHookPlan(), new Map(), NOW).seenUntil).toBe(NOW - 2 * HOUR)
    expect('seenUntil' in finalEntry(scan({ floorBase, scanStart: floorBase }), emptyHookPlan(), new Map(), NOW)).toBe(false)
  })

  test('a checkpoint keeps it', () => {
    const s = scan({ floorBase, scanStart: floorBase, newestAt: NOW, previous: hookBookmark({ floor: floorBase, seenUntil: NOW - HOUR }) })
    expect(checkpointEntry(s, emptyHookPlan(), new Map(), NOW).seenUntil).toBe(NOW - HOUR)
  })
})
