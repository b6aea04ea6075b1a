/**
 * A small Markdown-to-terminal renderer for what the action's job summary uses:
 * headings, paragraphs, pipe tables (with column alignment), `code`, [text](url),
 * **bold**, lists, fenced code and GitHub's `> [!WARNING]` alerts.
 * Not a general Markdown implementation: anything else is printed as written.
 */

export interface Style {
  enabled: boolean
  bold(text: string): string
  dim(text: string): string
  italic(text: string): string
  red(text: string): string
  green(text: string): string
  yellow(text: string): string
  blue(text: string): string
  cyan(text: string): string
  magenta(text: string): string
}

/** Colours only for a terminal, never when NO_COLOR is set (https://no-color.org) or TERM=dumb. */
export function colorWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true
  if (env.TERM === 'dumb') return false
  return stream.isTTY === true
}

export function makeStyle(enabled: boolean): Style {
  const sgr = (open: number, close: number) => (text: string) => (enabled && text ? `\u001b[${open}m${text}\u001b[${close}m` : text)
  return {
    enabled,
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    italic: sgr(3, 23),
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    blue: sgr(34, 39),
    magenta: sgr(35, 39),
    cyan: sgr(36, 39)
  }
}

const ANSI = /\u001b\[[0-9;]*m/g

/** Columns a string takes in a terminal (ANSI codes removed; one column per code point). */
export function visibleWidth(text: string): number {
  let width = 0
  for (const ch of text.replace(ANSI, '')) {
    const code = ch.codePointAt(0)!
    // Combining marks and zero-width characters take no column.
    if ((code >= 0x300 && code <= 0x36f) || code === 0x200b || code === 0x200d || code === 0xfe0f) continue
    width += isWide(code) ? 2 : 1
  }
  return width
}

function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1faff)
  )
}

/** Cuts text to `width` columns, ending with …; ANSI sequences are kept whole and reset at the end. */
export function truncate(text: string, width: number): string {
  if (visibleWidth(text) <= width) return text
  let out = ''
  let used = 0
  let styled = false
  for (let i = 0; i < text.length; ) {
    const esc = /^\u001b\[[0-9;]*m/.exec(text.slice(i))
    if (esc) {
      out += esc[0]
      styled = true
      i += esc[0].length
      continue
    }
    const ch = String.fromCodePoint(text.codePointAt(i)!)
    const w = visibleWidth(ch)
    if (used + w > width - 1) break
    out += ch
    used += w
    i += ch.length
  }
  return out + '…' + (styled ? '\u001b[0m' : '')
}

function pad(text: string, width: number, align: Align): string {
  const gap = Math.max(0, width - visibleWidth(text))
  if (align === 'right') return ' '.repeat(gap) + text
  if (align === 'center') return ' '.repeat(Math.floor(gap / 2)) + text + ' '.repeat(Math.ceil(gap / 2))
  return text + ' '.repeat(gap)
}

export interface RenderOptions {
  style?: Style
  /** Wrap paragraphs at this many columns (default 100). Tables are never wrapped. */
  width?: number
  /** Prefix for every output line, e.g. two spaces to indent the whole document. */
  indent?: string
  /** Show at most this many body rows per table, then a line saying how many were left out. */
  maxTableRows?: number
  /** Plain `+-|` table borders instead of box-drawing characters. */
  ascii?: boolean
}

type Align = 'left' | 'right' | 'center'

const ALERTS: Record<string, { label: string; color: keyof Style }> = {
  NOTE: { label: 'Note', color: 'blue' },
  TIP: { label: 'Tip', color: 'green' },
  IMPORTANT: { label: 'Important', color: 'magenta' },
  WARNING: { label: 'Warning', color: 'yellow' },
  CAUTION: { label: 'Caution', color: 'red' }
}

/** Inline Markdown to terminal text: `code` plain (cyan with colours), links as their text, **bold**. */
export function renderInline(text: string, style: Style = makeStyle(false)): string {
  const out: string[] = []
  let i = 0
  while (i < text.length) {
    const ch = text[i]
    if (ch === '\\' && i + 1 < text.length && /[\\`*_[\]()|#>!-]/.test(text[i + 1])) {
      out.push(text[i + 1])
      i += 2
      continue
    }
    if (ch === '`') {
      const ticks = /^`+/.exec(text.slice(i))![0]
      const end = text.indexOf(ticks, i + ticks.length)
      if (end > 0) {
        out.push(style.cyan(text.slice(i + ticks.length, end).trim() || text.slice(i + ticks.length, end)))
        i = end + ticks.length
        continue
      }
    }
    if (ch === '[' || (ch === '!' && text[i + 1] === '[')) {
      const link = /^!?\[((?:\\.|[^\]\\])*)\]\(([^)\s]*)(?:\s+"[^"]*")?\)/.exec(text.slice(i))
      if (link) {
        out.push(style.enabled ? style.bold(renderInline(link[1], style)) : renderInline(link[1], style))
        i += link[0].length
        continue
      }
    }
    if ((ch === '*' || ch === '_') && text[i + 1] === ch) {
      const marker = ch + ch
      const end = text.indexOf(marker, i + 2)
      if (end > i + 2) {
        out.push(style.bold(renderInline(text.slice(i + 2, end), style)))
        i = end + 2
        continue
      }
    }
    out.push(ch)
    i++
  }
  return out.join('')
}

/** Splits a table row on unescaped pipes (and inside no code span). */
function splitRow(line: string): string[] {
  let text = line.trim()
  if (text.startsWith('|')) text = text.slice(1)
  if (text.endsWith('|') && !text.endsWith('\\|')) text = text.slice(0, -1)
  const cells: string[] = []
  let current = ''
  let inCode = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (ch === '\\' && text[i + 1] === '|') {
      current += '\\|'
      i++
    } else if (ch === '`') {
      inCode = !inCode
      current += ch
    } else if (ch === '|' && !inCode) {
      cells.push(current.trim())
      current = ''
    } else {
      current += ch
    }
  }
  cells.push(current.trim())
  return cells
}

const DELIMITER_ROW = /^\s*\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$/

function renderTable(lines: string[], options: Required<Omit<RenderOptions, 'maxTableRows'>> & { maxTableRows?: number }): string[] {
  const { style } = options
  // GFM unescapes \| in cells, code spans included.
  const cell = (c: string) => renderInline(c.replace(/\\\|/g, '|'), style)
  const header = splitRow(lines[0]).map(c => style.bold(cell(c)))
  const aligns: Align[] = splitRow(lines[1]).map(c => (c.startsWith(':') && c.endsWith(':') ? 'center' : c.endsWith(':') ? 'right' : 'left'))
  let body = lines.slice(2).map(l => splitRow(l).map(cell))
  const columns = header.length
  let omitted = 0
  if (options.maxTableRows !== undefined && body.length > options.maxTableRows) {
    omitted = body.length - options.maxTableRows
    body = body.slice(0, options.maxTableRows)
  }
  body = body.map(row => Array.from({ length: columns }, (_, i) => row[i] ?? ''))
  const widths = header.map((h, i) => Math.max(visibleWidth(h), ...body.map(r => visibleWidth(r[i]))))
  // Too wide for the terminal: narrow the widest column, wrapping its cells onto more lines
  // (and cutting a single word longer than the column with …) rather than letting lines wrap.
  const tableWidth = () => widths.reduce((s, w) => s + w, 0) + 3 * columns + 1
  while (tableWidth() > options.width) {
    const widest = widths.indexOf(Math.max(...widths))
    if (widths[widest] <= 12) break
    widths[widest] -= 1
  }
  const fit = (cells: string[]): string[][] => cells.map((c, i) => wrap(c, widths[i]).map(l => truncate(l, widths[i])))
  const box = options.ascii
    ? { h: '-', v: '|', tl: '+', tm: '+', tr: '+', ml: '+', mm: '+', mr: '+', bl: '+', bm: '+', br: '+' }
    : { h: '─', v: '│', tl: '┌', tm: '┬', tr: '┐', ml: '├', mm: '┼', mr: '┤', bl: '└', bm: '┴', br: '┘' }
  const rule = (l: string, m: string, r: string) => style.dim(l + widths.map(w => box.h.repeat(w + 2)).join(m) + r)
  const row = (cells: string[], isHeader: boolean): string[] => {
    const wrapped = fit(cells)
    const height = Math.max(1, ...wrapped.map(w => w.length))
    return Array.from({ length: height }, (_, line) =>
      style.dim(box.v) + wrapped.map((w, i) => ` ${pad(w[line] ?? '', widths[i], isHeader ? 'left' : aligns[i] ?? 'left')} `).join(style.dim(box.v)) + style.dim(box.v)
    )
  }
  const out = [rule(box.tl, box.tm, box.tr), ...row(header, true), rule(box.ml, box.mm, box.mr), ...body.flatMap(r => row(r, false)), rule(box.bl, box.bm, box.br)]
  if (omitted > 0) out.push(style.dim(`… ${omitted} more row${omitted === 1 ? '' : 's'} not shown here`))
  return out
}

function wrap(text: string, width: number): string[] {
  if (width <= 0 || visibleWidth(text) <= width) return [text]
  const words = text.split(/ +/)
  const lines: string[] = []
  let current = ''
  for (const word of words) {
    if (current && visibleWidth(current) + 1 + visibleWidth(word) > width) {
      lines.push(current)
      current = word
    } else {
      current = current ? `${current} ${word}` : word
    }
  }
  if (current) lines.push(current)
  return lines
}

/** Renders a Markdown document for the terminal; returns the text (lines joined with \n, no trailing newline). */
export function renderMarkdown(markdown: string, opts: RenderOptions = {}): string {
  const options = { style: opts.style ?? makeStyle(false), width: opts.width ?? 100, indent: opts.indent ?? '', ascii: opts.ascii ?? false, maxTableRows: opts.maxTableRows }
  const { style } = options
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n')
  const out: string[] = []
  const blank = () => {
    if (out.length > 0 && out[out.length - 1] !== '') out.push('')
  }
  let i = 0
  while (i < lines.length) {
    const line = lines[i]
    if (line.trim() === '') {
      blank()
      i++
      continue
    }
    // Fenced code: printed as is, indented.
    const fence = /^\s*(```+|~~~+)/.exec(line)
    if (fence) {
      const body: string[] = []
      for (i++; i < lines.length && !lines[i].trim().startsWith(fence[1]); i++) body.push(lines[i])
      i++
      out.push(...body.map(l => '    ' + style.cyan(l)))
      blank()
      continue
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line)
    if (heading) {
      const text = renderInline(heading[2], style)
      const level = heading[1].length
      out.push(level <= 2 ? style.bold(style.enabled ? text : text.toUpperCase()) : style.bold(text))
      if (level <= 2) out.push(style.dim((level === 1 ? '═' : '─').repeat(Math.min(visibleWidth(text), options.width))))
      i++
      blank()
      continue
    }
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
      out.push(style.dim('─'.repeat(Math.min(40, options.width))))
      i++
      continue
    }
    // Tables: a header row, a delimiter row, then rows that contain a pipe.
    if (line.includes('|') && i + 1 < lines.length && DELIMITER_ROW.test(lines[i + 1]) && lines[i + 1].includes('-')) {
      const table = [line, lines[i + 1]]
      for (i += 2; i < lines.length && lines[i].includes('|') && lines[i].trim() !== ''; i++) table.push(lines[i])
      out.push(...renderTable(table, options))
      blank()
      continue
    }
    // Block quotes, with GitHub alerts (> [!WARNING]).
    if (/^\s*>/.test(line)) {
      const quoted: string[] = []
      for (; i < lines.length && /^\s*>/.test(lines[i]); i++) quoted.push(lines[i].replace(/^\s*> ?/, ''))
      const alert = /^\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]\s*$/i.exec(quoted[0] ?? '')
      const kind = alert ? ALERTS[alert[1].toUpperCase()] : undefined
      const paint = kind ? (style[kind.color] as (t: string) => string) : style.dim
      const body = kind ? quoted.slice(1) : quoted
      if (kind) out.push(paint(style.bold(`${kind.label === 'Warning' || kind.label === 'Caution' ? '⚠ ' : 'ℹ '}${kind.label}`)))
      for (const text of body) {
        for (const wrapped of wrap(renderInline(text, style), options.width - 2)) out.push(`${paint('│')} ${wrapped}`)
      }
      blank()
      continue
    }
    // Lists.
    const item = /^(\s*)([-*+]|\d+[.)])\s+(.*)$/.exec(line)
    if (item) {
      const bullet = /\d/.test(item[2]) ? item[2] : '•'
      const lead = `${item[1]}${bullet} `
      const wrapped = wrap(renderInline(item[3], style), options.width - lead.length)
      out.push(lead + wrapped[0], ...wrapped.slice(1).map(l => ' '.repeat(lead.length) + l))
      i++
      continue
    }
    // Paragraph: consecutive plain lines, joined and wrapped.
    const para: string[] = []
    for (; i < lines.length && lines[i].trim() !== '' && !/^\s*(#{1,6}\s|>|```|~~~|[-*+]\s|\d+[.)]\s)/.test(lines[i]); i++) {
      if (lines[i].includes('|') && i + 1 < lines.length && DELIMITER_ROW.test(lines[i + 1])) break
      para.push(lines[i].trim())
    }
    if (para.length === 0) {
      // A line no rule above claimed: print it as written.
      out.push(renderInline(line, style))
      i++
      continue
    }
    out.push(...wrap(renderInline(para.join(' '), style), options.width))
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop()
  return out.map(l => (l ? options.indent + l : l)).join('\n')
}
