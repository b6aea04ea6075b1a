import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, resolve } from 'node:path'
import { parseConfig, secretInputs, type RawInputs } from '../core/config.js'
import { CLI_NAMING, render, renderInputError } from '../core/input-errors.js'
import { VERSION } from '../core/inputs.generated.js'
import { plural } from '../core/plural.js'
import { redactSecrets } from '../core/redact.js'
import { shown, terminalSafeJson } from '../core/shown.js'
import { buildReport, describeTarget, outputsOf, stepFailures } from '../core/report.js'
import { stoppedBecause, type Logger } from '../engine/ports.js'
import { defaultReportPath } from '../report-file.js'
import { redeliverFailedDeliveries } from '../session.js'
import { FileLock, FileStore, linkTarget } from '../state/file-store.js'
import { HELP, parseCliArgs, type CliOptions } from './args.js'
import { clashingFiles, unusableFilePath } from './files.js'
import { MetricsFile } from './metrics-file.js'
import { runRecovery } from './recovery.js'

export interface Streams {
  stdout: (text: string) => void
  stderr: (text: string) => void
  stderrIsTerminal: boolean
}

const defaultStreams: Streams = {
  stdout: text => process.stdout.write(text),
  stderr: text => process.stderr.write(text),
  stderrIsTerminal: process.stderr.isTTY === true
}

/** Exit codes of a run interrupted by a signal: 128 + its number, as shells report it. */
export const INTERRUPTED_EXIT_CODES: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 }

/**
 * Runs the command line; returns the exit code (0 done, 1 errors or bad input, 130/143
 * interrupted). `interrupt` is aborted, with the signal's name as reason, on SIGINT/SIGTERM.
 */
export async function main(argv: string[], env: NodeJS.ProcessEnv, streams: Streams = defaultStreams, interrupt?: AbortSignal): Promise<number> {
  const secrets: string[] = []
  const redact = (text: string): string => redactSecrets(text, secrets)
  // Errors and warnings leave through here: secrets blanked, and what GitHub sent (quoted in them)
  // with its control characters escaped. Inputs were named as flags where the messages were made (CLI_NAMING).
  const say = (message: string): string => shown(redact(message))
  const fail = (message: string): number => {
    streams.stderr(`error: ${say(message)}\n`)
    return 1
  }

  if (argv[0] === 'explain' || argv[0] === 'replay') return runRecovery(argv[0], argv.slice(1), env, streams, interrupt)
  const parsed = parseCliArgs(argv)
  if (!parsed.ok) return fail(parsed.error)
  const options = parsed.options
  // The action's replay inputs as flags: the replay subcommand.
  if (options.inputs['replay-since'] !== undefined && !options.help && !options.version) return runRecovery('replay', argv, env, streams, interrupt)
  if (options.help) {
    streams.stdout(HELP)
    return 0
  }
  if (options.version) {
    streams.stdout(`${VERSION}\n`)
    return 0
  }

  const taken = takeInputs(options, env)
  if ('error' in taken) return fail(taken.error)
  const { inputs } = taken
  secrets.push(...secretInputs(inputs))
  if (options.stateFile && inputs['state-variable']) {
    return fail('--state-file and --state-variable both keep the bookmark: give one.')
  }
  const clash = clashingFiles(options)
  if (clash) return fail(clash)

  const result = parseConfig(inputs, { GITHUB_API_URL: env.GITHUB_API_URL, GITHUB_REPOSITORY: env.GITHUB_REPOSITORY })
  if (!result.ok) {
    const messages = result.errors.map(error => say(renderInputError(error, CLI_NAMING)))
    for (const message of messages) streams.stderr(`error: ${message}\n`)
    // A reader of --json gets one object whenever the flags were understood: here, why nothing ran.
    if (options.json) streams.stdout(JSON.stringify({ failures: messages }) + '\n')
    return 1
  }
  const { config } = result
  for (const warning of result.warnings) streams.stderr(`warning: ${say(render(warning, CLI_NAMING))}\n`)

  const log = cliLogger(streams, redact, options.debug)

  const unusableMetricsFile = options.metricsFile ? unusableFilePath('--metrics-file', options.metricsFile) : undefined
  if (unusableMetricsFile) return fail(unusableMetricsFile)
  const metrics = options.metricsFile ? new MetricsFile(resolve(options.metricsFile), describeTarget(config.target), log, redact) : undefined
  let lock: FileLock | undefined
  // Once no other run holds the lock, a run that ends in an error is one the metrics must report.
  let started = false
  try {
    let store: FileStore | undefined
    if (options.stateFile) {
      const opened = openStateFile(options.stateFile)
      if ('error' in opened) return fail(opened.error)
      ;({ lock, store } = opened)
    }
    started = true
    if (streams.stderrIsTerminal) streams.stderr(`Scanning ${describeTarget(config.target)}...\n`)
    const run = await redeliverFailedDeliveries(config, {
      log,
      mask: secret => {
        if (!secrets.includes(secret)) secrets.push(secret)
      },
      store,
      signal: interrupt,
      naming: CLI_NAMING
    })
    // The redeliveries are done and the bookmark saved: a report that cannot be written is a warning, not a failed run.
    let reportPath = ''
    try {
      // Beside the state file under cron, else in the user's own directory: runs never pile up directories.
      reportPath = options.reportFile ? resolve(options.reportFile) : options.stateFile ? `${resolve(options.stateFile)}.report.json` : defaultReportPath(env.TMPDIR || tmpdir())
      const problem = options.reportFile ? unusableFilePath('--report-file', options.reportFile) : undefined
      if (problem) throw new Error(problem)
      mkdirSync(dirname(reportPath), { recursive: true })
      writeFileSync(reportPath, terminalSafeJson(redact(JSON.stringify(buildReport(config.target, run), null, 2))) + '\n')
    } catch (error) {
      // Without a path of its own (the default directory refused), the error names the directory.
      log.warning(`Could not write the report${reportPath ? ` ${reportPath}` : ''}: ${(error as Error).message}`)
      reportPath = ''
    }
    metrics?.write(run)
    // The action's output names, as `--json` promises, and what failed the run: the counts alone can read as success.
    const outputs = { ...outputsOf(run.totals, reportPath), failures: run.failures.map(redact) }
    if (options.json) streams.stdout(terminalSafeJson(JSON.stringify(outputs)) + '\n')
    else {
      const t = run.totals
      const notScanned = run.hooks.filter(h => h.scanError).length
      const scanGaps = notScanned > 0 ? ` ${notScanned} of ${plural(run.hooks.length, 'hook')} could not be scanned.` : ''
      streams.stdout(
        `${run.dryRun ? 'Dry run: ' : ''}scanned ${plural(t.scanned, 'attempt')}; ${t.failed} failing: ${t.redelivered} redelivered, ${t.skipped} skipped, ${plural(t.errors, 'error')}${t.givenUp > 0 ? `; ${t.givenUp} given up` : ''}${t.receiversDown > 0 ? `; ${plural(t.receiversDown, 'receiver')} down` : ''}${t.expiring > 0 ? `; ${t.expiring} leaving GitHub's redelivery window soon` : ''}.${scanGaps}${reportPath ? `\nReport: ${reportPath}` : ''}\n`
      )
    }
    const failures = stepFailures(run, config.failOn, CLI_NAMING)
    for (const failure of run.failures) if (!failures.includes(failure)) streams.stderr(`warning: ${say(failure)}\n`)
    for (const failure of failures) streams.stderr(`error: ${say(failure)}\n`)
    if (interrupt?.aborted) return INTERRUPTED_EXIT_CODES[String(interrupt.reason)] ?? 1
    return failures.length > 0 ? 1 : 0
  } catch (error) {
    if (started) metrics?.failed(Date.now())
    const message = stoppedBecause(error)
    // A reader of --json gets one object on every run that got going: here, only why it stopped.
    if (options.json) streams.stdout(JSON.stringify({ failures: [say(message)] }) + '\n')
    return fail(message)
  } finally {
    lock?.release()
  }
}

/** The inputs of the flags, with the secrets from the environment (or the key file). */
export function takeInputs(options: CliOptions, env: NodeJS.ProcessEnv): { inputs: RawInputs } | { error: string } {
  const inputs = { ...options.inputs }
  if (env.GITHUB_TOKEN) inputs.token = env.GITHUB_TOKEN
  if (options.privateKeyFile) {
    try {
      inputs['private-key'] = readFileSync(options.privateKeyFile, 'utf8')
    } catch (error) {
      return { error: `--private-key-file: cannot read ${options.privateKeyFile}: ${(error as Error).message}` }
    }
  } else if (env.GITHUB_APP_PRIVATE_KEY) {
    inputs['private-key'] = env.GITHUB_APP_PRIVATE_KEY
  }
  return { inputs }
}

/**
 * Log lines on stderr: secrets blanked, and what GitHub sent (quoted in them) with its control
 * characters escaped; debug lines with --debug. Inputs are named as flags where the lines are made (CLI_NAMING).
 */
export function cliLogger(streams: Streams, redact: (text: string) => string, debug: boolean): Logger {
  return {
    info: message => streams.stderr(`${shown(redact(message))}\n`),
    warning: message => streams.stderr(`warning: ${shown(redact(message))}\n`),
    debug: message => {
      if (debug) streams.stderr(`debug: ${shown(redact(message))}\n`)
    }
  }
}

/** The state file's store, its lock taken: one run at a time on one state file. */
export function openStateFile(given: string): { lock: FileLock; store: FileStore } | { error: string } {
  const path = resolve(given)
  const problem = unusableFilePath('--state-file', given)
  if (problem) return { error: problem }
  mkdirSync(dirname(path), { recursive: true })
  // Beside the file a symlink leads to: two links to one state file share one lock.
  const lock = new FileLock(`${linkTarget(path)}.lock`)
  lock.acquire()
  return { lock, store: new FileStore(path) }
}
