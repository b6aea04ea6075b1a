/** The replay's pure part: its times, its identity, what it selects, and where an earlier run of it left off. */
import { describe, expect, test } from '@jest/globals'
import { emptyBookmark } from '../../src/core/bookmark/format.js'
import { bookmarkWithReplay } from '../../src/core/bookmark/moves.js'
import {
  CandidateCollector,
  parseReplayLog,
  parseReplayTime,
  planReplay,
  previewReplay,
  replayKey,
  selectCandidates,
  withProgress,
  type Candidate,
  type ReplayProgress
} from '../../src/core/replay.js'
import { attempt, bigId, DAY, hookBookmark, HOUR, MINUTE, NOW, okAttempt } from '../fixtures/builders.js'

const candidate = (guid: string, firstAt: number, overrides: Partial<Candidate> = {}): Candidate => ({
  hookKey: '101',
  guid,
  event: 'push',
  action: null,
  firstAt,
  newestId: bigId(firstAt % 1000),
  succeeded: true,
  ...overrides
})
const progress = (overrides: Partial<ReplayProgress> = {}): ReplayProgress => ({ key: 'k', since: NOW - DAY, until: NOW, relative: false, startedAt: NOW - HOUR, sent: 0, refused: 0, ...overrides })

describe('parseReplayTime', () => {
  test('a duration ago, or an ISO 8601 time with its zone', () => {
    expect(parseReplayTime('6h', NOW)).toEqual({ at: NOW - 6 * HOUR, relative: true })
    expect(parseReplayTime('2025-01-10T06:00:00Z', NOW)).toEqual({ at: Date.UTC(2025, 0, 10, 6), relative: false })
    expect(parseReplayTime('2025-01-10T07:00:00+01:00', NOW)).toEqual({ at: Date.UTC(2025, 0, 10, 6), relative: false })
    for (const bad of ['', '6', '2025-01-10', '2025-01-10 06:00', '2025-01-10T06:00:00', 'yesterday']) expect(parseReplayTime(bad, NOW)).toBeUndefined()
  })
})

test('replayKey: the same command is the same replay; another range, filter or target is another', () => {
  const base = { target: 'org acme', hooks: '', since: '6h', until: '', outcome: 'all' as const, events: [{ event: 'push' }, { event: 'issues' }] }
  expect(replayKey({ ...base, since: ' 6h ', events: [{ event: 'issues' }, { event: 'push' }] })).toBe(replayKey(base))
  for (const other of [{ since: '7h' }, { until: '1h' }, { outcome: 'failed' as const }, { events: [] }, { target: 'org other' }, { hooks: '1' }]) {
    expect(replayKey({ ...base, ...other })).not.toBe(replayKey(base))
  }
})

describe('CandidateCollector', () => {
  test('one candidate per guid whose original is listed: first time, newest id, outcome, last redelivery', () => {
    const c = new CandidateCollector('101')
    c.add(okAttempt({ id: bigId(3), guid: 'a', deliveredAt: NOW - 10 * MINUTE, redelivery: true }))
    c.add(attempt({ id: bigId(2), guid: 'a', deliveredAt: NOW - 20 * MINUTE, redelivery: true }))
    c.add(attempt({ id: bigId(1), guid: 'a', deliveredAt: NOW - HOUR, event: 'pull_request', action: 'opened' }))
    // Its original is older than what was listed: not a candidate.
    c.add(attempt({ id: bigId(4), guid: 'b', deliveredAt: NOW - 5 * MINUTE, redelivery: true }))
    expect(c.candidates()).toEqual([
      { hookKey: '101', guid: 'a', event: 'pull_request', action: 'opened', firstAt: NOW - HOUR, newestId: bigId(3), succeeded: true, lastRedeliveryAt: NOW - 10 * MINUTE }
    ])
  })
})

test('selectCandidates: first delivery in [since, until), outcome and events, oldest first', () => {
  const all = [
    candidate('late', NOW - HOUR),
    candidate('first', NOW - 3 * HOUR),
    candidate('failed', NOW - 2 * HOUR, { succeeded: false }),
    candidate('pr', NOW - 2 * HOUR, { event: 'pull_request', action: 'closed' }),
    candidate('before', NOW - 5 * HOUR),
    candidate('at-until', NOW - 30 * MINUTE)
  ]
  const filter = { since: NOW - 4 * HOUR, until: NOW - 30 * MINUTE, outcome: 'all' as const, events: [] }
  expect(selectCandidates(all, filter).map(c => c.guid)).toEqual(['first', 'failed', 'pr', 'late'])
  expect(selectCandidates(all, { ...filter, outcome: 'failed' }).map(c => c.guid)).toEqual(['failed'])
  expect(selectCandidates(all, { ...filter, outcome: 'succeeded', events: [{ event: 'pull_request', action: 'closed' }] }).map(c => c.guid)).toEqual(['pr'])
})

describe('planReplay', () => {
  const selected = [candidate('a', NOW - 3 * DAY + 10 * MINUTE), candidate('b', NOW - 2 * HOUR), candidate('c', NOW - 90 * MINUTE), candidate('d', NOW - HOUR)]

  test('a new replay: everything inside the window, oldest first; what is about to leave it is reported', () => {
    const plan = planReplay(selected, undefined, 3 * DAY, NOW)
    expect(plan.toSend.map(c => c.guid)).toEqual(['b', 'c', 'd'])
    expect(plan.outsideWindow.map(c => c.guid)).toEqual(['a'])
    expect(previewReplay(plan)).toMatchObject({ toSend: 3, byHook: { '101': 3 }, byEvent: { push: 3 }, from: NOW - 2 * HOUR, to: NOW - HOUR, durationMs: 3000, outsideWindow: 1, done: 0 })
  })

  test('continued: up to the cursor is done', () => {
    const plan = planReplay(selected, progress({ cursor: { firstAt: NOW - 2 * HOUR, guid: 'b' } }), 3 * DAY, NOW)
    expect(plan.toSend.map(c => c.guid)).toEqual(['c', 'd'])
    expect(plan.done).toBe(2)
  })

  test('a batch a crash interrupted: listed since it began, sent; not listed, sent again only once GitHub had time to list it', () => {
    const pending = { at: NOW - MINUTE, through: { firstAt: NOW - 90 * MINUTE, guid: 'c' } }
    const listed = selected.map(c => (c.guid === 'b' ? { ...c, lastRedeliveryAt: NOW - 50_000 } : c))
    const soon = planReplay(listed, progress({ pending }), 3 * DAY, NOW)
    expect(soon).toMatchObject({ done: 1, waitUntil: NOW + 2 * MINUTE })
    // Perhaps sent, and about to leave GitHub's window: not sent again, and no reason to wait for it.
    expect(soon.outsideWindow.map(c => c.guid)).toEqual(['a'])
    expect(soon.uncertain.map(c => c.guid)).toEqual(['c'])
    expect(soon.toSend.map(c => c.guid)).toEqual(['d'])
    const later = planReplay(listed, progress({ pending }), 3 * DAY, NOW + 3 * MINUTE)
    expect(later.uncertain).toEqual([])
    expect(later.toSend.map(c => c.guid)).toEqual(['c', 'd'])
    // A redelivery listed from before the batch (the scheduled run's, by hand) is not this replay's.
    const old = planReplay([{ ...selected[1], lastRedeliveryAt: NOW - 10 * MINUTE }], progress({ pending }), 3 * DAY, NOW + 3 * MINUTE)
    expect(old.toSend.map(c => c.guid)).toEqual(['b'])
  })
})

describe('bookmarkWithReplay', () => {
  test('in flight, and a span free of max-attempts; the floor stays', () => {
    const before = { hooks: new Map([['101', hookBookmark({ floor: NOW - 5 * HOUR })]]) }
    const batch = [candidate('a', NOW - HOUR, { newestId: bigId(1), succeeded: false }), candidate('b', NOW - HOUR, { newestId: bigId(2), succeeded: false })]
    const planned = bookmarkWithReplay(before, batch, NOW, 'planned', NOW - DAY)
    expect(planned.hooks.get('101')).toMatchObject({
      floor: NOW - 5 * HOUR,
      pending: new Map([
        [bigId(1), NOW],
        [bigId(2), NOW]
      ]),
      probes: [],
      replays: [[NOW, NOW]]
    })
    const sent = bookmarkWithReplay(planned, batch, NOW + 5000, 'sent', NOW - DAY)
    expect(sent.hooks.get('101')).toMatchObject({
      pending: new Map(),
      sent: new Map([
        [bigId(1), NOW + 5000],
        [bigId(2), NOW + 5000]
      ]),
      probes: [],
      replays: [[NOW, NOW + 5000]]
    })
    // The bookmark read is not changed.
    expect(before.hooks.get('101')!.pending.size).toBe(0)
  })

  test('a hook without an entry gets one at the floor its next run would use', () => {
    const entry = bookmarkWithReplay(emptyBookmark(), [candidate('a', NOW - HOUR, { succeeded: false })], NOW, 'planned', NOW - DAY).hooks.get('101')
    expect(entry?.floor).toBe(NOW - DAY)
  })
})

test('the replay log: unreadable is empty; the latest 20 replays kept', () => {
  expect(parseReplayLog('not json')).toEqual({ version: 1, replays: [] })
  let log = parseReplayLog(undefined)
  for (let i = 0; i < 25; i++) log = withProgress(log, progress({ key: `k${i}` }))
  log = withProgress(log, progress({ key: 'k24', sent: 3 }))
  expect(log.replays).toHaveLength(20)
  expect(log.replays.at(-1)).toMatchObject({ key: 'k24', sent: 3 })
  expect(parseReplayLog(JSON.stringify(log))).toEqual(log)
})
