/**
 * The engine, the GitHub adapter and the stores run in the test's own process against the
 * local GitHub API: no bundle, no child process. The waits GitHub asks for are injected
 * (no write spacing, retries a millisecond apart) and a sleep moves the server's clock
 * instead of the machine's, so hours of schedule take milliseconds.
 */
import { jest } from '@jest/globals'
import { parseConfig, type RawInputs } from '../../src/core/config.js'
import type { RunResult } from '../../src/core/types.js'
import type { Pacing } from '../../src/github/timing.js'
import { redeliverFailedDeliveries } from '../../src/session.js'
import type { LocalApi } from '../../local-api/index.js'

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
}

/** Pacing for tests: what GitHub asks for, with every wait spent on the local API's clock. */
export function simulatedPacing(api: LocalApi): Pacing {
  return {
    writeIntervalMs: 0,
    retryBaseMs: 1,
    verifyDelayMs: { dotcom: 30_000, ghes: 60_000 },
    sleep: async ms => {
      api.advanceClock(Math.max(0, ms))
    }
  }
}

export async function runInProcess(api: LocalApi, inputs: RawInputs, options: InProcessOptions = {}): Promise<InProcessRun> {
  const parsed = parseConfig(inputs, { GITHUB_API_URL: api.url, GITHUB_REPOSITORY: options.repository ?? 'acme/workflows' })
  if (!parsed.ok) return { error: parsed.errors.join(' '), log: [], warnings: [] }
  const log: string[] = []
  const warnings: string[] = []
  const pacing = simulatedPacing(api)
  if (options.sleep) pacing.sleep = options.sleep
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
 * with process.env already set as the runner would: what it wrote to stdout (its workflow
 * commands) and the exit code it set.
 */
export async function runActionMain(): Promise<{ exitCode: number; out: string }> {
  process.exitCode = undefined
  const chunks: string[] = []
  const write = jest.spyOn(process.stdout, 'write').mockImplementation(chunk => {
    chunks.push(String(chunk))
    return true
  })
  try {
    const { run } = await import('../../src/main.js')
    await run()
  } finally {
    write.mockRestore()
  }
  return { exitCode: Number(process.exitCode ?? 0), out: chunks.join('') }
}
