/**
 * What `npx @github/local-action . src/main.ts .env` does with the committed .env.example:
 * load its INPUT_* values into the environment and call the exported run() of the
 * TypeScript source, in-process, against the local GitHub API.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startLocalApi, type LocalApi } from '../../local-api/index.js'
import { root } from '../docs/helpers.js'
import { runActionMain } from '../support/in-process.js'
import { addFailure, HOUR } from '../support/world.js'

let api: LocalApi
let runnerTemp: string
const saved = { ...process.env }

beforeAll(async () => {
  api = await startLocalApi({ seed: 31 })
  runnerTemp = mkdtempSync(join(tmpdir(), 'local-action-'))
})
afterAll(async () => {
  process.env = saved
  process.exitCode = undefined
  rmSync(runnerTemp, { recursive: true, force: true })
  await api.close()
})

/** KEY=VALUE lines, as dotenv reads this file: comments and blank lines skipped. */
function readEnvFile(path: string): Record<string, string> {
  const values: Record<string, string> = {}
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^([A-Z0-9_-]+)=(.*)$/.exec(line.trim())
    if (match) values[match[1]] = match[2]
  }
  return values
}

test('src/main.ts exports run(), which works with .env.example filled in (a dry run by default)', async () => {
  const token = api.createToken({ grants: [{ org: 'your-org', hooks: 'write' }] })
  const hook = api.createOrgHook('your-org')
  addFailure(api, hook, HOUR)
  const env = readEnvFile(join(root, '.env.example'))
  expect(env['INPUT_DRY-RUN']).toBe('true')
  // The report goes under RUNNER_TEMP, as on a runner (and is removed with it).
  process.env = { PATH: saved.PATH, ...env, INPUT_TOKEN: token, GITHUB_API_URL: api.url, RUNNER_TEMP: runnerTemp }
  const { out } = await runActionMain()
  expect(process.exitCode ?? 0).toBe(0)
  expect(out).not.toContain('::error::')
  expect(out).toContain(`your-org hook ${hook.id}`)
  expect(out).toMatch(/::set-output name=failed::1/)
  // A dry run: it looked, and changed nothing.
  expect(api.log.length).toBeGreaterThan(0)
  expect(api.log.filter(e => e.method !== 'GET')).toHaveLength(0)
})
