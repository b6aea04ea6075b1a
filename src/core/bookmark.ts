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
  /**
   * Attempt ids about to be redelivered (written before the request), with when: a run
   * stopped mid-batch may or may not have sent them, so they wait only a short while.
   */
  pending: Map<DeliveryId, number>
  /** Attempt ids GitHub accepted a redelivery of (or may have), with when: in flight until the new attempt is listed. */
  sent: Map<DeliveryId, number>
  /** Guids finished without success (skipped for good) that are newer than floor, with their first attempt's time. */
  done: Map<string, number>
  /** Probe redeliveries per guid sent while the receiver was not known to be up: they cost no attempt. */
  free: Map<string, number>
  /** Since when (GitHub time) the receiver has been failing, while it is found down. */
  downSince?: number
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
    return { bookmark: emptyBookmark(), problem: `it was written by a newer version of this action (bookmark version ${doc.version})`, newer: true }
  }
  if (!isObject(doc) || doc.version !== STATE_VERSION || !isObject(doc.hooks)) {
    return { bookmark: emptyBookmark(), problem: `it is not a version ${STATE_VERSION} bookmark` }
  }
  const hooks = new Map<string, HookBookmark>()
  for (const [key, entry] of Object.entries(doc.hooks)) {
    if (!isObject(entry) || typeof entry.floor !== 'string') continue
    const floor = Date.parse(entry.floor)
    if (Number.isNaN(floor)) continue
    const done = new Map<string, number>()
    if (isObject(entry.done)) {
      for (const [guid, seconds] of Object.entries(entry.done)) {
        if (typeof seconds === 'number') done.set(guid, seconds * 1000)
      }
    }
    const free = new Map<string, number>()
    if (isObject(entry.free)) {
      for (const [guid, count] of Object.entries(entry.free)) {
        if (typeof count === 'number' && Number.isInteger(count) && count > 0) free.set(guid, count)
      }
    }
    const seenUntil = typeof entry.seen === 'string' ? Date.parse(entry.seen) : NaN
    const downSince = typeof entry.down === 'string' ? Date.parse(entry.down) : NaN
    hooks.set(key, {
      floor,
      ...(Number.isNaN(seenUntil) ? {} : { seenUntil }),
      pending: readIdTimes(entry.pending),
      sent: readIdTimes(entry.sent),
      done,
      free,
      ...(Number.isNaN(downSince) ? {} : { downSince })
    })
  }
  return { bookmark: { hooks } }
}

/** Deterministic output, so an unchanged bookmark serializes to the same text and is not rewritten. */
export function serializeBookmark(bookmark: Bookmark): { text: string; trimmed: number; trimmedPending: number } {
  const copy = new Map([...bookmark.hooks].map(([k, h]) => [k, { ...h, pending: new Map(h.pending), sent: new Map(h.sent), done: new Map(h.done) }]))
  let trimmed = 0
  let trimmedPending = 0
  let text = render(copy)
  // Dropping `done` entries only risks reporting a skipped delivery twice; pending ones guard against duplicates.
  for (const field of ['done', 'pending', 'sent'] as const) {
    while (text.length > MAX_STATE_CHARS) {
      const largest = largestMap(copy, field)
      if (!largest) break
      // A quarter of the largest map at a time, its oldest entries first.
      const n = Math.max(1, Math.ceil(largest.size / 4))
      const victims = [...largest.entries()].sort((a, b) => a[1] - b[1]).slice(0, n)
      for (const [key] of victims) largest.delete(key)
      trimmed += victims.length
      if (field !== 'done') trimmedPending += victims.length
      text = render(copy)
    }
  }
  return { text, trimmed, trimmedPending }
}

/** `{ "<unix seconds>": ["<attempt id>", …] }`: ids grouped by the second they were recorded. */
function readIdTimes(value: unknown): Map<DeliveryId, number> {
  const out = new Map<DeliveryId, number>()
  if (!isObject(value)) return out
  for (const [seconds, ids] of Object.entries(value)) {
    if (!/^\d+$/.test(seconds) || !Array.isArray(ids)) continue
    for (const id of ids) if (typeof id === 'string' && isDeliveryId(id)) out.set(id, Number(seconds) * 1000)
  }
  return out
}

function writeIdTimes(map: Map<DeliveryId, number>): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const [id, at] of [...map].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))) {
    ;(out[String(Math.floor(at / 1000))] ??= []).push(id)
  }
  return out
}

function largestMap(hooks: Map<string, HookBookmark>, field: 'done' | 'pending' | 'sent'): Map<string, number> | undefined {
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
    const done: Record<string, number> = {}
    for (const [guid, at] of [...hook.done].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))) {
      done[guid] = Math.floor(at / 1000)
    }
    const entry: Record<string, unknown> = { floor: new Date(hook.floor).toISOString() }
    if (hook.seenUntil !== undefined) entry.seen = new Date(hook.seenUntil).toISOString()
    if (hook.pending.size > 0) entry.pending = writeIdTimes(hook.pending)
    if (hook.sent.size > 0) entry.sent = writeIdTimes(hook.sent)
    if (hook.done.size > 0) entry.done = done
    if (hook.free.size > 0) entry.free = Object.fromEntries([...hook.free].sort((a, b) => (a[0] < b[0] ? -1 : 1)))
    if (hook.downSince !== undefined) entry.down = new Date(hook.downSince).toISOString()
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
    const done = new Map<string, number>()
    for (const [guid, at] of [...b.done, ...a.done]) if (keepsDone(at, floor)) done.set(guid, at)
    const free = new Map(b.free)
    for (const [guid, n] of a.free) free.set(guid, Math.max(n, free.get(guid) ?? 0))
    const downSince = a.downSince ?? b.downSince
    hooks.set(key, {
      floor,
      ...(seen.length > 0 ? { seenUntil: Math.max(...seen) } : {}),
      pending: newestTimes(a.pending, b.pending),
      sent: newestTimes(a.sent, b.sent),
      done,
      free,
      ...(downSince !== undefined ? { downSince } : {})
    })
  }
  return { hooks }
}

function newestTimes(a: Map<DeliveryId, number>, b: Map<DeliveryId, number>): Map<DeliveryId, number> {
  const out = new Map(b)
  for (const [id, at] of a) out.set(id, Math.max(at, out.get(id) ?? 0))
  return out
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
