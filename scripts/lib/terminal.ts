/**
 * The demo's terminal output: colours from node:util's styleText (none when stdout is not a
 * terminal, NO_COLOR is set or TERM=dumb; FORCE_COLOR forces them), and a renderer for the
 * few Markdown shapes the job summary uses: `###` headings, pipe tables, `> [!WARNING]`
 * alerts and block quotes, **bold**, `code` and [links](url). Any other line is printed as
 * written.
 */
import { stripVTControlCharacters, styleText } from 'node:util'
import type { LogLine } from '../../tools/workflow-commands.js'

const paint = (format: Parameters<typeof styleText>[0]) => (text: string) => styleText(format, text)

export const style = {
  bold: paint('bold'),
  dim: paint('dim'),
  red: paint('red'),
  green: paint('green'),
  yellow: paint('yellow'),
  blue: paint('blue'),
  magenta: paint('magenta'),
  cyan: paint('cyan')
}

/** Columns a string takes in a terminal: colour codes take none. */
export function visibleWidth(text: string): number {
  return [...stripVTControlCharacters(text)].length
}

function cut(text: string, width: number): string {
  const plain = [...stripVTControlCharacters(text)]
  return plain.length <= width ? text : plain.slice(0, Math.max(0, width - 1)).join('') + '…'
}

/** Lines of at most `width` columns, broken at spaces; a word longer than that is cut with …. */
function wrap(text: string, width: number): string[] {
  if (visibleWidth(text) <= width) return [text]
  const lines: string[] = []
  for (const word of text.split(/ +/)) {
    const last = lines.at(-1)
    if (last !== undefined && visibleWidth(last) + 1 + visibleWidth(word) <= width) lines[lines.length - 1] = `${last} ${word}`
    else lines.push(cut(word, width))
  }
  return lines
}

/** `code` in cyan, **bold**, a link as its text, `\|` as a pipe. */
function inline(text: string): string {
  return text
    .split(/(`[^`]+`)/)
    .map((part, i) =>
      i % 2 === 1
        ? style.cyan(part.slice(1, -1).replace(/\\\|/g, '|'))
        : part
            .replace(/\[([^\]]*)\]\([^)\s]*\)/g, '$1')
            .replace(/\*\*(.+?)\*\*/g, (_, bold: string) => style.bold(bold))
            .replace(/\\\|/g, '|')
    )
    .join('')
}

const cells = (row: string): string[] =>
  row
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map(cell => cell.trim())

/** A pipe table in box-drawing characters; the widest columns are narrowed, their cells wrapped, to fit `width`. */
function table(lines: string[], width: number, maxRows: number): string[] {
  const rightAligned = cells(lines[1]).map(cell => cell.endsWith(':'))
  const header = cells(lines[0]).map(inline)
  const body = lines.slice(2).map(row => cells(row).map(inline))
  const shown = body.slice(0, maxRows)
  const widths = header.map((h, i) => Math.max(visibleWidth(h), ...shown.map(row => visibleWidth(row[i] ?? ''))))
  while (widths.reduce((sum, w) => sum + w + 3, 1) > width && Math.max(...widths) > 12) widths[widths.indexOf(Math.max(...widths))]--
  const rule = (left: string, middle: string, right: string) => style.dim(left + widths.map(w => '─'.repeat(w + 2)).join(middle) + right)
  const row = (values: string[], bold = false): string[] => {
    const wrapped = widths.map((w, i) => wrap(values[i] ?? '', w))
    return Array.from({ length: Math.max(...wrapped.map(lines => lines.length)) }, (_, line) =>
      wrapped
        .map((lines, i) => {
          const value = lines[line] ?? ''
          const gap = ' '.repeat(widths[i] - visibleWidth(value))
          return ` ${rightAligned[i] && !bold ? gap + value : (bold ? style.bold(value) : value) + gap} `
        })
        .join(style.dim('│'))
    ).map(line => style.dim('│') + line + style.dim('│'))
  }
  const out = [rule('┌', '┬', '┐'), ...row(header, true), rule('├', '┼', '┤'), ...shown.flatMap(values => row(values)), rule('└', '┴', '┘')]
  const hidden = body.length - shown.length
  if (hidden > 0) out.push(style.dim(`… ${hidden} more row${hidden === 1 ? '' : 's'} not shown here`))
  return out
}

const ALERTS: Record<string, (text: string) => string> = { NOTE: style.blue, TIP: style.green, IMPORTANT: style.magenta, WARNING: style.yellow, CAUTION: style.red }

export interface RenderOptions {
  /** Columns available; tables are cut to fit. */
  width: number
  /** Put before every line. */
  indent: string
  /** Body rows shown per table. */
  maxTableRows: number
}

/** A job summary for the terminal: lines joined with \n, no trailing newline. */
export function renderMarkdown(markdown: string, options: RenderOptions): string {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n')
  const out: string[] = []
  for (let i = 0; i < lines.length;) {
    const line = lines[i]
    if (line.startsWith('|') && /^\|[\s:|-]+\|$/.test(lines[i + 1] ?? '')) {
      const rows = [line, lines[i + 1]]
      for (i += 2; lines[i]?.startsWith('|'); i++) rows.push(lines[i])
      out.push(...table(rows, options.width, options.maxTableRows))
      continue
    }
    if (line.startsWith('>')) {
      const quoted: string[] = []
      for (; lines[i]?.startsWith('>'); i++) quoted.push(lines[i].replace(/^> ?/, '').trimEnd())
      const alert = /^\[!(\w+)\]$/.exec(quoted[0])
      const color = (alert && ALERTS[alert[1]]) || style.dim
      if (alert) out.push(color(style.bold(alert[1][0] + alert[1].slice(1).toLowerCase())))
      for (const text of alert ? quoted.slice(1) : quoted) out.push(`${color('│')} ${inline(text)}`)
      continue
    }
    const heading = /^#{1,6}\s+(.*)$/.exec(line)
    out.push(heading ? style.bold(inline(heading[1])) : inline(line))
    i++
  }
  while (out.at(-1) === '') out.pop()
  return out.map(line => (line ? options.indent + line : line)).join('\n')
}

/** One line of the Actions log as a person reads it. */
export function formatLogLine(line: LogLine): string {
  const [first, ...rest] = line.text.split('\n')
  const continued = rest.map(l => `\n         ${l}`).join('')
  switch (line.kind) {
    case 'warning':
      return `${style.yellow(style.bold('warning:'))} ${first}${continued}`
    case 'error':
      return `${style.red(style.bold('error:'))} ${first}${continued}`
    case 'notice':
      return `${style.blue(style.bold('notice:'))} ${first}${continued}`
    case 'group':
      return style.bold(`▸ ${first}`)
    default:
      return line.text
  }
}
