import { describe, expect, test } from '@jest/globals'
import { coveredShare, mayListMore, OTHERS_SHARE, owedAfterListing, reachOrder, RECEIVER_CHECK_REQUESTS, RUN_OVERHEAD } from '../../src/core/budget.js'
import { MAX_CARRIED_FACTS } from '../../src/core/bookmark/moves.js'
import { planRun } from '../../src/core/plan.js'
import { bigId, facts, finalEntry, hookTarget, HOUR, MINUTE, NOW, policy, scan } from '../fixtures/builders.js'

describe('the request budget', () => {
  test('a page is listed only while what is left after it covers what the run owes and the other jobs’ share', () => {
    const limit = 5000
    const share = limit * OTHERS_SHARE
    const owed = owedAfterListing(40, 500)
    expect(owed).toBe(40 + 1 + RUN_OVERHEAD)
    expect(mayListMore({ remaining: share + owed + 2, limit }, owed)).toBe(true)
    expect(mayListMore({ remaining: share + owed + 1, limit }, owed)).toBe(false)
    // No rate limit reported (GitHub Enterprise Server with limits off): no limit.
    expect(mayListMore(undefined, owed)).toBe(true)
    expect(mayListMore({ remaining: 0, limit: 0 }, owed)).toBe(true)
  })

  test('what is owed grows with the failures found, up to max-redeliveries', () => {
    expect(owedAfterListing(0, 500)).toBe(RUN_OVERHEAD)
    expect(owedAfterListing(10_000, 500)).toBe(500 + 13 + RUN_OVERHEAD)
  })

  test('hooks are reached from the first one the last run could not reach, then round', () => {
    const hooks = ['1', '2', '3', '4'].map(key => hookTarget({ key }))
    expect(reachOrder(hooks, '3').map(h => h.key)).toEqual(['3', '4', '1', '2'])
    expect(reachOrder(hooks, undefined).map(h => h.key)).toEqual(['1', '2', '3', '4'])
    // A hook no longer there: the given order.
    expect(reachOrder(hooks, '9').map(h => h.key)).toEqual(['1', '2', '3', '4'])
  })

  test('the share of the window covered: from the newest attempt back to where the scan stopped', () => {
    expect(coveredShare(NOW, NOW - 6 * HOUR, NOW - 24 * HOUR)).toBe(0.25)
    expect(coveredShare(NOW, NOW - 30 * HOUR, NOW - 24 * HOUR)).toBe(1)
  })
})

describe('the bookmark of a scan stopped part-way', () => {
  const stopped = { cursor: 'v1_abc', reachedAt: NOW - 10 * HOUR, settled: ['guid-ok'] }
  const found = facts({ guid: 'guid-new', firstAt: NOW - 2 * HOUR, newestId: bigId(5) })
  const noOriginal = facts({ guid: 'guid-older', firstAt: NOW - 9 * HOUR, hasOriginal: false, redeliveries: 1 })
  const filtered = facts({ guid: 'guid-filtered', event: 'issues', firstAt: NOW - 3 * HOUR })

  test('keeps its floor, and carries the failures not finished, those whose original it did not reach and the successes waiting for theirs', () => {
    const s = scan({ facts: [found, noOriginal, filtered], newestAt: NOW - MINUTE, partial: stopped })
    const plan = planRun([s], policy({ events: [{ event: 'push' }] }), NOW)
    const decisions = plan.hooks.get(s.key)!.decisions
    const outcomes = new Map(decisions.filter(d => d.action === 'redeliver').map(d => [d, { result: 'redelivered' as const, at: NOW }]))
    const entry = finalEntry(s, plan.hooks.get(s.key)!, outcomes, NOW)
    expect(entry.floor).toBe(s.floorBase)
    expect(entry.seenUntil).toBe(NOW - MINUTE)
    // The filtered one is finished (done); the one redelivered is in flight, so carried with its newest attempt.
    expect(entry.resume).toEqual({ cursor: 'v1_abc', reachedAt: NOW - 10 * HOUR, carry: { settled: ['guid-ok'], facts: [found, noOriginal] } })
    expect(entry.done.has('guid-filtered')).toBe(true)
    expect(entry.sent.has(bigId(5))).toBe(true)
  })

  test('a complete scan leaves no resume and moves its floor as before', () => {
    const s = scan({ facts: [], newestAt: NOW - MINUTE })
    const entry = finalEntry(s, planRun([s], policy(), NOW).hooks.get(s.key)!, new Map(), NOW)
    expect(entry.resume).toBeUndefined()
    expect(entry.floor).toBeGreaterThan(s.floorBase)
  })

  test('more carried over than a bookmark should hold: no resume, the next scan lists from the newest again (the floor still kept)', () => {
    const many = Array.from({ length: MAX_CARRIED_FACTS + 1 }, (_, i) => facts({ guid: `g${i}`, hasOriginal: false, firstAt: NOW - 5 * HOUR }))
    const s = scan({ facts: many, newestAt: NOW - MINUTE, partial: stopped })
    const entry = finalEntry(s, planRun([s], policy(), NOW).hooks.get(s.key)!, new Map(), NOW)
    expect(entry.resume).toBeUndefined()
    expect(entry.floor).toBe(s.floorBase)
  })
})

describe('a receiver check per hook with failures', () => {
  test('each hook with something failing keeps a ping (or probe) and the looks for its answer', () => {
    expect(owedAfterListing(10, 500, 4) - owedAfterListing(10, 500, 0)).toBe(4 * RECEIVER_CHECK_REQUESTS)
  })
})
