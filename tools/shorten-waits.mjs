/**
 * Shortens the waits GitHub asks for (a second between writes, retry backoff, the time a
 * receiver gets before a redelivery is verified, rate-limit waits) so the project's tests,
 * demo and bench can run the action against the local API in seconds. Production code has no
 * knob for this: the tests shorten the process's own timers instead.
 *
 * Only global timers of half a second or more are shortened: zero-delay scheduling, and undici's
 * 499 ms timer tick (its connection timeouts behind a proxy count it), stay real. The action's own
 * HTTP client takes its time limit per request from node:timers, which this does not touch.
 */
const SHORTEST_SHORTENED_MS = 500

/** Scales every later setTimeout of `SHORTEST_SHORTENED_MS` or more by `scale` (0 < scale < 1); returns the undo. */
export function shortenWaits(scale) {
  if (!(scale > 0 && scale < 1)) return () => undefined
  const original = globalThis.setTimeout
  const shortened = (callback, ms, ...args) => original(callback, Number(ms) >= SHORTEST_SHORTENED_MS ? Number(ms) * scale : ms, ...args)
  globalThis.setTimeout = shortened
  return () => {
    if (globalThis.setTimeout === shortened) globalThis.setTimeout = original
  }
}
