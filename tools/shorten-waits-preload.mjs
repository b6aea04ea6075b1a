// `node --import tools/shorten-waits-preload.mjs dist/index.js`, with SHORTEN_WAITS=<scale>:
// the spawned action or CLI waits `scale` times as long as GitHub asks. It hands the bundle a
// sleep through the bundle's one documented hook for it (PACING_OVERRIDE, src/github/timing.ts):
// waits of half a second or more (a second between writes, retry backoff, the time a receiver
// gets before a redelivery is verified, rate-limit waits) are scaled; shorter ones stay real.
const SHORTEST_SHORTENED_MS = 500
const scale = Number(process.env.SHORTEN_WAITS)

if (scale > 0 && scale < 1) {
  globalThis[Symbol.for('webhook-redelivery.pacing')] = {
    // As the bundle's own sleep: ends early, leaving no timer, when the run is stopped.
    sleep: (ms, signal) =>
      new Promise(resolve => {
        if (signal?.aborted) return resolve()
        const done = () => {
          clearTimeout(timer)
          signal?.removeEventListener('abort', done)
          resolve()
        }
        const timer = setTimeout(done, ms >= SHORTEST_SHORTENED_MS ? ms * scale : ms)
        signal?.addEventListener('abort', done, { once: true })
      })
  }
}
