/**
 * The runner's contract as the action keeps it through `@actions/core`: inputs, masking first,
 * outputs in GITHUB_OUTPUT, annotations, the job summary (and where it goes on a local run with
 * no summary file). run() of src/main.ts in process, against the local GitHub API.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startLocalApi, type LocalApi } from '../../local-api/index.js'
import { loadAction, root } from '../docs/helpers.js'
import { runActionInProcess, runActionMain, shortenWaitsInEachTest } from '../support/in-process.js'
import { parseCommands, parseOutputs } from '../support/runner.js'
import { addFailure, addSuccess, HOUR, MINUTE } from '../support/world.js'

let api: LocalApi
let temp: string
const saved = { ...process.env }
shortenWaitsInEachTest()

beforeAll(async () => {
  api = await startLocalApi({ seed: 19 })
})
afterAll(async () => {
  process.env = saved
  await api.close()
})
beforeEach(() => {
  temp = mkdtempSync(join(tmpdir(), 'runner-contract-'))
})
afterEach(() => {
  process.env = { ...saved }
  process.exitCode = undefined
  rmSync(temp, { recursive: true, force: true })
})

/** An organization hook with one failing delivery, a receiver that other traffic shows up, and a token that may redeliver it. */
function world(): { token: string; hookId: string } {
  const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
  const hook = api.createOrgHook('acme')
  addFailure(api, hook, HOUR)
  addSuccess(api, hook, MINUTE)
  return { token, hookId: String(hook.id) }
}

describe('on a runner (GITHUB_OUTPUT and GITHUB_STEP_SUMMARY set)', () => {
  test('the token is masked before anything else is printed, and printed nowhere else', async () => {
    const { token, hookId } = world()
    const run = await runActionInProcess({ apiUrl: api.url, inputs: { 'target-type': 'org', org: 'acme', 'hook-id': hookId, token } })
    expect(run.exitCode).toBe(0)
    const lines = run.stdout.split('\n').filter(Boolean)
    expect(lines[0]).toBe(`::add-mask::${token}`)
    expect(lines.filter(line => line.includes(token))).toEqual([`::add-mask::${token}`])
    expect(run.summary).not.toContain(token)
  })

  test('outputs go to GITHUB_OUTPUT only; the job summary is appended after what earlier steps wrote', async () => {
    const { token, hookId } = world()
    const run = await runActionInProcess({ apiUrl: api.url, inputs: { 'target-type': 'org', org: 'acme', 'hook-id': hookId, token } })
    expect(run.outputs).toMatchObject({ failed: '1', redelivered: '1', skipped: '0', errors: '0' })
    // Every output action.yml declares, in its order.
    expect(Object.keys(run.outputs)).toEqual(loadAction().outputs)
    expect(run.stdout).not.toContain('::set-output')
    expect(run.summary).toMatch(/^### Webhook redelivery: 1 redelivered, 0 skipped, 0 errors\n/)

    // An earlier step's summary: the action adds to it, never replaces it.
    const quiet = String(api.createOrgHook('acme').id)
    const summary = join(temp, 'summary')
    const output = join(temp, 'output')
    writeFileSync(summary, 'An earlier step wrote this.\n')
    writeFileSync(output, '')
    process.env = {
      PATH: saved.PATH,
      RUNNER_TEMP: temp,
      GITHUB_API_URL: api.url,
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: summary,
      'INPUT_TARGET-TYPE': 'org',
      INPUT_ORG: 'acme',
      'INPUT_HOOK-ID': quiet,
      INPUT_TOKEN: token
    }
    await runActionMain()
    expect(readFileSync(summary, 'utf8')).toMatch(/^An earlier step wrote this\.\n\*\*Webhook redelivery\*\*: nothing to redeliver\./)
    expect(parseOutputs(readFileSync(output, 'utf8'))).toMatchObject({ failed: '0' })
  })

  test('inputs are read as the runner passes them: INPUT_ + upper case, hyphens kept, values trimmed', async () => {
    const { token, hookId } = world()
    const run = await runActionInProcess({ apiUrl: api.url, inputs: { 'target-type': ' org\n', org: '  acme ', 'hook-id': `\t${hookId} `, token: ` ${token}\n` } })
    expect(run.commands.errors).toEqual([])
    expect(run.outputs.failed).toBe('1')
  })

  test('input errors: an error annotation for each, exit code 1, the summary says why, nothing asked of GitHub', async () => {
    const before = api.log.length
    const run = await runActionInProcess({ apiUrl: api.url, inputs: { 'target-type': 'org', org: 'acme', 'max-attempts': 'many', lookback: 'soon' } })
    expect(run.exitCode).toBe(1)
    expect(run.commands.errors).toHaveLength(3)
    expect(run.commands.errors.join('\n')).toMatch(/Input "max-attempts"/)
    expect(run.summary).toContain('could not run: ')
    expect(run.outputs).toEqual({})
    expect(api.log.length).toBe(before)
  })
})

describe('on a local run (no GITHUB_STEP_SUMMARY, no GITHUB_OUTPUT)', () => {
  test('the job summary is shown in the log, in a group, and nothing warns; outputs are ::set-output commands', async () => {
    const { token, hookId } = world()
    process.env = { PATH: saved.PATH, RUNNER_TEMP: temp, GITHUB_API_URL: api.url, 'INPUT_TARGET-TYPE': 'org', INPUT_ORG: 'acme', 'INPUT_HOOK-ID': hookId, INPUT_TOKEN: token, 'INPUT_DRY-RUN': 'true' }
    const { exitCode, out } = await runActionMain()
    expect(exitCode).toBe(0)
    expect(parseCommands(out)).toMatchObject({ errors: [], warnings: [] })
    const group = /^::group::Job summary.*\n([\s\S]*?)^::endgroup::$/m.exec(out)
    expect(group).not.toBeNull()
    expect(group![1]).toMatch(/^### Webhook redelivery \(dry run\): 1 failing, nothing redelivered\n/)
    expect(out).toMatch(/^::set-output name=failed::1$/m)
    expect(out.split(token).length - 1).toBe(1)
  })
})

test('no file in src/ writes workflow commands or the runner files itself: @actions/core does', () => {
  const files = (dir: string): string[] => readdirSync(dir).flatMap(name => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)]))
  const sources = files(join(root, 'src')).filter(file => file.endsWith('.ts'))
  expect(sources.length).toBeGreaterThan(10)
  for (const file of sources) {
    const text = readFileSync(file, 'utf8')
    // A string that starts a workflow command (`::error::`, `::add-mask::` …).
    expect({ file, command: /['"`]::[a-z]/.test(text) }).toEqual({ file, command: false })
    // The runner's files are written by @actions/core: no source appends to them.
    expect({ file, append: /appendFile/.test(text) }).toEqual({ file, append: false })
  }
})
