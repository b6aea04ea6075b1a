import { ACTION_NAMING, type Naming } from './input-errors.js'
import { repositoryPatternText } from './selection.js'
import type { FailCondition, Target } from './config.js'
import type { OUTPUTS } from './inputs.generated.js'
import type { ReportRow, RunResult, Totals } from './types.js'
import { noun, plural } from './plural.js'

export interface ReportDocument {
  version: 1
  target: string
  dryRun: boolean
  finishedAt: string
  totals: Totals
  hooks: Array<
    Omit<Totals, 'receiversDown'> & {
      hook: string
      hookId: string | null
      inFlight: number
      receiverDown?: { verdict: 'down' | 'unknown'; since?: string; waiting: number }
      /** The ping (or, for the app's hook, the probe redelivery) this run sent to learn whether the receiver is up. */
      receiverCheck?: { check: 'ping' | 'probe'; verdict: 'up' | 'down' | 'unknown'; at?: string }
      scanError?: string
    }
  >
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
    case 'fleet':
      return `repo ${target.repositories.map(repositoryPatternText).join(', ')}`
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
      givenUp: h.givenUp,
      expiring: h.expiring,
      inFlight: h.inFlight,
      ...(h.receiverDown
        ? {
            receiverDown: {
              verdict: h.receiverDown.verdict,
              ...(h.receiverDown.since !== undefined ? { since: new Date(h.receiverDown.since).toISOString() } : {}),
              waiting: h.receiverDown.waiting
            }
          }
        : {}),
      ...(h.receiverCheck
        ? {
            receiverCheck: {
              check: h.receiverCheck.check,
              verdict: h.receiverCheck.verdict,
              ...(h.receiverCheck.at !== undefined ? { at: new Date(h.receiverCheck.at).toISOString() } : {})
            }
          }
        : {}),
      ...(h.scanError ? { scanError: h.scanError } : {})
    })),
    warnings: result.warnings,
    failures: result.failures,
    deliveries: result.rows
  }
}

/**
 * Why the step fails, as `fail-on` asks: the run's own failures (requests that failed after
 * retries, a hook that could not be scanned, a bookmark that could not be saved), deliveries
 * given up, receivers found down, deliveries about to leave GitHub's window. Empty: the step succeeds.
 */
export function stepFailures(result: RunResult, failOn: ReadonlySet<FailCondition>, naming: Naming = ACTION_NAMING): string[] {
  const reasons: string[] = []
  const failOnText = naming.bare('fail-on')
  if (failOn.has('errors')) reasons.push(...result.failures)
  const { givenUp, receiversDown } = result.totals
  if (failOn.has('given-up') && givenUp > 0) {
    reasons.push(`${plural(givenUp, 'delivery was', 'deliveries were')} given up this run (${failOnText}: given-up); the report says why.`)
  }
  if (failOn.has('receiver-down') && receiversDown > 0) {
    const down = result.hooks.filter(h => h.receiverDown?.verdict === 'down').map(h => h.hook.label)
    reasons.push(`The receiver of ${down.join(', ')} ${noun(down.length, 'is', 'are')} down: a ping or probe could not reach it (${failOnText}: receiver-down); failing deliveries wait for it.`)
  }
  if (failOn.has('expiring') && result.totals.expiring > 0) {
    reasons.push(
      `${plural(result.totals.expiring, 'failing delivery leaves', 'failing deliveries leave')} GitHub's redelivery window soon (${failOnText}: expiring); fix the receiver before then, the report says when.`
    )
  }
  return reasons
}

/** An output action.yml declares (OUTPUTS, generated from it). */
export type OutputName = (typeof OUTPUTS)[number]['name']

/**
 * The step's outputs; the CLI's `--json` prints the same. Typed by action.yml's outputs, so an
 * output declared there and not set here (or set here and not declared) does not compile.
 */
export function outputsOf(totals: Totals, report: string, replay: { replayed: number; left: number } = { replayed: 0, left: 0 }): Record<OutputName, number | string> {
  return {
    scanned: totals.scanned,
    failed: totals.failed,
    redelivered: totals.redelivered,
    skipped: totals.skipped,
    errors: totals.errors,
    'given-up': totals.givenUp,
    'receivers-down': totals.receiversDown,
    expiring: totals.expiring,
    replayed: replay.replayed,
    'replay-left': replay.left,
    report
  }
}
