import { describe, expect, test } from '@jest/globals'
import { MAX_STATE_CHARS, STATE_VERSION, emptyBookmark, parseBookmark, serializeBookmark, type Bookmark, type HookBookmark } from '../../src/core/bookmark/format.js'
import { mergeBookmarks, writtenByOthers } from '../../src/core/bookmark/merge.js'
import { FUTURE_TOLERANCE_MS, isForgotten, trustAgainstNow } from '../../src/core/bookmark/trust.js'
import { bigId, DAY, facts, hookBookmark, HOUR, MINUTE, NOW } from '../fixtures/builders.js'

function bookmarkOf(entries: Record<string, HookBookmark>): Bookmark {
  return { hooks: new Map(Object.entries(entries)) }
}

const sample = (): Bookmark =>
  bookmarkOf({
    '202': hookBookmark({
      floor: NOW - HOUR,
      pending: new Map([
        [bigId(2), NOW - 2 * MINUTE],
        [bigId(1), NOW - 2 * MINUTE],
        [bigId(3), NOW - MINUTE]
      ]),
      done: new Map([
        ['guid-b', NOW - 30 * MINUTE],
        ['guid-a', NOW - 40 * MINUTE]
      ])
    }),
    app: hookBookmark({ floor: NOW - 2 * HOUR })
  })

describe('constants', () => {
  test('version 1, well under the 48 KB variable limit', () => {
    expect(STATE_VERSION).toBe(1)
    expect(MAX_STATE_CHARS).toBe(40_000)
    expect(MAX_STATE_CHARS).toBeLessThan(48 * 1024)
  })
})

describe('parseBookmark', () => {
  test('nothing stored: an empty bookmark, no problem', () => {
    for (const text of [undefined, '', '   \n']) expect(parseBookmark(text)).toEqual({ bookmark: { hooks: new Map() } })
    expect(emptyBookmark()).toEqual({ hooks: new Map() })
  })

  test("the documented script's milliseconds are taken over as legacyFloor", () => {
    expect(parseBookmark('1736510400000')).toEqual({ bookmark: { hooks: new Map(), legacyFloor: 1736510400000 } })
    expect(parseBookmark(' 1736510400000\n')).toEqual({ bookmark: { hooks: new Map(), legacyFloor: 1736510400000 } })
    // Ten digits are seconds (as milliseconds they would be January 1970).
    expect(parseBookmark('1736510400')).toEqual({ bookmark: { hooks: new Map(), legacyFloor: 1736510400000 } })
  })

  test.each(['garbage', '{', '{"version":1', 'null x', '1736510400000x'])('not JSON: %p', text => {
    expect(parseBookmark(text)).toEqual({ bookmark: { hooks: new Map() }, problem: 'it is not JSON' })
  })

  test('a newer version is flagged, so it is not overwritten', () => {
    expect(parseBookmark('{"version":2,"hooks":{}}')).toEqual({
      bookmark: { hooks: new Map() },
      problem: 'bookmark version 2',
      newer: true
    })
  })

  test.each([
    '{"version":"1","hooks":{}}',
    '{"hooks":{}}',
    '{"version":1}',
    '{"version":1,"hooks":[]}',
    '{"version":1,"hooks":null}',
    '[1]',
    '"1736510400000"',
    'null',
    '123456789',
    '17365104000000000',
    'true'
  ])('not a version 1 bookmark: %p', text => {
    expect(parseBookmark(text)).toEqual({ bookmark: { hooks: new Map() }, problem: 'it is not a version 1 bookmark' })
  })

  test('reads floor, pending (seconds -> ms) and done (seconds -> ms)', () => {
    const text = JSON.stringify({
      version: 1,
      hooks: {
        '101': { floor: '2025-01-10T11:00:00.000Z', pending: { '1736510280': ['9007199254740993', '9007199254740994'] }, done: { 'guid-x': 1736508000 } }
      }
    })
    expect(parseBookmark(text)).toEqual({
      bookmark: {
        hooks: new Map([
          [
            '101',
            {
              floor: Date.UTC(2025, 0, 10, 11),
              pending: new Map([
                ['9007199254740993', 1736510280000],
                ['9007199254740994', 1736510280000]
              ]),
              sent: new Map(),
              done: new Map([['guid-x', 1736508000000]]),
              probes: []
            }
          ]
        ])
      }
    })
  })

  test('skips malformed hook entries and malformed pending/done items, keeps the rest', () => {
    const text = JSON.stringify({
      version: 1,
      hooks: {
        noFloor: {},
        numericFloor: { floor: 5 },
        badFloor: { floor: 'yesterday' },
        notObject: 'x',
        good: {
          floor: '2025-01-10T11:00:00.000Z',
          pending: { abc: ['1'], '100': 'not-an-array', '200': ['0', '01', 'x', 5, '42'] },
          done: { a: 'soon', b: 7 }
        },
        arrays: { floor: '2025-01-10T11:00:00.000Z', pending: [], done: [] }
      }
    })
    const { bookmark, problem, warnings } = parseBookmark(text)
    expect(problem).toBeUndefined()
    expect(warnings).toEqual([
      'hook "noFloor": "floor" is missing, not a time: the hook is scanned as if it had no bookmark',
      'hook "numericFloor": "floor" is 5, not a time: the hook is scanned as if it had no bookmark',
      'hook "badFloor": "floor" is "yesterday", not a time: the hook is scanned as if it had no bookmark',
      'hook "notObject": the entry is "x", not an object: the hook is scanned as if it had no bookmark',
      'hook "good": 6 in-flight ("pending") items are not a time with delivery ids, left out; 1 given-up ("done") item is not a time in seconds, left out',
      'hook "arrays": "pending" is [], not an object of times to delivery ids, left out; "done" is [], not an object of guids to times, left out'
    ])
    expect([...bookmark.hooks.keys()].sort()).toEqual(['arrays', 'good'])
    expect(bookmark.hooks.get('good')).toEqual({ floor: Date.UTC(2025, 0, 10, 11), pending: new Map([['42', 200_000]]), sent: new Map(), done: new Map([['b', 7000]]), probes: [] })
    expect(bookmark.hooks.get('arrays')).toEqual({ floor: Date.UTC(2025, 0, 10, 11), pending: new Map(), sent: new Map(), done: new Map(), probes: [] })
  })
})

describe('serializeBookmark', () => {
  test('exact, deterministic text: hooks and entries sorted, times in seconds, floor in ISO', () => {
    const { text, trimmed } = serializeBookmark(sample())
    expect(trimmed).toBe(0)
    const s = (ms: number): number => Math.floor(ms / 1000)
    expect(text).toBe(
      JSON.stringify({
        version: 1,
        hooks: {
          '202': {
            floor: new Date(NOW - HOUR).toISOString(),
            pending: { [s(NOW - 2 * MINUTE)]: [bigId(1), bigId(2)], [s(NOW - MINUTE)]: [bigId(3)] },
            done: { 'guid-a': s(NOW - 40 * MINUTE), 'guid-b': s(NOW - 30 * MINUTE) }
          },
          app: { floor: new Date(NOW - 2 * HOUR).toISOString() }
        }
      })
    )
    expect(text).toBe(
      '{"version":1,"hooks":{"202":{"floor":"2025-01-10T11:00:00.000Z","pending":{"1736510280":["9007199254740994","9007199254740995"],"1736510340":["9007199254740996"]},"done":{"guid-a":1736508000,"guid-b":1736508600}},"app":{"floor":"2025-01-10T10:00:00.000Z"}}}'
    )
  })

  test('the same bookmark built in another order serializes identically', () => {
    const a = sample()
    const b = bookmarkOf({
      app: hookBookmark({ floor: NOW - 2 * HOUR }),
      '202': hookBookmark({
        floor: NOW - HOUR,
        pending: new Map([
          [bigId(3), NOW - MINUTE],
          [bigId(1), NOW - 2 * MINUTE],
          [bigId(2), NOW - 2 * MINUTE]
        ]),
        done: new Map([
          ['guid-a', NOW - 40 * MINUTE],
          ['guid-b', NOW - 30 * MINUTE]
        ])
      })
    })
    expect(serializeBookmark(b).text).toBe(serializeBookmark(a).text)
  })

  test('round trip: parse(serialize(b)) equals b for whole-second times', () => {
    const b = sample()
    const { text } = serializeBookmark(b)
    const parsed = parseBookmark(text)
    expect(parsed.problem).toBeUndefined()
    expect(parsed.bookmark).toEqual(b)
    expect(serializeBookmark(parsed.bookmark).text).toBe(text)
  })

  test('round trip keeps the floor to the millisecond and truncates pending/done to seconds', () => {
    const b = bookmarkOf({ h: hookBookmark({ floor: NOW + 123, pending: new Map([['5', NOW + 999]]), done: new Map([['g', NOW + 1]]) }) })
    expect(parseBookmark(serializeBookmark(b).text).bookmark.hooks.get('h')).toEqual({ floor: NOW + 123, pending: new Map([['5', NOW]]), sent: new Map(), done: new Map([['g', NOW]]), probes: [] })
  })

  test('an empty bookmark', () => {
    expect(serializeBookmark(emptyBookmark())).toEqual({ text: '{"version":1,"hooks":{}}', trimmed: 0, trimmedPending: 0 })
  })

  test('a legacy floor is not written back (only hooks are)', () => {
    expect(serializeBookmark({ hooks: new Map(), legacyFloor: NOW }).text).toBe('{"version":1,"hooks":{}}')
  })

  test('a huge bookmark: done is trimmed (oldest first) before pending, and stays under MAX_STATE_CHARS', () => {
    const done = new Map<string, number>()
    for (let i = 0; i < 3000; i++) done.set(`0000000${i}-aaaa-bbbb-cccc-dddddddddddd`.slice(-36), NOW - (3000 - i) * 1000)
    const pending = new Map<string, number>()
    for (let i = 0; i < 200; i++) pending.set(bigId(i), NOW - i * 1000)
    const b = bookmarkOf({ h: hookBookmark({ floor: NOW - HOUR, pending, done }) })
    const before = serializeBookmark(bookmarkOf({ h: hookBookmark({ floor: NOW - HOUR, pending, done: new Map() }) })).text
    expect(before.length).toBeLessThan(MAX_STATE_CHARS)

    const { text, trimmed, trimmedPending } = serializeBookmark(b, MAX_STATE_CHARS)
    expect(text.length).toBeLessThanOrEqual(MAX_STATE_CHARS)
    expect(trimmed).toBeGreaterThan(0)
    expect(trimmedPending).toBe(0)
    const parsed = parseBookmark(text).bookmark.hooks.get('h')!
    // Every pending entry survived; only done was trimmed, and only its oldest entries.
    expect(parsed.pending.size).toBe(200)
    expect(parsed.done.size).toBe(3000 - trimmed)
    const keptTimes = [...parsed.done.values()]
    const newestDropped = NOW - (3000 - (trimmed - 1)) * 1000
    expect(Math.min(...keptTimes)).toBeGreaterThan(newestDropped)
    expect(Math.max(...keptTimes)).toBe(NOW - 1000)
    // The input was not mutated.
    expect(b.hooks.get('h')!.done.size).toBe(3000)
  })

  test('when pending alone is too large, all of done goes first, then the oldest pending', () => {
    const pending = new Map<string, number>()
    for (let i = 0; i < 4000; i++) pending.set(bigId(i), NOW - i * 1000)
    const done = new Map([['g', NOW]])
    const b = bookmarkOf({ h: hookBookmark({ pending, done }) })
    const { text, trimmed } = serializeBookmark(b, MAX_STATE_CHARS)
    expect(text.length).toBeLessThanOrEqual(MAX_STATE_CHARS)
    const parsed = parseBookmark(text).bookmark.hooks.get('h')!
    expect(parsed.done.size).toBe(0)
    expect(trimmed).toBe(1 + (4000 - parsed.pending.size))
    expect(serializeBookmark(b, MAX_STATE_CHARS).trimmedPending).toBe(4000 - parsed.pending.size)
    expect(parsed.pending.has(bigId(0))).toBe(true) // the newest is kept
    expect(parsed.pending.has(bigId(3999))).toBe(false) // the oldest went
  })

  test('without a limit (a state file) nothing is trimmed, however large', () => {
    const pending = new Map<string, number>()
    for (let i = 0; i < 4000; i++) pending.set(bigId(i), NOW - i * 1000)
    const b = bookmarkOf({ h: hookBookmark({ pending }) })
    const { text, trimmed, trimmedPending } = serializeBookmark(b)
    expect(text.length).toBeGreaterThan(MAX_STATE_CHARS)
    expect([trimmed, trimmedPending]).toEqual([0, 0])
    expect(parseBookmark(text).bookmark.hooks.get('h')!.pending.size).toBe(4000)
  })

  test('trims the largest map across hooks first', () => {
    const big = new Map<string, number>()
    for (let i = 0; i < 2500; i++) big.set(`guid-${String(i).padStart(30, '0')}`, NOW - i * 1000)
    const small = new Map([['keep-me', NOW - 10 * HOUR]])
    const { text } = serializeBookmark(bookmarkOf({ a: hookBookmark({ done: big }), b: hookBookmark({ done: small }) }), MAX_STATE_CHARS)
    expect(text.length).toBeLessThanOrEqual(MAX_STATE_CHARS)
    expect(parseBookmark(text).bookmark.hooks.get('b')!.done).toEqual(new Map([['keep-me', NOW - 10 * HOUR]]))
  })
})

describe('hand-edited entries: each part that cannot be read is named, the rest kept', () => {
  test('a bad "seen" or a wrongly shaped "pending" keeps the floor and what else is good', () => {
    const text = JSON.stringify({
      version: 1,
      hooks: {
        '7': { floor: '2025-01-10T11:00:00.000Z', seen: 'later', pending: ['9007199254740993'], done: { g: 1736508000 } }
      }
    })
    const { bookmark, warnings } = parseBookmark(text)
    expect(bookmark.hooks.get('7')).toEqual({ floor: Date.UTC(2025, 0, 10, 11), pending: new Map(), sent: new Map(), done: new Map([['g', 1736508000000]]), probes: [] })
    expect(warnings).toEqual(['hook "7": "pending" is ["9007199254740993"], not an object of times to delivery ids, left out; "seen" is "later", not a time, left out'])
  })

  test('a long value is shortened in the message', () => {
    const { warnings } = parseBookmark(JSON.stringify({ version: 1, hooks: { h: { floor: 'x'.repeat(500) } } }))
    expect(warnings![0]).toContain('"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...')
    expect(warnings![0].length).toBeLessThan(150)
  })

  test('a readable bookmark has no warnings', () => {
    expect(parseBookmark(serializeBookmark(sample()).text).warnings).toBeUndefined()
  })
})

describe('trustAgainstNow: a bookmark from the future is not trusted', () => {
  const fallback = NOW - 24 * HOUR

  test('no entry: the lookback; a legacy value in the past: that value', () => {
    expect(trustAgainstNow(undefined, undefined, NOW, fallback)).toEqual({ floor: fallback })
    expect(trustAgainstNow(undefined, NOW - HOUR, NOW, fallback)).toEqual({ floor: NOW - HOUR })
  })

  test('a legacy value from the future: the lookback, with the reason', () => {
    const start = trustAgainstNow(undefined, NOW + DAY, NOW, fallback)
    expect(start.floor).toBe(fallback)
    expect(start.problem).toBe(`the value of GitHub's documented script (${new Date(NOW + DAY).toISOString()}) is later than GitHub's time now`)
  })

  test('within the tolerance (the Date header has one-second resolution) it is trusted as it is', () => {
    const entry = hookBookmark({ floor: NOW + FUTURE_TOLERANCE_MS, seenUntil: NOW + 1000, pending: new Map([['5', NOW + 1000]]) })
    expect(trustAgainstNow(entry, undefined, NOW, fallback)).toEqual({ floor: NOW + FUTURE_TOLERANCE_MS, previous: entry })
    expect(trustAgainstNow(undefined, NOW + FUTURE_TOLERANCE_MS, NOW, fallback)).toEqual({ floor: NOW + FUTURE_TOLERANCE_MS })
  })

  test('a floor from the future: scanned from the lookback; good in-flight and given-up entries are kept', () => {
    const entry = hookBookmark({ floor: NOW + DAY, seenUntil: NOW - HOUR, pending: new Map([['5', NOW - MINUTE]]), done: new Map([['g', NOW - 2 * HOUR]]) })
    const start = trustAgainstNow(entry, NOW - 2 * DAY, NOW, fallback)
    expect(start.floor).toBe(fallback)
    expect(start.previous).toEqual({ ...entry, floor: fallback })
    expect(start.problem).toBe(`its floor ${new Date(NOW + DAY).toISOString()} is later than GitHub's time now (${new Date(NOW).toISOString()})`)
  })

  test('in-flight, given-up and seen times from the future are left out (they would hold deliveries back until then)', () => {
    const entry = hookBookmark({
      floor: NOW - HOUR,
      seenUntil: NOW + DAY,
      pending: new Map([
        ['5', NOW - MINUTE],
        ['6', NOW + DAY]
      ]),
      done: new Map([
        ['g', NOW - 30 * MINUTE],
        ['h', NOW + HOUR]
      ])
    })
    const start = trustAgainstNow(entry, undefined, NOW, fallback)
    expect(start.floor).toBe(NOW - HOUR)
    expect(start.previous).toEqual({ floor: NOW - HOUR, pending: new Map([['5', NOW - MINUTE]]), sent: new Map(), done: new Map([['g', NOW - 30 * MINUTE]]), probes: [] })
    expect(start.problem).toBe(`3 of its times are later than GitHub's time now (${new Date(NOW).toISOString()}), left out`)
  })
})

describe('isForgotten: entries of hooks a run does not scan', () => {
  const window = 3 * DAY
  test('kept while anything in them is inside the redelivery window', () => {
    expect(isForgotten(hookBookmark({ floor: NOW - HOUR }), NOW, window)).toBe(false)
    expect(isForgotten(hookBookmark({ floor: NOW - 4 * DAY, seenUntil: NOW - DAY }), NOW, window)).toBe(false)
    expect(isForgotten(hookBookmark({ floor: NOW - 4 * DAY, pending: new Map([['5', NOW - DAY]]) }), NOW, window)).toBe(false)
    expect(isForgotten(hookBookmark({ floor: NOW - 4 * DAY, done: new Map([['g', NOW - DAY]]) }), NOW, window)).toBe(false)
  })

  test('dropped once all of it is older than the window', () => {
    expect(isForgotten(hookBookmark({ floor: NOW - 4 * DAY, seenUntil: NOW - 3 * DAY - 1, done: new Map([['g', NOW - 5 * DAY]]) }), NOW, window)).toBe(true)
  })
})

describe('mergeBookmarks', () => {
  test('a floor never moves back', () => {
    const ours = bookmarkOf({ h: hookBookmark({ floor: NOW - HOUR }) })
    const theirs = bookmarkOf({ h: hookBookmark({ floor: NOW - 2 * HOUR }) })
    expect(mergeBookmarks(ours, theirs).hooks.get('h')!.floor).toBe(NOW - HOUR)
    expect(mergeBookmarks(theirs, ours).hooks.get('h')!.floor).toBe(NOW - HOUR)
  })

  test('pending is the union, with the later time for an id in both', () => {
    const ours = bookmarkOf({
      h: hookBookmark({
        pending: new Map([
          ['1', 100],
          ['2', 500]
        ])
      })
    })
    const theirs = bookmarkOf({
      h: hookBookmark({
        pending: new Map([
          ['2', 900],
          ['3', 300]
        ])
      })
    })
    expect(mergeBookmarks(ours, theirs).hooks.get('h')!.pending).toEqual(
      new Map([
        ['1', 100],
        ['2', 900],
        ['3', 300]
      ])
    )
    expect(mergeBookmarks(theirs, ours).hooks.get('h')!.pending).toEqual(
      new Map([
        ['1', 100],
        ['2', 900],
        ['3', 300]
      ])
    )
  })

  test('done is the union, dropping entries below the merged floor', () => {
    const ours = bookmarkOf({
      h: hookBookmark({
        floor: NOW - HOUR,
        done: new Map([
          ['a', NOW - 30 * MINUTE],
          ['old', NOW - 90 * MINUTE]
        ])
      })
    })
    const theirs = bookmarkOf({
      h: hookBookmark({
        floor: NOW - 2 * HOUR,
        done: new Map([
          ['b', NOW - HOUR],
          ['c', NOW - 61 * MINUTE]
        ])
      })
    })
    expect(mergeBookmarks(ours, theirs).hooks.get('h')!.done).toEqual(
      new Map([
        ['b', NOW - HOUR],
        ['a', NOW - 30 * MINUTE]
      ])
    )
  })

  test('hooks present on one side only are kept as they are', () => {
    const a = hookBookmark({ floor: NOW - HOUR, pending: new Map([['1', NOW]]) })
    const b = hookBookmark({ floor: NOW - 3 * HOUR, done: new Map([['g', NOW - 3 * HOUR]]) })
    const merged = mergeBookmarks(bookmarkOf({ a }), bookmarkOf({ b }))
    expect(merged).toEqual({
      hooks: new Map([
        ['a', a],
        ['b', b]
      ])
    })
  })

  test('merging with an empty or legacy bookmark keeps ours', () => {
    const ours = sample()
    expect(mergeBookmarks(ours, emptyBookmark())).toEqual({ hooks: ours.hooks })
    expect(mergeBookmarks(ours, { hooks: new Map(), legacyFloor: NOW })).toEqual({ hooks: ours.hooks })
  })

  test('merge is stable through serialization', () => {
    const ours = sample()
    const theirs = parseBookmark(serializeBookmark(sample()).text).bookmark
    expect(serializeBookmark(mergeBookmarks(ours, theirs)).text).toBe(serializeBookmark(ours).text)
  })
})

describe("writtenByOthers: what a run keeps of another run's write", () => {
  test('the entries that run wrote are kept whole; those still as this run read them are left out', () => {
    const read = bookmarkOf({ same: hookBookmark({ floor: NOW - 2 * HOUR, done: new Map([['g', NOW - HOUR]]) }), moved: hookBookmark({ floor: NOW - 2 * HOUR }) })
    const moved = hookBookmark({ floor: NOW - HOUR, pending: new Map([[bigId(1), NOW]]) })
    const added = hookBookmark({ floor: NOW - HOUR, sent: new Map([[bigId(2), NOW]]) })
    const theirs = bookmarkOf({ same: hookBookmark({ floor: NOW - 2 * HOUR, done: new Map([['g', NOW - HOUR]]) }), moved, added })
    expect(writtenByOthers(theirs, read)).toEqual(bookmarkOf({ moved, added }))
  })

  test('an entry changed in any part counts as written: a later time, an in-flight redelivery, a finished guid', () => {
    const before = hookBookmark({ floor: NOW - 2 * HOUR, sent: new Map([[bigId(1), NOW - MINUTE]]) })
    const read = bookmarkOf({ h: before })
    for (const changed of [
      { seenUntil: NOW - MINUTE },
      { sent: new Map([[bigId(1), NOW]]) },
      { pending: new Map([[bigId(2), NOW]]) },
      { done: new Map([['g', NOW - HOUR]]) },
      { downSince: NOW - HOUR }
    ]) {
      const theirs = bookmarkOf({ h: { ...before, ...changed } })
      expect(writtenByOthers(theirs, read).hooks.get('h')).toEqual({ ...before, ...changed })
    }
  })

  test('read back from the store, an unchanged entry (a quiet fleet hook too) is still left out', () => {
    const text = serializeBookmark(bookmarkOf({ '400000001': hookBookmark({ floor: NOW - HOUR, seenUntil: NOW - HOUR + 2 * MINUTE, scope: 'repo acme/*' }), '202': sample().hooks.get('202')! })).text
    expect(writtenByOthers(parseBookmark(text).bookmark, parseBookmark(text).bookmark)).toEqual(emptyBookmark())
    expect(writtenByOthers(parseBookmark(text).bookmark, emptyBookmark())).toEqual(parseBookmark(text).bookmark)
  })
})

describe('seen: the newest attempt any run has seen', () => {
  test('round-trips, and is written only when known', () => {
    const b = { hooks: new Map([['h', hookBookmark({ floor: NOW - HOUR, seenUntil: NOW - MINUTE })]]) }
    const { text } = serializeBookmark(b)
    expect(text).toContain(`"seen":"${new Date(NOW - MINUTE).toISOString()}"`)
    expect(parseBookmark(text).bookmark.hooks.get('h')!.seenUntil).toBe(NOW - MINUTE)
    expect(serializeBookmark({ hooks: new Map([['h', hookBookmark({ floor: NOW - HOUR })]]) }).text).not.toContain('"seen"')
  })

  test('a merge keeps the newest', () => {
    const ours = { hooks: new Map([['h', hookBookmark({ floor: NOW - HOUR, seenUntil: NOW - 2 * MINUTE })]]) }
    const theirs = { hooks: new Map([['h', hookBookmark({ floor: NOW - HOUR, seenUntil: NOW - MINUTE })]]) }
    expect(mergeBookmarks(ours, theirs).hooks.get('h')!.seenUntil).toBe(NOW - MINUTE)
  })

  test('a merge keeps done entries at the floor at second precision, as nextHookBookmark does', () => {
    const floor = NOW - HOUR + 500
    const ours = { hooks: new Map([['h', hookBookmark({ floor, done: new Map([['g', NOW - HOUR]]) })]]) }
    expect(
      mergeBookmarks(ours, { hooks: new Map([['h', hookBookmark({ floor })]]) })
        .hooks.get('h')!
        .done.has('g')
    ).toBe(true)
  })
})

describe('the outage fields', () => {
  test('sent, probe spans and down survive a round trip; malformed items are named and dropped', () => {
    const hook = { floor: NOW, pending: new Map(), sent: new Map([['77', NOW - 5000]]), done: new Map(), probes: [[NOW - 2 * HOUR, NOW - HOUR]] as Array<[number, number]>, downSince: NOW - 3 * HOUR }
    const text = serializeBookmark({ hooks: new Map([['h', hook]]) }).text
    expect(JSON.parse(text).hooks.h).toMatchObject({
      sent: { [String((NOW - 5000) / 1000)]: ['77'] },
      probes: [[(NOW - 2 * HOUR) / 1000, (NOW - HOUR) / 1000]],
      down: new Date(NOW - 3 * HOUR).toISOString()
    })
    expect(parseBookmark(text).bookmark.hooks.get('h')).toEqual(hook)
    const bad = JSON.stringify({ version: 1, hooks: { h: { floor: new Date(NOW).toISOString(), sent: { x: ['1'] }, probes: [[5, 3], [1, 2, 3], 'x', [10, 20]], down: 'soon' } } })
    const parsed = parseBookmark(bad)
    expect(parsed.bookmark.hooks.get('h')).toEqual({ floor: NOW, pending: new Map(), sent: new Map(), done: new Map(), probes: [[10_000, 20_000]] })
    expect(parsed.warnings?.[0]).toMatch(/3 probe spans are not a pair of times in seconds, left out.*"down" is "soon", not a time/)
  })

  test('merging keeps in-flight entries of both, joins probe spans, and keeps our own knowledge of the receiver', () => {
    const a = { floor: NOW, pending: new Map(), sent: new Map([['1', NOW]]), done: new Map(), probes: [[NOW - 3 * HOUR, NOW - 2 * HOUR]] as Array<[number, number]> }
    const b = { floor: NOW, pending: new Map(), sent: new Map([['2', NOW]]), done: new Map(), probes: [[NOW - 150 * MINUTE, NOW - HOUR]] as Array<[number, number]>, downSince: NOW - HOUR }
    const merged = mergeBookmarks({ hooks: new Map([['h', a]]) }, { hooks: new Map([['h', b]]) }).hooks.get('h')!
    expect(merged.sent).toEqual(
      new Map([
        ['2', NOW],
        ['1', NOW]
      ])
    )
    expect(merged.probes).toEqual([[NOW - 3 * HOUR, NOW - HOUR]])
    // Ours cleared `down` (the receiver is up again): the other run's older view does not bring it back.
    expect(merged.downSince).toBeUndefined()
  })

  test('a long outage keeps one probe span per hook: the bookmark does not grow run after run', () => {
    const spans: Array<[number, number]> = [[NOW - 3 * DAY, NOW]]
    const hooks = new Map(
      Array.from({ length: 30 }, (_, i) => [String(400000000 + i), { floor: NOW - 3 * DAY, pending: new Map(), sent: new Map(), done: new Map(), probes: spans, downSince: NOW - 3 * DAY }])
    )
    expect(serializeBookmark({ hooks }).text.length).toBeLessThan(6000)
  })
})

describe('quiet fleet hooks', () => {
  const scope = 'repo acme/*'
  /** `n` hooks of a fleet with nine-digit ids, their floors spread over the last hour. */
  function fleetOf(n: number): Bookmark {
    const hooks = new Map<string, HookBookmark>()
    for (let i = 0; i < n; i++) {
      // Mostly as a run leaves them (seen two minutes after the floor); some seen later, some never.
      const floor = NOW - HOUR + i * 3_517
      const seenUntil = i % 10 === 1 ? NOW : i % 10 === 2 ? undefined : floor + 2 * MINUTE
      hooks.set(String(400_000_001 + i * 7919), hookBookmark({ floor, seenUntil, scope }))
    }
    return { hooks }
  }

  test('1,000 quiet hooks serialize under 16 KB, and read back with their floors to the second', () => {
    const b = fleetOf(1000)
    const { text } = serializeBookmark(b)
    expect(text.length).toBeLessThan(16 * 1024)
    const read = parseBookmark(text)
    expect(read.warnings).toBeUndefined()
    expect(read.bookmark.hooks.size).toBe(1000)
    for (const [key, entry] of b.hooks) {
      const back = read.bookmark.hooks.get(key)!
      expect(back.floor).toBe(Math.floor(entry.floor / 1000) * 1000)
      expect(back.seenUntil).toBe(entry.seenUntil === undefined ? undefined : Math.floor(entry.seenUntil / 1000) * 1000)
      expect(back.scope).toBe(scope)
      expect(back.pending.size + back.sent.size + back.done.size + back.probes.length).toBe(0)
    }
    // Deterministic: the same bookmark, the same text, so an idle run writes nothing.
    expect(serializeBookmark(read.bookmark).text).toBe(text)
  })

  test('a hook with something open keeps its own entry, with its scope; the rest stay quiet', () => {
    const b = fleetOf(3)
    const [key] = [...b.hooks.keys()]
    b.hooks.get(key)!.sent.set(bigId(1), NOW - MINUTE)
    const doc = JSON.parse(serializeBookmark(b).text)
    expect(Object.keys(doc.hooks)).toEqual([key])
    expect(doc.hooks[key].scope).toBe(scope)
    expect(doc.quiet[scope].hooks.split(',')).toHaveLength(2)
    const back = parseBookmark(serializeBookmark(b).text).bookmark
    expect(back.hooks.get(key)!.sent.get(bigId(1))).toBe(Math.floor((NOW - MINUTE) / 1000) * 1000)
    expect(back.hooks.get(key)!.scope).toBe(scope)
  })

  test('hooks without a scope (one repository, an organization) keep the entries they always had', () => {
    const text = serializeBookmark(bookmarkOf({ '202': hookBookmark({ floor: NOW - HOUR }) })).text
    expect(JSON.parse(text)).toEqual({ version: 1, hooks: { '202': { floor: new Date(NOW - HOUR).toISOString() } } })
  })

  test('two fleets sharing a state keep a line each', () => {
    const b = fleetOf(2)
    b.hooks.set('12345', hookBookmark({ floor: NOW - 2 * HOUR, scope: 'repo other/*' }))
    const doc = JSON.parse(serializeBookmark(b).text)
    expect(Object.keys(doc.quiet).sort()).toEqual(['repo acme/*', 'repo other/*'])
    expect(parseBookmark(serializeBookmark(b).text).bookmark.hooks.get('12345')!.scope).toBe('repo other/*')
  })

  test('unreadable parts of the quiet lines are named, the rest is read', () => {
    const base = new Date(NOW).toISOString()
    const read = parseBookmark(JSON.stringify({ version: 1, hooks: {}, quiet: { a: { base, hooks: '6mu9:1,!!,zz' }, b: 'x' } }))
    expect([...read.bookmark.hooks.keys()].sort()).toEqual([String(parseInt('6mu9', 36)), String(parseInt('zz', 36))].sort())
    expect(read.warnings).toEqual(['1 quiet hook of "a" is not a base-36 id, left out', 'the quiet hooks of "b" are "x", not a base time and a list: they are scanned as if they had no bookmark'])
  })

  test('merging keeps the scope', () => {
    const ours = fleetOf(1)
    const [key] = [...ours.hooks.keys()]
    const theirs = bookmarkOf({ [key]: hookBookmark({ floor: NOW }) })
    expect(mergeBookmarks(ours, theirs).hooks.get(key)!.scope).toBe(scope)
  })
})

describe('replay spans', () => {
  test('written, read back, merged and trusted like probe spans; a hook with one is not quiet', () => {
    const entry = hookBookmark({ floor: NOW - HOUR, replays: [[NOW - 30 * MINUTE, NOW - 20 * MINUTE]] })
    const { text } = serializeBookmark({ hooks: new Map([['101', entry]]) })
    expect(JSON.parse(text).hooks['101'].replays).toEqual([[Math.floor((NOW - 30 * MINUTE) / 1000), Math.ceil((NOW - 20 * MINUTE) / 1000)]])
    const read = parseBookmark(text)
    expect(read.bookmark.hooks.get('101')?.replays).toEqual([[NOW - 30 * MINUTE, NOW - 20 * MINUTE]])
    const fromFuture = trustAgainstNow(hookBookmark({ floor: NOW - HOUR, replays: [[NOW + HOUR, NOW + HOUR]] }), undefined, NOW, NOW - DAY)
    expect(fromFuture.previous?.replays).toEqual([])
  })
})

describe('resume: where a scan stopped part-way (a window over the request budget)', () => {
  const resumed = (): Bookmark => ({
    hooks: new Map([
      [
        '202',
        hookBookmark({
          floor: NOW - DAY,
          seenUntil: NOW - MINUTE,
          resume: {
            cursor: 'v1_MTczNjUwMDAwMDAwMDo0Mg',
            reachedAt: NOW - 9 * HOUR,
            carry: {
              settled: ['guid-settled'],
              facts: [facts({ guid: 'guid-a', redeliveries: 2, freeRedeliveries: 1, newestId: bigId(7), newestAt: NOW - HOUR, action: 'opened' }), facts({ guid: 'guid-b', hasOriginal: false })]
            }
          }
        })
      ]
    ]),
    reachFrom: '303'
  })

  test('round trip: the cursor, how far it got, what it carried over, and the first hook not reached', () => {
    const text = serializeBookmark(resumed()).text
    const parsed = parseBookmark(text)
    expect(parsed.warnings).toBeUndefined()
    expect(parsed.bookmark).toEqual(resumed())
    expect(serializeBookmark(parsed.bookmark).text).toBe(text)
  })

  test('a bookmark written before resumes existed reads as it did: no resume, no hook to start from', () => {
    const parsed = parseBookmark(JSON.stringify({ version: 1, hooks: { '202': { floor: new Date(NOW - HOUR).toISOString() } } }))
    expect(parsed.warnings).toBeUndefined()
    expect(parsed.bookmark.hooks.get('202')?.resume).toBeUndefined()
    expect(parsed.bookmark.reachFrom).toBeUndefined()
  })

  test('a resume that cannot be read is left out with a warning: the hook is listed from its newest delivery again, its floor kept', () => {
    const doc = JSON.parse(serializeBookmark(resumed()).text) as { hooks: Record<string, { resume: { failing: unknown[] } }> }
    doc.hooks['202'].resume.failing[0] = ['guid-a', 'push']
    const parsed = parseBookmark(JSON.stringify(doc))
    expect(parsed.bookmark.hooks.get('202')?.resume).toBeUndefined()
    expect(parsed.bookmark.hooks.get('202')?.floor).toBe(NOW - DAY)
    expect(parsed.warnings).toEqual([expect.stringContaining('"resume"')])
  })

  test('too large for the store: resumes are dropped before anything that guards a delivery', () => {
    const bookmark = resumed()
    const full = serializeBookmark(bookmark).text
    const { text, trimmed, trimmedPending } = serializeBookmark(bookmark, full.length - 1)
    expect(parseBookmark(text).bookmark.hooks.get('202')).toEqual({ ...bookmark.hooks.get('202'), resume: undefined })
    expect([trimmed, trimmedPending]).toEqual([1, 0])
  })

  test('a merge keeps where the newer listing stopped, unless the other run moved the floor past it', () => {
    const ours = resumed()
    const theirs = bookmarkOf({ '202': hookBookmark({ floor: NOW - DAY }) })
    expect(mergeBookmarks(ours, theirs).hooks.get('202')?.resume).toEqual(ours.hooks.get('202')?.resume)
    const moved = bookmarkOf({ '202': hookBookmark({ floor: NOW - 10 * MINUTE }) })
    expect(mergeBookmarks(ours, moved).hooks.get('202')?.resume).toBeUndefined()
    expect(mergeBookmarks(ours, moved).reachFrom).toBe('303')
  })
})
