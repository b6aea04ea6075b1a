import { mkdirSync, readFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { lastSuccessFromPreviousMetrics, renderFailedRunMetrics, renderMetrics } from '../core/metrics.js'
import type { RunResult } from '../core/types.js'
import type { Logger } from '../engine/ports.js'
import { writeFileAtomically } from '../state/file-store.js'

/** `--metrics-file`: the run's counts for node_exporter's textfile collector, replaced atomically by each run. */
export class MetricsFile {
  constructor(
    private readonly path: string,
    private readonly target: string,
    private readonly log: Logger,
    private readonly redact: (text: string) => string
  ) {
    // The collector reads only *.prom files; anything else is silently never scraped.
    if (!path.endsWith('.prom')) log.warning(`--metrics-file ${path}: node_exporter's textfile collector reads only files ending in .prom.`)
  }

  write(run: RunResult): void {
    this.save(renderMetrics(run, { target: this.target, lastSuccessBefore: lastSuccessFromPreviousMetrics(this.previous(), this.target) }))
  }

  /** The run could not finish: the run-level gauges say so, and an alert on them fires. */
  failed(at: number): void {
    this.save(renderFailedRunMetrics({ target: this.target, finishedAt: at }))
  }

  private previous(): string {
    try {
      return readFileSync(this.path, 'utf8')
    } catch {
      return ''
    }
  }

  // The redeliveries are done and the bookmark saved: metrics that cannot be written are a warning, not a failed run.
  private save(text: string): void {
    try {
      mkdirSync(dirname(this.path), { recursive: true })
      // Readable by the collector, which usually runs as another user.
      writeFileAtomically(this.path, this.redact(text), 0o644)
    } catch (error) {
      this.log.warning(`Could not write the metrics file ${this.path}: ${(error as Error).message}`)
    }
  }
}
