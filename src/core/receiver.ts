/**
 * Is a hook's receiver up? The rules that keep an outage from costing attempts, and a
 * refused payload from looking like an outage.
 *
 * GitHub records what the receiver answered. An answer (2xx, or a refusal: 4xx, 500) means
 * the receiver is reachable; a timeout, a failed connection or a 502/503/504 means it could
 * not be reached. So before sending, a run looks at what GitHub already lists: if the hook's
 * newest attempt (of any delivery) got an answer a moment ago, the receiver is up. Otherwise
 * it asks: a ping for organization and repository hooks (the tool's own `ping` event, no
 * delivery's attempt), one probe redelivery for the app's hook, which has no ping. It waits
 * for that answer and sends the rest only if the receiver answered. A probe that could not
 * reach the receiver costs its delivery no attempt; a probe the receiver refused costs one,
 * like any refusal: `max-attempts` counts what a receiver that was up refused.
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

/**
 * What an attempt says of the receiver. `ok`: it took the payload. `refused`: it answered with
 * an error status (a 4xx, or a 500 and the like: its server ran and failed on this payload, most
 * often a bug for that payload). `unreachable`: no answer from the receiver itself (a timeout,
 * a failed connection, GitHub's status code 0, or a 502/503/504, what a proxy or load
 * balancer answers when the service behind it is gone).
 */
export type Answer = 'ok' | 'refused' | 'unreachable'

const UNREACHABLE_CODES: ReadonlySet<number> = new Set([0, 502, 503, 504])
const NO_ANSWER_TEXT = /timed out|timeout|failed to connect|could not connect|connection (refused|reset|closed)|could not resolve|no route to host|certificate|ssl|tls/i

export function answerOf(attempt: { status: string; statusCode: number }): Answer {
  if (attempt.status === 'OK' || (attempt.statusCode >= 200 && attempt.statusCode < 300)) return 'ok'
  if (UNREACHABLE_CODES.has(attempt.statusCode) || attempt.statusCode < 100 || NO_ANSWER_TEXT.test(attempt.status)) return 'unreachable'
  return 'refused'
}

export type Evidence = 'up' | 'unclear'

/** What a listing shows of the receiver: its newest attempt, and the newest one the receiver answered. */
export interface ListingEvidence {
  /** Whether the newest attempt listed (of any delivery, pings included) succeeded. */
  newestOk?: boolean
  /** Whether the receiver answered the newest attempt listed: a success or a refusal. */
  newestAnswered?: boolean
  lastOkAt?: number
  /** The newest attempt the receiver answered (a success or a refusal). */
  lastAnswerAt?: number
  /** A run found the receiver down, or got no answer from it. */
  downBefore?: boolean
}

/**
 * What the listing says of the receiver: up when its newest attempt (of any delivery) got an
 * answer a moment ago, or got one at all since a run found it down (a ping's or probe's answer
 * listed late). `unclear` calls for a ping, or a probe where there is none.
 */
export function receiverEvidence(listing: ListingEvidence, now: number): Evidence {
  const answered = listing.newestOk === true || listing.newestAnswered === true
  const at = Math.max(listing.lastOkAt ?? -Infinity, listing.lastAnswerAt ?? -Infinity)
  if (!answered || at === -Infinity) return 'unclear'
  return now - at <= FRESH_SUCCESS_MS || listing.downBefore === true ? 'up' : 'unclear'
}

/** What a ping or probe showed: `unknown` when its attempt was not listed in time. */
export type ProbeVerdict = 'up' | 'down' | 'unknown'

/** The verdict of a ping's or probe's listed attempt: any answer means the receiver is up. */
export function verdictOf(answer: Answer): Exclude<ProbeVerdict, 'unknown'> {
  return answer === 'unreachable' ? 'down' : 'up'
}

/**
 * Redeliveries that count against `max-attempts`: those GitHub lists, less the probes
 * that were sent while the receiver was not known to be up.
 */
export function chargedAttempts(listedRedeliveries: number, freeProbes: number): number {
  return Math.max(0, listedRedeliveries - freeProbes)
}
