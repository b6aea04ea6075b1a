/**
 * The engine, the GitHub adapter and the stores run in the test's own process against the
 * local GitHub API: no bundle, no child process. The waits GitHub asks for are injected
 * (no write spacing, retries a millisecond apart) and a sleep moves the server's clock
 * instead of the machine's, so hours of schedule take milliseconds.
 */
import { afterEach, beforeEach, jest } from '@jest/globals'
import * as core from '@actions/core'
import { parseConfig, type RawInputs } from '../../src/core/config.js'
import { ACTION_NAMING, renderInputError } from '../../src/core/input-errors.js'
import type { RunResult } from '../../src/core/types.js'
import { GITHUB_PACING, type Pacing } from '../../src/github/timing.js'
import { redeliverFailedDeliveries } from '../../src/session.js'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import type { LocalApi } from '../../local-api/index.js'
import { main } from '../../src/cli/main.js'
import { parseCommands, parseOutputs, runnerEnvironment, type ActionRun, type ActionRunOptions } from '../../tools/runner.js'

export interface InProcessRun {
  result?: RunResult
  /** The run ended early with this error (as the action would print it). */
  error?: string
  log: string[]
  warnings: string[]
}

export interface InProcessOptions {
  repository?: string
  /** Replaces the sleep that moves the server clock (e.g. to cancel a run while it waits). */
  sleep?: (ms: number) => Promise<void>
  /** The time limit of one request (GitHub's pacing: a minute). */
  requestTimeoutMs?: number
}

/** Pacing for tests: what GitHub asks for, with every wait spent on the local API's clock. */
export function simulatedPacing(api: LocalApi): Pacing {
  return {
    writeIntervalMs: 0,
    retryBaseMs: 1,
    verifyDelayMs: { dotcom: 30_000, ghes: 60_000 },
    requestTimeoutMs: GITHUB_PACING.requestTimeoutMs,
    sleep: async ms => {
      api.advanceClock(Math.max(0, ms))
    }
  }
}

export async function runInProcess(api: LocalApi, inputs: RawInputs, options: InProcessOptions = {}): Promise<InProcessRun> {
  const parsed = parseConfig(inputs, { GITHUB_API_URL: api.url, GITHUB_REPOSITORY: options.repository ?? 'acme/workflows' })
  if (!parsed.ok) return { error: parsed.errors.map(error => renderInputError(error, ACTION_NAMING)).join(' '), log: [], warnings: [] }
  const log: string[] = []
  const warnings: string[] = []
  const pacing = simulatedPacing(api)
  if (options.sleep) pacing.sleep = options.sleep
  if (options.requestTimeoutMs) pacing.requestTimeoutMs = options.requestTimeoutMs
  try {
    const result = await redeliverFailedDeliveries(parsed.config, {
      log: { info: m => log.push(m), warning: m => (warnings.push(m), log.push(`warning: ${m}`)), debug: m => log.push(`debug: ${m}`) },
      mask: () => undefined,
      pacing
    })
    return { result, log, warnings }
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error), log, warnings }
  }
}

/**
 * The action's own `run()` (src/main.ts) in this process, as @github/local-action calls it,
 * with process.env already set as the runner would: what it printed (stdout: its workflow
 * commands) and the exit code it set.
 */
export async function runActionMain(): Promise<{ exitCode: number; out: string; err: string }> {
  process.exitCode = undefined
  const chunks: string[] = []
  const errChunks: string[] = []
  const to =
    (sink: string[]) =>
    (...args: unknown[]) =>
      void sink.push(`${args.map(String).join(' ')}\n`)
  // Everything a process of its own would print: the streams, the console (which jest keeps
  // apart from the streams) and Node's warnings.
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation(chunk => (chunks.push(String(chunk)), true)),
    jest.spyOn(process.stderr, 'write').mockImplementation(chunk => (errChunks.push(String(chunk)), true)),
    ...(['log', 'info', 'debug'] as const).map(name => jest.spyOn(console, name).mockImplementation(to(chunks))),
    ...(['warn', 'error'] as const).map(name => jest.spyOn(console, name).mockImplementation(to(errChunks))),
    jest.spyOn(process, 'emitWarning').mockImplementation(to(errChunks))
  ]
  // A step is a process of its own, with a fresh @actions/core; here the module stays loaded
  // between runs, and its job summary keeps the first GITHUB_STEP_SUMMARY it resolved.
  Object.assign(core.summary.emptyBuffer(), { _filePath: undefined })
  try {
    const { run } = await import('../../src/main.js')
    await run()
  } finally {
    for (const spy of spies) spy.mockRestore()
  }
  return { exitCode: Number(process.exitCode ?? 0), out: chunks.join(''), err: errChunks.join('') }
}

/**
 * GitHub's pacing (GITHUB_PACING, which the action's and the CLI's entry points take) `scale`
 * times as long in this process until the undo: write spacing, retry backoff and the verify
 * delay. The waits GitHub asks for in a rate-limit answer stay as it asks.
 */
export function shortenGitHubPacing(scale: number): () => void {
  const original = { ...GITHUB_PACING }
  Object.assign(GITHUB_PACING, {
    writeIntervalMs: Math.round(original.writeIntervalMs * scale),
    retryBaseMs: Math.max(1, Math.round(original.retryBaseMs * scale)),
    verifyDelayMs: { dotcom: original.verifyDelayMs.dotcom * scale, ghes: original.verifyDelayMs.ghes * scale }
  })
  return () => void Object.assign(GITHUB_PACING, original)
}

/**
 * For each test of the file, GitHub's pacing `scale` times as long (shortenGitHubPacing), for
 * tests that run the action's or the CLI's own entry point. `realWaits()` restores it inside a test.
 */
export function shortenWaitsInEachTest(scale = 0.01): { realWaits: () => void } {
  let undo = (): void => undefined
  beforeEach(() => {
    undo = shortenGitHubPacing(scale)
  })
  afterEach(() => undo())
  return { realWaits: () => undo() }
}

/**
 * `runAction` of tools/runner.ts, in this process: the action's own `run()` (src/main.ts, the
 * sources, not the bundle) with process.env built as the runner builds it, GitHub's waits
 * `timeScale` times as long (0.01 by default), and the outputs, summary, report and workflow
 * commands read back the same way. `killWhen` can only observe (the run cannot be killed here):
 * a run that must die mid-way is a test of the bundle.
 */
export async function runActionInProcess(options: ActionRunOptions): Promise<ActionRun> {
  const { env, temp, outputFile, summaryFile } = runnerEnvironment({ ...options, timeScale: undefined })
  const saved = process.env
  const undo = shortenGitHubPacing(options.timeScale ?? 0.01)
  let killAsked = false
  const poll = options.killWhen && setInterval(() => (killAsked ||= options.killWhen!()), 5)
  const startedAt = Date.now()
  try {
    process.env = { ...env }
    const { exitCode, out, err } = await runActionMain()
    if (killAsked) throw new Error('killWhen asked for a kill, which only a spawned run can do (runAction)')
    const outputs = parseOutputs(readFileSync(outputFile, 'utf8'))
    let report: unknown
    if (outputs.report && existsSync(outputs.report)) report = JSON.parse(readFileSync(outputs.report, 'utf8'))
    const endedAt = Date.now()
    const summary = readFileSync(summaryFile, 'utf8')
    return { exitCode, signal: null, stdout: out, stderr: err, outputs, summary, commands: parseCommands(out), report, env, wallMs: endedAt - startedAt, startedAt, endedAt }
  } finally {
    if (poll) clearInterval(poll)
    undo()
    process.env = saved
    process.exitCode = undefined
    if (!options.keepTemp) rmSync(temp, { recursive: true, force: true })
  }
}

export interface CliInProcessRun {
  code: number
  stdout: string
  stderr: string
}

/**
 * main() of src/cli/main.ts in this process with the environment and working directory a
 * spawned CLI would have: process.env is `env` (and main() is given it) and the working
 * directory `cwd` (when given) for the run, both restored after it. What it wrote to stdout
 * and stderr, and its exit code.
 */
export async function runCliInProcess(args: string[], env: NodeJS.ProcessEnv, options: { cwd?: string; interrupt?: AbortSignal } = {}): Promise<CliInProcessRun> {
  const saved = { env: process.env, cwd: process.cwd(), exitListeners: process.listeners('exit') }
  let stdout = ''
  let stderr = ''
  try {
    process.env = { ...env }
    if (options.cwd !== undefined) process.chdir(options.cwd)
    const code = await main(args, process.env, { stdout: text => void (stdout += text), stderr: text => void (stderr += text), stderrIsTerminal: false }, options.interrupt)
    return { code, stdout, stderr }
  } finally {
    process.env = saved.env
    process.chdir(saved.cwd)
    // The lock's release on exit (already released): a CLI process would end here.
    for (const listener of process.listeners('exit')) if (!saved.exitListeners.includes(listener)) process.off('exit', listener)
  }
}
