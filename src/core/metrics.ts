import { FINAL_SKIPS, SKIP_REASONS } from './decisions.js'
import type { HookResult, ReportRow, RunResult } from './types.js'

/**
 * The run's counts in the Prometheus text exposition format (0.0.4), for node_exporter's
 * textfile collector. Every value describes the last run, so every metric is a gauge: the
 * file is replaced by each run, and a counter would reset every time.
 */

const PREFIX = 'webhook_redelivery_'

export interface MetricsContext {
  /** What the run looked after, as the report names it: `org acme`, `repo acme/widgets`, `app`. */
  target: string
  /** Newest successful delivery per hook (label `hook_id`), in ms since the epoch, from earlier runs. */
  lastSuccessBefore?: ReadonlyMap<string, number>
}

type Labels = Record<string, string>

interface Family {
  name: string
  help: string
  samples: { labels: Labels; value: number }[]
}

/** The metrics text for a finished run. */
export function renderMetrics(run: RunResult, context: MetricsContext): string {
  const families = new Map<string, Family>()
  const add = (name: string, help: string, labels: Labels, value: number): void => {
    let family = families.get(name)
    if (!family) families.set(name, (family = { name: PREFIX + name, help, samples: [] }))
    family.samples.push({ labels, value })
  }

  const lastSuccessAt = lastSuccessTimes(run, context.lastSuccessBefore)
  // Each hook's rows, found once: a fleet has a thousand hooks.
  const rowsOf = new Map<string, ReportRow[]>()
  for (const row of run.rows) {
    const key = rowsKey(row.hookId, row.hook)
    const rows = rowsOf.get(key)
    if (rows) rows.push(row)
    else rowsOf.set(key, [row])
  }
  for (const hook of run.hooks) {
    const labels: Labels = { target: context.target, hook_id: hookId(hook), hook: hook.hook.label }
    const rows = rowsOf.get(rowsKey(hook.hook.id ?? null, hook.hook.label)) ?? []
    add('scanned_attempts', 'Delivery attempts the last run examined.', labels, hook.scanned)
    add('failed_deliveries', 'Distinct deliveries the last run found failing and due.', labels, hook.failed)
    add('redelivered_deliveries', 'Redelivery requests GitHub accepted in the last run.', labels, hook.redelivered)
    add('redelivery_errors', 'Redelivery requests that failed after retries in the last run; tried again next run.', labels, hook.errors)
    // Every skip reason, so each hook's series exist (at 0) before the first skip of a kind.
    const skipped = new Map<string, number>(SKIP_REASONS.map(reason => [reason, 0]))
    for (const row of rows) if (row.result === 'skipped' && row.reason) skipped.set(row.reason, (skipped.get(row.reason) ?? 0) + 1)
    for (const [reason, count] of skipped) {
      add('skipped_deliveries', 'Failing deliveries the last run did not redeliver, by reason.', { ...labels, reason }, count)
    }
    add('given_up_deliveries', 'Deliveries the last run gave up (attempts used up, or past what GitHub can redeliver).', labels, hook.givenUp)
    add('expiring_deliveries', "Failing deliveries the last run found leaving GitHub's redelivery window within expiring-within.", labels, hook.expiring)
    add(
      'receiver_down',
      "1 when the last run found the hook's receiver down (a ping or probe could not reach it): its failures wait and cost no attempt.",
      labels,
      hook.receiverDown?.verdict === 'down' ? 1 : 0
    )
    add('scan_failed', '1 when the last run could not scan the hook.', labels, hook.scanError ? 1 : 0)
    add(
      'oldest_waiting_failure_age_seconds',
      'Age, at the end of the last run, of the oldest failing delivery not yet redelivered successfully nor given up; 0 when none waits.',
      labels,
      oldestWaitingAgeSeconds(rows, run.finishedAt)
    )
    const lastSuccess = lastSuccessAt.get(hookId(hook))
    if (lastSuccess !== undefined) {
      add('last_success_timestamp_seconds', 'Newest successful delivery seen for the hook, in seconds since the epoch.', labels, Math.floor(lastSuccess / 1000))
    }
  }
  const runLabels: Labels = { target: context.target }
  add('last_run_timestamp_seconds', "When the last run finished (GitHub's clock), in seconds since the epoch.", runLabels, Math.floor(run.finishedAt / 1000))
  add('last_run_success', '1 when the last run finished without errors.', runLabels, run.failures.length === 0 ? 1 : 0)
  add('last_run_dry_run', '1 when the last run was a dry run: nothing was redelivered.', runLabels, run.dryRun ? 1 : 0)
  return renderFamilies(families.values())
}

/** The file for a run that could not finish: only the run-level gauges, so an alert on them fires. */
export function renderFailedRunMetrics(context: { target: string; finishedAt: number }): string {
  const labels: Labels = { target: context.target }
  return renderFamilies([
    {
      name: `${PREFIX}last_run_timestamp_seconds`,
      help: "When the last run finished (GitHub's clock), in seconds since the epoch.",
      samples: [{ labels, value: Math.floor(context.finishedAt / 1000) }]
    },
    { name: `${PREFIX}last_run_success`, help: '1 when the last run finished without errors.', samples: [{ labels, value: 0 }] }
  ])
}

/**
 * Each hook's newest successful delivery: what this run listed, or what earlier runs saw (a quiet
 * run lists no new success, and its series must not vanish). The metrics file keeps these times
 * beside it as saved state, for the next run's `lastSuccessBefore`.
 */
export function lastSuccessTimes(run: RunResult, before: ReadonlyMap<string, number> = new Map()): Map<string, number> {
  const times = new Map(before)
  for (const hook of run.hooks) {
    const at = Math.max(hook.lastSuccessAt ?? -Infinity, before.get(hookId(hook)) ?? -Infinity)
    if (Number.isFinite(at)) times.set(hookId(hook), at)
  }
  return times
}

/** The hook's label value: its id, or `app` for the app's single hook. */
function hookId(hook: HookResult): string {
  return hook.hook.id ?? hook.hook.key
}

/** A report row belongs to the hook of the same id and label. */
function rowsKey(hookId: string | null, label: string): string {
  return `${hookId ?? ''}\u0000${label}`
}

/** Failures still waiting: everything but what was finished for good (given up, filtered, refused). */
function oldestWaitingAgeSeconds(rows: readonly ReportRow[], now: number): number {
  let oldest = Infinity
  for (const row of rows) {
    if (row.result === 'skipped' && row.reason !== undefined && FINAL_SKIPS.has(row.reason)) continue
    oldest = Math.min(oldest, Date.parse(row.firstDeliveredAt))
  }
  return Number.isFinite(oldest) ? Math.max(0, Math.floor((now - oldest) / 1000)) : 0
}

function renderFamilies(families: Iterable<Family>): string {
  const lines: string[] = []
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} gauge`)
    for (const { labels, value } of family.samples) lines.push(`${family.name}{${renderLabels(labels)}} ${value}`)
  }
  return lines.join('\n') + '\n'
}

function renderLabels(labels: Labels): string {
  return Object.entries(labels)
    .map(([name, value]) => `${name}="${escapeLabelValue(value)}"`)
    .join(',')
}

/** The format escapes backslash, double quote and line feed in label values. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

/** HELP text escapes backslash and line feed (a quote stays as it is). */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')
}
