import { abortableSleep } from '../engine/sleep.js'

/**
 * The waits GitHub asks for: one second between writes, retry backoff, and how long to give
 * a receiver before looking for a redelivery's attempt. The session takes them as a port,
 * so the project's in-process tests pass shorter ones and a sleep that moves a simulated clock.
 */
export interface Pacing {
  /** Between two writes, process-wide: GitHub asks for one second. */
  writeIntervalMs: number
  /** Unit of the retry backoff of failed requests (1, 4, 9 … units). */
  retryBaseMs: number
  /** How long a receiver can take to answer, and GitHub to list it: 10 s (30 s on GHES), and then some. */
  verifyDelayMs: { dotcom: number; ghes: number }
  /** Longest one request may take in all, its answer included; then it is abandoned as a network failure. */
  requestTimeoutMs: number
  /** Ends early when `signal` is aborted (an interrupted run). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  /** A monotonic clock in ms for the write spacing (default performance.now); tests pass the one their sleep moves. */
  now?(): number
}

/**
 * The one way for a process that runs the bundle to hand it another sleep (and other waits):
 * a `Partial<Pacing>` on `globalThis` under this symbol, set before the bundle loads, as the
 * project's spawned-bundle tests, demo and bench do (`tools/pacing-preload.mjs`) to run hours
 * of GitHub's waits in seconds against the local API. A real run never sets it; in process,
 * tests pass their pacing through the session instead.
 */
export const PACING_OVERRIDE = Symbol.for('webhook-redelivery.pacing')

export const GITHUB_PACING: Pacing = {
  writeIntervalMs: 1000,
  retryBaseMs: 1000,
  verifyDelayMs: { dotcom: 30_000, ghes: 60_000 },
  // GitHub ends its own work on a request after 10 s: a minute is far beyond any answer it gives.
  requestTimeoutMs: 60_000,
  sleep: abortableSleep,
  ...(globalThis as { [PACING_OVERRIDE]?: Partial<Pacing> })[PACING_OVERRIDE]
}
