/**
 * The bookmark's format: what it holds (the types), and its versioned JSON, read and written
 * (limits, the quiet hooks of a fleet on one line, where a scan stopped part-way). Pure: no I/O.
 */
import { HOOK_ID, isDeliveryId, type DeliveryId } from '../ids.js'
import type { Carry, GuidFacts } from '../ledger.js'
import { noun, plural } from '../plural.js'
import { shown } from '../shown.js'
import { LATE_LISTING_MARGIN_MS, mergeSpans } from './moves.js'

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
  /**
   * When probes went into a receiver not known to be up, as spans of GitHub time (one per
   * outage, however long): a failed redelivery listed inside one costs no attempt.
   */
  probes: Array<[number, number]>
  /**
   * When replays sent redeliveries, as spans of GitHub time: a failed redelivery listed inside
   * one was the replay's, which costs no attempt whatever the receiver answered.
   */
  replays?: Array<[number, number]>
  /** Since when (GitHub time) the receiver has been failing, while it is found down. */
  downSince?: number
  /**
   * The fleet (a `repository` list or pattern, with its `hook-id` and `shard`) whose run last
   * wrote the entry. A hook of that fleet missing from its next complete run is gone.
   */
  scope?: string
  /**
   * The last scan stopped part-way, to stay within the request budget: what it listed runs from
   * `seenUntil` back to `reachedAt`. The next scan lists what is newer, then continues at `cursor`
   * (GitHub's position of the next page), knowing what was carried over. No cursor: it lists from the newest.
   */
  resume?: Resume
}

export interface Resume {
  cursor?: string
  reachedAt: number
  carry: Carry
}

export interface Bookmark {
  hooks: Map<string, HookBookmark>
  /** A bookmark in the format of GitHub's documented script: one time for every hook. */
  legacyFloor?: number
  /** The first hook (key) the last run could not reach within the request budget: the next run starts there. */
  reachFrom?: string
}

export const STATE_VERSION = 1
/** Actions variables hold at most 48 KB; stay well under it. */
export const MAX_STATE_CHARS = 40_000
/**
 * The largest state a run reads: the bookmark of 1,000 hooks is under 16 KB, so this is hundreds
 * of times anything real, and far below what would take a run gigabytes and minutes to parse.
 */
export const MAX_STATE_BYTES = 8 * 1024 * 1024

/** Why a store's value of `bytes` is not read: larger than any bookmark, it is not one of this tool's. */
export function stateTooLarge(description: string, bytes: number): string {
  const mb = (n: number): string => `${Math.round((n / (1024 * 1024)) * 10) / 10} MB`
  return `The ${description} is ${mb(bytes)}, more than the ${mb(MAX_STATE_BYTES)} any bookmark of webhook-redelivery stays under: it is not read. Delete it or give another to start a new bookmark.`
}

/**
 * `newer`: written by a newer version of the action, which this one must not overwrite.
 * `warnings`: parts of hook entries that could not be read and were left out (a hand edit).
 */
type ParsedBookmark = { bookmark: Bookmark; problem?: string; newer?: boolean; warnings?: string[] }

export function emptyBookmark(): Bookmark {
  return { hooks: new Map() }
}

export function parseBookmark(text: string | undefined): ParsedBookmark {
  const value = text?.trim() ?? ''
  if (value === '') return { bookmark: emptyBookmark() }
  // GitHub's documented script stores Date.now() as a string. Ten digits cannot be milliseconds
  // of this century: a hand-written value in seconds, read as such rather than as January 1970.
  if (/^\d{10,16}$/.test(value)) return { bookmark: { hooks: new Map(), legacyFloor: value.length === 10 ? Number(value) * 1000 : Number(value) } }
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
  const warnings: string[] = []
  for (const [key, entry] of Object.entries(doc.hooks)) {
    const read = parseHookEntry(entry)
    if (read.hook) hooks.set(key, read.hook)
    if (read.problems.length > 0) warnings.push(`hook ${JSON.stringify(key)}: ${read.problems.join('; ')}`)
  }
  if (doc.quiet !== undefined) readQuietHooks(doc.quiet, hooks, warnings)
  const bookmark: Bookmark = { hooks, ...(typeof doc.reach === 'string' ? { reachFrom: doc.reach } : {}) }
  return warnings.length > 0 ? { bookmark, warnings } : { bookmark }
}

/** One hook's entry: what can be read is kept, and each part left out is named. */
function parseHookEntry(entry: unknown): { hook?: HookBookmark; problems: string[] } {
  if (!isObject(entry)) return { problems: [`the entry is ${shownValue(entry)}, not an object: the hook is scanned as if it had no bookmark`] }
  const floor = typeof entry.floor === 'string' ? Date.parse(entry.floor) : NaN
  if (Number.isNaN(floor)) {
    // Without a floor nothing says where to scan from; the lookback is the safe answer.
    return { problems: [`"floor" is ${shownValue(entry.floor)}, not a time: the hook is scanned as if it had no bookmark`] }
  }
  const problems: string[] = []
  const pending = readIdTimes(entry.pending, 'pending', problems)
  const sent = readIdTimes(entry.sent, 'sent', problems)
  const done = new Map<string, number>()
  if (isObject(entry.done)) {
    let dropped = 0
    for (const [guid, seconds] of Object.entries(entry.done)) {
      if (typeof seconds === 'number' && Number.isFinite(seconds)) done.set(guid, seconds * 1000)
      else dropped++
    }
    if (dropped > 0) problems.push(`${plural(dropped, 'given-up ("done") item is', 'given-up ("done") items are')} not a time in seconds, left out`)
  } else if (entry.done !== undefined) {
    problems.push(`"done" is ${shownValue(entry.done)}, not an object of guids to times, left out`)
  }
  const probes = readSpans(entry.probes, 'probes', problems)
  const replays = readSpans(entry.replays, 'replays', problems)
  const seenUntil = typeof entry.seen === 'string' ? Date.parse(entry.seen) : NaN
  if (entry.seen !== undefined && Number.isNaN(seenUntil)) problems.push(`"seen" is ${shownValue(entry.seen)}, not a time, left out`)
  const downSince = typeof entry.down === 'string' ? Date.parse(entry.down) : NaN
  if (entry.down !== undefined && Number.isNaN(downSince)) problems.push(`"down" is ${shownValue(entry.down)}, not a time, left out`)
  if (entry.scope !== undefined && typeof entry.scope !== 'string') problems.push(`"scope" is ${shownValue(entry.scope)}, not text, left out`)
  const resume = entry.resume === undefined ? undefined : readResume(entry.resume)
  // Without it the next scan lists from the newest back to the floor again: nothing is lost, only requests.
  if (entry.resume !== undefined && !resume) problems.push(`"resume" is ${shownValue(entry.resume)}, not where a scan stopped, left out (the hook is listed again from its newest delivery)`)
  return {
    hook: {
      floor,
      ...(Number.isNaN(seenUntil) ? {} : { seenUntil }),
      pending,
      sent,
      done,
      probes: mergeSpans(probes),
      ...(replays.length > 0 ? { replays: mergeSpans(replays) } : {}),
      ...(Number.isNaN(downSince) ? {} : { downSince }),
      ...(typeof entry.scope === 'string' ? { scope: entry.scope } : {}),
      ...(resume ? { resume } : {})
    },
    problems
  }
}

// ---------- where a scan stopped part-way ----------
//
// `"resume": {"cursor": "<GitHub's cursor>", "at": "<ISO time>", "settled": ["<guid>", …],
// "failing": [[guid, event, action, firstAt, hasOriginal (0|1), redeliveries, free, newestId,
// newestAt, newestStatus, newestStatusCode], …]}`, times in milliseconds. Small: a run stops part-way
// only on a window larger than its request budget, and carries only the failing deliveries not
// finished and the successes whose original it had not reached.

/** The longest status text carried: enough for the report. */
const CARRIED_STATUS_CHARS = 60

function readResume(value: unknown): Resume | undefined {
  if (!isObject(value)) return undefined
  const reachedAt = typeof value.at === 'string' ? Date.parse(value.at) : NaN
  if (Number.isNaN(reachedAt) || (value.cursor !== undefined && typeof value.cursor !== 'string')) return undefined
  if (!Array.isArray(value.settled) || !value.settled.every(g => typeof g === 'string') || !Array.isArray(value.failing)) return undefined
  const facts: GuidFacts[] = []
  for (const item of value.failing) {
    const f = readCarriedFacts(item)
    if (!f) return undefined
    facts.push(f)
  }
  return { ...(typeof value.cursor === 'string' ? { cursor: value.cursor } : {}), reachedAt, carry: { settled: value.settled, facts } }
}

function readCarriedFacts(item: unknown): GuidFacts | undefined {
  if (!Array.isArray(item) || item.length !== 11) return undefined
  const [guid, event, action, firstAt, hasOriginal, redeliveries, free, newestId, newestAt, newestStatus, newestStatusCode] = item as unknown[]
  const count = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 0
  if (typeof guid !== 'string' || typeof event !== 'string' || (action !== null && typeof action !== 'string')) return undefined
  if (!count(firstAt) || (hasOriginal !== 0 && hasOriginal !== 1) || !count(redeliveries) || !count(free) || !count(newestAt) || !count(newestStatusCode)) return undefined
  if (typeof newestId !== 'string' || !isDeliveryId(newestId) || typeof newestStatus !== 'string') return undefined
  return { guid, event, action, firstAt, hasOriginal: hasOriginal === 1, redeliveries, freeRedeliveries: free, newestId, newestAt, newestStatus, newestStatusCode }
}

function writeResume(resume: Resume): Record<string, unknown> {
  const failing = resume.carry.facts.map(f => [
    f.guid,
    f.event,
    f.action,
    f.firstAt,
    f.hasOriginal ? 1 : 0,
    f.redeliveries,
    f.freeRedeliveries,
    f.newestId,
    f.newestAt,
    f.newestStatus.slice(0, CARRIED_STATUS_CHARS),
    f.newestStatusCode
  ])
  return { ...(resume.cursor !== undefined ? { cursor: resume.cursor } : {}), at: new Date(resume.reachedAt).toISOString(), settled: resume.carry.settled, failing }
}

/** A value from the bookmark as a message shows it: short, and never more than a bookmark holds. */
function shownValue(value: unknown): string {
  if (value === undefined) return 'missing'
  // What JSON.parse gave: it always has a JSON text.
  return shown(JSON.stringify(value) ?? typeof value, 40)
}

/**
 * Deterministic output, so an unchanged bookmark serializes to the same text and is not rewritten.
 * `maxChars`: the store's limit (an Actions variable's; a file has none), reached by forgetting the oldest entries.
 */
export function serializeBookmark(bookmark: Bookmark, maxChars = Number.POSITIVE_INFINITY): { text: string; trimmed: number; trimmedPending: number } {
  const copy = new Map([...bookmark.hooks].map(([k, h]) => [k, { ...h, pending: new Map(h.pending), sent: new Map(h.sent), done: new Map(h.done) }]))
  let trimmed = 0
  let trimmedPending = 0
  let text = render(copy, bookmark.reachFrom)
  // Dropping where a scan stopped costs the next run requests (it lists from the newest again), never a delivery.
  for (const hook of [...copy.values()].filter(h => h.resume).sort((a, b) => b.resume!.carry.facts.length - a.resume!.carry.facts.length)) {
    if (text.length <= maxChars) break
    delete hook.resume
    trimmed++
    text = render(copy, bookmark.reachFrom)
  }
  // Dropping `done` entries only risks reporting a skipped delivery twice; pending ones guard against duplicates.
  for (const field of ['done', 'pending', 'sent'] as const) {
    while (text.length > maxChars) {
      const largest = largestMap(copy, field)
      if (!largest) break
      // A quarter of the largest map at a time, its oldest entries first.
      const n = Math.max(1, Math.ceil(largest.size / 4))
      const victims = [...largest.entries()].sort((a, b) => a[1] - b[1]).slice(0, n)
      for (const [key] of victims) largest.delete(key)
      trimmed += victims.length
      if (field !== 'done') trimmedPending += victims.length
      text = render(copy, bookmark.reachFrom)
    }
  }
  return { text, trimmed, trimmedPending }
}

/** `{ "<unix seconds>": ["<attempt id>", …] }`: ids grouped by the second they were recorded. Bad items are named in `problems`. */
function readIdTimes(value: unknown, field: 'pending' | 'sent', problems: string[]): Map<DeliveryId, number> {
  const out = new Map<DeliveryId, number>()
  if (value === undefined) return out
  if (!isObject(value)) {
    problems.push(`"${field}" is ${shownValue(value)}, not an object of times to delivery ids, left out`)
    return out
  }
  let dropped = 0
  for (const [seconds, ids] of Object.entries(value)) {
    if (!/^\d+$/.test(seconds) || !Array.isArray(ids)) {
      dropped += Array.isArray(ids) ? ids.length : 1
      continue
    }
    for (const id of ids) {
      if (typeof id === 'string' && isDeliveryId(id)) out.set(id, Number(seconds) * 1000)
      else dropped++
    }
  }
  if (dropped > 0) problems.push(`${plural(dropped, `in-flight ("${field}") item is`, `in-flight ("${field}") items are`)} not a time with delivery ids, left out`)
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

function render(hooks: Map<string, HookBookmark>, reachFrom?: string): string {
  const out: Record<string, unknown> = {}
  const quiet = new Map<string, Array<[string, HookBookmark]>>()
  for (const key of [...hooks.keys()].sort()) {
    const hook = hooks.get(key)!
    if (isQuiet(key, hook)) {
      const group = quiet.get(hook.scope!) ?? []
      group.push([key, hook])
      quiet.set(hook.scope!, group)
      continue
    }
    const done: Record<string, number> = {}
    for (const [guid, at] of [...hook.done].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))) {
      done[guid] = Math.floor(at / 1000)
    }
    const entry: Record<string, unknown> = { floor: new Date(hook.floor).toISOString() }
    if (hook.seenUntil !== undefined) entry.seen = new Date(hook.seenUntil).toISOString()
    if (hook.pending.size > 0) entry.pending = writeIdTimes(hook.pending)
    if (hook.sent.size > 0) entry.sent = writeIdTimes(hook.sent)
    if (hook.done.size > 0) entry.done = done
    if (hook.probes.length > 0) entry.probes = hook.probes.map(([from, to]) => [Math.floor(from / 1000), Math.ceil(to / 1000)])
    if (hook.replays && hook.replays.length > 0) entry.replays = hook.replays.map(([from, to]) => [Math.floor(from / 1000), Math.ceil(to / 1000)])
    if (hook.downSince !== undefined) entry.down = new Date(hook.downSince).toISOString()
    if (hook.scope !== undefined) entry.scope = hook.scope
    if (hook.resume) entry.resume = writeResume(hook.resume)
    out[key] = entry
  }
  const reach = reachFrom !== undefined ? { reach: reachFrom } : {}
  if (quiet.size === 0) return JSON.stringify({ version: STATE_VERSION, hooks: out, ...reach })
  return JSON.stringify({ version: STATE_VERSION, hooks: out, quiet: writeQuietHooks(quiet), ...reach })
}

// ---------- quiet fleet hooks ----------
//
// A fleet's hooks are mostly quiet: nothing in flight, nothing given up, not down. Such a hook
// needs only its floor and `seen`, so instead of an entry each, the hooks of one fleet share one
// line: `{"quiet": {"<scope>": {"base": "<ISO time>", "hooks": "<id>[:<offset>[:<seen>]],..."}}}`
// in base 36: the id, the floor in seconds after `base`, and `seen` in seconds after the floor,
// left out when it is the usual SEEN_AFTER_FLOOR_S and empty when there is none. Times kept in
// whole seconds, rounded down, only reread up to a second more.

/** A quiet hook's floor trails the newest attempt it saw by the late-listing margin (moves.ts). */
const SEEN_AFTER_FLOOR_S = LATE_LISTING_MARGIN_MS / 1000

/** A list of [from, to] spans in seconds, as milliseconds; what is not one is named and left out. */
function readSpans(value: unknown, name: 'probes' | 'replays', problems: string[]): Array<[number, number]> {
  const spans: Array<[number, number]> = []
  const what = name === 'probes' ? ['probe span is', 'probe spans are'] : ['replay span is', 'replay spans are']
  if (Array.isArray(value)) {
    let dropped = 0
    for (const span of value) {
      const ok = Array.isArray(span) && span.length === 2 && span.every(t => Number.isInteger(t) && t > 0) && span[0] <= span[1]
      if (ok) spans.push([span[0] * 1000, span[1] * 1000])
      else dropped++
    }
    if (dropped > 0) problems.push(`${plural(dropped, what[0], what[1])} not a pair of times in seconds, left out`)
  } else if (value !== undefined) {
    problems.push(`"${name}" is ${shownValue(value)}, not a list of time spans, left out`)
  }
  return spans
}

function isQuiet(key: string, hook: HookBookmark): boolean {
  return (
    hook.scope !== undefined &&
    HOOK_ID.test(key) &&
    !hook.resume &&
    hook.pending.size === 0 &&
    hook.sent.size === 0 &&
    hook.done.size === 0 &&
    hook.probes.length === 0 &&
    !hook.replays?.length &&
    hook.downSince === undefined
  )
}

function writeQuietHooks(groups: Map<string, Array<[string, HookBookmark]>>): Record<string, { base: string; hooks: string }> {
  const out: Record<string, { base: string; hooks: string }> = {}
  for (const scope of [...groups.keys()].sort()) {
    const members = groups.get(scope)!.map(([key, hook]) => ({
      id: BigInt(key),
      floor: Math.floor(hook.floor / 1000),
      seen: hook.seenUntil === undefined ? undefined : Math.floor(hook.seenUntil / 1000)
    }))
    members.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    const base = Math.min(...members.map(m => m.floor))
    const hooks = members.map(({ id, floor, seen }) => {
      const offset = floor === base ? '' : (floor - base).toString(36)
      if (seen === floor + SEEN_AFTER_FLOOR_S) return offset ? `${id.toString(36)}:${offset}` : id.toString(36)
      return `${id.toString(36)}:${offset}:${seen === undefined ? '' : (seen - floor).toString(36)}`
    })
    out[scope] = { base: new Date(base * 1000).toISOString(), hooks: hooks.join(',') }
  }
  return out
}

/** Adds the quiet hooks of each fleet to `hooks` (an explicit entry of a hook wins); bad parts are named in `warnings`. */
function readQuietHooks(value: unknown, hooks: Map<string, HookBookmark>, warnings: string[]): void {
  if (!isObject(value)) {
    warnings.push(`"quiet" is ${shownValue(value)}, not an object of fleets: their hooks are scanned as if they had no bookmark`)
    return
  }
  for (const [scope, group] of Object.entries(value)) {
    const base = isObject(group) && typeof group.base === 'string' ? Date.parse(group.base) : NaN
    if (!isObject(group) || Number.isNaN(base) || typeof group.hooks !== 'string') {
      warnings.push(`the quiet hooks of ${JSON.stringify(scope)} are ${shownValue(group)}, not a base time and a list: they are scanned as if they had no bookmark`)
      continue
    }
    let dropped = 0
    for (const item of group.hooks.split(',')) {
      const match = /^([0-9a-z]{1,13})(?::([0-9a-z]{0,8})(?::(-?[0-9a-z]{0,8}))?)?$/.exec(item)
      const id = match ? fromBase36(match[1]) : undefined
      if (!match || id === undefined || !HOOK_ID.test(id)) {
        if (item !== '') dropped++
        continue
      }
      if (hooks.has(id)) continue
      const floor = base + (match[2] ? parseInt(match[2], 36) : 0) * 1000
      const seen = match[3] === undefined ? SEEN_AFTER_FLOOR_S : match[3] === '' || match[3] === '-' ? undefined : parseInt(match[3], 36)
      hooks.set(id, {
        floor,
        ...(seen === undefined ? {} : { seenUntil: floor + seen * 1000 }),
        pending: new Map(),
        sent: new Map(),
        done: new Map(),
        probes: [],
        scope
      })
    }
    if (dropped > 0) warnings.push(`${plural(dropped, 'quiet hook')} of ${JSON.stringify(scope)} ${noun(dropped, 'is', 'are')} not a base-36 id, left out`)
  }
}

function fromBase36(text: string): string | undefined {
  let n = 0n
  for (const c of text) n = n * 36n + BigInt(parseInt(c, 36))
  return n.toString()
}

/** One hook's entry as the bookmark writes it: two entries that render alike say the same. */
export function renderHook(key: string, hook: HookBookmark): string {
  return render(new Map([[key, hook]]))
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
