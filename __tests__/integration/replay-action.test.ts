/**
 * A replay from the action (issue #21): the `workflow_dispatch` inputs of examples/replay.yml,
 * run in process against the local GitHub API: a preview, then the send; outputs and job summary
 * say what was replayed.
 */
import { afterEach, beforeEach, expect, test } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startLocalApi, type LocalApi, type OrgHookRef } from '../../local-api/index.js'
import { runActionMain, shortenWaitsInEachTest } from '../support/in-process.js'
import { parseOutputs } from '../support/runner.js'
import { addFailure, addSuccess, HOUR, MINUTE, redeliveryCounts } from '../support/world.js'

let api: LocalApi
let hook: OrgHookRef
let temp: string
const saved = { ...process.env }
shortenWaitsInEachTest()

beforeEach(async () => {
  api = await startLocalApi({ seed: 2104 })
  hook = api.createOrgHook('acme')
  temp = mkdtempSync(join(tmpdir(), 'replay-action-'))
})
afterEach(async () => {
  process.env = saved
  process.exitCode = undefined
  await api.close()
  rmSync(temp, { recursive: true, force: true })
})

async function action(inputs: Record<string, string>): Promise<{ outputs: Record<string, string>; summary: string; out: string; exitCode: number }> {
  const token = api.createToken({
    grants: [
      { org: 'acme', hooks: 'write' },
      { repo: 'acme/ops', variables: 'write' }
    ]
  })
  const output = join(temp, `output-${Math.random()}`)
  const summary = join(temp, `summary-${Math.random()}`)
  writeFileSync(output, '')
  writeFileSync(summary, '')
  const env: NodeJS.ProcessEnv = { PATH: saved.PATH, GITHUB_API_URL: api.url, GITHUB_REPOSITORY: 'acme/ops', RUNNER_TEMP: temp, GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary }
  for (const [name, value] of Object.entries({ 'target-type': 'org', org: 'acme', token, 'state-variable': 'WEBHOOK_STATE', ...inputs })) env[`INPUT_${name.toUpperCase()}`] = value
  process.env = env
  const { out, exitCode } = await runActionMain()
  return { outputs: parseOutputs(readFileSync(output, 'utf8')), summary: readFileSync(summary, 'utf8'), out, exitCode }
}

test('a workflow_dispatch replay: the preview, then the send, in the outputs and the job summary', async () => {
  const sent = [addSuccess(api, hook, 3 * HOUR), addFailure(api, hook, 2 * HOUR, { event: 'pull_request', action: 'opened' }), addSuccess(api, hook, HOUR)]
  addSuccess(api, hook, 5 * HOUR)
  const range = { 'replay-since': '4h', 'replay-until': new Date(api.now() - 30 * MINUTE).toISOString() }

  const preview = await action(range)
  expect(preview.exitCode).toBe(0)
  expect(preview.outputs).toMatchObject({ replayed: '0', 'replay-left': '3' })
  expect(preview.summary).toContain("### Replay preview: 3 events to send, about 3s at GitHub's pace (one redelivery a second).")
  expect(preview.summary).toContain('| `pull_request.opened` | 1 |')
  expect(preview.summary).toContain('Preview only: run the workflow again with `replay-send: true` to send them.')
  expect(api.redeliveryRequests()).toHaveLength(0)

  const send = await action({ ...range, 'replay-send': 'true' })
  expect(send.exitCode).toBe(0)
  expect(send.outputs).toMatchObject({ replayed: '3', 'replay-left': '0' })
  expect(send.summary).toContain('### Replay: 3 redeliveries sent; the replay is complete.')
  expect([...redeliveryCounts(api).keys()]).toEqual(sent)
  // Its progress is a variable of its own; the automatic bookmark is another.
  expect(api.getVariable('acme/ops', 'WEBHOOK_STATE_REPLAY')).toBeDefined()
})

test('sending without a state variable is refused before anything is sent', async () => {
  addSuccess(api, hook, HOUR)
  const run = await action({ 'replay-since': '2h', 'replay-send': 'true', 'state-variable': '' })
  expect(run.exitCode).toBe(1)
  expect(run.out).toMatch(/::error::Sending a replay \("replay-send"\) needs a state: "state-variable"/)
  expect(api.redeliveryRequests()).toHaveLength(0)
})
