import { thousands } from '../core/plural.js'
import { mergeBookmarks, parseBookmark, serializeBookmark, type Bookmark } from '../core/bookmark.js'
import type { BookmarkStore, Logger } from './ports.js'

/**
 * Reads and writes the bookmark: only when its text changes, and, for the final
 * write, merged with whatever another run wrote meanwhile.
 */
export class BookmarkKeeper {
  private readText: string | undefined
  private lastText: string | undefined
  /** The warning about in-flight entries trimmed to fit the store is given once per run, not per checkpoint. */
  private warnedTrim = false

  constructor(
    private readonly store: BookmarkStore,
    private readonly log: Logger,
    private readonly warn: (message: string) => void
  ) {}

  get description(): string {
    return this.store.description
  }

  async read(): Promise<ReturnType<typeof parseBookmark>> {
    this.readText = await this.store.read()
    this.lastText = this.readText
    return parseBookmark(this.readText)
  }

  /**
   * Writes the bookmark if its text changed. With `mergeWithOthers`, first reads it again
   * and merges in what another run wrote meanwhile, which is returned as `others`.
   */
  async write(bookmark: Bookmark, options: { mergeWithOthers: boolean }): Promise<{ others?: Bookmark }> {
    let { text, trimmed, trimmedPending } = serializeBookmark(bookmark, this.store.maxChars)
    // Nothing changed: no write, and no second read either.
    if (text === this.lastText) return {}
    let others: Bookmark | undefined
    if (options.mergeWithOthers) {
      const current = await this.store.read()
      if (current !== this.lastText) {
        this.log.debug(`The ${this.store.description} changed during this run; merging, never moving a bookmark back.`)
        others = parseBookmark(current).bookmark
        ;({ text, trimmed, trimmedPending } = serializeBookmark(mergeBookmarks(bookmark, others), this.store.maxChars))
        this.lastText = current
        if (text === current) return { others }
      }
    }
    const limit = this.store.maxChars
    if (limit !== undefined && text.length > limit) {
      // Written anyway, GitHub would refuse it; cut further, it would lose hooks' floors or in-flight redeliveries.
      throw new Error(
        `the bookmark of ${bookmark.hooks.size} hooks needs ${thousands(text.length)} characters, more than the ${thousands(limit)} an Actions variable is given here. Split the hooks with the "shard" input (a matrix of jobs, shard 1/2 and 2/2, each with its own "state-variable"), or narrow "repository" or "hook-id"`
      )
    }
    if (trimmedPending > 0 && !this.warnedTrim) {
      this.warnedTrim = true
      this.warn(`The bookmark grew too large for an Actions variable; dropped ${trimmedPending} of its oldest in-flight redeliveries, which a later run may send again. Lower max-redeliveries.`)
    } else if (trimmed > 0) {
      // Only costs a repeated line in a later report (or was warned about already): not worth a warning.
      this.log.debug(`The bookmark was trimmed to fit an Actions variable: ${trimmed} finished deliveries forgotten.`)
    }
    await this.store.write(text)
    this.lastText = text
    return { others }
  }

  /**
   * Puts back the value read at the start, after a checkpoint for redeliveries none of
   * which was sent; unless another run has written since, whose bookmark must stay.
   */
  async restore(): Promise<void> {
    if (this.lastText === this.readText) return
    if ((await this.store.read()) !== this.lastText) return
    // There was no bookmark before this run: an empty one means the same, with nothing in flight.
    const text = this.readText ?? serializeBookmark({ hooks: new Map() }).text
    await this.store.write(text)
    this.lastText = text
  }
}
