/**
 * What to do after GitHub (or the network) refused a request: GitHub's documented rules for
 * rate limits, and retries only where a second try cannot do anything twice. Pure: the client
 * (client.ts) does the waiting and the retrying.
 */

export interface FailedAnswer {
  method: string
  /** HTTP status; Octokit reports a request that got no answer at all as 500. */
  status: number
  /** Whether an answer arrived (false: the connection failed or dropped). */
  answered: boolean
  /** Whether the request may have taken effect anyway: false for a 503 or a connection never made. */
  mayHaveActed: boolean
  headers: Record<string, string | undefined>
  /** GitHub's message (or the network error's). */
  message: string
}

export interface TriesSoFar {
  /** Retries already made after a rate limit. */
  limited: number
  /** Retries already made after a server error or a dropped connection. */
  failed: number
}

export type NextStep = { retry: false; limit?: 'secondary' | 'primary'; waitS?: number } | { retry: true; waitMs: number; limit?: 'secondary' | 'primary'; waitS?: number }

export interface RetryRules {
  /** Retries after a server error or a dropped connection that may have acted: 0 for writes, which could act twice. */
  serverRetries: number
  /** Unit of the backoff after server errors: 1, 4, 9 … units. */
  retryBaseMs: number
  /** GitHub's time now (ms), to turn `x-ratelimit-reset` into a wait. */
  now: number
}

/** GitHub's docs: without retry-after, wait at least a minute after a secondary rate limit. */
const SECONDARY_FALLBACK_S = 60
/** Longest a secondary rate limit may make the run wait, and how often, before it stops and leaves the rest to the next run. */
const MAX_SECONDARY_WAIT_S = 180
const MAX_SECONDARY_RETRIES = 4
/** The primary limit resets hourly: wait for it only when the reset is close. */
const MAX_PRIMARY_WAIT_S = 60
const MAX_PRIMARY_RETRIES = 1

/** Reads and GET-like requests may be sent again; a POST that may have acted may not. */
export function defaultServerRetries(method: string): number {
  return method === 'GET' || method === 'HEAD' ? 3 : 0
}

/**
 * Retries of any request, writes included, whose failure proves it did nothing (a 503, a
 * connection never made). A write whose answer was lost is never sent again here: GitHub may
 * have acted on it, and its caller checks before sending it again.
 */
const UNSENT_RETRIES = 3

/** Which rate limit an answer is, and how long GitHub asks to wait (seconds). */
export function rateLimitOf(answer: FailedAnswer, nowMs: number): { limit: 'secondary' | 'primary'; waitS: number } | undefined {
  if (!answer.answered || (answer.status !== 403 && answer.status !== 429)) return undefined
  const retryAfter = Number(answer.headers['retry-after'])
  if (/\bsecondary rate\b/i.test(answer.message) || (Number.isFinite(retryAfter) && retryAfter > 0)) {
    return { limit: 'secondary', waitS: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : SECONDARY_FALLBACK_S }
  }
  if (answer.headers['x-ratelimit-remaining'] === '0') {
    const resetS = Number(answer.headers['x-ratelimit-reset'])
    // One second past the reset, as GitHub's docs say; a reset that cannot be read means wait the fallback.
    const waitS = Number.isFinite(resetS) ? Math.max(0, Math.ceil(resetS - nowMs / 1000)) + 1 : SECONDARY_FALLBACK_S
    return { limit: 'primary', waitS }
  }
  // A 429 without GitHub's headers is still a limit, and so is a 403 that says it is one: its docs say wait at least a minute.
  if (answer.status === 429 || /\brate limit/i.test(answer.message)) return { limit: 'secondary', waitS: SECONDARY_FALLBACK_S }
  return undefined
}

export function nextStep(answer: FailedAnswer, tries: TriesSoFar, rules: RetryRules): NextStep {
  const limited = rateLimitOf(answer, rules.now)
  if (limited) {
    // A rate limit refused the request before it did anything: sending it again is safe, writes included.
    const again =
      limited.limit === 'secondary' ? tries.limited < MAX_SECONDARY_RETRIES && limited.waitS <= MAX_SECONDARY_WAIT_S : tries.limited < MAX_PRIMARY_RETRIES && limited.waitS <= MAX_PRIMARY_WAIT_S
    return again ? { retry: true, waitMs: limited.waitS * 1000, ...limited } : { retry: false, ...limited }
  }
  const serverSide = !answer.answered || answer.status >= 500 || answer.status === 408
  const retries = answer.mayHaveActed ? rules.serverRetries : Math.max(rules.serverRetries, UNSENT_RETRIES)
  if (serverSide && tries.failed < retries) {
    return { retry: true, waitMs: (tries.failed + 1) ** 2 * rules.retryBaseMs }
  }
  return { retry: false }
}
