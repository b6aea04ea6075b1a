/**
 * The command line end to end against the local GitHub API, in an environment built from
 * scratch: its main() in process (the sources), and `node dist/cli/index.js` where the process
 * itself is the point (signals, a lock's pid, real waits) and as the bundle's smoke run.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { startLocalApi, type LocalApi } from '../../local-api/index.js'
import { HELP, parseCliArgs } from '../../src/cli/args.js'
import { loadAction, root } from '../docs/helpers.js'
import { runCliInProcess, shortenGitHubPacing } from '../support/in-process.js'
import { CLI_ENTRY as CLI, shortenedWaitsEnv } from '../support/runner.js'
import { acceptedIds, addFailure, addSuccess, HOUR, MINUTE, redeliveryCounts, settle, sorted } from '../support/world.js'

interface CliRun {
  code: number | null
  stdout: string
  stderr: string
}

interface CliOptions {
  env?: Record<string, string>
  cwd?: string
  /** Polled while the CLI runs: the first signal it returns is sent to the process, once (spawned runs only). */
  signalWhen?: () => NodeJS.Signals | undefined
  /** Run the bundle in a process of its own instead of main() in this one. */
  spawned?: boolean
}

let temp: string
let api: LocalApi

/** The CLI with these arguments, in process unless `spawned`; GitHub's waits a hundred times shorter. */
function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: temp, TMPDIR: temp, ...options.env }
  return options.spawned ? spawnCli(args, { ...shortenedWaitsEnv(0.01), ...env }, options) : mainInProcess(args, env, options.cwd ?? temp)
}

/** main() of src/cli/main.ts with the process's environment and working directory as a spawned CLI would have them. */
async function mainInProcess(args: string[], env: Record<string, string>, cwd: string): Promise<CliRun> {
  const undo = shortenGitHubPacing(0.01)
  try {
    return await runCliInProcess(args, env, { cwd })
  } finally {
    undo()
  }
}

/** Asynchronous spawn: the local API lives in this process, so its event loop must keep turning. */
function spawnCli(args: string[], env: Record<string, string>, options: CliOptions): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, cwd: options.cwd ?? temp, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    const poll = options.signalWhen
      ? setInterval(() => {
          const signal = options.signalWhen!()
          if (signal) {
            clearInterval(poll)
            child.kill(signal)
          }
        }, 2)
      : undefined
    child.stdout.on('data', chunk => (stdout += chunk))
    child.stderr.on('data', chunk => (stderr += chunk))
    child.on('error', reject)
    child.on('close', code => {
      clearTimeout(timer)
      clearInterval(poll)
      resolve({ code, stdout, stderr })
    })
  })
}

/** The pid of a process that has exited. */
function deadPid(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore', env: { PATH: process.env.PATH ?? '' } })
    child.on('error', reject)
    child.on('close', () => resolve(child.pid!))
  })
}

function parseJsonOutput(run: CliRun): { scanned: number; failed: number; redelivered: number; skipped: number; errors: number; report: string } {
  const lines = run.stdout.trim().split('\n')
  expect(lines).toHaveLength(1)
  return JSON.parse(lines[0])
}

beforeEach(async () => {
  temp = mkdtempSync(join(tmpdir(), 'cli-test-'))
  api = await startLocalApi({ seed: 11 })
})

afterEach(async () => {
  await api.close()
  rmSync(temp, { recursive: true, force: true })
})

describe('org hook with a state file', () => {
  test('the first run redelivers the failures and writes a version-1 state file; the second redelivers only the new ones', async () => {
    const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    const hook = api.createOrgHook('acme')
    const other = api.createOrgHook('acme') // not named: left alone
    const first = [addFailure(api, hook, 3 * HOUR), addFailure(api, hook, 100 * MINUTE, { attempts: 2 }), addFailure(api, hook, 10 * MINUTE, { event: 'issues', action: 'opened' })]
    addSuccess(api, hook, 2 * HOUR)
    addFailure(api, other, HOUR)
    const stateFile = join(temp, 'state', 'state.json')
    const args = ['--target-type', 'org', '--org', 'acme', '--hook-id', String(hook.id), '--hostname', api.url, '--state-file', stateFile, '--json']

    const run1 = await runCli(args, { env: { GITHUB_TOKEN: token } })
    expect(run1.stderr).not.toMatch(/^(error|warning): /m)
    expect(run1.code).toBe(0)
    const out1 = parseJsonOutput(run1)
    expect(out1).toEqual({
      scanned: 5,
      failed: 3,
      redelivered: 3,
      skipped: 0,
      errors: 0,
      'given-up': 0,
      'receivers-down': 0,
      expiring: 0,
      replayed: 0,
      'replay-left': 0,
      report: expect.any(String),
      failures: []
    })
    expect(sorted(redeliveryCounts(api).keys())).toEqual(sorted(first))
    expect(api.redeliveryRequests(other)).toHaveLength(0)
    const report1 = JSON.parse(readFileSync(out1.report, 'utf8'))
    expect(report1.deliveries.map((d: { guid: string }) => d.guid).sort()).toEqual(sorted(first))
    // With a state file, the report sits beside it (overwritten by each run, nothing piles up).
    expect(out1.report).toBe(`${stateFile}.report.json`)

    expect(existsSync(stateFile)).toBe(true)
    const state1 = JSON.parse(readFileSync(stateFile, 'utf8'))
    expect(state1.version).toBe(1)
    expect(typeof state1.hooks).toBe('object')
    expect(existsSync(`${stateFile}.lock`)).toBe(false)

    await settle()
    api.advanceClock(5 * MINUTE)
    const requestsBefore = api.redeliveryRequests().length
    const later = [addFailure(api, hook, 2 * MINUTE, { event: 'push' }), addFailure(api, hook, MINUTE, { event: 'pull_request', action: 'closed' })]
    // The receiver answered since: shown up, no probe.
    addSuccess(api, hook, 30_000)
    api.clearLog()

    const run2 = await runCli(args, { env: { GITHUB_TOKEN: token } })
    expect(run2.code).toBe(0)
    const out2 = parseJsonOutput(run2)
    expect(out2).toMatchObject({ failed: 2, redelivered: 2, skipped: 0, errors: 0 })
    const newRequests = api.redeliveryRequests().slice(requestsBefore)
    expect(sorted(newRequests.map(r => r.guid))).toEqual(sorted(later))
    for (const g of first) expect(redeliveryCounts(api).get(g)).toBe(1)
    const expectedIds = later.map(g => api.deliveries(hook).find(d => d.guid === g && !d.redelivery)!.id)
    expect(sorted(newRequests.map(r => r.deliveryId))).toEqual(sorted(expectedIds))
    // Only what is new was read: one page of deliveries.
    expect(api.log.filter(e => e.route.endsWith('/deliveries')).length).toBe(1)
    const state2 = JSON.parse(readFileSync(stateFile, 'utf8'))
    expect(state2.version).toBe(1)
    expect(Date.parse(state2.hooks[Object.keys(state2.hooks)[0]].floor)).toBeGreaterThan(Date.parse(state1.hooks[Object.keys(state1.hooks)[0]].floor))
  })

  test('the state file is written atomically: no temporary files remain, the file parses, the lock is gone', async () => {
    const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    const hook = api.createOrgHook('acme')
    addFailure(api, hook, HOUR)
    const dir = join(temp, 'atomic')
    const stateFile = join(dir, 'state.json')
    const args = ['--target-type', 'org', '--org', 'acme', '--hostname', api.url, '--state-file', stateFile]
    for (let i = 0; i < 2; i++) {
      const run = await runCli(args, { env: { GITHUB_TOKEN: token } })
      expect(run.code).toBe(0)
      expect(readdirSync(dir).sort()).toEqual(['state.json', 'state.json.report.json'])
      expect(JSON.parse(readFileSync(stateFile, 'utf8')).version).toBe(1)
      await settle()
    }
    // The second run found the bookmark: the delivery was redelivered once.
    expect(acceptedIds(api)).toHaveLength(1)
  })

  test('a human summary without --json', async () => {
    const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    const hook = api.createOrgHook('acme')
    addFailure(api, hook, HOUR)
    const reportFile = join(temp, 'out', 'report.json')
    const run = await runCli(['--target-type', 'org', '--org', 'acme', '--hostname', api.url, '--report-file', reportFile], { env: { GITHUB_TOKEN: token } })
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('1 redelivered')
    expect(run.stdout).toContain(`Report: ${reportFile}`)
    expect(JSON.parse(readFileSync(reportFile, 'utf8')).deliveries).toHaveLength(1)
  })

  test('a state file that holds no bookmark: a warning, the lookback is scanned, the file is replaced', async () => {
    const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    const hook = api.createOrgHook('acme')
    const failing = addFailure(api, hook, HOUR)
    const stateFile = join(temp, 'state.json')
    writeFileSync(stateFile, 'not json {')
    const run = await runCli(['--target-type', 'org', '--org', 'acme', '--hostname', api.url, '--state-file', stateFile, '--json'], { env: { GITHUB_TOKEN: token } })
    expect(run.code).toBe(0)
    expect(run.stderr).toMatch(/^warning: .*state file/m)
    expect(sorted(redeliveryCounts(api).keys())).toEqual([failing])
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).version).toBe(1)
  })

  test('a state file path that is a directory: exit 1 with a clear error, nothing redelivered', async () => {
    const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    const hook = api.createOrgHook('acme')
    addFailure(api, hook, HOUR)
    const stateDir = join(temp, 'state-dir')
    mkdirSync(stateDir)
    const run = await runCli(['--target-type', 'org', '--org', 'acme', '--hostname', api.url, '--state-file', stateDir], { env: { GITHUB_TOKEN: token } })
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^error: --state-file .* is a directory/m)
    expect(api.redeliveryRequests()).toHaveLength(0)
    expect(existsSync(`${stateDir}.lock`)).toBe(false)
  })

  test('a repository hook: --repository is required outside GitHub Actions', async () => {
    const token = api.createToken({ grants: [{ repo: 'acme/widgets', hooks: 'write' }] })
    const hook = api.createRepoHook('acme/widgets')
    const failing = addFailure(api, hook, HOUR)
    const missing = await runCli(['--target-type', 'repo', '--hostname', api.url], { env: { GITHUB_TOKEN: token } })
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('--repository')
    expect(api.log).toHaveLength(0)
    const run = await runCli(['--target-type', 'repo', '--repository', 'acme/widgets', '--hostname', api.url, '--json'], { env: { GITHUB_TOKEN: token } })
    expect(run.code).toBe(0)
    expect(sorted(redeliveryCounts(api).keys())).toEqual([failing])
  })
})

describe('app target', () => {
  test('--app-id with --private-key-file', async () => {
    const app = api.createApp()
    const failing = addFailure(api, app.hook, HOUR)
    const keyFile = join(temp, 'app.pem')
    writeFileSync(keyFile, app.privateKeyPem, { mode: 0o600 })
    const run = await runCli(['--target-type', 'app', '--app-id', String(app.id), '--private-key-file', keyFile, '--hostname', api.url, '--json'])
    expect(run.code).toBe(0)
    expect(parseJsonOutput(run)).toMatchObject({ failed: 1, redelivered: 1, errors: 0 })
    expect(sorted(redeliveryCounts(api, app.hook).keys())).toEqual([failing])
    const body = app.privateKeyPem.split('\n')[1]
    expect(run.stdout + run.stderr).not.toContain(body)
  })

  test('GITHUB_APP_PRIVATE_KEY with its newlines escaped on one line', async () => {
    const app = api.createApp()
    const failing = addFailure(api, app.hook, HOUR)
    const oneLine = app.privateKeyPem.trim().replace(/\n/g, '\\n')
    expect(oneLine).not.toContain('\n')
    const run = await runCli(['--target-type', 'app', '--app-id', String(app.id), '--hostname', api.url, '--json', '--debug'], { env: { GITHUB_APP_PRIVATE_KEY: oneLine } })
    expect(run.code).toBe(0)
    expect(parseJsonOutput(run)).toMatchObject({ failed: 1, redelivered: 1, errors: 0 })
    expect(sorted(redeliveryCounts(api, app.hook).keys())).toEqual([failing])
    const body = app.privateKeyPem.split('\n')[1]
    expect(run.stdout + run.stderr).not.toContain(body)
  })

  test('an unreadable --private-key-file is a clear error before any request', async () => {
    const app = api.createApp()
    const run = await runCli(['--target-type', 'app', '--app-id', String(app.id), '--private-key-file', join(temp, 'missing.pem'), '--hostname', api.url])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('--private-key-file')
    expect(api.log).toHaveLength(0)
  })
})

describe('bad input: exit 1 before any request', () => {
  let token: string
  beforeEach(() => {
    token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    api.createOrgHook('acme')
  })

  const cases: Array<{ name: string; args: (url: string) => string[]; env: (token: string) => Record<string, string>; message: RegExp }> = [
    { name: 'org without --org', args: url => ['--target-type', 'org', '--hostname', url], env: t => ({ GITHUB_TOKEN: t }), message: /--org/ },
    { name: 'an unknown flag', args: url => ['--target-type', 'org', '--org', 'acme', '--hostname', url, '--frobnicate', 'x'], env: t => ({ GITHUB_TOKEN: t }), message: /frobnicate/ },
    { name: 'a positional argument', args: url => ['--target-type', 'org', '--org', 'acme', '--hostname', url, 'stray'], env: t => ({ GITHUB_TOKEN: t }), message: /stray|positional/i },
    { name: '--token on the command line', args: url => ['--target-type', 'org', '--org', 'acme', '--hostname', url, '--token', 'xyz'], env: () => ({}), message: /GITHUB_TOKEN/ },
    { name: '--token=VALUE on the command line', args: url => ['--target-type', 'org', '--org', 'acme', '--hostname', url, '--token=xyz'], env: () => ({}), message: /GITHUB_TOKEN/ },
    {
      name: '--private-key on the command line',
      args: url => ['--target-type', 'app', '--app-id', '1', '--hostname', url, '--private-key', 'xyz'],
      env: () => ({}),
      message: /GITHUB_APP_PRIVATE_KEY/
    },
    { name: 'org without GITHUB_TOKEN', args: url => ['--target-type', 'org', '--org', 'acme', '--hostname', url], env: () => ({}), message: /GITHUB_TOKEN/ },
    { name: 'app without a private key', args: url => ['--target-type', 'app', '--app-id', '1', '--hostname', url], env: () => ({}), message: /GITHUB_APP_PRIVATE_KEY/ },
    { name: 'a bad --lookback', args: url => ['--target-type', 'org', '--org', 'acme', '--hostname', url, '--lookback', 'soon'], env: t => ({ GITHUB_TOKEN: t }), message: /--lookback/ },
    {
      name: '--state-file with --state-variable',
      args: url => ['--target-type', 'org', '--org', 'acme', '--hostname', url, '--state-file', 's.json', '--state-variable', 'X'],
      env: t => ({ GITHUB_TOKEN: t }),
      message: /--state-file.*--state-variable/
    }
  ]

  test.each(cases)('$name', async ({ args, env, message }) => {
    const run = await runCli(args(api.url), { env: env(token) })
    expect(run.code).toBe(1)
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(/^error: /)
    expect(run.stderr).toMatch(message)
    expect(run.stderr).not.toContain(token)
    expect(api.log).toHaveLength(0)
    expect(api.redeliveryRequests()).toHaveLength(0)
  })
})

describe('--help and --version', () => {
  test('--help names every non-secret input of action.yml as a flag and no secret one', async () => {
    const run = await runCli(['--help'])
    expect(run.code).toBe(0)
    expect(run.stderr).toBe('')
    const inputs = loadAction().inputs.map(i => i.name)
    expect(inputs).toContain('token')
    expect(inputs).toContain('private-key')
    for (const name of inputs.filter(n => n !== 'token' && n !== 'private-key')) {
      expect(run.stdout).toMatch(new RegExp(`--${name}(?![a-z-])`))
    }
    expect(run.stdout).not.toMatch(/--token(?![a-z-])/)
    expect(run.stdout).not.toMatch(/--private-key(?![a-z-])/)
    for (const flag of ['--state-file', '--private-key-file', '--json', '--report-file', '--debug', 'GITHUB_TOKEN', 'GITHUB_APP_PRIVATE_KEY']) {
      expect(run.stdout).toContain(flag)
    }
    expect(api.log).toHaveLength(0)
  })

  test('every flag --help names is accepted by the parser (in process)', async () => {
    const help = (await runCli(['--help'])).stdout
    expect(help).toBe(HELP)
    const flags = [...new Set([...help.matchAll(/--([a-z][a-z-]*)/g)].map(m => m[1]))]
    expect(flags.length).toBeGreaterThan(15)
    for (const flag of flags) {
      const asString = parseCliArgs([`--${flag}`, 'x'])
      const asSwitch = parseCliArgs([`--${flag}`])
      expect({ flag, ok: asString.ok || asSwitch.ok }).toEqual({ flag, ok: true })
    }
  })

  test('--version prints the version of package.json', async () => {
    const run = await runCli(['--version'], { spawned: true })
    expect(run.code).toBe(0)
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
    expect(run.stdout).toBe(`${pkg.version}\n`)
  })
})

describe('the lock beside the state file', () => {
  test('a lock held by a live process: refuses to start, leaves the lock alone', async () => {
    const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    const hook = api.createOrgHook('acme')
    addFailure(api, hook, HOUR)
    const stateFile = join(temp, 'state.json')
    const lock = JSON.stringify({ pid: process.pid, host: hostname() }) + '\n'
    writeFileSync(`${stateFile}.lock`, lock)
    // This process holds the lock: the CLI must be another one.
    const run = await runCli(['--target-type', 'org', '--org', 'acme', '--hostname', api.url, '--state-file', stateFile], { env: { GITHUB_TOKEN: token }, spawned: true })
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/Another run/)
    expect(run.stderr).toContain(String(process.pid))
    expect(api.log).toHaveLength(0)
    expect(readFileSync(`${stateFile}.lock`, 'utf8')).toBe(lock)
    expect(existsSync(stateFile)).toBe(false)
  })

  test('a stale lock (its process is gone) is taken over and removed after the run', async () => {
    const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    const hook = api.createOrgHook('acme')
    const failing = addFailure(api, hook, HOUR)
    const stateFile = join(temp, 'state.json')
    const pid = await deadPid()
    writeFileSync(`${stateFile}.lock`, JSON.stringify({ pid, host: hostname() }) + '\n')
    const run = await runCli(['--target-type', 'org', '--org', 'acme', '--hostname', api.url, '--state-file', stateFile, '--json'], { env: { GITHUB_TOKEN: token } })
    expect(run.code).toBe(0)
    expect(parseJsonOutput(run)).toMatchObject({ redelivered: 1 })
    expect(sorted(redeliveryCounts(api).keys())).toEqual([failing])
    expect(existsSync(`${stateFile}.lock`)).toBe(false)
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).version).toBe(1)
  })

  test('a lock file that does not hold a pid is taken over', async () => {
    const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    api.createOrgHook('acme')
    const stateFile = join(temp, 'state.json')
    writeFileSync(`${stateFile}.lock`, '')
    const run = await runCli(['--target-type', 'org', '--org', 'acme', '--hostname', api.url, '--state-file', stateFile], { env: { GITHUB_TOKEN: token } })
    expect(run.code).toBe(0)
    expect(existsSync(`${stateFile}.lock`)).toBe(false)
  })

  test('the lock is removed after a failing run too', async () => {
    const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    const hook = api.createOrgHook('acme')
    addFailure(api, hook, HOUR)
    api.outage({ pathIncludes: '/attempts', durationMs: 60_000, status: 502 })
    const stateFile = join(temp, 'state.json')
    const run = await runCli(['--target-type', 'org', '--org', 'acme', '--hostname', api.url, '--state-file', stateFile], { env: { GITHUB_TOKEN: token } })
    expect(run.code).toBe(1)
    expect(existsSync(`${stateFile}.lock`)).toBe(false)
  })
})

describe('interrupted', () => {
  test.each([
    ['SIGTERM', 143],
    ['SIGINT', 130]
  ] as const)('%s (a cancelled job, Ctrl-C): says what was sent, writes the report, releases the lock, exits %i', async (signal, exitCode) => {
    const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    const hook = api.createOrgHook('acme')
    for (let i = 0; i < 10; i++) addFailure(api, hook, HOUR - i * MINUTE)
    const stateFile = join(temp, 'state.json')
    const run = await runCli(['--target-type', 'org', '--org', 'acme', '--hostname', api.url, '--state-file', stateFile], {
      env: { GITHUB_TOKEN: token },
      signalWhen: () => (acceptedIds(api).length >= 2 ? signal : undefined),
      spawned: true
    })
    expect(run.code).toBe(exitCode)
    const sent = acceptedIds(api).length
    expect(sent).toBeLessThan(10)
    expect(run.stderr).toContain(`${signal}: stopping after the request in progress`)
    expect(run.stderr).toContain(`error: The run was interrupted by ${signal}: ${sent} redeliveries were sent, ${10 - sent} left for the next run.`)
    expect(run.stdout).toContain(`${sent} redelivered, ${10 - sent} skipped, 0 errors.`)
    const report = JSON.parse(readFileSync(`${stateFile}.report.json`, 'utf8'))
    expect(report.totals).toMatchObject({ redelivered: sent, skipped: 10 - sent })
    expect(existsSync(`${stateFile}.lock`)).toBe(false)
  })
})

describe('secrets', () => {
  test('the token never appears in stdout, stderr or the report, even with --debug', async () => {
    const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    const hook = api.createOrgHook('acme', { url: 'https://ci.example.com/webhook' })
    addFailure(api, hook, HOUR)
    addFailure(api, hook, 2 * HOUR, { event: 'pull_request', action: 'opened' })
    addSuccess(api, hook, 30 * MINUTE)
    const reportFile = join(temp, 'report.json')
    const stateFile = join(temp, 'state.json')
    // The bundle, as the CLI's smoke run: everything the process prints is seen.
    const run = await runCli(['--target-type', 'org', '--org', 'acme', '--hostname', api.url, '--state-file', stateFile, '--report-file', reportFile, '--debug', '--json'], {
      env: { GITHUB_TOKEN: token },
      spawned: true
    })
    expect(run.code).toBe(0)
    expect(run.stderr).toContain('debug: ')
    expect(parseJsonOutput(run).report).toBe(reportFile)
    for (const text of [run.stdout, run.stderr, readFileSync(reportFile, 'utf8'), readFileSync(stateFile, 'utf8')]) expect(text).not.toContain(token)
  })
})

describe('--dry-run', () => {
  test.each([
    ['last', (args: string[]) => [...args, '--dry-run']],
    ['before another flag', (args: string[]) => ['--dry-run', ...args]],
    ['=true', (args: string[]) => [...args, '--dry-run=true']]
  ])('as a switch (%s): redelivers nothing and writes no state file', async (_, build) => {
    const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    const hook = api.createOrgHook('acme')
    const failing = addFailure(api, hook, HOUR)
    const stateFile = join(temp, 'state.json')
    const run = await runCli(build(['--target-type', 'org', '--org', 'acme', '--hostname', api.url, '--state-file', stateFile, '--json']), { env: { GITHUB_TOKEN: token } })
    expect(run.code).toBe(0)
    const out = parseJsonOutput(run)
    expect(out).toMatchObject({ failed: 1, redelivered: 0, skipped: 1, errors: 0 })
    expect(api.redeliveryRequests()).toHaveLength(0)
    expect(api.log.filter(e => e.method !== 'GET')).toHaveLength(0)
    expect(existsSync(stateFile)).toBe(false)
    expect(existsSync(`${stateFile}.lock`)).toBe(false)
    const report = JSON.parse(readFileSync(out.report, 'utf8'))
    expect(report.deliveries[0]).toMatchObject({ guid: failing, result: 'skipped', reason: 'dry-run' })
  })

  test('--dry-run false redelivers', async () => {
    const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    const hook = api.createOrgHook('acme')
    const failing = addFailure(api, hook, HOUR)
    const run = await runCli(['--target-type', 'org', '--org', 'acme', '--hostname', api.url, '--dry-run', 'false', '--json'], { env: { GITHUB_TOKEN: token } })
    expect(run.code).toBe(0)
    expect(sorted(redeliveryCounts(api).keys())).toEqual([failing])
  })
})

describe('errors', () => {
  test('exit 1 when redelivery requests fail after retries; the JSON is still printed', async () => {
    const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    const hook = api.createOrgHook('acme')
    addFailure(api, hook, HOUR)
    addFailure(api, hook, 2 * HOUR)
    // The receiver answered a moment ago: no probe, both are sent.
    addSuccess(api, hook, 30_000)
    api.outage({ pathIncludes: '/attempts', durationMs: 60_000, status: 502 })
    const run = await runCli(['--target-type', 'org', '--org', 'acme', '--hostname', api.url, '--json'], { env: { GITHUB_TOKEN: token } })
    expect(run.code).toBe(1)
    const out = parseJsonOutput(run)
    expect(out.errors).toBeGreaterThan(0)
    expect(out.redelivered).toBe(0)
    expect(out.failed).toBe(2)
    expect(existsSync(out.report)).toBe(true)
    expect(run.stderr).toMatch(/^error: /m)
    // Retried: more than one request per delivery, none accepted.
    expect(api.log.filter(e => e.method === 'POST' && e.path.endsWith('/attempts')).length).toBeGreaterThan(2)
    expect(acceptedIds(api)).toHaveLength(0)
  })

  test('a host name that does not resolve: said in words, at once (not retried for 14 s), never as "500"', async () => {
    const started = performance.now()
    // The real retry pacing (1 + 4 + 9 s), as users get it.
    const run = await runCli(['--target-type', 'org', '--org', 'acme', '--hook-id', '123', '--hostname', 'ghe.nowhere.invalid'], {
      env: { GITHUB_TOKEN: 'ghp_placeholder', NODE_OPTIONS: '', SHORTEN_WAITS: '' },
      spawned: true
    })
    expect(performance.now() - started).toBeLessThan(5000)
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^error: .*could not resolve the host name ghe\.nowhere\.invalid \((ENOTFOUND|EAI_AGAIN)\)\. Check --hostname/m)
    expect(run.stderr + run.stdout).not.toMatch(/\b500\b/)
  })
})

describe('defaults from the environment', () => {
  test('GITHUB_API_URL stands in for --hostname and GITHUB_REPOSITORY for --repository; --state-variable keeps the bookmark in a variable', async () => {
    const token = api.createToken({ grants: [{ repo: 'acme/widgets', hooks: 'write', variables: 'write' }] })
    const hook = api.createRepoHook('acme/widgets')
    const failing = addFailure(api, hook, HOUR)
    const run = await runCli(['--target-type', 'repo', '--state-variable', 'CRON_BOOKMARK', '--json'], {
      env: { GITHUB_TOKEN: token, GITHUB_API_URL: api.url, GITHUB_REPOSITORY: 'acme/widgets' }
    })
    expect(run.stderr).not.toMatch(/^error: /m)
    expect(run.code).toBe(0)
    expect(parseJsonOutput(run)).toMatchObject({ failed: 1, redelivered: 1 })
    expect(redeliveryCounts(api).get(failing)).toBe(1)
    expect(JSON.parse(api.getVariable('acme/widgets', 'CRON_BOOKMARK')!.value).version).toBe(1)
  })
})

describe('the state file under cron', () => {
  test('a run with nothing new leaves the state file untouched', async () => {
    const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    const hook = api.createOrgHook('acme')
    addSuccess(api, hook, MINUTE)
    const stateFile = join(temp, 'state.json')
    const args = ['--target-type', 'org', '--org', 'acme', '--hook-id', String(hook.id), '--hostname', api.url, '--state-file', stateFile, '--json']
    expect((await runCli(args, { env: { GITHUB_TOKEN: token } })).code).toBe(0)
    const written = statSync(stateFile).mtimeMs
    const text = readFileSync(stateFile, 'utf8')
    await new Promise(resolve => setTimeout(resolve, 50))
    const idle = await runCli([...args, '--debug'], { env: { GITHUB_TOKEN: token } })
    expect(idle.code).toBe(0)
    expect(statSync(stateFile).mtimeMs).toBe(written)
    expect(readFileSync(stateFile, 'utf8')).toBe(text)
    expect(idle.stderr).not.toContain('changed during this run')
  })
})
