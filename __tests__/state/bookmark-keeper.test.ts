/**
 * The bookmark's life in one run, through its one owner, against a real state file: read,
 * checkpoint (planned, then sent), a crash or a restore, and the final write. Plus the size
 * limit, which belongs to the store: an Actions variable has one, a state file none.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MAX_STATE_CHARS, parseBookmark, serializeBookmark, type Bookmark, type HookBookmark } from '../../src/core/bookmark/format.js'
import type { RunProgress } from '../../src/core/bookmark/moves.js'
import { PLANNED_IN_FLIGHT_MS, SENT_IN_FLIGHT_MS } from '../../src/core/bookmark/trust.js'
import { settle } from '../../src/core/decisions.js'
import { planRun, type Policy } from '../../src/core/plan.js'
import { BookmarkKeeper } from '../../src/engine/bookmark-keeper.js'
import { RateLimitedError, UserError, type BookmarkStore, type DeliveriesPort, type ListedAttempt, type RedeliveryResult } from '../../src/engine/ports.js'
import type { RunResult } from '../../src/core/types.js'
import { runEngine } from '../../src/engine/run.js'
import { FileStore } from '../../src/state/file-store.js'
import { bigId, DAY, facts, HOUR, hookBookmark, hookTarget, MINUTE, NOW, policy, scan, SECOND } from '../fixtures/builders.js'

class MemoryStore implements BookmarkStore {
  readonly description = 'memory'
  value: string | undefined
  constructor(readonly maxChars?: number) {}
  async read(): Promise<string | undefined> {
    return this.value
  }
  async write(text: string): Promise<void> {
    this.value = text
  }
}

/** A state file that counts its writes and can be told to refuse the next one. */
class CountedFile implements BookmarkStore {
  private readonly file: FileStore
  writes = 0
  refuseNext: Error | undefined
  constructor(path: string) {
    this.file = new FileStore(path)
  }
  get description(): string {
    return this.file.description
  }
  read(): Promise<string | undefined> {
    return this.file.read()
  }
  async write(text: string): Promise<void> {
    const refusal = this.refuseNext
    this.refuseNext = undefined
    if (refusal) throw refusal
    this.writes++
    await this.file.write(text)
  }
  /** The hook's entry as the file holds it now. */
  async entry(key = HOOK): Promise<HookBookmark | undefined> {
    return parseBookmark(await this.read()).bookmark.hooks.get(key)
  }
}

/** A bookmark with `n` in-flight redeliveries: 4,000 of them are far more than 40,000 characters. */
function inFlight(n: number, offset = 0): Bookmark {
  const pending = new Map<string, number>()
  for (let i = 0; i < n; i++) pending.set(bigId(offset + i), NOW - i * 1000)
  return { hooks: new Map([['h', hookBookmark({ pending })]]) }
}

const quiet = { debug: () => {}, info: () => {}, warning: () => {} }
const HOOK = '101'

function keeperOf(store: BookmarkStore | undefined, clock: { now: number }, opts: { policy?: Partial<Policy>; warnings?: string[] } = {}): BookmarkKeeper {
  const warnings = opts.warnings ?? []
  return new BookmarkKeeper({ store, hooks: [hookTarget({ key: HOOK })], policy: policy(opts.policy), now: () => clock.now, log: quiet, warn: m => warnings.push(m) })
}

/** Two failing deliveries of the hook, due now, planned against what the keeper read. */
function planFrom(previous: Bookmark, now: number): RunProgress {
  const s = scan({
    key: HOOK,
    facts: [facts({ guid: 'older', newestId: bigId(1), firstAt: NOW - 2 * HOUR }), facts({ guid: 'newer', newestId: bigId(2), firstAt: NOW - HOUR })],
    newestAt: NOW - MINUTE,
    // The receiver answered a moment ago: no probe.
    lastOkAt: now - SECOND,
    previous: previous.hooks.get(HOOK)
  })
  return { scans: [s], plan: planRun([s], policy(), now) }
}

function sentAll(run: RunProgress, at: number): void {
  for (const decision of run.plan.toRedeliver) settle(decision, { result: 'redelivered', at })
}

/** Each test's own state file, in a temporary directory. */
let dir: string
let store: CountedFile
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bookmark-keeper-test-'))
  store = new CountedFile(join(dir, 'state.json'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe("the bookmark's life, on a state file", () => {
  test('read → checkpoint (planned) → recordSent (sent) → finish: each write records what the rule says, and only when something changed', async () => {
    const clock = { now: NOW }
    const keeper = keeperOf(store, clock)
    const run = planFrom(await keeper.read(DAY), NOW)
    expect(run.plan.toRedeliver.map(d => d.facts.guid)).toEqual(['older', 'newer'])

    // Before the batch is sent: it is pending, and the floor has not moved.
    const { toSend, elsewhere } = await keeper.checkpoint(run, run.plan.toRedeliver)
    expect(toSend).toEqual(run.plan.toRedeliver)
    expect(elsewhere).toEqual([])
    expect(await store.entry()).toMatchObject({
      floor: NOW - DAY,
      pending: new Map([
        [bigId(1), NOW],
        [bigId(2), NOW]
      ]),
      sent: new Map()
    })
    expect(store.writes).toBe(1)

    // Nothing sent yet: nothing to record before a wait.
    await keeper.recordSent(run)
    expect(store.writes).toBe(1)

    // GitHub accepted both: before the run waits, they move to sent.
    sentAll(run, NOW + SECOND)
    clock.now = NOW + 2 * SECOND
    await keeper.recordSent(run)
    expect(await store.entry()).toMatchObject({
      floor: NOW - DAY,
      pending: new Map(),
      sent: new Map([
        [bigId(1), NOW + SECOND],
        [bigId(2), NOW + SECOND]
      ])
    })
    expect(store.writes).toBe(2)
    await keeper.recordSent(run)
    expect(store.writes).toBe(2)

    // The end: the floor moves up to the oldest unfinished delivery, not past it; what was sent stays in flight.
    expect(await keeper.finish(run, new Map(), NOW + 3 * SECOND)).toBeUndefined()
    expect(await store.entry()).toMatchObject({
      floor: NOW - 2 * HOUR,
      pending: new Map(),
      sent: new Map([
        [bigId(1), NOW + SECOND],
        [bigId(2), NOW + SECOND]
      ])
    })
    expect(store.writes).toBe(3)
    // The same value again is not written.
    expect(await keeper.finish(run, new Map(), NOW + 3 * SECOND)).toBeUndefined()
    expect(store.writes).toBe(3)
  })

  test('a run killed after its checkpoint: the next run sends none of the batch while it may be in flight, then sends it', async () => {
    const killed = keeperOf(store, { now: NOW })
    const run = planFrom(await killed.read(DAY), NOW)
    await killed.checkpoint(run, run.plan.toRedeliver)
    // Killed here: no recordSent, no finish.

    const next = keeperOf(store, { now: NOW + MINUTE })
    const soon = planFrom(await next.read(DAY), NOW + MINUTE)
    expect(soon.plan.toRedeliver).toEqual([])
    expect(soon.plan.hooks.get(HOOK)!.inFlight.map(f => f.guid)).toEqual(['older', 'newer'])

    // Planned only, perhaps never sent: it waits the short grace, then is sent again.
    const later = planFrom(await keeperOf(store, { now: NOW + PLANNED_IN_FLIGHT_MS }).read(DAY), NOW + PLANNED_IN_FLIGHT_MS)
    expect(later.plan.toRedeliver.map(d => d.facts.guid)).toEqual(['older', 'newer'])
  })

  test('a run killed while it waits, after recordSent: what GitHub accepted stays in flight for the hour, not the three minutes', async () => {
    const killed = keeperOf(store, { now: NOW })
    const run = planFrom(await killed.read(DAY), NOW)
    await killed.checkpoint(run, run.plan.toRedeliver)
    sentAll(run, NOW + SECOND)
    await killed.recordSent(run)

    const at = NOW + PLANNED_IN_FLIGHT_MS + MINUTE
    expect(planFrom(await keeperOf(store, { now: at }).read(DAY), at).plan.toRedeliver).toEqual([])
    const expired = NOW + SECOND + SENT_IN_FLIGHT_MS
    expect(planFrom(await keeperOf(store, { now: expired }).read(DAY), expired).plan.toRedeliver).toHaveLength(2)
  })

  test('restore puts back what was read (an empty bookmark when there was none), unless another run wrote since', async () => {
    const keeper = keeperOf(store, { now: NOW })
    const run = planFrom(await keeper.read(DAY), NOW)
    await keeper.checkpoint(run, run.plan.toRedeliver)
    await keeper.restore()
    expect(await store.read()).toBe(serializeBookmark({ hooks: new Map() }).text)

    const before = serializeBookmark({ hooks: new Map([[HOOK, hookBookmark({ floor: NOW - 3 * HOUR })]]) }).text
    await store.write(before)
    const second = keeperOf(store, { now: NOW })
    const again = planFrom(await second.read(DAY), NOW)
    await second.checkpoint(again, again.plan.toRedeliver)
    expect(await store.read()).not.toBe(before)
    await second.restore()
    expect(await store.read()).toBe(before)

    const third = keeperOf(store, { now: NOW })
    const overlapped = planFrom(await third.read(DAY), NOW)
    await third.checkpoint(overlapped, overlapped.plan.toRedeliver)
    const theirs = serializeBookmark({ hooks: new Map([[HOOK, hookBookmark({ floor: NOW - HOUR })]]) }).text
    await store.write(theirs)
    await third.restore()
    expect(await store.read()).toBe(theirs)
  })

  test('another run wrote meanwhile: the checkpoint leaves it what it is sending, and the final write keeps its floor and its in-flight entries', async () => {
    const keeper = keeperOf(store, { now: NOW })
    const run = planFrom(await keeper.read(DAY), NOW)
    const theirs = (floor: number, pending: Map<string, number>): string => serializeBookmark({ hooks: new Map([[HOOK, hookBookmark({ floor, pending })]]) }).text
    // The other run is sending "older".
    await store.write(theirs(NOW - DAY, new Map([[bigId(1), NOW]])))

    const { toSend, elsewhere } = await keeper.checkpoint(run, run.plan.toRedeliver)
    expect(toSend.map(d => d.facts.guid)).toEqual(['newer'])
    expect(elsewhere.map(d => d.facts.guid)).toEqual(['older'])
    expect(await store.entry()).toMatchObject({
      pending: new Map([
        [bigId(1), NOW],
        [bigId(2), NOW]
      ])
    })
    settle(elsewhere[0], { result: 'skipped', reason: 'in-flight', message: 'an overlapping run is redelivering it' })
    settle(toSend[0], { result: 'redelivered', at: NOW + SECOND })

    // It finishes first, its floor further on, and sends "older" again later in its run.
    await store.write(theirs(NOW - 90 * MINUTE, new Map([[bigId(1), NOW + MINUTE]])))
    await keeper.finish(run, new Map(), NOW + 2 * MINUTE)
    expect(await store.entry()).toMatchObject({ floor: NOW - 90 * MINUTE, pending: new Map([[bigId(1), NOW + MINUTE]]), sent: new Map([[bigId(2), NOW + SECOND]]) })
  })

  test('what another run wrote is merged into every later write until it writes again: its floor and in-flight entries stay, and a later batch leaves them to it', async () => {
    const keeper = keeperOf(store, { now: NOW })
    const run = planFrom(await keeper.read(DAY), NOW)
    const [older, newer] = run.plan.toRedeliver
    // The other run is sending "newer", its floor further on; it writes nothing more.
    await store.write(serializeBookmark({ hooks: new Map([[HOOK, hookBookmark({ floor: NOW - 90 * MINUTE, pending: new Map([[bigId(2), NOW]]) })]]) }).text)

    expect(await keeper.checkpoint(run, [older])).toEqual({ toSend: [older], elsewhere: [] })
    settle(older, { result: 'redelivered', at: NOW + SECOND })
    // The next batch's checkpoint finds the store as this run left it, and still leaves "newer" to the other run.
    expect(await keeper.checkpoint(run, [newer])).toEqual({ toSend: [], elsewhere: [newer] })
    settle(newer, { result: 'skipped', reason: 'in-flight', message: 'an overlapping run is redelivering it' })
    expect(await keeper.finish(run, new Map(), NOW + 2 * SECOND)).toBeUndefined()
    expect(await store.entry()).toMatchObject({ floor: NOW - 90 * MINUTE, pending: new Map([[bigId(2), NOW]]), sent: new Map([[bigId(1), NOW + SECOND]]) })
  })

  test('once the other run writes again, its new value is what is merged: what it no longer holds is not brought back', async () => {
    const keeper = keeperOf(store, { now: NOW })
    const run = planFrom(await keeper.read(DAY), NOW)
    const [older] = run.plan.toRedeliver
    const theirs = (pending: Map<string, number>): string => serializeBookmark({ hooks: new Map([[HOOK, hookBookmark({ floor: NOW - DAY, pending })]]) }).text
    await store.write(theirs(new Map([[bigId(2), NOW]])))
    await keeper.checkpoint(run, [older])
    expect((await store.entry())!.pending).toEqual(
      new Map([
        [bigId(1), NOW],
        [bigId(2), NOW]
      ])
    )

    // It wrote again, "newer" no longer in flight for it (a value written without merging: a hand edit, an earlier version).
    await store.write(theirs(new Map()))
    settle(older, { result: 'redelivered', at: NOW + SECOND })
    await keeper.recordSent(run)
    expect(await store.entry()).toMatchObject({ pending: new Map(), sent: new Map([[bigId(1), NOW + SECOND]]) })
  })

  test('restore after a checkpoint that merged another run: what that run wrote stays', async () => {
    const before = serializeBookmark({ hooks: new Map([[HOOK, hookBookmark({ floor: NOW - 3 * HOUR })]]) }).text
    await store.write(before)
    const keeper = keeperOf(store, { now: NOW })
    const run = planFrom(await keeper.read(DAY), NOW)
    await store.write(serializeBookmark({ hooks: new Map([[HOOK, hookBookmark({ floor: NOW - 3 * HOUR, pending: new Map([[bigId(2), NOW]]) })]]) }).text)
    const { toSend } = await keeper.checkpoint(run, run.plan.toRedeliver)
    expect(toSend.map(d => d.facts.guid)).toEqual(['older'])
    // Nothing was sent (a credential that cannot redeliver): this run's batch goes, the other run's entry stays.
    await keeper.restore()
    expect(await store.entry()).toMatchObject({ floor: NOW - 3 * HOUR, pending: new Map([[bigId(2), NOW]]), sent: new Map() })
  })

  test("an entry the final write lets go (forgotten) is not brought back by another run's write that left it as it was", async () => {
    const forgotten = hookBookmark({ floor: NOW - 4 * DAY, seenUntil: NOW - 4 * DAY })
    const bookmark = (pending: Map<string, number>): string =>
      serializeBookmark({
        hooks: new Map([
          [HOOK, hookBookmark({ pending })],
          ['999', forgotten]
        ])
      }).text
    await store.write(bookmark(new Map()))
    const keeper = keeperOf(store, { now: NOW })
    const run = planFrom(await keeper.read(DAY), NOW)
    await store.write(bookmark(new Map([[bigId(2), NOW]])))
    await keeper.finish(run, new Map(), NOW)
    const stored = parseBookmark(await store.read()).bookmark
    expect([...stored.hooks.keys()]).toEqual([HOOK])
    expect(stored.hooks.get(HOOK)!.pending).toEqual(new Map([[bigId(2), NOW]]))
  })

  test('nothing is written by a dry run, a run that scanned no hook, or a run without a store', async () => {
    const dry = keeperOf(store, { now: NOW }, { policy: { dryRun: true } })
    const run = planFrom(await dry.read(DAY), NOW)
    expect(await dry.finish(run, new Map(), NOW)).toBeUndefined()
    const unscanned = keeperOf(store, { now: NOW })
    await unscanned.read(DAY)
    expect(await unscanned.finish({ ...run, scans: [] }, new Map(), NOW)).toBeUndefined()
    expect(store.writes).toBe(0)
    expect(await store.read()).toBeUndefined()

    const none = keeperOf(undefined, { now: NOW })
    expect(await none.read(DAY)).toEqual({ hooks: new Map() })
    expect(await none.checkpoint(run, run.plan.toRedeliver)).toEqual({ toSend: run.plan.toRedeliver, elsewhere: [] })
    expect(await none.finish(run, new Map(), NOW)).toBeUndefined()
  })

  test('a final write the store refuses fails the run; one stopped by rate limits is a warning, the checkpoint still guards', async () => {
    const keeper = keeperOf(store, { now: NOW })
    const run = planFrom(await keeper.read(DAY), NOW)
    store.refuseNext = new Error('403 no write access')
    expect(await keeper.finish(run, new Map(), NOW)).toBe(`Could not save the bookmark to the ${store.description}: 403 no write access`)

    const warnings: string[] = []
    const limited = keeperOf(store, { now: NOW }, { warnings })
    await limited.read(DAY)
    store.refuseNext = new RateLimitedError('secondary rate limit')
    expect(await limited.finish(run, new Map(), NOW)).toBeUndefined()
    expect(warnings).toEqual(['Could not save the bookmark (secondary rate limit). Nothing is lost: the next run scans again from the previous bookmark.'])
  })
})

describe('the engine keeps the rule through the keeper', () => {
  const accepted: RedeliveryResult = { kind: 'accepted', at: NOW + SECOND }

  /**
   * GitHub with `failing` failing deliveries (ids 1 to n, the oldest first) and a receiver that
   * answered a minute ago. Each redelivery request notes whether the state file holds it as
   * pending, then gets `answer`'s answer.
   */
  function github(failing: number, answer: (id: string) => Promise<RedeliveryResult>, pendingAtSend: boolean[] = []): DeliveriesPort {
    const listed = (over: Partial<ListedAttempt>): ListedAttempt => ({
      id: bigId(0),
      guid: 'answered',
      deliveredAt: NOW - MINUTE,
      redelivery: false,
      status: 'OK',
      statusCode: 200,
      event: 'push',
      action: null,
      durationMs: 100,
      ...over
    })
    const failures = Array.from({ length: failing }, (_, i) =>
      listed({ id: bigId(i + 1), guid: `failing-${i + 1}`, deliveredAt: NOW - HOUR + i * SECOND, status: 'Invalid HTTP Response: 503', statusCode: 503 })
    )
    return {
      now: () => NOW,
      listDeliveries: async (_hook, onPage) => void onPage([listed({}), ...[...failures].reverse()]),
      redeliver: async (hook, id) => {
        pendingAtSend.push((await store.entry(hook.key))?.pending.has(id) === true)
        return answer(id)
      }
    }
  }

  const engine = (port: DeliveriesPort, checkpointEvery?: number): Promise<RunResult> =>
    runEngine({ hooks: [hookTarget({ key: HOOK })], policy: policy(), lookbackMs: DAY, github: port, store, log: quiet, sleep: async () => {}, checkpointEvery })

  test('each redelivery request is preceded by a checkpoint that holds it as pending; the final write holds it as sent', async () => {
    const pendingAtSend: boolean[] = []
    const result = await engine(github(1, async () => accepted, pendingAtSend))
    expect(result.totals).toMatchObject({ failed: 1, redelivered: 1 })
    expect(pendingAtSend).toEqual([true])
    expect(await store.entry()).toMatchObject({ pending: new Map(), sent: new Map([[bigId(1), NOW + SECOND]]) })
    expect(store.writes).toBe(2)
  })

  test('a first checkpoint the store refuses: nothing is sent, and the run ends saying so', async () => {
    const sent: string[] = []
    store.refuseNext = new Error('403 Resource not accessible by integration')
    const port = github(2, async id => (sent.push(id), accepted))
    await expect(engine(port)).rejects.toThrow(new UserError(`Could not write the bookmark to the ${store.description}, so nothing was redelivered: 403 Resource not accessible by integration`))
    expect(sent).toEqual([])
    expect(await store.read()).toBeUndefined()
  })

  test('a later checkpoint the store refuses: the run stops there, and what was sent is still recorded at the end', async () => {
    const sent: string[] = []
    const port = github(2, async id => {
      sent.push(id)
      // The next write is the second batch's checkpoint.
      store.refuseNext = new Error('502 Bad Gateway')
      return accepted
    })
    const result = await engine(port, 1)
    expect(sent).toEqual([bigId(1)])
    expect(result.totals).toMatchObject({ failed: 2, redelivered: 1, errors: 1 })
    expect(result.failures).toContain(`Could not write the bookmark to the ${store.description}; the rest is left for the next run: 502 Bad Gateway`)
    expect(result.rows.find(r => r.id === bigId(2))).toMatchObject({ result: 'error', message: 'not sent: 502 Bad Gateway' })
    expect(await store.entry()).toMatchObject({ floor: NOW - HOUR, pending: new Map(), sent: new Map([[bigId(1), NOW + SECOND]]) })
  })

  test('a credential that cannot redeliver, before anything was sent: the run ends with the bookmark as it was', async () => {
    const before = serializeBookmark({ hooks: new Map([[HOOK, hookBookmark({ floor: NOW - 2 * HOUR })]]) }).text
    await store.write(before)
    const refusal = new UserError('Input "token": it cannot redeliver webhooks of this organization (admin:org_hook).')
    await expect(engine(github(2, async () => Promise.reject(refusal)))).rejects.toThrow(refusal)
    // The checkpoint before the batch was written, then put back.
    expect(store.writes).toBe(3)
    expect(await store.read()).toBe(before)
  })

  test("a run that merged another's checkpoint keeps its in-flight redelivery in its later writes: a third run does not send it again", async () => {
    // Run A is killed after its checkpoint, while GitHub accepts its redelivery; it never writes again.
    const runKilledA = (): Promise<RunResult> =>
      engine(
        github(1, async () => {
          throw new Error('the runner was killed')
        })
      )
    // Run B read the bookmark before A's checkpoint; A checkpoints while B lists the hook.
    const port = github(1, async () => accepted)
    const b = await engine({
      ...port,
      listDeliveries: async (hook, onPage) => {
        await expect(runKilledA()).rejects.toThrow('the runner was killed')
        return port.listDeliveries(hook, onPage)
      }
    })
    // B's checkpoint found A sending the delivery and left it to A; B's final write came next, with no write of A between.
    expect(b.rows.find(r => r.id === bigId(1))).toMatchObject({ result: 'skipped', reason: 'in-flight' })
    expect(await store.entry()).toMatchObject({ pending: new Map([[bigId(1), NOW]]) })

    const sentByC: string[] = []
    const c = await engine(github(1, async id => (sentByC.push(id), accepted)))
    expect(sentByC).toEqual([])
    expect(c.hooks[0]).toMatchObject({ inFlight: 1, redelivered: 0 })
  })
})

describe('BookmarkKeeper and the store limit', () => {
  const clock = { now: NOW }

  test('a store without a limit (a state file) keeps every in-flight entry, and nothing is warned', async () => {
    const store = new MemoryStore()
    const warnings: string[] = []
    const keeper = keeperOf(store, clock, { warnings })
    await keeper.read(DAY)
    await keeper.write(inFlight(4000))
    expect(store.value!.length).toBeGreaterThan(MAX_STATE_CHARS)
    expect(parseBookmark(store.value).bookmark.hooks.get('h')!.pending.size).toBe(4000)
    expect(warnings).toEqual([])
  })

  test("an Actions variable's limit is applied, and its warning is given once however many checkpoints trim", async () => {
    const store = new MemoryStore(MAX_STATE_CHARS)
    const warnings: string[] = []
    const keeper = keeperOf(store, clock, { warnings })
    await keeper.read(DAY)
    for (let checkpoint = 0; checkpoint < 20; checkpoint++) await keeper.write(inFlight(4000, checkpoint))
    expect(store.value!.length).toBeLessThanOrEqual(MAX_STATE_CHARS)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/^The bookmark grew too large for an Actions variable; dropped \d+ of its oldest in-flight redeliveries/)
  })

  test('a bookmark that still does not fit is not written: the error says to shard', async () => {
    const store = new MemoryStore(MAX_STATE_CHARS)
    const keeper = keeperOf(store, clock)
    await keeper.read(DAY)
    const hooks = new Map<string, ReturnType<typeof hookBookmark>>()
    for (let i = 0; i < 8000; i++) hooks.set(String(400_000_001 + i * 7919), hookBookmark({ scope: 'repo acme/*' }))
    await expect(keeper.write({ hooks })).rejects.toThrow(
      /the bookmark of 8000 hooks needs [\d,]+ characters, more than the 40,000 an Actions variable is given here\. Split the hooks with the "shard" input/
    )
    expect(store.value).toBeUndefined()
  })
})
