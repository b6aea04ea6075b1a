import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as core from '@actions/core'
import { INPUT_NAMES, parseConfig, secretInputs, type RawInputs } from './core/config.js'
import { ACTION_NAMING, render, renderInputError } from './core/input-errors.js'
import { OUTPUTS } from './core/inputs.generated.js'
import { redactSecrets } from './core/redact.js'
import { noTotals } from './core/types.js'
import type { Config } from './core/config.js'
import { renderReplay, renderReplaySummary, replayJson } from './core/replay-report.js'
import { shown, terminalSafeJson } from './core/shown.js'
import { buildReport, describeTarget, outputsOf, stepFailures, type OutputName } from './core/report.js'
import { replayInSession } from './recovery.js'
import { renderFailure, renderSummary } from './core/summary.js'
import { stoppedBecause, UserError } from './engine/ports.js'
import { defaultReportPath } from './report-file.js'
import { keepYoungGenerationSmall } from './runtime.js'
import { redeliverFailedDeliveries, type SessionIO } from './session.js'

const REPORT_FILE = 'report.json'

/**
 * The action: inputs from the runner, outputs, report file and job summary back to it, all through
 * `@actions/core` (which @github/local-action stands in for when it runs this function).
 */
export async function run(): Promise<void> {
  keepYoungGenerationSmall()
  // A cancelled job gets SIGINT, then SIGTERM seconds later: stop before the next redelivery
  // and still set the outputs, report and summary of what was sent.
  const interrupt = new AbortController()
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!interrupt.signal.aborted) core.warning(`${signal}: stopping after the request in progress; the bookmark, outputs, report and summary record what was sent.`)
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
    core.setSecret(secret)
  }
  const redact = (text: string): string => redactSecrets(text, secrets)
  try {
    const raw: RawInputs = {}
    for (const name of INPUT_NAMES) raw[name] = core.getInput(name)
    // Masked before anything else runs, so no later message can print them.
    for (const secret of secretInputs(raw)) mask(secret)

    const parsed = parseConfig(raw, { GITHUB_API_URL: process.env.GITHUB_API_URL, GITHUB_REPOSITORY: process.env.GITHUB_REPOSITORY })
    if (!parsed.ok) {
      // Each input error an annotation of its own, and the step fails (exit code 1).
      const messages = parsed.errors.map(error => renderInputError(error, ACTION_NAMING))
      for (const message of messages) core.setFailed(shown(message))
      await writeSummary(redact(renderFailure(messages.join(' '))))
      return
    }
    const { config } = parsed
    for (const warning of parsed.warnings) core.warning(shown(render(warning, ACTION_NAMING)))
    // What GitHub sent, quoted in these lines, with its control characters escaped: no line it breaks can start a workflow command.
    const log = { info: (m: string) => core.info(shown(m)), warning: (m: string) => core.warning(shown(m)), debug: (m: string) => core.debug(shown(m)) }
    if (config.replay) {
      await replayAction(config, { log, mask, signal: interrupt }, redact)
      return
    }
    const result = await redeliverFailedDeliveries(config, { log, mask, signal: interrupt })

    // The redeliveries are done and the bookmark saved: a report that cannot be written is a warning.
    let reportPath = ''
    try {
      reportPath = writeReport(terminalSafeJson(redact(JSON.stringify(buildReport(config.target, result), null, 2))))
    } catch (error) {
      core.warning(shown(`Could not write the report file: ${error instanceof Error ? error.message : String(error)}`))
    }
    setOutputs(outputsOf(result.totals, reportPath))
    await writeSummary(redact(renderSummary(result)))
    const failures = stepFailures(result, config.failOn)
    if (failures.length > 0) core.setFailed(failures.map(failure => shown(failure)).join('\n'))
    else for (const failure of result.failures) core.warning(shown(failure))
  } catch (error) {
    const message = stoppedBecause(error)
    core.setFailed(shown(message))
    if (!(error instanceof UserError) && error instanceof Error && error.stack)
      core.debug(
        error.stack
          .split('\n')
          .map(line => shown(line))
          .join('\n')
      )
    await writeSummary(redact(renderFailure(message)))
  }
}

/** A replay (`replay-since`): its outputs, a report of it and its job summary; it fails the step when it could not finish (as `fail-on: errors`). */
async function replayAction(config: Config, io: SessionIO, redact: (text: string) => string): Promise<void> {
  const result = await replayInSession(config, io)
  let reportPath = ''
  try {
    reportPath = writeReport(terminalSafeJson(redact(JSON.stringify({ version: 1, target: describeTarget(config.target), replay: replayJson(result) }, null, 2))))
  } catch (error) {
    core.warning(shown(`Could not write the report file: ${error instanceof Error ? error.message : String(error)}`))
  }
  setOutputs(outputsOf(noTotals(), reportPath, { replayed: result.sent, left: result.left }))
  for (const line of redact(renderReplay(result, describeTarget(config.target))).split('\n')) core.info(shown(line))
  await writeSummary(redact(renderReplaySummary(result, describeTarget(config.target))))
  const failures = config.failOn.size > 0 ? result.failures : []
  if (failures.length > 0) core.setFailed(failures.map(failure => shown(redact(failure))).join('\n'))
  else for (const failure of result.failures) core.warning(shown(redact(failure)))
}

/** The redeliveries are made by now: outputs that cannot be set are a warning, not a failed step. */
function setOutputs(outputs: Record<OutputName, number | string>): void {
  // @actions/core would throw "Missing file at path": say what it means for the run instead.
  const file = process.env.GITHUB_OUTPUT
  if (file && !existsSync(file)) {
    core.warning(`GITHUB_OUTPUT names a file that does not exist (${file}), so the step's outputs cannot be set. The run's results are in its log, report and job summary.`)
    return
  }
  try {
    // In action.yml's order.
    for (const { name } of OUTPUTS) core.setOutput(name, outputs[name])
  } catch (error) {
    core.warning(`Could not set the step's outputs in the file named by GITHUB_OUTPUT: ${error instanceof Error ? error.message : String(error)}`)
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

/**
 * The job summary, through the toolkit's `core.summary`. Like the report, a summary that cannot be
 * written is a warning: it must not fail a run that did its work. Outside a runner (a local run,
 * @github/local-action without GITHUB_STEP_SUMMARY) there is no summary file and
 * `core.summary.write()` would throw: the summary is shown in the log instead, in a group.
 */
async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.startGroup('Job summary (GITHUB_STEP_SUMMARY is not set: shown here)')
    core.info(markdown.trimEnd())
    core.endGroup()
    return
  }
  try {
    await core.summary.addRaw(markdown).write()
  } catch (error) {
    // The toolkit keeps what was not written in its buffer: a later summary must not carry it.
    core.summary.emptyBuffer()
    core.warning(`Could not write the job summary to the file named by GITHUB_STEP_SUMMARY: ${error instanceof Error ? error.message : String(error)}`)
  }
}
