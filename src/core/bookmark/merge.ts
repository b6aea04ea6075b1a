/**
 * How two runs' bookmarks merge: a run that finds the store changed since it read it keeps what
 * the other run wrote, and a batch another run is already sending is not sent twice. Pure: no I/O.
 */
import type { DeliveryId } from '../ids.js'
import type { Decision } from '../decisions.js'
import { renderHook, type Bookmark, type HookBookmark } from './format.js'
import { mergeSpans } from './moves.js'
import { keepsDone } from './trust.js'

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
    // Ours is the newer knowledge of the receiver: a `down` we cleared stays cleared.
    const downSince = a.downSince
    const scope = a.scope ?? b.scope
    // Where the newer listing stopped: ours, unless theirs moved the floor past where ours began.
    const resume = a.floor >= b.floor ? a.resume : b.resume
    hooks.set(key, {
      floor,
      ...(seen.length > 0 ? { seenUntil: Math.max(...seen) } : {}),
      pending: newestTimes(a.pending, b.pending),
      sent: newestTimes(a.sent, b.sent),
      done,
      probes: mergeSpans([...a.probes, ...b.probes]),
      ...(a.replays || b.replays ? { replays: mergeSpans([...(a.replays ?? []), ...(b.replays ?? [])]) } : {}),
      ...(downSince !== undefined ? { downSince } : {}),
      ...(scope !== undefined ? { scope } : {}),
      ...(resume ? { resume } : {})
    })
  }
  const reachFrom = ours.reachFrom ?? theirs.reachFrom
  return reachFrom !== undefined ? { hooks, reachFrom } : { hooks }
}

/**
 * What a run keeps of a bookmark another run wrote (`theirs`), to merge into each of its own
 * later writes until that run writes again: the entries of the hooks that run wrote. An entry
 * still as this run read it at its start (`read`) is nothing new; this run's own bookmark
 * decides it (a redelivery listed since, a hook gone from its fleet, an entry forgotten).
 */
export function writtenByOthers(theirs: Bookmark, read: Bookmark): Bookmark {
  const hooks = new Map<string, HookBookmark>()
  for (const [key, entry] of theirs.hooks) {
    const before = read.hooks.get(key)
    if (!before || renderHook(key, entry) !== renderHook(key, before)) hooks.set(key, entry)
  }
  return { hooks }
}

function newestTimes(a: Map<DeliveryId, number>, b: Map<DeliveryId, number>): Map<DeliveryId, number> {
  const out = new Map(b)
  for (const [id, at] of a) out.set(id, Math.max(at, out.get(id) ?? 0))
  return out
}

/**
 * Whether another run, whose bookmark a checkpoint merged (`theirs`), is sending this delivery
 * or has finished it: in flight in their bookmark (about to be sent, or sent), and not just the
 * expired entry this run started from (`mine`).
 */
export function inFlightElsewhere(decision: Decision, mine: Bookmark, theirs: Bookmark): boolean {
  const their = theirs.hooks.get(decision.hookKey)
  const my = mine.hooks.get(decision.hookKey)
  const id = decision.facts.newestId
  const theirPending = their?.pending.get(id)
  const theirSent = their?.sent.get(id)
  const sending = (theirPending !== undefined && theirPending !== my?.pending.get(id)) || (theirSent !== undefined && theirSent !== my?.sent.get(id))
  return sending || their?.done.has(decision.facts.guid) === true
}
