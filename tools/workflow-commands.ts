/**
 * The runner's side of an action's stdout: `::name props::value` workflow commands parsed
 * once, for the tests' assertions, the demo's readable log and the bench.
 */

export interface WorkflowCommand {
  name: string
  /** The value, with the toolkit's %0D, %0A and %25 escapes undone. */
  value: string
}

/** The workflow command on one line of stdout, or undefined for a plain log line. */
export function parseCommandLine(line: string): WorkflowCommand | undefined {
  const match = /^::([a-z-]+)(?: [^:]*)?::(.*)$/.exec(line)
  return match ? { name: match[1], value: unescapeData(match[2]) } : undefined
}

function unescapeData(value: string): string {
  return value.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%')
}

export interface WorkflowCommands {
  errors: string[]
  warnings: string[]
  masks: string[]
  debug: string[]
}

export function parseCommands(stdout: string): WorkflowCommands {
  const commands: WorkflowCommands = { errors: [], warnings: [], masks: [], debug: [] }
  const lists: Record<string, string[]> = { error: commands.errors, warning: commands.warnings, 'add-mask': commands.masks, debug: commands.debug }
  for (const line of stdout.split(/\r?\n/)) {
    const command = parseCommandLine(line)
    if (command) lists[command.name]?.push(command.value)
  }
  return commands
}

/** `text` with every secret replaced by ***, longest first so a prefix does not break a longer one. */
export function mask(text: string, secrets: string[]): string {
  let masked = text
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret) masked = masked.split(secret).join('***')
  }
  return masked
}

/** What the runner masks: each registered value, and each line of a multi-line one. */
function maskedByRunner(masks: string[]): string[] {
  const secrets = new Set<string>()
  for (const value of masks) {
    if (!value.trim()) continue
    secrets.add(value)
    for (const part of value.split(/\r?\n/)) if (part.trim().length >= 4) secrets.add(part)
  }
  return [...secrets]
}

export interface LogLine {
  kind: 'info' | 'warning' | 'error' | 'notice' | 'group'
  text: string
}

/** Commands that only talk to the runner: a reader of the Actions log never sees them. */
const HIDDEN = new Set(['add-mask', 'debug', 'set-output', 'save-state', 'add-path', 'set-env', 'echo', 'stop-commands', 'endgroup', 'add-matcher', 'remove-matcher'])

/** The log lines a reader of the Actions log would see (debug logging off), secrets masked. */
export function readableLog(stdout: string): LogLine[] {
  const secrets = maskedByRunner(parseCommands(stdout).masks)
  const lines: LogLine[] = []
  for (const raw of stdout.split(/\r?\n/)) {
    if (raw === '') continue
    const command = parseCommandLine(raw)
    if (command && HIDDEN.has(command.name)) continue
    const kind = command?.name
    if (kind === 'warning' || kind === 'error' || kind === 'notice' || kind === 'group') lines.push({ kind, text: mask(command!.value, secrets) })
    else lines.push({ kind: 'info', text: mask(raw, secrets) })
  }
  return lines
}
