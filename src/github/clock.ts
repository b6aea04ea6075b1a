/**
 * GitHub's clock, learned from the `Date` header of its answers. The runner's
 * clock can be minutes off; only the time elapsed since an answer is taken from it.
 */
export class GitHubClock {
  /** GitHub's time at the last answer, and the monotonic time it arrived. */
  private anchor: { serverMs: number; at: number } | undefined

  observe(dateHeader: string | undefined): void {
    if (!dateHeader) return
    const serverMs = Date.parse(dateHeader)
    if (Number.isNaN(serverMs)) return
    // The header has one-second resolution and is truncated: on average half a second behind.
    this.anchor = { serverMs: serverMs + 500, at: performance.now() }
  }

  get known(): boolean {
    return this.anchor !== undefined
  }

  /** Elapsed time is measured monotonically, so a runner clock stepped mid-run changes nothing. */
  now(): number {
    return this.anchor ? this.anchor.serverMs + (performance.now() - this.anchor.at) : Date.now()
  }
}
