import { isDeliveryId, type DeliveryId } from './ids.js'

/**
 * How far one hook has been processed. All times are GitHub's (delivered_at and
 * the API's Date header), never the runner's clock.
 */
export interface HookBookmark {
  /** The next scan reads back to here. Never past a delivery that is unfinished. */
  floor: number
  /** The newest attempt any run has seen: what is older was looked at, what is newer was not. */
  seenUntil?: number
  /** Attempt ids redelivered recently, with when: a redelivery in flight is not sent again. */
  pending: Map<DeliveryId, number>
  /** Guids finished without success (skipped for good) that are newer than floor, with their first attempt's time. */
  done: Map<string, number>
}

export interface Bookmark {
  hooks: Map<string, HookBookmark>
  /** A bookmark in the format of GitHub's documented script: one time for every hook. */
  legacyFloor?: number
}

export const STATE_VERSION = 1
/** Actions variables hold at most 48 KB; stay well under it. */
export const MAX_STATE_CHARS = 40_000

/** `newer`: written by a newer version of the action, which this one must not overwrite. */
export type ParsedBookmark = { bookmark: Bookmark; problem?: string; newer?: boolean }

export function emptyBookmark(): Bookmark {
  return { hooks: new Map() }
}

export function parseBookmark(text: string | undefined): ParsedBookmark {
  const value = text?.trim() ?? ''
  if (value === '') return { bookmark: emptyBookmark() }
  // GitHub's documented script stores Date.now() as a string.
  if (/^\d{10,16}$/.test(value)) return { bookmark: { hooks: new Map(), legacyFloor: Number(value) } }
  let doc: unknown
  try {
    doc = JSON.parse(value)
  } catch {
    return { bookmark: emptyBookmark(), problem: 'it is not JSON' }
  }
  if (isObject(doc) && typeof doc.version === 'number' && doc.version > STATE_VERSION) {
    return { bookmark: emptyBookmark(), problem: `bookmark version ${doc.version}`, newer: true }
  }
  if (!isObject(doc) || doc.version !== STATE_VERSION || !isObject(doc.hooks)) {
    return { bookmark: emptyBookmark(), problem: `it is not a version ${STATE_VERSION} bookmark` }
  }
  const hooks = new Map<string, HookBookmark>()
  for (const [key, entry] of Object.entries(doc.hooks)) {
    if (!isObject(entry) || typeof entry.floor !== 'string') continue
    const floor = Date.parse(entry.floor)
    if (Number.isNaN(floor)) continue
    const pending = new Map<DeliveryId, number>()
    if (isObject(entry.pending)) {
      for (const [seconds, ids] of Object.entries(entry.pending)) {
        if (!/^\d+$/.test(seconds) || !Array.isArray(ids)) continue
        for (const id of ids) if (typeof id === 'string' && isDeliveryId(id)) pending.set(id, Number(seconds) * 1000)
      }
    }
    const done = new Map<string, number>()
    if (isObject(entry.done)) {
      for (const [guid, seconds] of Object.entries(entry.done)) {
        if (typeof seconds === 'number') done.set(guid, seconds * 1000)
      }
    }
    const seenUntil = typeof entry.seen === 'string' ? Date.parse(entry.seen) : NaN
    hooks.set(key, { floor, ...(Number.isNaN(seenUntil) ? {} : { seenUntil }), pending, done })
  }
  return { bookmark: { hooks } }
}

/** Deterministic output, so an unchanged bookmark serializes to the same text and is not rewritten. */
export function serializeBookmark(bookmark: Bookmark): { text: string; trimmed: number; trimmedPending: number } {
  const copy = new Map([...bookmark.hooks].map(([k, h]) => [k, { ...h, pending: new Map(h.pending), done: new Map(h.done) }]))
  let trimmed = 0
  let trimmedPending = 0
  let text = render(copy)
  // Dropping `done` entries only risks reporting a skipped delivery twice; pending ones guard against duplicates.
  for (const field of ['done', 'pending'] as const) {
    while (text.length > MAX_STATE_CHARS) {
      const largest = largestMap(copy, field)
      if (!largest) break
      // A quarter of the largest map at a time, its oldest entries first.
      const n = Math.max(1, Math.ceil(largest.size / 4))
      const victims = [...largest.entries()].sort((a, b) => a[1] - b[1]).slice(0, n)
      for (const [key] of victims) largest.delete(key)
      trimmed += victims.length
      if (field === 'pending') trimmedPending += victims.length
      text = render(copy)
    }
  }
  return { text, trimmed, trimmedPending }
}

function largestMap(hooks: Map<string, HookBookmark>, field: 'done' | 'pending'): Map<string, number> | undefined {
  let best: Map<string, number> | undefined
  for (const hook of hooks.values()) {
    const map = hook[field]
    if (map.size > 0 && (!best || map.size > best.size)) best = map
  }
  return best
}

function render(hooks: Map<string, HookBookmark>): string {
  const out: Record<string, unknown> = {}
  for (const key of [...hooks.keys()].sort()) {
    const hook = hooks.get(key)!
    const pending: Record<string, string[]> = {}
    for (const [id, at] of [...hook.pending].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))) {
      ;(pending[String(Math.floor(at / 1000))] ??= []).push(id)
    }
    const done: Record<string, number> = {}
    for (const [guid, at] of [...hook.done].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))) {
      done[guid] = Math.floor(at / 1000)
    }
    const entry: Record<string, unknown> = { floor: new Date(hook.floor).toISOString() }
    if (hook.seenUntil !== undefined) entry.seen = new Date(hook.seenUntil).toISOString()
    if (hook.pending.size > 0) entry.pending = pending
    if (hook.done.size > 0) entry.done = done
    out[key] = entry
  }
  return JSON.stringify({ version: STATE_VERSION, hooks: out })
}

/**
 * Combines our new bookmark with one another run wrote meanwhile: a floor never
 * moves back, and in-flight redeliveries and finished guids of both are kept.
 */
export function mergeBookmarks(ours: Bookmark, theirs: Bookmark): Bookmark {
  const hooks = new Map<string, HookBookmark>()
  for (const key of new Set([...ours.hooks.keys(), ...theirs.hooks.keys()])) {
    const a = ours.hooks.get(key)
    const b = theirs.hooks.get(key)
    if (!a || !b) {
      hooks.set(key, (a ?? b)!)
      continue
    }
    const floor = Math.max(a.floor, b.floor)
    const seen = [a.seenUntil, b.seenUntil].filter((t): t is number => t !== undefined)
    const pending = new Map(b.pending)
    for (const [id, at] of a.pending) pending.set(id, Math.max(at, pending.get(id) ?? 0))
    const done = new Map<string, number>()
    for (const [guid, at] of [...b.done, ...a.done]) if (keepsDone(at, floor)) done.set(guid, at)
    hooks.set(key, { floor, ...(seen.length > 0 ? { seenUntil: Math.max(...seen) } : {}), pending, done })
  }
  return { hooks }
}

/**
 * Whether a finished delivery stays in `done` above this floor. The bookmark keeps whole
 * seconds: compare at that precision, so an entry kept once is not pruned after a reload.
 */
export function keepsDone(firstAt: number, floor: number): boolean {
  return firstAt >= floor - 999
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
