/**
 * How an action run ends when the runner's files let it down: run() of src/main.ts in
 * process, against the local GitHub API, with the runner's environment built by hand.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startLocalApi, type LocalApi } from '../../local-api/index.js'
import { runActionMain, shortenWaitsInEachTest } from '../support/in-process.js'
import { parseCommands, runAction as runBundledAction } from '../support/runner.js'
import { acceptedIds, addFailure, HOUR, MINUTE, redeliveryCounts } from '../support/world.js'

let api: LocalApi
shortenWaitsInEachTest()
let temp: string
const saved = { ...process.env }

beforeAll(async () => {
  api = await startLocalApi({ seed: 5 })
})
afterAll(async () => {
  process.env = saved
  await api.close()
})
beforeEach(() => {
  temp = mkdtempSync(join(tmpdir(), 'action-run-end-'))
})
afterEach(() => {
  process.env = { ...saved }
  process.exitCode = undefined
  rmSync(temp, { recursive: true, force: true })
})

/** run() with these runner variables; returns the exit code and the workflow commands it printed. */
async function runInProcess(inputs: Record<string, string>, runner: Record<string, string>): Promise<{ exitCode: number; out: string }> {
  process.env = { PATH: saved.PATH, RUNNER_TEMP: temp, GITHUB_API_URL: api.url, GITHUB_REPOSITORY: 'acme/ops', ...runner }
  for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value
  return runActionMain()
}

test('an unwritable GITHUB_STEP_SUMMARY and a missing GITHUB_OUTPUT file are warnings, after the redeliveries were made', async () => {
  const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
  const hook = api.createOrgHook('acme')
  const failing = addFailure(api, hook, HOUR)
  const missingOutput = join(temp, 'gone', 'output')
  const summaryInMissingDir = join(temp, 'gone', 'summary')

  const { exitCode, out } = await runInProcess({ 'target-type': 'org', org: 'acme', 'hook-id': String(hook.id), token }, { GITHUB_OUTPUT: missingOutput, GITHUB_STEP_SUMMARY: summaryInMissingDir })

  const commands = parseCommands(out)
  expect(redeliveryCounts(api).get(failing)).toBe(1)
  expect(commands.errors).toEqual([])
  expect(exitCode).toBe(0)
  expect(commands.warnings).toEqual([
    expect.stringMatching(/^GITHUB_OUTPUT names a file that does not exist \(.*\), so the step's outputs cannot be set\./),
    expect.stringMatching(/^Could not write the job summary to the file named by GITHUB_STEP_SUMMARY: /)
  ])
  expect(out).not.toContain('Missing file at path')
})

test('a run that fails unexpectedly still writes a job summary saying why', async () => {
  const token = api.createToken({ grants: [{ org: 'broken', hooks: 'write' }] })
  api.createOrgHook('broken')
  // Listing the organization's hooks answers 500 every time: not a credential problem, the run cannot go on.
  api.outage({ pathIncludes: '/orgs/broken/hooks', durationMs: 10 * 60_000, status: 500 })
  const summary = join(temp, 'summary')
  const output = join(temp, 'output')
  writeFileSync(summary, '')
  writeFileSync(output, '')

  const { exitCode, out } = await runInProcess({ 'target-type': 'org', org: 'broken', token }, { GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary })

  expect(exitCode).toBe(1)
  const [error] = parseCommands(out).errors
  expect(error).toMatch(/^webhook-redelivery failed: /)
  expect(readFileSync(summary, 'utf8')).toContain(`**Webhook redelivery** could not run: ${error}`)
})

test('the bundled action, cancelled (SIGTERM): stops before the next redelivery, sets its outputs and says in the summary what was sent', async () => {
  const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
  const hook = api.createOrgHook('acme')
  for (let i = 0; i < 10; i++) addFailure(api, hook, HOUR - i * MINUTE)
  const before = acceptedIds(api).length

  const run = await runBundledAction({
    apiUrl: api.url,
    inputs: { 'target-type': 'org', org: 'acme', 'hook-id': String(hook.id), token },
    killWhen: () => acceptedIds(api).length - before >= 2,
    killSignal: 'SIGTERM'
  })

  const sent = acceptedIds(api).length - before
  expect(sent).toBeGreaterThanOrEqual(2)
  expect(sent).toBeLessThan(10)
  expect(run.signal).toBeNull()
  expect(run.exitCode).toBe(1)
  expect(run.commands.warnings).toContainEqual(expect.stringMatching(/^SIGTERM: stopping after the request in progress/))
  const interrupted = `The run was interrupted by SIGTERM: ${sent} redeliveries were sent, ${10 - sent} left for the next run.`
  expect(run.commands.errors.join('\n')).toContain(interrupted)
  expect(run.outputs).toMatchObject({ failed: '10', redelivered: String(sent), skipped: String(10 - sent), errors: '0' })
  expect(run.summary).toMatch(/^### Webhook redelivery failed: /)
  expect(run.summary).toContain(interrupted)
})
