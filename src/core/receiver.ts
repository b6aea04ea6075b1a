/**
 * Is a hook's receiver up? The rules that keep an outage from costing attempts.
 *
 * GitHub never retries a failed delivery, and a redelivery into a receiver that is
 * down fails like the original. So before sending, a run looks at what GitHub
 * already lists: if the hook's newest attempt (of any delivery) succeeded a moment
 * ago, the receiver is up. Otherwise the run sends one probe redelivery, waits for
 * its result, and sends the rest only if it succeeded. A probe that fails costs its
 * delivery no attempt: `max-attempts` counts only what a receiver that was up refused.
 */

const MINUTE = 60_000
const HOUR = 60 * MINUTE

/** A successful attempt younger than this proves the receiver is up without a probe. */
export const FRESH_SUCCESS_MS = 10 * MINUTE

/**
 * Wait after the n-th redelivery a receiver that was up refused, before the next: a problem
 * that clears in hours is not given up in minutes. 1 h, 4 h, then 16 h, at most 24 h.
 */
export function backoffMs(refused: number): number {
  if (refused <= 0) return 0
  return Math.min(24 * HOUR, HOUR * 4 ** (refused - 1))
}

export type Evidence = 'up' | 'unclear'

/**
 * What the listing says of the receiver: up when its newest attempt (of any delivery) succeeded
 * a moment ago, or succeeded at all since a run found it down (a probe's answer listed late).
 * `unclear` calls for a probe.
 */
export function receiverEvidence(listing: { newestOk?: boolean; lastOkAt?: number; downBefore?: boolean }, now: number): Evidence {
  if (listing.newestOk !== true || listing.lastOkAt === undefined) return 'unclear'
  return now - listing.lastOkAt <= FRESH_SUCCESS_MS || listing.downBefore === true ? 'up' : 'unclear'
}

/** What a probe showed: `unknown` when its attempt was not listed in time (it stays in flight). */
export type ProbeVerdict = 'up' | 'down' | 'unknown'

/**
 * Redeliveries that count against `max-attempts`: those GitHub lists, less the probes
 * that were sent while the receiver was not known to be up.
 */
export function chargedAttempts(listedRedeliveries: number, freeProbes: number): number {
  return Math.max(0, listedRedeliveries - freeProbes)
}
