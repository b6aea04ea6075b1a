import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as runner from './action/runner.js'
import { INPUT_NAMES, parseConfig, secretInputs, type RawInputs } from './core/config.js'
import { redactSecrets } from './core/redact.js'
import type { Config } from './core/config.js'
import { renderReplay, renderReplaySummary, replayJson } from './core/replay-report.js'
import { buildReport, describeTarget, outputsOf, stepFailures } from './core/report.js'
import { replayInSession } from './recovery.js'
import { renderFailure, renderSummary } from './core/summary.js'
import type { RunResult } from './core/types.js'
import { stoppedBecause, UserError } from './engine/ports.js'
import { defaultReportPath } from './report-file.js'
import { redeliverFailedDeliveries, type SessionIO } from './session.js'

const REPORT_FILE = 'report.json'

/** The action: inputs from the runner, outputs, report file and job summary back to it. */
export async function run(): Promise<void> {
  // A cancelled job gets SIGINT, then SIGTERM seconds later: stop before the next redelivery
  // and still set the outputs, report and summary of what was sent.
  const interrupt = new AbortController()
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!interrupt.signal.aborted) runner.warning(`${signal}: stopping after the request in progress; the bookmark, outputs, report and summary record what was sent.`)
    interrupt.abort(signal)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    await runAction(interrupt.signal)
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

async function runAction(interrupt: AbortSignal): Promise<void> {
  // The runner masks secrets in the log only: the report file and the job summary are redacted here.
  const secrets = new Set<string>()
  // Each secret once: the app's JWTs are remade per request, and one second makes the same one.
  const mask = (secret: string): void => {
    if (!secret || secrets.has(secret)) return
    secrets.add(secret)
    runner.setSecret(secret)
  }
  const redact = (text: string): string => redactSecrets(text, secrets)
  try {
    const raw: RawInputs = {}
    for (const name of INPUT_NAMES) raw[name] = runner.getInput(name)
    // Masked before anything else runs, so no later message can print them.
    for (const secret of secretInputs(raw)) mask(secret)

    const parsed = parseConfig(raw, { GITHUB_API_URL: process.env.GITHUB_API_URL, GITHUB_REPOSITORY: process.env.GITHUB_REPOSITORY })
    if (!parsed.ok) {
      for (const message of parsed.errors) runner.error(message)
      process.exitCode = 1
      writeSummaryText(redact(renderFailure(parsed.errors.join(' '))))
      return
    }
    const { config } = parsed
    for (const warning of parsed.warnings) runner.warning(warning)
    if (config.replay) {
      await replayAction(config, { log: { info: runner.info, warning: runner.warning, debug: runner.debug }, mask, signal: interrupt }, redact)
      return
    }
    const result = await redeliverFailedDeliveries(config, {
      log: { info: runner.info, warning: runner.warning, debug: runner.debug },
      mask,
      signal: interrupt
    })

    // The redeliveries are done and the bookmark saved: a report that cannot be written is a warning.
    let reportPath = ''
    try {
      reportPath = writeReport(redact(JSON.stringify(buildReport(config.target, result), null, 2)))
    } catch (error) {
      runner.warning(`Could not write the report file: ${error instanceof Error ? error.message : String(error)}`)
    }
    setOutputs(result, reportPath)
    writeSummaryText(redact(renderSummary(result)))
    const failures = stepFailures(result, config.failOn)
    if (failures.length > 0) runner.setFailed(failures.join('\n'))
    else for (const failure of result.failures) runner.warning(failure)
  } catch (error) {
    const message = stoppedBecause(error)
    runner.setFailed(message)
    if (!(error instanceof UserError) && error instanceof Error && error.stack) runner.debug(error.stack)
    writeSummaryText(redact(renderFailure(message)))
  }
}

/** A replay (`replay-since`): its outputs, a report of it and its job summary; it fails the step when it could not finish (as `fail-on: errors`). */
async function replayAction(config: Config, io: SessionIO, redact: (text: string) => string): Promise<void> {
  const result = await replayInSession(config, io)
  let reportPath = ''
  try {
    reportPath = writeReport(redact(JSON.stringify({ version: 1, target: describeTarget(config.target), replay: replayJson(result) }, null, 2)))
  } catch (error) {
    runner.warning(`Could not write the report file: ${error instanceof Error ? error.message : String(error)}`)
  }
  const totals = { scanned: 0, failed: 0, redelivered: 0, skipped: 0, errors: 0, givenUp: 0, receiversDown: 0, expiring: 0 }
  try {
    for (const [name, value] of Object.entries(outputsOf(totals, reportPath, { replayed: result.sent, left: result.left }))) runner.setOutput(name, value)
  } catch (error) {
    runner.warning(`Could not set the step's outputs: ${error instanceof Error ? error.message : String(error)}`)
  }
  runner.info(redact(renderReplay(result, describeTarget(config.target))))
  writeSummaryText(redact(renderReplaySummary(result, describeTarget(config.target))))
  const failures = config.failOn.size > 0 ? result.failures : []
  if (failures.length > 0) runner.setFailed(failures.map(redact).join('\n'))
  else for (const failure of result.failures) runner.warning(redact(failure))
}

/** The redeliveries are made by now: outputs that cannot be set are a warning, not a failed step. */
function setOutputs(result: RunResult, reportPath: string): void {
  const file = process.env.GITHUB_OUTPUT
  if (file && !existsSync(file)) {
    runner.warning(`GITHUB_OUTPUT names a file that does not exist (${file}), so the step's outputs cannot be set. The run's results are in its log, report and job summary.`)
    return
  }
  const { totals } = result
  try {
    for (const [name, value] of Object.entries(outputsOf(totals, reportPath))) runner.setOutput(name, value)
  } catch (error) {
    runner.warning(`Could not set the step's outputs in the file named by GITHUB_OUTPUT: ${error instanceof Error ? error.message : String(error)}`)
  }
}

/**
 * On a runner, a directory of its own under RUNNER_TEMP (which the runner empties after the
 * job), so two steps of one job keep their own reports. Outside one (a local debugging run),
 * the user's one report directory, so runs do not pile up folders.
 */
function writeReport(json: string): string {
  const runnerTemp = process.env.RUNNER_TEMP
  let path: string
  if (runnerTemp) {
    mkdirSync(runnerTemp, { recursive: true })
    path = join(mkdtempSync(join(runnerTemp, 'webhook-redelivery-')), REPORT_FILE)
  } else {
    path = defaultReportPath()
  }
  writeFileSync(path, json + '\n')
  return path
}

/** Like the report, a job summary that cannot be written is a warning: it must not fail a run that did its work. */
function writeSummaryText(markdown: string): void {
  // Local runs have no summary file.
  if (!process.env.GITHUB_STEP_SUMMARY) return
  try {
    runner.appendSummary(markdown)
  } catch (error) {
    runner.warning(`Could not write the job summary to the file named by GITHUB_STEP_SUMMARY: ${error instanceof Error ? error.message : String(error)}`)
  }
}
