/**
 * GitHub's own tool for running an action locally, for real: `npx @github/local-action . src/main.ts .env`
 * with the committed .env.example filled in, against the local GitHub API. The tool stands in for
 * `@actions/core` (its stubs record outputs and secrets) and calls the exported run() of the
 * TypeScript source; it shows only what goes through `@actions/core`.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals'
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { startLocalApi, type LocalApi } from '../../local-api/index.js'
import { root } from '../docs/helpers.js'
import { addFailure, HOUR } from '../support/world.js'
import { machineNode } from '../../tools/runtimes.mjs'

let api: LocalApi
let temp: string

beforeAll(async () => {
  api = await startLocalApi({ seed: 31 })
  temp = mkdtempSync(join(tmpdir(), 'local-action-'))
})
afterAll(async () => {
  rmSync(temp, { recursive: true, force: true })
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

/** The tool's bin, as `npx @github/local-action ARGS` runs it from this clone; asynchronous, as the local API answers from this process. */
function localAction(args: string[]): Promise<{ code: number | null; out: string }> {
  const home = join(temp, 'home')
  mkdirSync(home, { recursive: true })
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'node_modules', '@github', 'local-action', 'bin', 'local-action.js'), ...args], {
      cwd: root,
      // Only node and npm (beside the machine's Node) on the PATH (the tool runs its TypeScript through `npm exec tsx`), no colours, nothing from the registry.
      env: {
        PATH: `${dirname(process.execPath)}:${dirname(machineNode())}:/usr/bin:/bin`,
        HOME: home,
        TMPDIR: temp,
        FORCE_COLOR: '0',
        npm_config_offline: 'true',
        npm_config_update_notifier: 'false'
      },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let out = ''
    const timer = setTimeout(() => child.kill('SIGKILL'), 100_000)
    child.stdout.on('data', chunk => (out += chunk))
    child.stderr.on('data', chunk => (out += chunk))
    child.on('error', reject)
    child.on('close', code => {
      clearTimeout(timer)
      resolve({ code, out })
    })
  })
}

test('@github/local-action runs the action with .env.example filled in (a dry run): it shows the outputs and the job summary, and never the token', async () => {
  const token = api.createToken({ grants: [{ org: 'your-org', hooks: 'write' }] })
  const hook = api.createOrgHook('your-org')
  addFailure(api, hook, HOUR)
  const env = readEnvFile(join(root, '.env.example'))
  expect(env['INPUT_DRY-RUN']).toBe('true')
  // The report goes under RUNNER_TEMP, as on a runner (and is removed with it). No GITHUB_STEP_SUMMARY, as in .env.example.
  const filled = { ...env, INPUT_TOKEN: token, GITHUB_API_URL: api.url, RUNNER_TEMP: temp }
  const envFile = join(temp, '.env')
  writeFileSync(
    envFile,
    Object.entries(filled)
      .map(([name, value]) => `${name}=${value}\n`)
      .join('')
  )

  const { code, out } = await localAction(['.', 'src/main.ts', envFile])

  expect(code).toBe(0)
  expect(out).toContain('Running Action')
  expect(out).not.toContain('::error::')
  expect(out).toContain(`your-org hook ${hook.id}`)
  expect(out).toMatch(/::set-output name=failed::1/)
  // The outputs, in the tool's table of what @actions/core was given.
  expect(out).not.toContain('No outputs were set!')
  const outputs = out.slice(out.indexOf('Action Outputs'))
  for (const [name, value] of [
    ['scanned', '1'],
    ['failed', '1'],
    ['redelivered', '0'],
    ['skipped', '1'],
    ['errors', '0']
  ]) {
    expect(outputs).toMatch(new RegExp(`│\\s*'${name}'\\s*│\\s*'${value}'\\s*│`))
  }
  // The job summary, in the log since there is no summary file (the tool marks log lines ::info::).
  expect(out).toMatch(/::group::Job summary[^\n]*\n(::info::)?### Webhook redelivery \(dry run\): 1 failing, nothing redelivered\n/)
  // Registered with the tool's setSecret, so nothing it prints holds the token.
  expect(out).not.toContain(token)
  // A dry run: it looked, and changed nothing.
  expect(api.log.length).toBeGreaterThan(0)
  expect(api.log.filter(e => e.method !== 'GET')).toHaveLength(0)
})
