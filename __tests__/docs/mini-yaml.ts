/**
 * A deliberately small YAML reader for the docs checks: enough for action.yml
 * and the workflow files this repository ships (block maps, block sequences,
 * plain and quoted scalars, `|`/`>` block scalars, one-line flow collections,
 * comments). Not a general YAML parser: it throws on what it does not know,
 * so a file written outside this subset fails loudly instead of silently.
 *
 * Scalars stay strings (`3` is "3", `false` is "false"); an empty value is null.
 */

export type YamlValue = string | null | YamlValue[] | { [key: string]: YamlValue }
export type YamlMap = { [key: string]: YamlValue }

interface Line {
  indent: number
  text: string // without indentation and trailing comment
  raw: string // the full original line (for block scalars)
  no: number // 1-based line number
}

export function parseYaml(source: string): YamlValue {
  const rawLines = source.replace(/\r\n?/g, '\n').split('\n')
  const lines: Line[] = []
  rawLines.forEach((raw, i) => {
    if (/^\s*(#.*)?$/.test(raw)) {
      lines.push({ indent: -1, text: '', raw, no: i + 1 }) // blank or comment
      return
    }
    if (raw.startsWith('---') || raw.startsWith('...')) {
      throw new Error(`mini-yaml: line ${i + 1}: multiple documents are not supported`)
    }
    if (/^\t/.test(raw)) throw new Error(`mini-yaml: line ${i + 1}: tab indentation`)
    const indent = raw.length - raw.trimStart().length
    lines.push({ indent, text: stripComment(raw.slice(indent)).trimEnd(), raw, no: i + 1 })
  })
  const state = { pos: 0 }
  skipBlank(lines, state)
  if (state.pos >= lines.length) return null
  const value = parseBlock(lines, state, lines[state.pos].indent)
  skipBlank(lines, state)
  if (state.pos < lines.length) {
    throw new Error(`mini-yaml: line ${lines[state.pos].no}: unexpected content "${lines[state.pos].text}"`)
  }
  return value
}

function stripComment(text: string): string {
  let quote: string | null = null
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quote) {
      if (c === quote) {
        if (quote === "'" && text[i + 1] === "'") i++
        else quote = null
      } else if (c === '\\' && quote === '"') i++
    } else if ((c === '"' || c === "'") && (i === 0 || /[\s:[{,-]/.test(text[i - 1]))) {
      quote = c
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      return text.slice(0, i)
    }
  }
  return text
}

function skipBlank(lines: Line[], state: { pos: number }): void {
  while (state.pos < lines.length && lines[state.pos].indent < 0) state.pos++
}

function parseBlock(lines: Line[], state: { pos: number }, indent: number): YamlValue {
  const first = lines[state.pos]
  if (first.text === '-' || first.text.startsWith('- ')) return parseSequence(lines, state, indent)
  return parseMap(lines, state, indent)
}

function parseSequence(lines: Line[], state: { pos: number }, indent: number): YamlValue[] {
  const out: YamlValue[] = []
  for (;;) {
    skipBlank(lines, state)
    if (state.pos >= lines.length) break
    const line = lines[state.pos]
    if (line.indent < indent) break
    if (line.indent > indent) throw new Error(`mini-yaml: line ${line.no}: bad indentation`)
    if (!(line.text === '-' || line.text.startsWith('- '))) break
    const rest = line.text.slice(1).trimStart()
    if (rest === '') {
      state.pos++
      skipBlank(lines, state)
      if (state.pos < lines.length && lines[state.pos].indent > indent) {
        out.push(parseBlock(lines, state, lines[state.pos].indent))
      } else out.push(null)
      continue
    }
    // The item's content starts at a deeper virtual indentation: "- key: v" opens a map.
    const itemIndent = indent + (line.text.length - rest.length)
    if (isMapEntry(rest)) {
      lines[state.pos] = { ...line, indent: itemIndent, text: rest }
      out.push(parseMap(lines, state, itemIndent))
    } else {
      state.pos++
      out.push(parseScalarOrFlow(rest, line.no))
    }
  }
  return out
}

function isMapEntry(text: string): boolean {
  return keyOf(text) !== null
}

function keyOf(text: string): { key: string; rest: string } | null {
  let m = /^"((?:[^"\\]|\\.)*)"\s*:(?:\s+(.*)|$)/.exec(text)
  if (m) return { key: JSON.parse(`"${m[1]}"`) as string, rest: m[2] ?? '' }
  m = /^'((?:[^']|'')*)'\s*:(?:\s+(.*)|$)/.exec(text)
  if (m) return { key: m[1].replace(/''/g, "'"), rest: m[2] ?? '' }
  if (/^[[{]/.test(text)) return null
  m = /^([^\s:#][^:#]*?)\s*:(?:\s+(.*)|$)/.exec(text)
  if (m) return { key: m[1], rest: m[2] ?? '' }
  return null
}

function parseMap(lines: Line[], state: { pos: number }, indent: number): YamlMap {
  const out: YamlMap = {}
  for (;;) {
    skipBlank(lines, state)
    if (state.pos >= lines.length) break
    const line = lines[state.pos]
    if (line.indent < indent) break
    if (line.indent > indent) throw new Error(`mini-yaml: line ${line.no}: bad indentation`)
    if (line.text.startsWith('- ') || line.text === '-') break
    const entry = keyOf(line.text)
    if (!entry) throw new Error(`mini-yaml: line ${line.no}: expected "key: value", got "${line.text}"`)
    if (Object.prototype.hasOwnProperty.call(out, entry.key)) {
      throw new Error(`mini-yaml: line ${line.no}: duplicate key "${entry.key}"`)
    }
    state.pos++
    const rest = entry.rest.trim()
    if (/^[|>][+-]?$/.test(rest)) {
      out[entry.key] = parseBlockScalar(lines, state, indent, rest)
    } else if (rest !== '') {
      out[entry.key] = parseScalarOrFlow(rest, line.no)
    } else {
      skipBlank(lines, state)
      const next = lines[state.pos]
      if (next && next.indent > indent) {
        out[entry.key] = parseBlock(lines, state, next.indent)
      } else if (next && next.indent === indent && (next.text.startsWith('- ') || next.text === '-')) {
        out[entry.key] = parseSequence(lines, state, indent) // "key:\n- item" at the same indent
      } else {
        out[entry.key] = null
      }
    }
  }
  return out
}

function parseBlockScalar(lines: Line[], state: { pos: number }, parentIndent: number, header: string): string {
  const body: string[] = []
  let blockIndent = -1
  while (state.pos < lines.length) {
    const line = lines[state.pos]
    const isBlank = line.raw.trim() === ''
    const indentOfRaw = line.raw.length - line.raw.trimStart().length
    if (!isBlank && indentOfRaw <= parentIndent) break
    if (!isBlank && blockIndent < 0) blockIndent = indentOfRaw
    body.push(isBlank ? '' : line.raw.slice(blockIndent))
    state.pos++
  }
  while (body.length && body[body.length - 1] === '') body.pop()
  let text = header.startsWith('>') ? body.join('\n').replace(/([^\n])\n(?=[^\n ])/g, '$1 ') : body.join('\n')
  if (!header.endsWith('-')) text += '\n'
  return text
}

function parseScalarOrFlow(text: string, no: number): YamlValue {
  const t = text.trim()
  if (t.startsWith('[') || t.startsWith('{')) {
    const cursor = { s: t, i: 0 }
    const v = parseFlow(cursor, no)
    if (cursor.s.slice(cursor.i).trim() !== '') throw new Error(`mini-yaml: line ${no}: trailing text after flow value`)
    return v
  }
  if (/^[&*!]/.test(t)) throw new Error(`mini-yaml: line ${no}: anchors, aliases and tags are not supported`)
  return scalar(t, no)
}

function scalar(t: string, no: number): string | null {
  if (t === '' || t === '~' || t === 'null') return null
  if (t.startsWith('"')) {
    if (!/^"(?:[^"\\]|\\.)*"$/.test(t)) throw new Error(`mini-yaml: line ${no}: bad double-quoted string ${t}`)
    return JSON.parse(t) as string
  }
  if (t.startsWith("'")) {
    if (!/^'(?:[^']|'')*'$/.test(t)) throw new Error(`mini-yaml: line ${no}: bad single-quoted string ${t}`)
    return t.slice(1, -1).replace(/''/g, "'")
  }
  return t
}

function parseFlow(c: { s: string; i: number }, no: number): YamlValue {
  const ws = (): void => {
    while (c.i < c.s.length && /\s/.test(c.s[c.i])) c.i++
  }
  ws()
  const open = c.s[c.i]
  if (open === '[' || open === '{') {
    const close = open === '[' ? ']' : '}'
    c.i++
    const arr: YamlValue[] = []
    const map: YamlMap = {}
    ws()
    if (c.s[c.i] === close) {
      c.i++
      return open === '[' ? arr : map
    }
    for (;;) {
      ws()
      const item = flowAtom(c, no)
      ws()
      if (open === '{') {
        if (c.s[c.i] !== ':') throw new Error(`mini-yaml: line ${no}: expected ":" in flow map`)
        c.i++
        ws()
        const v = c.s[c.i] === '[' || c.s[c.i] === '{' ? parseFlow(c, no) : flowAtom(c, no)
        map[String(item)] = v
      } else {
        arr.push(item)
      }
      ws()
      if (c.s[c.i] === ',') {
        c.i++
        continue
      }
      if (c.s[c.i] === close) {
        c.i++
        return open === '[' ? arr : map
      }
      throw new Error(`mini-yaml: line ${no}: unterminated flow collection`)
    }
  }
  return flowAtom(c, no)
}

function flowAtom(c: { s: string; i: number }, no: number): YamlValue {
  const ch = c.s[c.i]
  if (ch === '[' || ch === '{') return parseFlow(c, no)
  if (ch === '"' || ch === "'") {
    const re = ch === '"' ? /^"(?:[^"\\]|\\.)*"/ : /^'(?:[^']|'')*'/
    const m = re.exec(c.s.slice(c.i))
    if (!m) throw new Error(`mini-yaml: line ${no}: bad quoted string in flow value`)
    c.i += m[0].length
    return scalar(m[0], no)
  }
  const m = /^[^,:[\]{}]*/.exec(c.s.slice(c.i))
  const raw = m ? m[0] : ''
  c.i += raw.length
  return scalar(raw.trim(), no)
}

export function asMap(v: YamlValue, what: string): YamlMap {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error(`${what} is not a map`)
  return v
}
