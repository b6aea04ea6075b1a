import { plural, thousands } from './plural.js'
import type { SkipReason } from './decisions.js'
import { shown } from './shown.js'
import type { HookResult, ReportRow, RunResult } from './types.js'

/** Rows of deliveries shown in the job summary; the report file has them all. */
export const SUMMARY_ROW_LIMIT = 100
/** A fleet's hooks listed in the job summary (only those with something to say); the report file has them all. */
export const SUMMARY_HOOK_LIMIT = 100
/** Receivers down named in the summary's alert; a fleet's table names the rest. */
const DOWN_ALERT_LIMIT = 5

/** Each skip reason in a few words: the summary's Result column, and `explain`. */
export const REASON_TEXT: Record<SkipReason, string> = {
  filtered: 'event not selected by `events`',
  'too-old': 'older than `max-age`',
  'max-attempts': 'gave up: `max-attempts` reached',
  'outside-window': 'older than GitHub can redeliver',
  budget: '`max-redeliveries` reached; next run',
  'rate-limited': 'GitHub rate limit; next run',
  refused: 'GitHub refused the redelivery',
  'dry-run': 'dry run',
  'in-flight': 'another run is redelivering it',
  'receiver-down': 'receiver down; waits, costs no attempt',
  'receiver-unknown': 'no answer to the ping or probe yet; waits, costs no attempt',
  backoff: 'receiver refused it; next try after the backoff',
  interrupted: 'run interrupted; next run'
}

/** The job summary in GitHub-flavoured Markdown: bounded in size whatever the number of deliveries. */
export function renderSummary(result: RunResult, title = 'Webhook redelivery'): string {
  const { totals } = result
  const lines: string[] = []
  const failedRun = result.failures.length > 0
  const nothing = !failedRun && totals.failed === 0 && result.hooks.every(h => !h.scanError && h.inFlight === 0) && result.warnings.length === 0
  if (nothing) {
    const hooks = plural(number(result.hooks.length), 'hook')
    return `**${title}**: nothing to redeliver. Scanned ${plural(number(totals.scanned), 'delivery attempt')} across ${hooks}; every delivery succeeded or was already handled.\n`
  }
  // A run that failed says so first: the counts alone can look like success.
  const heading = failedRun ? `${title} failed` : title
  const head = result.dryRun
    ? `### ${heading} (dry run): ${number(totals.failed)} failing, nothing redelivered`
    : `### ${heading}: ${number(totals.redelivered)} redelivered, ${number(totals.skipped)} skipped, ${plural(number(totals.errors), 'error')}`
  lines.push(head, '')
  if (failedRun) {
    lines.push('> [!CAUTION]', '> The run failed:')
    for (const failure of result.failures) lines.push(`> - ${escapeCell(failure)}`)
    lines.push('')
  }
  // A fleet's hooks carry their repository: its table lists only the hooks with something to say.
  const fleet = result.hooks.some(h => h.hook.repository !== undefined)
  const alerts: string[] = []
  if (totals.givenUp > 0) alerts.push(`${plural(number(totals.givenUp), 'delivery', 'deliveries')} given up this run (see the Result column)`)
  if (totals.expiring > 0) alerts.push(expiringAlert(result))
  const down = result.hooks.filter(h => h.receiverDown)
  for (const h of fleet ? down.slice(0, DOWN_ALERT_LIMIT) : down) {
    const receiver = h.receiverDown!
    const since = receiver.since !== undefined ? ` since ${formatTime(new Date(receiver.since).toISOString())}` : ''
    const failing = since ? `failing${since}` : ''
    // Down: the ping or probe could not reach it. No answer listed in time is not counted as down, and says so.
    const state = receiver.verdict === 'down' ? `is down${failing ? `: ${failing}` : ''}` : `did not answer the ${askedBy(h)} in time${failing ? ` (${failing})` : ''}`
    alerts.push(`The receiver of ${escapeCell(h.hook.label)} ${state}; ${plural(number(receiver.waiting), 'failing delivery waits', 'failing deliveries wait')} for it, at no cost of an attempt`)
  }
  if (fleet && down.length > DOWN_ALERT_LIMIT) alerts.push(`and ${number(down.length - DOWN_ALERT_LIMIT)} more receivers down: see the table`)
  if (alerts.length > 0) lines.push('> [!CAUTION]', ...alerts.map(a => `> ${a}.  `), '')
  // What the run asked, and the receiver answered: the reason the held deliveries went out.
  const notes = fleet ? [] : result.hooks.filter(h => h.receiverCheck?.verdict === 'up').map(h => `The receiver of ${escapeCell(h.hook.label)} answered the ${askedBy(h)}: it is up`)
  if (notes.length > 0) lines.push('> [!NOTE]', ...notes.map(n => `> ${n}.  `), '')
  for (const warning of result.warnings) lines.push(`> [!WARNING]`, `> ${escapeCell(warning)}`, '')

  lines.push(...(fleet ? fleetHookTable(result) : hookTable(result)))

  if (result.rows.length > 0) {
    const multipleHooks = result.hooks.length > 1
    lines.push(`| ${multipleHooks ? 'Hook | ' : ''}Event | Action | First failure | Attempts | Result |`, `|${multipleHooks ? '---|' : ''}---|---|---|---:|---|`)
    const ordered = [...result.rows].sort(byImportance)
    for (const row of ordered.slice(0, SUMMARY_ROW_LIMIT)) {
      const hook = multipleHooks ? `${escapeCell(row.hookId ?? 'app')} | ` : ''
      lines.push(`| ${hook}\`${escapeCell(row.event)}\` | ${row.action ? `\`${escapeCell(row.action)}\`` : ''} | ${formatTime(row.firstDeliveredAt)} | ${row.attempts} | ${resultText(row)} |`)
    }
    if (ordered.length > SUMMARY_ROW_LIMIT) {
      lines.push('', `and ${number(ordered.length - SUMMARY_ROW_LIMIT)} more: see the \`report\` output's file.`)
    }
    lines.push('')
  }
  return lines.join('\n')
}

/** The warning before loss: how many, and when the first of them can no longer be recovered. */
function expiringAlert(result: RunResult): string {
  const first = result.rows
    .filter(row => row.expiring && row.windowEndsAt !== undefined)
    .map(row => row.windowEndsAt!)
    .sort()[0]
  const when = first ? ` (the first at ${formatTime(first)})` : ''
  const count = plural(number(result.totals.expiring), 'failing delivery leaves', 'failing deliveries leave')
  return `${count} GitHub's redelivery window soon${when}: fix the receiver before then, or they can no longer be recovered`
}

/** One line per hook: the table of a target with a few hooks. */
function hookTable(result: RunResult): string[] {
  const lines = ['| Hook | Scanned | Failed | Redelivered | Skipped | Errors | In flight | Deliveries |', '|---|---:|---:|---:|---:|---:|---:|---|']
  for (const h of result.hooks) {
    const link = h.hook.webUrl ? `[open](${h.hook.webUrl})` : ''
    const name = h.scanError ? `${escapeCell(h.hook.label)} (not scanned: ${escapeCell(h.scanError)})` : escapeCell(h.hook.label)
    lines.push(`| ${name} | ${number(h.scanned)} | ${number(h.failed)} | ${number(h.redelivered)} | ${number(h.skipped)} | ${number(h.errors)} | ${number(h.inFlight)} | ${link} |`)
  }
  lines.push('')
  return lines
}

/**
 * A fleet's hooks: totals first, then only the hooks with something failing, given up, down,
 * in flight or not scanned, grouped by repository. Quiet hooks are counted, not listed.
 */
function fleetHookTable(result: RunResult): string[] {
  const repositories = new Set(result.hooks.map(h => h.hook.repository ?? ''))
  const notable = result.hooks.filter(isNotable).sort((a, b) => (a.hook.repository ?? '').localeCompare(b.hook.repository ?? '') || a.hook.key.localeCompare(b.hook.key))
  const quiet = result.hooks.length - notable.length
  const hooks = (n: number): string => plural(number(n), 'hook')
  const lines = [
    `${hooks(result.hooks.length)} in ${plural(number(repositories.size), 'repository', 'repositories')}, ${number(result.totals.scanned)} delivery attempts scanned: ${number(notable.length)} with something to look at, ${number(quiet)} with nothing failing.`,
    ''
  ]
  if (notable.length === 0) return lines
  lines.push('| Repository | Hook | Failed | Redelivered | Skipped | Given up | Errors | In flight | Receiver | Deliveries |', '|---|---|---:|---:|---:|---:|---:|---:|---|---|')
  let previous: string | undefined
  for (const h of notable.slice(0, SUMMARY_HOOK_LIMIT)) {
    const repository = h.hook.repository ?? ''
    // The repository is named once, on its first hook's line.
    const shown = repository === previous ? '' : escapeCell(repository)
    previous = repository
    const id = escapeCell(h.hook.id ?? h.hook.key)
    const hook = h.scanError ? `${id} (not scanned: ${escapeCell(h.scanError)})` : id
    const receiver = h.receiverDown ? (h.receiverDown.verdict === 'down' ? 'down' : `no answer to the ${askedBy(h)} yet`) : ''
    const link = h.hook.webUrl ? `[open](${h.hook.webUrl})` : ''
    lines.push(
      `| ${shown} | ${hook} | ${number(h.failed)} | ${number(h.redelivered)} | ${number(h.skipped)} | ${number(h.givenUp)} | ${number(h.errors)} | ${number(h.inFlight)} | ${receiver} | ${link} |`
    )
  }
  if (notable.length > SUMMARY_HOOK_LIMIT) lines.push('', `and ${plural(number(notable.length - SUMMARY_HOOK_LIMIT), 'more hook', 'more hooks')}: see the \`report\` output's file.`)
  lines.push('')
  return lines
}

/** What the run asked the receiver with: its ping (organization and repository hooks), or a probe redelivery (the app's hook). */
function askedBy(h: HookResult): string {
  return h.receiverCheck?.check === 'ping' ? 'ping' : 'probe'
}

function isNotable(h: HookResult): boolean {
  return h.failed > 0 || h.givenUp > 0 || h.errors > 0 || h.inFlight > 0 || h.receiverDown !== undefined || h.scanError !== undefined
}

/** A run that could not do its work: what went wrong and what to do, as the step's error says. */
export function renderFailure(message: string, title = 'Webhook redelivery'): string {
  return `**${title}** could not run: ${escapeCell(message)}\n`
}

function resultText(row: ReportRow): string {
  if (row.result === 'redelivered') return 'redelivered'
  if (row.result === 'error') return `error: ${escapeCell(row.message ?? 'request failed', 120)}; next run`
  const reason = row.reason ? (REASON_TEXT[row.reason] ?? row.reason) : 'skipped'
  return `skipped: ${reason}`
}

/** Errors first, then redelivered, then skips; oldest first within each. */
function byImportance(a: ReportRow, b: ReportRow): number {
  const rank = (row: ReportRow): number => (row.result === 'error' ? 0 : row.result === 'redelivered' ? 1 : 2)
  return rank(a) - rank(b) || a.firstDeliveredAt.localeCompare(b.firstDeliveredAt)
}

function formatTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`
}

function number(n: number): string {
  return thousands(n)
}

/** A value in a Markdown table or line: on one line, its control characters escaped, and a | that cannot end the cell. */
function escapeCell(text: string, max?: number): string {
  return shown(text.replace(/\r?\n/g, ' '), max).replace(/\|/g, '\\|')
}
