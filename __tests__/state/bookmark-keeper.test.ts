/** The size limit belongs to the store: an Actions variable has one, a state file none. */
import { describe, expect, test } from '@jest/globals'
import { MAX_STATE_CHARS, parseBookmark, type Bookmark } from '../../src/core/bookmark.js'
import { BookmarkKeeper } from '../../src/engine/bookmark-keeper.js'
import type { BookmarkStore } from '../../src/engine/ports.js'
import { bigId, hookBookmark, NOW } from '../fixtures/builders.js'

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

/** A bookmark with `n` in-flight redeliveries: 4,000 of them are far more than 40,000 characters. */
function inFlight(n: number, offset = 0): Bookmark {
  const pending = new Map<string, number>()
  for (let i = 0; i < n; i++) pending.set(bigId(offset + i), NOW - i * 1000)
  return { hooks: new Map([['h', hookBookmark({ pending })]]) }
}

const quiet = { debug: () => {}, info: () => {}, warning: () => {} }

describe('BookmarkKeeper and the store limit', () => {
  test('a store without a limit (a state file) keeps every in-flight entry, and nothing is warned', async () => {
    const store = new MemoryStore()
    const warnings: string[] = []
    const keeper = new BookmarkKeeper(store, quiet, m => warnings.push(m))
    await keeper.read()
    await keeper.write(inFlight(4000), { mergeWithOthers: true })
    expect(store.value!.length).toBeGreaterThan(MAX_STATE_CHARS)
    expect(parseBookmark(store.value).bookmark.hooks.get('h')!.pending.size).toBe(4000)
    expect(warnings).toEqual([])
  })

  test("an Actions variable's limit is applied, and its warning is given once however many checkpoints trim", async () => {
    const store = new MemoryStore(MAX_STATE_CHARS)
    const warnings: string[] = []
    const keeper = new BookmarkKeeper(store, quiet, m => warnings.push(m))
    await keeper.read()
    for (let checkpoint = 0; checkpoint < 20; checkpoint++) await keeper.write(inFlight(4000, checkpoint), { mergeWithOthers: true })
    expect(store.value!.length).toBeLessThanOrEqual(MAX_STATE_CHARS)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/^The bookmark grew too large for an Actions variable; dropped \d+ of its oldest in-flight redeliveries/)
  })

  test('a bookmark that still does not fit is not written: the error says to shard', async () => {
    const store = new MemoryStore(MAX_STATE_CHARS)
    const keeper = new BookmarkKeeper(store, quiet, () => {})
    await keeper.read()
    const hooks = new Map<string, ReturnType<typeof hookBookmark>>()
    for (let i = 0; i < 8000; i++) hooks.set(String(400_000_001 + i * 7919), hookBookmark({ scope: 'repo acme/*' }))
    await expect(keeper.write({ hooks }, { mergeWithOthers: true })).rejects.toThrow(
      /the bookmark of 8000 hooks needs [\d,]+ characters, more than the 40,000 an Actions variable is given here\. Split the hooks with the "shard" input/
    )
    expect(store.value).toBeUndefined()
  })
})
