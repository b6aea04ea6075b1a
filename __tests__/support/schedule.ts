/**
 * A webhook's life on a schedule: traffic arrives minute by minute, the receiver goes down
 * and comes back, and the action runs every `every` — all on the local API's clock.
 */
import type { HookRef, LocalApi } from '../../local-api/index.js'
import type { RunResult } from '../../src/core/types.js'
import { runInProcess, type InProcessOptions } from './in-process.js'
import { guid, MINUTE } from './world.js'
import type { RawInputs } from '../../src/core/config.js'

export interface ScheduleOptions {
  api: LocalApi
  hook: HookRef
  inputs: RawInputs
  /** Time between two runs. */
  every: number
  /** New deliveries per minute of schedule (fractions spread them out). */
  perMinute: number
  /** Whether the receiver answers at server time `t`; `guid` lets one payload be refused. */
  up(t: number, guid: string): boolean
}

export interface RunRecord {
  at: number
  result?: RunResult
  error?: string
  /** Redelivery requests GitHub accepted during the run, and how many of them hit a receiver that was down. */
  accepted: number
  intoDown: number
}

export class Schedule {
  readonly runs: RunRecord[] = []
  /** Every original delivery: guid -> when, and whether it failed. */
  readonly originals = new Map<string, { at: number; failed: boolean }>()
  private credit = 0

  constructor(private readonly options: ScheduleOptions) {
    this.setReceiver()
  }

  /** Lets `ms` of schedule pass: traffic arrives, the receiver follows `up`. */
  pass(ms: number): void {
    const { api, hook, perMinute } = this.options
    for (let left = ms; left > 0; left -= MINUTE) {
      api.advanceClock(Math.min(MINUTE, left))
      this.credit += perMinute * (Math.min(MINUTE, left) / MINUTE)
      for (; this.credit >= 1; this.credit--) {
        const id = guid('d')
        const at = api.now()
        const ok = this.options.up(at, id)
        api.addDelivery(hook, ok ? { guid: id, event: 'push', deliveredAt: at, ok: true } : { guid: id, event: 'push', deliveredAt: at, ok: false, status: 'Invalid HTTP Response: 503', statusCode: 503 })
        this.originals.set(id, { at, failed: !ok })
      }
    }
  }

  /** One run of the action now. */
  async run(options: InProcessOptions = {}): Promise<RunRecord> {
    const { api, hook, inputs } = this.options
    const before = api.redeliveryRequests(hook).length
    const at = api.now()
    const outcome = await runInProcess(api, inputs, options)
    const made = api.redeliveryRequests(hook).slice(before).filter(r => r.accepted)
    const record: RunRecord = {
      at,
      result: outcome.result,
      error: outcome.error,
      accepted: made.length,
      intoDown: made.filter(r => !this.options.up(r.at, r.guid)).length
    }
    this.runs.push(record)
    return record
  }

  /** Runs every `every` for `duration`, traffic in between. */
  async runFor(duration: number): Promise<void> {
    for (let t = 0; t < duration; t += this.options.every) {
      this.pass(this.options.every)
      await this.run()
    }
  }

  /** Guids of failed originals with no successful attempt listed now. */
  lost(): string[] {
    const { api, hook } = this.options
    const ok = new Set(api.deliveries(hook).filter(d => d.ok).map(d => d.guid))
    return [...this.originals].filter(([g, o]) => o.failed && !ok.has(g)).map(([g]) => g)
  }

  /** Accepted redeliveries per guid. */
  redeliveries(): Map<string, number> {
    const counts = new Map<string, number>()
    for (const r of this.options.api.redeliveryRequests(this.options.hook)) if (r.accepted) counts.set(r.guid, (counts.get(r.guid) ?? 0) + 1)
    return counts
  }

  /** Guids the receiver got more than once: a successful original or redelivery, then another success. */
  duplicates(): string[] {
    const successes = new Map<string, number>()
    for (const d of this.options.api.deliveries(this.options.hook)) if (d.ok) successes.set(d.guid, (successes.get(d.guid) ?? 0) + 1)
    return [...successes].filter(([, n]) => n > 1).map(([g]) => g)
  }

  private setReceiver(): void {
    const { api, hook, up } = this.options
    // The local API asks the model at each redelivery's time.
    api.setReceiver(hook, { type: 'scripted', ok: (guidOf, at) => up(at, guidOf) })
  }
}
