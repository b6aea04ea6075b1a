// GitHub's rate limits (primary per credential per hour; secondary on concurrency and
// write pace) and the trouble a real network adds (5xx answers, dropped connections,
// outages of one endpoint).

import type { LocalApiOptions, LocalApiStats, OutageOptions } from './types.js'

export const SECONDARY_MESSAGE = 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID '
export const SECONDARY_DOCS = 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits'
export const PRIMARY_DOCS = 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api'

const WRITE_METHODS = new Set(['POST', 'PATCH', 'PUT', 'DELETE'])
const UNAUTHENTICATED_LIMIT = 60
/** GitHub gives no retry-after for the concurrency limit; its docs say wait at least a minute. */
const CONCURRENCY_RETRY_AFTER_S = 60

export function isWrite(method: string): boolean {
  return WRITE_METHODS.has(method)
}

export type SecondaryKind = 'secondary-concurrency' | 'secondary-write-window' | 'secondary-write-interval'
export type FaultKind = 500 | 502 | 503 | 'drop'

interface Window {
  resetAt: number // server clock, seconds
  used: number
}

interface Outage {
  pathIncludes: string
  methods?: Set<string>
  until: number // machine clock
  status: number
  drop: boolean
}

export class Limits {
  inFlight = 0
  private readonly windows = new Map<string, Window>()
  /** Machine-clock times of accepted writes: pace is about real time, not the skewed server clock. */
  private writes: number[] = []
  private lastWriteAt = -Infinity
  private outages: Outage[] = []
  readonly counts: LocalApiStats = {
    requests: 0,
    primary: 0,
    secondary: { concurrency: 0, writeWindow: 0, writeInterval: 0, total: 0 },
    faults: { '500': 0, '502': 0, '503': 0, drop: 0, total: 0 },
    outages: 0,
    maxConcurrency: 0
  }

  constructor(
    private readonly opts: LocalApiOptions,
    private readonly rng: () => number
  ) {}

  /**
   * Counts one request against its credential's hourly budget and returns the headers to
   * send. `count: false` only reports (used for answers to failed authentication).
   */
  primary(key: string, authenticated: boolean, nowMs: number, count = true): { headers: Record<string, string>; exceeded: boolean } {
    const limit = authenticated ? (this.opts.primaryLimit ?? 5000) : UNAUTHENTICATED_LIMIT
    const nowS = Math.floor(nowMs / 1000)
    let w = this.windows.get(key)
    if (!w || w.resetAt <= nowS) this.windows.set(key, (w = { resetAt: nowS + 3600, used: 0 }))
    const exceeded = count && w.used >= limit
    if (exceeded) this.counts.primary++
    else if (count) w.used++
    return {
      exceeded,
      headers: {
        'x-ratelimit-limit': String(limit),
        'x-ratelimit-remaining': String(limit - w.used),
        'x-ratelimit-reset': String(w.resetAt),
        'x-ratelimit-used': String(w.used),
        'x-ratelimit-resource': 'core'
      }
    }
  }

  /**
   * Secondary limits. `concurrency` is what was in flight when the request arrived.
   * Writes are paced globally (one client in practice); only accepted writes count.
   */
  secondary(method: string, concurrency: number, machineNow: number): { kind: SecondaryKind; retryAfter: number } | undefined {
    const max = this.opts.maxConcurrent ?? 100
    if (concurrency > max) return this.secondaryHit('secondary-concurrency', CONCURRENCY_RETRY_AFTER_S)
    if (!isWrite(method)) return undefined
    const minInterval = this.opts.minWriteIntervalMs
    if (minInterval !== undefined && machineNow - this.lastWriteAt < minInterval) {
      return this.secondaryHit('secondary-write-interval', Math.max(1, Math.ceil((this.lastWriteAt + minInterval - machineNow) / 1000)))
    }
    const limit = this.opts.secondaryWriteLimit
    if (limit) {
      const since = machineNow - limit.windowMs
      let drop = 0
      while (drop < this.writes.length && this.writes[drop] <= since) drop++
      if (drop) this.writes = this.writes.slice(drop)
      if (this.writes.length >= limit.max) {
        return this.secondaryHit('secondary-write-window', Math.max(1, Math.ceil((this.writes[0] + limit.windowMs - machineNow) / 1000)))
      }
    }
    this.writes.push(machineNow)
    this.lastWriteAt = machineNow
    return undefined
  }

  /** As if the write window had passed: the hour of GitHub's content-creation limit, in a test. */
  resetWriteWindow(): void {
    this.writes = []
    this.lastWriteAt = -Infinity
  }

  private secondaryHit(kind: SecondaryKind, retryAfter: number): { kind: SecondaryKind; retryAfter: number } {
    const s = this.counts.secondary
    if (kind === 'secondary-concurrency') s.concurrency++
    else if (kind === 'secondary-write-window') s.writeWindow++
    else s.writeInterval++
    s.total++
    return { kind, retryAfter }
  }

  /** A seeded fraction of matching requests fails: 500, 502, 503 or a dropped connection. */
  fault(method: string, path: string): FaultKind | undefined {
    const f = this.opts.faults
    if (!f || f.rate <= 0) return undefined
    if (f.methods && !f.methods.some(m => m.toUpperCase() === method)) return undefined
    if (f.pathIncludes !== undefined && !path.includes(f.pathIncludes)) return undefined
    if (this.rng() >= f.rate) return undefined
    const kinds: FaultKind[] = [500, 502, 503, 'drop']
    const kind = kinds[Math.floor(this.rng() * kinds.length)]
    this.counts.faults[kind === 'drop' ? 'drop' : kind]++
    this.counts.faults.total++
    return kind
  }

  addOutage(o: OutageOptions, machineNow: number): void {
    this.outages.push({
      pathIncludes: o.pathIncludes,
      methods: o.methods ? new Set(o.methods.map(m => m.toUpperCase())) : undefined,
      until: machineNow + o.durationMs,
      status: o.status ?? 503,
      drop: o.drop ?? false
    })
  }

  /** Ends every outage now, as if its time had passed. */
  endOutages(): void {
    this.outages = []
  }

  outage(method: string, path: string, machineNow: number): { status: number; drop: boolean } | undefined {
    this.outages = this.outages.filter(o => o.until > machineNow)
    const hit = this.outages.find(o => path.includes(o.pathIncludes) && (!o.methods || o.methods.has(method)))
    if (hit) this.counts.outages++
    return hit
  }
}
