import type { RunProgress } from '../core/bookmark/moves.js'
import { anySent, finalReason, releaseHeld, replaceProbe, resultOf, settle, stopped, uncertainAt, type Decision, type Outcome, type ReceiverState, type RunPlan } from '../core/decisions.js'
import type { HookScan } from '../core/plan.js'
import { verdictOf, type Answer, type ProbeVerdict } from '../core/receiver.js'
import type { HookTarget } from '../core/types.js'
import type { BookmarkKeeper } from './bookmark-keeper.js'
import { UserError, type DeliveriesPort, type Logger, type RedeliveryResult } from './ports.js'
import { newAttempts, pingAnswer } from './scan.js'
import { noun, plural } from '../core/plural.js'

/** Looks at a ping's or probe's result this many times within the wait, stopping as soon as each has one. */
const PROBE_LOOKS = 4

/** Rounds of looking for the attempts of redeliveries whose answer was lost, and resending the rest. */
const VERIFY_ROUNDS = 2

interface RedelivererOptions {
  hooks: HookTarget[]
  scans: HookScan[]
  plan: RunPlan
  github: DeliveriesPort
  /** Records each batch before it is sent, and what was sent before every wait. */
  keeper: BookmarkKeeper
  log: Logger
  warn(message: string): void
  /** Redeliveries between two checkpoints of the bookmark. */
  checkpointEvery: number
  /** The run's budget: held deliveries released after a probe share what is left of it. */
  maxRedeliveries: number
  /** How long a receiver can take to answer (GitHub gives up after 10 s, 30 s on GHES), and then some. */
  verifyDelayMs: number
  sleep(ms: number): Promise<void>
  /** Aborted when the run is interrupted: nothing more is sent, what was sent is recorded. */
  signal?: AbortSignal
}

/**
 * Sends the planned redeliveries: a checkpoint of the bookmark before each batch,
 * one request at a time (the client spaces writes), a stop at GitHub's limits, and
 * a look at GitHub before resending anything whose answer was lost. What happens to each
 * delivery is reported to its decision (`core/decisions.ts`), which keeps it.
 */
export class Redeliverer {
  /** What the probes showed of each probed hook's receiver. */
  readonly receivers = new Map<string, ReceiverState>()
  /** Problems that fail the run once everything else is done. */
  readonly failures: string[] = []
  private stop: Outcome | undefined
  /** What the keeper's writes record. */
  private readonly progress: RunProgress

  private readonly targets: Map<string, HookTarget>

  constructor(private readonly options: RedelivererOptions) {
    this.targets = new Map(options.hooks.map(h => [h.key, h]))
    this.progress = { scans: options.scans, plan: options.plan }
  }

  async run(): Promise<void> {
    const { plan } = this.options
    // Pings and probes go first; what the receivers that the listing shows up are owed is sent while their answers come in.
    await this.sendPings()
    await this.sendAll([...plan.toRedeliver], true)
    await this.replaceRefusedProbes()
    const released = await this.awaitProbes()
    await this.sendAll(released, false)
    await this.verifyUncertain()
  }

  private async sendAll(decisions: Decision[], first: boolean): Promise<void> {
    const { checkpointEvery } = this.options
    for (let start = 0; start < decisions.length; start += checkpointEvery) {
      let batch = decisions.slice(start, start + checkpointEvery)
      this.stopIfInterrupted()
      if (!this.stop) batch = await this.checkpoint(batch, first && start === 0)
      for (const decision of batch) {
        await this.send(decision)
        if (decision.probe) this.receivers.set(decision.hookKey, { check: 'probe', probedAt: this.options.github.now() })
      }
    }
  }

  /**
   * One ping per hook whose receiver the listing left unclear: the tool's own `ping` event, so no
   * delivery's attempt is spent asking. A hook GitHub would not ping is asked with a probe instead.
   */
  private async sendPings(): Promise<void> {
    const { plan, github, log } = this.options
    for (const key of plan.pings) {
      this.stopIfInterrupted()
      if (this.stop) return
      const hook = this.targets.get(key)!
      const result = await github.ping!(hook)
      if (result.kind === 'sent') {
        this.receivers.set(key, { check: 'ping', probedAt: result.at })
        continue
      }
      if (result.kind === 'rate-limited') {
        this.stop = { result: 'skipped', reason: 'rate-limited', message: result.message }
        this.options.warn(`GitHub's rate limits stopped the run before its redeliveries (${result.message}); the next run continues with the rest.`)
        return
      }
      const probe = replaceProbe(plan, key, { maxRedeliveries: this.options.maxRedeliveries })
      log.info(`${hook.label}: GitHub did not ping the hook (${result.message}); ${probe ? 'one probe redelivery asks the receiver instead' : 'its failing deliveries wait for a later run'}.`)
    }
  }

  /** A probe GitHub refused to redeliver tells nothing of the receiver: probe with the next held delivery. */
  private async replaceRefusedProbes(): Promise<void> {
    const { plan } = this.options
    for (const probe of plan.toRedeliver.filter(d => d.probe)) {
      let current: Decision | undefined = probe
      while (current && !this.stop && finalReason(current) === 'refused') {
        current = replaceProbe(plan, current.hookKey, { maxRedeliveries: this.options.maxRedeliveries })
        if (current) await this.sendAll([current], false)
      }
    }
  }

  /**
   * Waits for the answers to the pings and probes to be listed (a receiver has 10 s to answer,
   * 30 s on GHES), and returns the held deliveries of the hooks whose receiver answered.
   */
  private async awaitProbes(): Promise<Decision[]> {
    const { plan, github, log } = this.options
    // The hook's last probe (an earlier one may have been refused by GitHub). A probe that was
    // not sent (an error, a rate limit) tells nothing: its hook gets no verdict, its held deliveries wait.
    const probes = [...new Map(plan.toRedeliver.filter(d => d.probe).map(p => [p.hookKey, p])).values()].filter(p => resultOf(p).result === 'redelivered')
    const waiting: Array<{ key: string; look: () => Promise<Answer | undefined> }> = [
      ...plan.pings.filter(key => this.receivers.get(key)?.check === 'ping').map(key => ({ key, look: () => pingAnswer(github, this.targets.get(key)!, this.receivers.get(key)!.probedAt!) })),
      ...probes.map(probe => ({
        key: probe.hookKey,
        look: async () => (await newAttempts(github, this.targets.get(probe.hookKey)!, [probe], this.receivers.get(probe.hookKey)!.probedAt!))?.get(probe.facts.guid)
      }))
    ]
    const verdicts = new Map<string, ProbeVerdict>()
    if (probes.length > 0) await this.recordSent()
    // A run stopped (rate limits, a failed checkpoint) looks at nothing: no verdict, what is held waits for the next run.
    if (waiting.length > 0 && !this.stop) {
      for (const { key } of waiting) verdicts.set(key, 'unknown')
      const n = waiting.length
      const pinged = n - probes.length
      const asked = [pinged > 0 ? plural(pinged, 'ping') : '', probes.length > 0 ? plural(probes.length, 'probe redelivery', 'probe redeliveries') : ''].filter(Boolean).join(' and ')
      log.info(`Waiting for the answer to ${n === 1 ? `the ${asked.replace(/^1 /, '')}` : asked} to learn whether ${noun(n, 'its receiver is', 'their receivers are')} up before sending the rest.`)
      // Steps of the sleep, not of GitHub's clock: each answer re-reads that clock from a Date header
      // of one-second resolution, and a jump must not run the looks together before the answer is listed.
      const step = this.options.verifyDelayMs / PROBE_LOOKS
      for (let look = 1; look <= PROBE_LOOKS && waiting.some(w => verdicts.get(w.key) === 'unknown'); look++) {
        await this.options.sleep(step)
        // Interrupted while waiting: no verdict, so the held deliveries wait for a later run.
        this.stopIfInterrupted()
        if (this.stop) break
        for (const w of waiting) {
          if (verdicts.get(w.key) !== 'unknown') continue
          const answer = await w.look()
          if (answer !== undefined) verdicts.set(w.key, verdictOf(answer))
        }
      }
    }
    for (const [key, verdict] of verdicts) {
      const receiver = { ...this.receivers.get(key), verdict }
      this.receivers.set(key, receiver)
      const label = this.targets.get(key)?.label ?? key
      const asked = receiver.check === 'ping' ? 'ping' : 'probe redelivery'
      if (verdict === 'up') log.info(`${label}: the receiver answered the ${asked}; it is up.`)
      else if (verdict === 'down') log.info(`${label}: the receiver is down (the ${asked} could not reach it); its failing deliveries wait for a later run.`)
      else log.info(`${label}: the receiver is not known to be up (no answer to the ${asked} listed yet); its failing deliveries wait for the next run.`)
    }
    const released = releaseHeld(plan, verdicts, { maxRedeliveries: this.options.maxRedeliveries })
    // Stopped (GitHub's limits, an interruption): what waits, waits for that, not for a receiver.
    if (this.stop?.result === 'skipped') stopped(plan, this.stop.reason)
    return released
  }

  /**
   * Records what is about to be sent before sending it (the keeper's checkpoint): a run killed
   * mid-batch then never causes a duplicate. Returns the batch less what an overlapping run is already sending.
   */
  private async checkpoint(batch: Decision[], first: boolean): Promise<Decision[]> {
    try {
      const { toSend, elsewhere } = await this.options.keeper.checkpoint(this.progress, batch)
      for (const decision of elsewhere) {
        settle(decision, { result: 'skipped', reason: 'in-flight', message: 'an overlapping run is redelivering it' })
      }
      return toSend
    } catch (error) {
      this.bookmarkNotWritten(error, first)
      return batch
    }
  }

  /** Before the run waits: what GitHub accepted is recorded as sent (see BookmarkKeeper.recordSent). */
  private async recordSent(): Promise<void> {
    if (this.stop) return
    try {
      await this.options.keeper.recordSent(this.progress)
    } catch (error) {
      this.bookmarkNotWritten(error, false)
    }
  }

  /** Before the first batch nothing was sent: the run ends. After, earlier batches must still be recorded: stop here, finish the run. */
  private bookmarkNotWritten(error: unknown, first: boolean): void {
    const { keeper } = this.options
    const message = error instanceof Error ? error.message : String(error)
    if (first) throw new UserError(`Could not write the bookmark to the ${keeper.description}, so nothing was redelivered: ${message}`)
    this.failures.push(`Could not write the bookmark to the ${keeper.description}; the rest is left for the next run: ${message}`)
    this.stop = { result: 'error', message: `not sent: ${message}` }
  }

  /** Interrupted: the rest waits for the next run, as after a rate limit. */
  private stopIfInterrupted(): void {
    if (!this.stop && this.options.signal?.aborted) {
      this.stop = { result: 'skipped', reason: 'interrupted', message: 'the run was interrupted before sending it' }
    }
  }

  private async send(decision: Decision): Promise<void> {
    this.stopIfInterrupted()
    if (this.stop) {
      settle(decision, this.stop)
      return
    }
    const { github } = this.options
    let result: RedeliveryResult
    try {
      result = await github.redeliver(this.targets.get(decision.hookKey)!, decision.facts.newestId)
    } catch (error) {
      if (!(error instanceof UserError)) throw error
      // A credential that cannot redeliver. If nothing was sent, nor perhaps sent, the run ends here with the bookmark as it was.
      if (!anySent(this.options.plan)) {
        await this.options.keeper.restore()
        throw error
      }
      this.failures.push(error.message)
      this.stop = { result: 'error', message: error.message }
      settle(decision, this.stop)
      return
    }
    switch (result.kind) {
      case 'accepted':
        settle(decision, { result: 'redelivered', at: result.at })
        break
      case 'refused':
        settle(decision, { result: 'skipped', reason: 'refused', message: result.message })
        break
      case 'error':
        settle(decision, { result: 'error', message: result.message, ...(result.uncertain ? { uncertainAt: result.at ?? github.now() } : {}) })
        break
      case 'rate-limited':
        this.stop = { result: 'skipped', reason: 'rate-limited', message: result.message }
        settle(decision, this.stop)
        this.options.warn(`GitHub's rate limits stopped the redeliveries (${result.message}); the next run continues with the rest.`)
        break
    }
  }

  /** A redelivery whose answer was lost may have been made: look for its attempt before sending it again. */
  private async verifyUncertain(): Promise<void> {
    const { plan, hooks, github, log } = this.options
    for (let round = 0; round < VERIFY_ROUNDS && !this.stop; round++) {
      // A probe is looked for once, never resent.
      const uncertain = plan.toRedeliver.filter(d => uncertainAt(d) !== undefined && !(d.probe && round > 0))
      if (uncertain.length === 0) return
      const n = uncertain.length
      log.info(`${plural(n, 'redelivery request')} got no clear answer; checking with GitHub whether ${noun(n, 'it', 'they')} went through.`)
      await this.recordSent()
      await this.options.sleep(this.options.verifyDelayMs)
      // Interrupted while waiting: what is still unclear stays in flight for the next run to check.
      this.stopIfInterrupted()
      if (this.stop) return
      const byHook = new Map<string, Decision[]>()
      for (const decision of uncertain) {
        const same = byHook.get(decision.hookKey)
        if (same) same.push(decision)
        else byHook.set(decision.hookKey, [decision])
      }
      for (const hook of hooks) {
        const mine = byHook.get(hook.key)
        if (!mine) continue
        const made = await newAttempts(github, hook, mine, Math.min(...mine.map(d => uncertainAt(d)!)))
        if (!made) continue
        for (const decision of mine) {
          if (made.has(decision.facts.guid)) settle(decision, { result: 'redelivered', at: uncertainAt(decision)! })
          // A probe is not sent twice into a receiver that may be down: it stays in flight for the next run.
          else if (!decision.probe) await this.send(decision)
        }
      }
    }
  }
}
