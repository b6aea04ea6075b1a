/**
 * An action's stdout as a person reads it in the Actions log: workflow commands that
 * only talk to the runner (add-mask, set-output, debug, save-state, ...) are dropped,
 * ::warning:: / ::error:: / ::notice:: become readable lines, and every value the action
 * registered as a secret is replaced by ***, as the runner does.
 */
import type { Style } from './terminal-markdown.js'

export interface LogLine {
  kind: 'info' | 'warning' | 'error' | 'notice' | 'group'
  text: string
}

const HIDDEN = new Set(['add-mask', 'debug', 'set-output', 'save-state', 'add-path', 'set-env', 'echo', 'stop-commands', 'endgroup', 'add-matcher', 'remove-matcher'])

function unescapeData(value: string): string {
  return value.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%')
}

/** Secrets the action registered with ::add-mask:: (longest first, so a prefix does not break a longer one). */
export function registeredSecrets(stdout: string): string[] {
  const secrets = new Set<string>()
  for (const line of stdout.split(/\r?\n/)) {
    const match = /^::add-mask::(.*)$/.exec(line)
    if (!match) continue
    const value = unescapeData(match[1])
    if (value.trim()) {
      secrets.add(value)
      // The runner also masks each line of a multi-line secret.
      for (const part of value.split(/\r?\n/)) if (part.trim().length >= 4) secrets.add(part)
    }
  }
  return [...secrets].sort((a, b) => b.length - a.length)
}

export function mask(text: string, secrets: string[]): string {
  let masked = text
  for (const secret of secrets) masked = masked.split(secret).join('***')
  return masked
}

/** The log lines a reader of the Actions log would see (debug logging off). */
export function readableLog(stdout: string): LogLine[] {
  const secrets = registeredSecrets(stdout)
  const lines: LogLine[] = []
  for (const raw of stdout.split(/\r?\n/)) {
    if (raw === '') continue
    const command = /^::([a-z-]+)(?: [^:]*)?::(.*)$/.exec(raw)
    if (!command) {
      lines.push({ kind: 'info', text: mask(raw, secrets) })
      continue
    }
    const [, name, data] = command
    if (HIDDEN.has(name)) continue
    const text = mask(unescapeData(data), secrets)
    if (name === 'warning' || name === 'error' || name === 'notice' || name === 'group') lines.push({ kind: name, text })
    else lines.push({ kind: 'info', text: mask(raw, secrets) })
  }
  return lines
}

export function formatLogLine(line: LogLine, style: Style): string {
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
