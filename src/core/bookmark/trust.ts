/**
 * How long what a bookmark says is believed: nothing from the future (GitHub's clock decides),
 * in-flight marks only while a redelivery can still be on its way, finished guids only above the
 * floor, and entries of hooks no run scans only while GitHub could still redeliver. Pure: no I/O.
 */
import { formatDuration } from '../duration.js'
import type { DeliveryId } from '../ids.js'
import { noun } from '../plural.js'
import type { Bookmark, HookBookmark } from './format.js'

/**
 * A redelivery GitHub accepted is in flight until its new attempt is listed (GitHub can take
 * minutes), or at most this long. One only planned before a run stopped may never have been
 * sent: it waits the short grace alone.
 */
export const SENT_IN_FLIGHT_MS = 60 * 60_000
export const PLANNED_IN_FLIGHT_MS = 3 * 60_000

/** Whether a redelivery of this attempt id is still in flight at `now`. */
export function isInFlight(previous: HookBookmark | undefined, id: DeliveryId, now: number): boolean {
  const sentAt = previous?.sent.get(id)
  if (sentAt !== undefined && now < sentAt + SENT_IN_FLIGHT_MS) return true
  const plannedAt = previous?.pending.get(id)
  return plannedAt !== undefined && now < plannedAt + PLANNED_IN_FLIGHT_MS
}

/**
 * Whether a finished delivery stays in `done` above this floor. The bookmark keeps whole
 * seconds: compare at that precision, so an entry kept once is not pruned after a reload.
 */
export function keepsDone(firstAt: number, floor: number): boolean {
  return firstAt >= floor - 999
}

/**
 * How far a time in the bookmark may be ahead of GitHub's now. Every time in it comes from
 * GitHub's clock (delivered_at, the Date header, which has one-second resolution), so
 * anything later than this was not written by a run: a hand edit, or the documented
 * script's runner clock.
 */
export const FUTURE_TOLERANCE_MS = 60_000

interface TrustedStart {
  /** Where this hook's scan starts from (before clamping to GitHub's window). */
  floor: number
  /** The hook's entry without the times that lie in the future. */
  previous?: HookBookmark
  /** Why part of the bookmark is not trusted, for a warning. */
  problem?: string
}

/**
 * Checks a hook's bookmark against GitHub's now. A floor from the future would hide every
 * failure before it, so it is not trusted: the scan starts at `fallbackFloor`, as for a
 * bookmark that cannot be read. In-flight and given-up times from the future (which would
 * hold a delivery back until then) are dropped; the rest of the entry is kept.
 */
export function trustAgainstNow(entry: HookBookmark | undefined, legacyFloor: number | undefined, now: number, fallbackFloor: number): TrustedStart {
  const latest = now + FUTURE_TOLERANCE_MS
  const at = (ms: number): string => new Date(ms).toISOString()
  if (!entry) {
    if (legacyFloor === undefined) return { floor: fallbackFloor }
    if (legacyFloor <= latest) return { floor: legacyFloor }
    return { floor: fallbackFloor, problem: `the value of GitHub's documented script (${at(legacyFloor)}) is later than GitHub's time now` }
  }
  const problems: string[] = []
  const floorTrusted = entry.floor <= latest
  if (!floorTrusted) problems.push(`its floor ${at(entry.floor)} is later than GitHub's time now (${at(now)})`)
  const seenTrusted = entry.seenUntil === undefined || entry.seenUntil <= latest
  const pending = new Map([...entry.pending].filter(([, t]) => t <= latest))
  const sent = new Map([...entry.sent].filter(([, t]) => t <= latest))
  const done = new Map([...entry.done].filter(([, t]) => t <= latest))
  const downTrusted = entry.downSince === undefined || entry.downSince <= latest
  const probes = entry.probes.filter(([, to]) => to <= latest)
  const replays = (entry.replays ?? []).filter(([, to]) => to <= latest)
  const dropped =
    entry.pending.size -
    pending.size +
    (entry.sent.size - sent.size) +
    (entry.done.size - done.size) +
    (entry.probes.length - probes.length) +
    ((entry.replays?.length ?? 0) - replays.length) +
    (seenTrusted ? 0 : 1) +
    (downTrusted ? 0 : 1)
  if (dropped > 0) problems.push(`${dropped} of its times ${noun(dropped, 'is', 'are')} later than GitHub's time now (${at(now)}), left out`)
  if (problems.length === 0) return { floor: entry.floor, previous: entry }
  const previous: HookBookmark = { ...entry, floor: floorTrusted ? entry.floor : fallbackFloor, pending, sent, done, probes, ...(entry.replays ? { replays } : {}) }
  if (!seenTrusted) delete previous.seenUntil
  if (!downTrusted) delete previous.downSince
  return { floor: previous.floor, previous, problem: problems.join('; ') }
}

/**
 * Whether the entry of a hook this run did not scan can be dropped. It may belong to another
 * target that shares the state (or a hook left out of `hook-id` for now), so it is kept while
 * anything in it is still inside GitHub's redelivery window; after that it tells nobody anything.
 */
export function isForgotten(entry: HookBookmark, now: number, windowMs: number): boolean {
  let newest = Math.max(entry.floor, entry.seenUntil ?? entry.floor)
  for (const t of entry.pending.values()) newest = Math.max(newest, t)
  for (const t of entry.sent.values()) newest = Math.max(newest, t)
  for (const t of entry.done.values()) newest = Math.max(newest, t)
  for (const [, to] of [...entry.probes, ...(entry.replays ?? [])]) newest = Math.max(newest, to)
  return newest < now - windowMs
}

/** Where a hook's scan starts, by its trusted bookmark; `warning` says what was not trusted, in the run's words. */
export function trustedStart(bookmark: Bookmark, hook: { key: string; label: string }, now: number, lookbackMs: number): TrustedStart & { warning?: string } {
  const trusted = trustAgainstNow(bookmark.hooks.get(hook.key), bookmark.legacyFloor, now, now - lookbackMs)
  if (!trusted.problem) return trusted
  // The documented script's value is one for every hook: the same words, so the run warns once.
  const whose = bookmark.hooks.has(hook.key) ? `${hook.label}: the bookmark is not trusted, since ${trusted.problem}` : `The bookmark is not trusted: ${trusted.problem}`
  return { ...trusted, warning: `${whose}; scanning the last ${formatDuration(lookbackMs)} and writing a new bookmark.` }
}
