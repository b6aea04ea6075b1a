import { formatDuration } from '../core/duration.js'
import { otherShardOf } from '../core/selection.js'
import { thousands } from '../core/plural.js'
import { emptyBookmark, parseBookmark, serializeBookmark, type Bookmark } from '../core/bookmark/format.js'
import { inFlightElsewhere, mergeBookmarks, writtenByOthers } from '../core/bookmark/merge.js'
import { checkpointBookmark, finalBookmark, type RunProgress } from '../core/bookmark/moves.js'
import { sentAt, type Decision, type ReceiverState, type RunPlan } from '../core/decisions.js'
import type { Policy } from '../core/plan.js'
import type { HookTarget } from '../core/types.js'
import { RateLimitedError, UserError, VARIABLE_NAMING, type BookmarkStore, type Logger } from './ports.js'

/**
 * The bookmark's I/O owner: the one class that loads and saves it in a run, through the
 * `BookmarkStore` port. What it writes is computed by the pure `core/bookmark/` (`moves.ts` the
 * values, `merge.ts` the merge with another run's, `format.ts` the text). It stays in `engine/`
 * because it does I/O and throws the ports' errors, which `core/` must not import.
 *
 * - `read`, once at the start: where each hook's scan starts, and what is already in flight.
 * - `checkpoint`, before each batch of redeliveries: the batch is written as `pending` (planned),
 *   so a run killed mid-batch leaves a record the next runs respect (for three minutes). What
 *   another run already has in flight is taken out of the batch.
 * - `recordSent`, before every wait: what GitHub accepted moves to `sent`, in flight until its
 *   attempt is listed (up to an hour), so a run cancelled while it waits sends nothing twice.
 * - `restore`, when the run ends before anything was sent (a credential that cannot redeliver):
 *   the value read is put back (with what another run wrote meanwhile), unless another run wrote since.
 * - `finish`, at the end: floors move up, never past an unfinished delivery, so nothing is lost;
 *   what was sent stays in flight, what was given up is `done`.
 *
 * Every write reads the store again and merges in what another run wrote meanwhile: a floor
 * never moves back and both runs' in-flight redeliveries are kept. What the other run wrote is
 * merged into every later write too, until the store shows that run wrote again: else a second
 * write of this run, before the other's next one, would drop it. A value that did not change is
 * not written. A dry run, a run without a store and a run that scanned no hook write nothing.
 */
export class BookmarkKeeper {
  private previous: Bookmark = emptyBookmark()
  private readText: string | undefined
  /** What another run wrote (its hooks' entries that changed since this run's read), merged into every write of this run until it writes again. */
  private others: Bookmark | undefined
  private lastText: string | undefined
  /** The warning about in-flight entries trimmed to fit the store is given once per run, not per checkpoint. */
  private warnedTrim = false
  /** When each redelivery sent (or perhaps sent) was at the last checkpoint: what `recordSent` has still to record is the rest. */
  private recorded = new Map<Decision, number>()

  constructor(private readonly options: KeeperOptions) {}

  get description(): string {
    return this.options.store?.description ?? 'no bookmark'
  }

  /** The bookmark at the start of the run; a user error when it must not be used (a newer version's, another shard's). */
  async read(lookbackMs: number): Promise<Bookmark> {
    const { store, fleet, log, warn } = this.options
    if (!store) return this.previous
    this.readText = await store.read()
    this.lastText = this.readText
    const parsed = parseBookmark(this.readText)
    if (parsed.newer) {
      // Its words fit a variable and a state file alike: the description says which.
      throw new UserError(
        `The ${store.description} holds a bookmark written by a newer version of webhook-redelivery (${parsed.problem}). Run that version or a later one, or delete the ${store.description} to start over.`
      )
    }
    if (parsed.problem) {
      warn(`The ${store.description} does not hold a bookmark webhook-redelivery can read (${parsed.problem}); scanning the last ${formatDuration(lookbackMs)} and replacing it.`)
    }
    for (const problem of parsed.warnings ?? []) warn(`The ${store.description} holds a bookmark entry webhook-redelivery cannot fully read: ${problem}.`)
    const previous = parsed.bookmark
    const otherShard = fleet && [...previous.hooks.values()].map(e => e.scope && otherShardOf(fleet.scope, e.scope)).find(Boolean)
    if (otherShard) {
      const naming = store.naming ?? VARIABLE_NAMING
      throw new UserError(
        `The ${store.description} holds the bookmark of shard ${otherShard} of these hooks. Give each shard its own ${naming.name} (such as ${naming.examples}), so the shards never write over each other.`
      )
    }
    if (previous.legacyFloor !== undefined) {
      log.info(`Taking over the bookmark of GitHub's documented script: scanning from ${new Date(previous.legacyFloor).toISOString()}.`)
    }
    this.previous = previous
    return previous
  }

  /**
   * Before a batch is sent: records it as planned, with everything sent so far. Returns the
   * batch split into what to send and what an overlapping run is already sending or finished.
   * Throws when the store refuses the write: then the batch must not be sent.
   */
  async checkpoint(run: RunProgress, batch: readonly Decision[]): Promise<{ toSend: Decision[]; elsewhere: Decision[] }> {
    if (!this.options.store) return { toSend: [...batch], elsewhere: [] }
    await this.write(checkpointBookmark(this.previous, run, batch, this.options.now()))
    this.recorded = sentTimes(run.plan)
    const { others } = this
    if (!others) return { toSend: [...batch], elsewhere: [] }
    const elsewhere = new Set(batch.filter(decision => inFlightElsewhere(decision, this.previous, others)))
    return { toSend: batch.filter(decision => !elsewhere.has(decision)), elsewhere: [...elsewhere] }
  }

  /**
   * Before the run waits: a checkpoint that moves what GitHub accepted from "about to be sent"
   * (a short wait) to "sent" (in flight until listed), so a run cancelled while it waits causes
   * no duplicate even when GitHub lists redeliveries late. Nothing sent since the last one: no write.
   */
  async recordSent(run: RunProgress): Promise<void> {
    const unrecorded = [...sentTimes(run.plan)].some(([decision, at]) => this.recorded.get(decision) !== at)
    if (unrecorded) await this.checkpoint(run, [])
  }

  /**
   * Puts back the value read at the start, after a checkpoint for redeliveries none of
   * which was sent, with what another run wrote meanwhile; unless another run has written
   * since, whose bookmark must stay.
   */
  async restore(): Promise<void> {
    const { store } = this.options
    if (!store || this.lastText === this.readText) return
    if ((await store.read()) !== this.lastText) return
    // There was no bookmark before this run: an empty one means the same, with nothing in flight.
    const text = this.others ? serializeBookmark(mergeBookmarks(this.previous, this.others), store.maxChars).text : (this.readText ?? serializeBookmark(emptyBookmark()).text)
    await store.write(text)
    this.lastText = text
  }

  /** The final write. Returns what fails the run when the store refused it. */
  async finish(run: RunProgress, receivers: ReadonlyMap<string, ReceiverState>, now: number, reachFrom?: string): Promise<string | undefined> {
    const { store, hooks, fleet, policy, warn } = this.options
    // When no hook could be scanned nothing was learnt: leave the bookmark (or its absence) as it was.
    const learnt = run.scans.length > 0 || hooks.length === 0
    if (!store || policy.dryRun || !learnt) return undefined
    const found = new Set(hooks.map(h => h.key))
    try {
      await this.write(finalBookmark(this.previous, run, receivers, now, { found, fleet, windowMs: policy.windowMs, ...(reachFrom !== undefined ? { reachFrom } : {}) }))
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      if (!(error instanceof RateLimitedError)) return `Could not save the bookmark to the ${store.description}: ${message}`
      // The checkpoint written before the redeliveries still guards against sending anything twice.
      warn(`Could not save the bookmark (${message}). Nothing is lost: the next run scans again from the previous bookmark.`)
    }
    return undefined
  }

  /**
   * Writes the bookmark, with what other runs wrote merged in, if its text changed. First
   * reads the store again: a value another run wrote meanwhile becomes `others`.
   */
  async write(bookmark: Bookmark): Promise<void> {
    const { store, log, warn } = this.options
    if (!store) return
    const withOthers = (): Bookmark => (this.others ? mergeBookmarks(bookmark, this.others) : bookmark)
    let { text, trimmed, trimmedPending } = serializeBookmark(withOthers(), store.maxChars)
    // Nothing changed: no write, and no second read either.
    if (text === this.lastText) return
    const current = await store.read()
    if (current !== this.lastText) {
      log.debug(`The ${store.description} changed during this run; merging, never moving a bookmark back.`)
      this.others = writtenByOthers(parseBookmark(current).bookmark, this.previous)
      ;({ text, trimmed, trimmedPending } = serializeBookmark(withOthers(), store.maxChars))
      this.lastText = current
      if (text === current) return
    }
    const limit = store.maxChars
    if (limit !== undefined && text.length > limit) {
      // Written anyway, GitHub would refuse it; cut further, it would lose hooks' floors or in-flight redeliveries.
      throw new Error(
        `the bookmark of ${bookmark.hooks.size} hooks needs ${thousands(text.length)} characters, more than the ${thousands(limit)} an Actions variable is given here. Split the hooks with the "shard" input (a matrix of jobs, shard 1/2 and 2/2, each with its own "state-variable"), or narrow "repository" or "hook-id"`
      )
    }
    if (trimmedPending > 0 && !this.warnedTrim) {
      this.warnedTrim = true
      warn(`The bookmark grew too large for an Actions variable; dropped ${trimmedPending} of its oldest in-flight redeliveries, which a later run may send again. Lower max-redeliveries.`)
    } else if (trimmed > 0) {
      // Only costs a repeated line in a later report (or was warned about already): not worth a warning.
      log.debug(`The bookmark was trimmed to fit an Actions variable: ${trimmed} finished deliveries forgotten.`)
    }
    await store.write(text)
    this.lastText = text
  }
}

interface KeeperOptions {
  /** Where the bookmark lives; none (no `state-variable`): nothing is read or written. */
  store?: BookmarkStore
  /** The hooks this run looks after, and the fleet they are (complete: every repository of it could be read). */
  hooks: readonly HookTarget[]
  fleet?: { scope: string; complete: boolean }
  policy: Pick<Policy, 'dryRun' | 'windowMs'>
  /** GitHub's clock: every time in the bookmark is GitHub's. */
  now(): number
  log: Logger
  warn(message: string): void
}

/** When each redelivery sent, or perhaps sent, went out. */
function sentTimes(plan: RunPlan): Map<Decision, number> {
  const times = new Map<Decision, number>()
  for (const hook of plan.hooks.values()) {
    for (const decision of hook.decisions) {
      const at = sentAt(decision.outcome)
      if (at !== undefined) times.set(decision, at)
    }
  }
  return times
}
