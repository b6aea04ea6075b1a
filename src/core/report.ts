import type { Target } from './config.js'
import type { ReportRow, RunResult, Totals } from './types.js'

export interface ReportDocument {
  version: 1
  target: string
  dryRun: boolean
  finishedAt: string
  totals: Totals
  hooks: Array<{ hook: string; hookId: string | null; scanned: number; failed: number; redelivered: number; skipped: number; errors: number; inFlight: number; scanError?: string }>
  warnings: string[]
  /** What failed the run (exit 1), beyond the per-delivery errors; empty when it succeeded. */
  failures: string[]
  deliveries: ReportRow[]
}

export function describeTarget(target: Target): string {
  switch (target.type) {
    case 'app':
      return 'app'
    case 'org':
      return `org ${target.org}`
    case 'repo':
      return `repo ${target.owner}/${target.repo}`
  }
}

/** The report file: every failing delivery and what was done with it. Ids are strings. */
export function buildReport(target: Target, result: RunResult): ReportDocument {
  return {
    version: 1,
    target: describeTarget(target),
    dryRun: result.dryRun,
    finishedAt: new Date(result.finishedAt).toISOString(),
    totals: result.totals,
    hooks: result.hooks.map(h => ({
      hook: h.hook.label,
      hookId: h.hook.id ?? null,
      scanned: h.scanned,
      failed: h.failed,
      redelivered: h.redelivered,
      skipped: h.skipped,
      errors: h.errors,
      inFlight: h.inFlight,
      ...(h.scanError ? { scanError: h.scanError } : {})
    })),
    warnings: result.warnings,
    failures: result.failures,
    deliveries: result.rows
  }
}
