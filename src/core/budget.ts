import type { HookTarget } from './types.js'

/**
 * The request budget: GitHub's primary rate limit of the credential (5,000 requests an hour for
 * a token, up to 12,500 or 15,000 for an installation), shared with every other job that uses it.
 * A window holding more deliveries than the budget can list is read over several runs: each run
 * lists what it can afford, redelivers what it found there, and records where it stopped.
 */

/** What GitHub's `x-ratelimit-*` headers said of the credential on its last answer. */
export interface RateReading {
  remaining: number
  limit: number
}

/** The share of the hourly limit a run leaves to the other jobs using the credential (the README advises staying under 80%). */
export const OTHERS_SHARE = 0.2

/**
 * Requests a run keeps besides its redeliveries: the bookmark's writes and re-reads, the looks
 * for probes and uncertain redeliveries, and the pages the other hooks' scans have in flight.
 */
export const RUN_OVERHEAD = 30

/**
 * Requests a hook with something failing may still need to learn whether its receiver is up: a
 * ping (or a probe) and a look for its answer, which the first look finds but on a slow day
 * (engine/redeliver.ts looks up to four times; the others' share covers the rare extra ones).
 */
export const RECEIVER_CHECK_REQUESTS = 2

/** Redeliveries between two checkpoints of the bookmark (the engine's default). */
const CHECKPOINT_EVERY = 40

/**
 * Requests still to be made once listing stops: a redelivery per failure found (up to the run's
 * budget), a checkpoint per batch, a receiver check per hook with failures, the overhead.
 */
export function owedAfterListing(failing: number, maxRedeliveries: number, hooksFailing = 0): number {
  const redeliveries = Math.min(failing, maxRedeliveries)
  return redeliveries + Math.ceil(redeliveries / CHECKPOINT_EVERY) + hooksFailing * RECEIVER_CHECK_REQUESTS + RUN_OVERHEAD
}

/**
 * Whether one more page may be listed: what remains after it and after what the run still owes
 * stays above the other jobs' share. No reading (GitHub Enterprise Server with rate limits off): no limit.
 */
export function mayListMore(reading: RateReading | undefined, owed: number): boolean {
  if (!reading || !(reading.limit > 0)) return true
  return reading.remaining - 1 - owed > Math.ceil(reading.limit * OTHERS_SHARE)
}

/**
 * The order a run reaches its hooks in: the given order, starting from the first hook the last
 * run could not reach within the budget (`from`, a hook key), so those are reached first.
 */
export function reachOrder(hooks: readonly HookTarget[], from: string | undefined): HookTarget[] {
  const start = from === undefined ? -1 : hooks.findIndex(hook => hook.key === from)
  return start <= 0 ? [...hooks] : [...hooks.slice(start), ...hooks.slice(0, start)]
}

/** How much of a hook's window a run covered, for the summary: from its newest attempt back to where it stopped. */
export function coveredShare(newestAt: number, reachedAt: number, floor: number): number {
  if (newestAt <= floor) return 1
  return Math.max(0, Math.min(1, (newestAt - reachedAt) / (newestAt - floor)))
}
