import { mkdirSync, readFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { lastSuccessTimes, renderFailedRunMetrics, renderMetrics } from '../core/metrics.js'
import type { RunResult } from '../core/types.js'
import type { Logger } from '../engine/ports.js'
import { writeFileAtomically } from '../state/file-store.js'

/**
 * What the metrics file keeps between runs, beside it (`PATH.state.json`; the collector reads only
 * *.prom): each hook's newest successful delivery, in ms since the epoch, for the target it was seen on.
 */
interface MetricsState {
  target: string
  lastSuccessAt: Record<string, number>
}

/** `--metrics-file`: the run's counts for node_exporter's textfile collector, replaced atomically by each run. */
export class MetricsFile {
  private readonly statePath: string

  constructor(
    private readonly path: string,
    private readonly target: string,
    private readonly log: Logger,
    private readonly redact: (text: string) => string
  ) {
    // The collector reads only *.prom files; anything else is silently never scraped.
    if (!path.endsWith('.prom')) log.warning(`--metrics-file ${path}: node_exporter's textfile collector reads only files ending in .prom.`)
    this.statePath = `${path}.state.json`
  }

  write(run: RunResult): void {
    const lastSuccessBefore = this.lastSuccessBefore()
    const state: MetricsState = { target: this.target, lastSuccessAt: Object.fromEntries(lastSuccessTimes(run, lastSuccessBefore)) }
    // The state first: a metrics file shows no last success that the next run would not know.
    this.save(this.statePath, JSON.stringify(state) + '\n')
    this.save(this.path, renderMetrics(run, { target: this.target, lastSuccessBefore }))
  }

  /** The run could not finish: the run-level gauges say so, and an alert on them fires. The saved times stay. */
  failed(at: number): void {
    this.save(this.path, renderFailedRunMetrics({ target: this.target, finishedAt: at }))
  }

  /** The times an earlier run saved for this target; none when there is no state, or it is not ours. */
  private lastSuccessBefore(): Map<string, number> {
    let state: Partial<MetricsState>
    try {
      state = JSON.parse(readFileSync(this.statePath, 'utf8')) as Partial<MetricsState>
    } catch {
      return new Map()
    }
    if (state?.target !== this.target || typeof state.lastSuccessAt !== 'object' || state.lastSuccessAt === null) return new Map()
    return new Map(Object.entries(state.lastSuccessAt).filter((entry): entry is [string, number] => Number.isFinite(entry[1]) && entry[1] > 0))
  }

  // The redeliveries are done and the bookmark saved: metrics that cannot be written are a warning, not a failed run.
  private save(path: string, text: string): void {
    try {
      mkdirSync(dirname(path), { recursive: true })
      // Readable by the collector, which usually runs as another user.
      writeFileAtomically(path, this.redact(text), 0o644)
    } catch (error) {
      this.log.warning(`Could not write the metrics file ${path}: ${(error as Error).message}`)
    }
  }
}
