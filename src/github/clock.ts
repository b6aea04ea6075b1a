/**
 * GitHub's clock, learned from the `Date` header of its answers. The runner's
 * clock can be minutes off; only the time elapsed since an answer is taken from it.
 */
export class GitHubClock {
  private offsetMs: number | undefined

  observe(dateHeader: string | undefined): void {
    if (!dateHeader) return
    const serverMs = Date.parse(dateHeader)
    if (Number.isNaN(serverMs)) return
    // The header has one-second resolution and is truncated: on average half a second behind.
    this.offsetMs = serverMs + 500 - Date.now()
  }

  get known(): boolean {
    return this.offsetMs !== undefined
  }

  now(): number {
    return Date.now() + (this.offsetMs ?? 0)
  }
}
