import { paceText, type ReplayResult } from './replay.js'
import { plural, thousands } from './plural.js'

/** What a replay run says: for a terminal, for `--json`, and for the job summary. */

function iso(ms: number): string {
  return new Date(ms).toISOString()
}

function counts(record: Record<string, number>, name: (key: string) => string = k => k): string {
  const entries = Object.entries(record).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
  return entries.length === 0 ? 'none' : entries.map(([key, n]) => `${name(key)}: ${thousands(n)}`).join('; ')
}

/** The headline: what was sent, or what a preview would send. */
function headline(result: ReplayResult): string {
  const { preview } = result
  if (result.finished && !result.sendRequested) return 'Replay: finished earlier; nothing left to send.'
  if (!result.sendRequested) return `Replay preview: ${plural(thousands(preview.toSend), 'event')} to send, ${paceText(preview.durationMs)} at GitHub's pace (one redelivery a second).`
  const left = result.left > 0 ? `, ${thousands(result.left)} left` : ''
  return `Replay: ${plural(thousands(result.sent), 'redelivery', 'redeliveries')} sent${left}${result.finished ? '; the replay is complete' : ''}.`
}

export function renderReplay(result: ReplayResult, target: string): string {
  const { preview } = result
  const lines = [headline(result), `  ${target}, events first delivered from ${iso(result.since)} to ${iso(result.until)}${result.continued ? ' (continuing the same replay)' : ''}`]
  if (preview.from !== undefined && preview.to !== undefined) lines.push(`  to send when this run started: ${thousands(preview.toSend)}, first delivered ${iso(preview.from)} to ${iso(preview.to)}`)
  lines.push(`  by hook: ${counts(preview.byHook, key => result.hookLabels[key] ?? key)}`)
  lines.push(`  by event: ${counts(preview.byEvent)}`)
  const earlier = result.sentBefore > 0 || preview.done > 0 ? `; done by earlier runs of this replay: ${thousands(preview.done)}` : ''
  lines.push(`  outside GitHub's redelivery window (not sent): ${thousands(preview.outsideWindow)}${earlier}${result.refused > 0 ? `; refused by GitHub: ${result.refused}` : ''}`)
  if (!result.sendRequested && preview.toSend > 0) lines.push('Preview only: run the same command with --send to send them.')
  return lines.join('\n') + '\n'
}

/** `--json`: the same, times in ISO 8601, hooks by label. */
export function replayJson(result: ReplayResult): Record<string, unknown> {
  const { preview } = result
  return {
    since: iso(result.since),
    until: iso(result.until),
    continued: result.continued,
    send: result.sendRequested,
    toSend: preview.toSend,
    byHook: Object.fromEntries(Object.entries(preview.byHook).map(([key, n]) => [result.hookLabels[key] ?? key, n])),
    byEvent: preview.byEvent,
    ...(preview.from !== undefined ? { from: iso(preview.from), to: iso(preview.to!) } : {}),
    durationSeconds: Math.ceil(preview.durationMs / 1000),
    outsideWindow: preview.outsideWindow,
    doneBefore: preview.done,
    sent: result.sent,
    refused: result.refused,
    left: result.left,
    finished: result.finished,
    warnings: result.warnings,
    failures: result.failures
  }
}

/** The job summary of a replay from the action. */
export function renderReplaySummary(result: ReplayResult, target: string): string {
  const { preview } = result
  const lines = [`### ${headline(result)}`, '', `${target}, events first delivered from ${iso(result.since)} to ${iso(result.until)}${result.continued ? ' (continuing the same replay)' : ''}.`, '']
  if (result.failures.length > 0) lines.push('> [!CAUTION]', ...result.failures.map(f => `> ${f.replace(/\r?\n/g, ' ')}  `), '')
  for (const warning of result.warnings) lines.push('> [!WARNING]', `> ${warning.replace(/\r?\n/g, ' ')}`, '')
  lines.push('| Hook | Events |', '|---|---:|')
  for (const [key, n] of Object.entries(preview.byHook)) lines.push(`| ${(result.hookLabels[key] ?? key).replace(/\|/g, '\\|')} | ${thousands(n)} |`)
  lines.push('', '| Event | Events |', '|---|---:|')
  for (const [event, n] of Object.entries(preview.byEvent)) lines.push(`| \`${event}\` | ${thousands(n)} |`)
  lines.push('', `Outside GitHub's redelivery window (not sent): ${thousands(preview.outsideWindow)}. Done by earlier runs of this replay: ${thousands(preview.done)}.`, '')
  if (!result.sendRequested && preview.toSend > 0) lines.push('Preview only: run the workflow again with `replay-send: true` to send them.', '')
  return lines.join('\n')
}
