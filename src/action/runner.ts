/**
 * The GitHub Actions runner's contract, the part this action speaks: inputs from `INPUT_*`
 * variables, workflow commands on stdout, outputs and the job summary in the files the runner
 * names. It writes the same bytes as `@actions/core` (differential tests in
 * `__tests__/action/runner.test.ts` hold it to that), without the toolkit's HTTP client, whose
 * undici was two thirds of the bundle and evaluated on every start.
 */
import { randomUUID } from 'node:crypto'
import { accessSync, appendFileSync, constants } from 'node:fs'
import { EOL } from 'node:os'

/** The value of an input declared in action.yml: `INPUT_` + its name with spaces as `_`, upper case; trimmed, empty when unset. */
export function getInput(name: string): string {
  return (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim()
}

/** Asks the runner to mask the value in the log from now on. */
export function setSecret(secret: string): void {
  issueCommand('add-mask', {}, secret)
}

export function info(message: string): void {
  process.stdout.write(message + EOL)
}

/** Shown only when the run has debug logging on (the runner filters by RUNNER_DEBUG, not this process). */
export function debug(message: string): void {
  issueCommand('debug', {}, message)
}

export function warning(message: string): void {
  issueCommand('warning', {}, message)
}

export function error(message: string): void {
  issueCommand('error', {}, message)
}

/** An error annotation, and exit code 1 once the process ends; it does not stop the process. */
export function setFailed(message: string): void {
  process.exitCode = 1
  error(message)
}

/**
 * A step output, as a heredoc in the file named by GITHUB_OUTPUT (its delimiter random, so a value
 * cannot end it early); without that variable, the older `::set-output::` command.
 */
export function setOutput(name: string, value: string | number, newDelimiter: () => string = () => `ghadelimiter_${randomUUID()}`): void {
  const text = String(value)
  const file = process.env.GITHUB_OUTPUT
  if (!file) {
    process.stdout.write(EOL)
    issueCommand('set-output', { name }, text)
    return
  }
  let delimiter = newDelimiter()
  while (name.includes(delimiter) || text.includes(delimiter)) delimiter = newDelimiter()
  appendFileSync(file, `${name}<<${delimiter}${EOL}${text}${EOL}${delimiter}${EOL}`, { encoding: 'utf8' })
}

/**
 * Appends Markdown to the job summary, the file named by GITHUB_STEP_SUMMARY, which must exist and
 * be writable. Synchronous: node:fs/promises is one more module to load on every start.
 */
export function appendSummary(markdown: string): void {
  const file = process.env.GITHUB_STEP_SUMMARY
  if (!file) throw new Error('GITHUB_STEP_SUMMARY is not set: this runner does not support job summaries')
  try {
    accessSync(file, constants.R_OK | constants.W_OK)
  } catch {
    throw new Error(`cannot read and write the file ${file}`)
  }
  appendFileSync(file, markdown, { encoding: 'utf8' })
}

/** `::command key=value,…::message`, escaped so that a value cannot end the line or the command. */
function issueCommand(command: string, properties: Record<string, string>, message: string): void {
  const entries = Object.entries(properties)
  // As the toolkit writes it: a space after the command whenever properties were given, even all empty.
  const props =
    entries.length === 0
      ? ''
      : ' ' +
        entries
          .filter(([, value]) => value)
          .map(([key, value]) => `${key}=${escapeProperty(value)}`)
          .join(',')
  process.stdout.write(`::${command}${props}::${escapeData(message)}${EOL}`)
}

function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C')
}
