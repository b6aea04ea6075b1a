// A webhook's life on a schedule, on the server's clock: traffic arrives minute by minute,
// the receiver goes down and comes back, and something (the engine in process, or the
// bundle) runs in between. Tests, the demo and the benchmark share it.

import { answered } from './model.js'
import type { HookRef, LocalApi, ReceiverAnswer } from './types.js'
import { makeRng, redeliveryCounts, seededUuid } from './util.js'

const MINUTE = 60_000

export interface TimelineOptions {
  api: LocalApi
  hook: HookRef
  /** New deliveries per minute (fractions spread them out). */
  perMinute: number
  /**
   * How the receiver answers an attempt of `guid` at server time `t`: `true` (200), `false` (it
   * cannot be reached: down intervals), or the status it refuses a payload with (400…).
   */
  up(t: number, guid: string): ReceiverAnswer
  seed?: number
}

export interface Measured<T> {
  /** Server time when the run started. */
  at: number
  value: T
  /** Redelivery requests GitHub accepted during the run, and how many hit a receiver that was down. */
  accepted: number
  intoDown: number
  /** Pings the run sent (the tool's own traffic, not redeliveries). */
  pings: number
}

export class Timeline {
  /** Every original delivery: guid -> when, and whether it failed. */
  readonly originals = new Map<string, { at: number; failed: boolean }>()
  private credit = 0
  private readonly rng: () => number

  constructor(private readonly options: TimelineOptions) {
    this.rng = makeRng(options.seed ?? 1)
    // The local API asks the model at each redelivery's time.
    options.api.setReceiver(options.hook, { type: 'scripted', ok: (guid, at) => options.up(at, guid) })
  }

  /** Lets `ms` of schedule pass: traffic arrives, answered as `up` says. */
  pass(ms: number): void {
    const { api, hook, perMinute } = this.options
    for (let left = ms; left > 0; left -= MINUTE) {
      const step = Math.min(MINUTE, left)
      api.advanceClock(step)
      this.credit += (perMinute * step) / MINUTE
      for (; this.credit >= 1; this.credit--) {
        const guid = seededUuid(this.rng)
        const at = api.now()
        const outcome = answered(this.options.up(at, guid))
        api.addDelivery(hook, { guid, event: 'push', deliveredAt: at, ...outcome })
        this.originals.set(guid, { at, failed: !outcome.ok })
      }
    }
  }

  /** Runs `fn` now and counts the redeliveries it made, and those into a receiver that was down. */
  async measure<T>(fn: () => Promise<T>): Promise<Measured<T>> {
    const { api, hook } = this.options
    const before = api.redeliveryRequests(hook).length
    const pingsBefore = api.pingRequests(hook).length
    const at = api.now()
    const value = await fn()
    const made = api
      .redeliveryRequests(hook)
      .slice(before)
      .filter(r => r.accepted)
    const pings = api.pingRequests(hook).length - pingsBefore
    return { at, value, accepted: made.length, intoDown: made.filter(r => this.options.up(r.at, r.guid) === false).length, pings }
  }

  /** Failed originals with no successful attempt listed now; with `until`, only those that failed by then. */
  lost(until = Infinity): string[] {
    const ok = new Set(
      this.options.api
        .deliveries(this.options.hook)
        .filter(d => d.ok)
        .map(d => d.guid)
    )
    return [...this.originals].filter(([g, o]) => o.failed && o.at <= until && !ok.has(g)).map(([g]) => g)
  }

  /** Failed originals, and how many of them had failed by `until`. */
  failed(until = Infinity): number {
    return [...this.originals.values()].filter(o => o.failed && o.at <= until).length
  }

  /** Accepted redeliveries per guid. */
  redeliveries(): Map<string, number> {
    return redeliveryCounts(this.options.api, this.options.hook)
  }

  /** Guids the receiver got more than once: a success, then another success. */
  duplicates(): string[] {
    const successes = new Map<string, number>()
    for (const d of this.options.api.deliveries(this.options.hook)) if (d.ok) successes.set(d.guid, (successes.get(d.guid) ?? 0) + 1)
    return [...successes].filter(([, n]) => n > 1).map(([g]) => g)
  }

  /**
   * What GitHub's documented script would send on the same schedule: every delivery still
   * failing, at every run (it keeps no attempt count), while the receiver is down.
   */
  documentedScriptIntoDown(runTimes: number[]): number {
    const firstOk = new Map<string, number>()
    for (const d of this.options.api.deliveries(this.options.hook)) if (d.ok) firstOk.set(d.guid, Math.min(firstOk.get(d.guid) ?? Infinity, d.deliveredAt))
    const failingAt = (t: number): number => [...this.originals].filter(([g, o]) => o.failed && o.at <= t && (firstOk.get(g) ?? Infinity) > t).length
    return runTimes.filter(t => this.options.up(t, '') === false).reduce((n, t) => n + failingAt(t), 0)
  }
}
