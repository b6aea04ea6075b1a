/**
 * What a message may show of a value from outside (GitHub's answers, a state file, an input).
 *
 * Every control character is escaped: C0 (line breaks and ESC among them), DEL, C1, and the
 * invisible format characters that reorder or hide text (bidi embeddings, overrides and isolates,
 * zero-width characters, line and paragraph separators). Such a value cannot move the cursor,
 * recolour or retitle a terminal, start a new line of the log (one that could begin with `::`,
 * a workflow command) or reorder what is shown around it.
 */
// eslint-disable-next-line no-control-regex -- control characters are what this finds
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }

function escapeControl(char: string): string {
  const code = char.charCodeAt(0)
  return NAMED[char] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`)
}

/**
 * `text` with its control characters escaped (see above), cut to `max` characters (the last
 * three `...`), and never starting with `::`: a line it begins is no workflow command.
 */
export function shown(text: string, max = Number.POSITIVE_INFINITY): string {
  let out = text.replace(CONTROL, escapeControl)
  // Cut between escapes, never inside one.
  if (out.length > max) out = `${out.slice(0, max - 3).replace(/\\(?:x[0-9a-f]?|u[0-9a-f]{0,3})?$/, '')}...`
  return out.startsWith('::') ? `\\x3a${out.slice(1)}` : out
}

/**
 * JSON text (a report, `--json`) that a terminal shows as it is when the file is `cat`ed:
 * JSON.stringify escapes C0 already; DEL, C1 and the format characters are escaped here too,
 * as \uXXXX, which any JSON reader reads back as the same characters.
 */
export function terminalSafeJson(json: string): string {
  return json.replace(/[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g, char => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
