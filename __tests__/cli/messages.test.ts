/**
 * What the command line says: flags, not inputs; clear words for mistyped flags and paths;
 * counts in good grammar. `main()` runs in process against the local GitHub API.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startLocalApi, type LocalApi } from '../../local-api/index.js'
import { HELP } from '../../src/cli/args.js'
import { runCliInProcess, shortenWaitsInEachTest, type CliInProcessRun } from '../support/in-process.js'
import { addFailure, HOUR, redeliveryCounts } from '../support/world.js'

shortenWaitsInEachTest()

let api: LocalApi
let temp: string

beforeEach(async () => {
  api = await startLocalApi({ seed: 5 })
  temp = mkdtempSync(join(tmpdir(), 'cli-messages-'))
})

afterEach(async () => {
  await api.close()
  rmSync(temp, { recursive: true, force: true })
})

function cli(args: string[], env: Record<string, string> = {}): Promise<CliInProcessRun> {
  return runCliInProcess(args, env)
}

function orgArgs(...more: string[]): string[] {
  return ['--target-type', 'org', '--org', 'acme', '--hostname', api.url, '--report-file', join(temp, 'report.json'), ...more]
}

describe('flags, not inputs', () => {
  test('unknown hook ids: the error names --hook-id, the valid hook is processed, exit 1', async () => {
    const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    const hook = api.createOrgHook('acme')
    const failing = addFailure(api, hook, HOUR)
    const run = await cli(orgArgs('--hook-id', `${hook.id},999001`), { GITHUB_TOKEN: token })
    expect(run.code).toBe(1)
    expect(redeliveryCounts(api).get(failing)).toBe(1)
    expect(run.stderr).toContain(
      "error: --hook-id: acme has no webhook 999001 (deleted, or the credential cannot see it); the other hooks were processed. Remove it from --hook-id, or check the credential's access.\n"
    )
    expect(run.stderr).not.toContain('Input "')
  })

  test('an error found at GitHub (a payload URL no hook has) names --hook-id too', async () => {
    const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    api.createOrgHook('acme', { url: 'https://ci.example.com/hook' })
    const run = await cli(orgArgs('--hook-id', 'https://elsewhere.example.com/hook'), { GITHUB_TOKEN: token })
    expect(run).toMatchObject({ code: 1, stdout: '' })
    expect(run.stderr).toBe("error: --hook-id: no webhook of acme has the payload URL https://elsewhere.example.com. Use the hook's ID, or its exact payload URL.\n")
  })

  test('a warning names the flag: --lookback past what GitHub can redeliver', async () => {
    const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    api.createOrgHook('acme')
    const run = await cli(orgArgs('--lookback', '7d'), { GITHUB_TOKEN: token })
    expect(run.code).toBe(0)
    expect(run.stderr).toContain('warning: --lookback is 7d, longer than GitHub can redeliver (3d); scanning 3d.\n')
  })

  test('a token that cannot be a header: GITHUB_TOKEN is named, its text never printed', async () => {
    const run = await cli(orgArgs(), { GITHUB_TOKEN: 'ghp_first\nghp_second' })
    expect(run.code).toBe(1)
    expect(run.stderr).toBe(
      'error: GITHUB_TOKEN holds a line break, a space or a character outside ASCII, which cannot be sent to GitHub: store the token alone in the secret, with nothing around it.\n'
    )
    expect(api.log).toEqual([])
  })

  test('a host name that does not resolve: what happened and which flag to check, without "500"', async () => {
    const run = await cli(['--target-type', 'org', '--org', 'acme', '--hostname', 'ghe.nowhere.invalid', '--report-file', join(temp, 'r.json')], { GITHUB_TOKEN: 'ghp_abc' })
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/could not resolve the host name ghe\.nowhere\.invalid \((ENOTFOUND|EAI_AGAIN)\)\. Check --hostname \(empty means GITHUB_API_URL, else github\.com\)/)
    expect(run.stderr).not.toMatch(/\b500\b/)
    expect(run.stderr).not.toContain('"hostname"')
  })
})

describe('flags that would be ignored are named', () => {
  test('--app-id with GITHUB_TOKEN and no key; --org and --repository with --target-type app', async () => {
    api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    const withToken = await cli(['--target-type', 'org', '--org', 'acme', '--app-id', '7', '--hostname', api.url, '--dry-run', '--report-file', join(temp, 'r.json')], {
      GITHUB_TOKEN: 'ghp_abc'
    })
    expect(withToken.stderr).toContain('warning: --app-id is ignored without GITHUB_APP_PRIVATE_KEY (or --private-key-file): the app cannot sign in without its key, so GITHUB_TOKEN is used.\n')

    const app = api.createApp()
    const key = join(temp, 'app.pem')
    writeFileSync(key, app.privateKeyPem)
    const run = await cli([
      '--target-type',
      'app',
      '--app-id',
      String(app.id),
      '--private-key-file',
      key,
      '--org',
      'acme',
      '--repository',
      'acme/x',
      '--hostname',
      api.url,
      '--dry-run',
      '--report-file',
      join(temp, 'r.json')
    ])
    expect(run.stderr).toContain('warning: --org is ignored for --target-type "app": the app\'s own webhook is scanned, whichever accounts installed it.\n')
    expect(run.stderr).toContain('warning: --repository is ignored for --target-type "app": the app\'s own webhook is scanned, whichever accounts installed it.\n')
    expect(run.code).toBe(0)
  })
})

test('a dry run with app credentials: the installation token request is not counted as a write', async () => {
  const app = api.createApp()
  api.createInstallation(app.id, { org: 'acme' }, { organization_hooks: 'write' })
  const hook = api.createOrgHook('acme')
  addFailure(api, hook, HOUR)
  const key = join(temp, 'app.pem')
  writeFileSync(key, app.privateKeyPem)
  const run = await cli(orgArgs('--app-id', String(app.id), '--private-key-file', key, '--dry-run', '--debug'))
  expect(run.code).toBe(0)
  expect(api.log.filter(e => e.method !== 'GET').map(e => e.route)).toEqual([expect.stringMatching(/^\/app\/installations\/\d+\/access_tokens$/)])
  expect(run.stderr).toMatch(/^debug: This run made \d+ requests to GitHub, 0 of them writes \(besides 1 installation token request\)\.$/m)
})

describe('the command line itself', () => {
  test.each([
    [['--max-attempts', '-1'], 'error: --max-attempts must be a positive integer, got "-1".\n'],
    [['--max-redeliveries', '-5'], 'error: --max-redeliveries must be a positive integer, got "-5".\n'],
    [['--hookid', '5'], 'error: --hookid is not a flag of webhook-redelivery. Run with --help for the flags.\n'],
    [['--org'], 'error: --org needs a value. Run with --help for the flags.\n'],
    [['--json=yes'], 'error: --json takes no value. Run with --help for the flags.\n'],
    [['--events', '-push'], 'error: --events needs a value; to give one that starts with "-", write --events=VALUE. Run with --help for the flags.\n'],
    [['stray'], 'error: unexpected argument "stray": every value follows its --flag. Run with --help for the flags.\n'],
    [['--hook-id', '1', '--hook-id', '2'], 'error: --hook-id is given more than once: give one comma-separated list, such as --hook-id a,b.\n'],
    [['--lookback', '1h', '--lookback=2h'], 'error: --lookback is given more than once: give it once.\n'],
    [['--state-file='], 'error: --state-file needs a path.\n'],
    [['--private-key-file', ''], 'error: --private-key-file needs a path.\n'],
    [['--metrics-file', ''], 'error: --metrics-file needs a path.\n']
  ])('%j', async (extra, message) => {
    const run = await cli(orgArgs(...extra), { GITHUB_TOKEN: 'ghp_abc' })
    expect(run).toEqual({ code: 1, stdout: '', stderr: message })
    expect(api.log).toEqual([])
  })

  test('-h and -v work as --help and --version', async () => {
    expect(await cli(['-h'])).toEqual({ code: 0, stdout: HELP, stderr: '' })
    const version = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version
    expect(await cli(['-v'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' })
    expect(HELP).toContain('-h, --help')
    expect(HELP).toContain('-v, --version')
  })

  test("--help speaks of the command line's own inputs where action.yml names an input in code quotes", () => {
    const oneLine = HELP.replace(/\s+/g, ' ')
    expect(oneLine).toContain('through an installation token instead of GITHUB_TOKEN.')
    expect(oneLine).toContain('Empty: keep no bookmark and scan --lookback every run.')
    // Values of --target-type stay values.
    expect(oneLine).toContain('authenticate org and repo through')
    expect(oneLine).not.toMatch(/instead of token\b/)
  })

  test('a --state-file path under a regular file names --state-file, before any request', async () => {
    writeFileSync(join(temp, 'plain'), 'x')
    const given = join(temp, 'plain', 'state.json')
    const run = await cli(orgArgs('--state-file', given), { GITHUB_TOKEN: 'ghp_abc' })
    expect(run).toEqual({ code: 1, stdout: '', stderr: `error: --state-file ${given} cannot be created: ${join(temp, 'plain')} is a file, not a directory.\n` })
    expect(api.log).toEqual([])
  })

  test('a --state-file path that is a directory names --state-file', async () => {
    mkdirSync(join(temp, 'dir'))
    const run = await cli(orgArgs('--state-file', join(temp, 'dir')), { GITHUB_TOKEN: 'ghp_abc' })
    expect(run).toEqual({ code: 1, stdout: '', stderr: `error: --state-file ${join(temp, 'dir')} is a directory: give the path of a file (in it, or elsewhere).\n` })
  })

  test('an encrypted --private-key-file: says it is encrypted, names where the key came from, sends nothing', async () => {
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 1024,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs1', format: 'pem', cipher: 'aes-128-cbc', passphrase: 'pw' }
    })
    const key = join(temp, 'app.pem')
    writeFileSync(key, privateKey)
    const run = await cli(['--target-type', 'app', '--app-id', '7', '--private-key-file', key, '--hostname', api.url])
    expect(run.code).toBe(1)
    expect(run.stderr).toBe(
      "error: GITHUB_APP_PRIVATE_KEY (or --private-key-file) is an encrypted key: a passphrase protects it, and none can be given. Export the GitHub App's key without a passphrase (such as with openssl pkey -in key.pem -out plain.pem), or use the key as downloaded from the app's settings.\n"
    )
    expect(api.log).toEqual([])
  })

  describe('anything but a regular file is refused before it is opened', () => {
    // A FIFO opened for reading blocks until a writer comes: the test would time out, not fail.
    const fifo = (): string => {
      const path = join(temp, 'fifo')
      execFileSync('mkfifo', [path])
      return path
    }
    const socket = async (): Promise<{ path: string; close: () => Promise<void> }> => {
      const path = join(temp, 'sock')
      const server = createServer()
      await new Promise<void>(done => server.listen(path, done))
      return { path, close: () => new Promise<void>(done => server.close(() => done())) }
    }

    test.each([
      ['/dev/null', 'a character device', () => '/dev/null'],
      ['a FIFO', 'a FIFO (named pipe)', fifo]
    ])(
      '--state-file %s',
      async (_, kind, path) => {
        const given = path()
        const run = await cli(orgArgs('--state-file', given), { GITHUB_TOKEN: 'ghp_abc' })
        expect(run).toEqual({ code: 1, stdout: '', stderr: `error: --state-file ${given} is ${kind}, not a regular file: give the path of a file.\n` })
        expect(api.log).toEqual([])
        expect(existsSync(`${given}.lock`)).toBe(false)
      },
      10_000
    )

    test('a FIFO where the lock goes beside the state file', async () => {
      const state = join(temp, 'state.json')
      execFileSync('mkfifo', [`${state}.lock`])
      const run = await cli(orgArgs('--state-file', state), { GITHUB_TOKEN: 'ghp_abc' })
      expect(run).toEqual({ code: 1, stdout: '', stderr: `error: The lock file ${state}.lock is not a regular file: move it away, then run again.\n` })
      expect(api.log).toEqual([])
    }, 10_000)

    test('--state-file a socket, and --metrics-file /dev/null or a FIFO', async () => {
      const sock = await socket()
      try {
        const run = await cli(orgArgs('--state-file', sock.path), { GITHUB_TOKEN: 'ghp_abc' })
        expect(run.stderr).toBe(`error: --state-file ${sock.path} is a socket, not a regular file: give the path of a file.\n`)
      } finally {
        await sock.close()
      }
      const devNull = await cli(orgArgs('--metrics-file', '/dev/null'), { GITHUB_TOKEN: 'ghp_abc' })
      expect(devNull).toEqual({ code: 1, stdout: '', stderr: 'error: --metrics-file /dev/null is a character device, not a regular file: give the path of a file.\n' })
      const pipe = fifo()
      expect((await cli(orgArgs('--metrics-file', pipe), { GITHUB_TOKEN: 'ghp_abc' })).stderr).toContain(`--metrics-file ${pipe} is a FIFO (named pipe), not a regular file`)
      expect(api.log).toEqual([])
      expect(statSync('/dev/null').isCharacterDevice()).toBe(true)
    }, 10_000)
  })

  test('a --report-file under a regular file is a warning naming --report-file; the run itself succeeds', async () => {
    const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    api.createOrgHook('acme')
    writeFileSync(join(temp, 'plain'), 'x')
    const given = join(temp, 'plain', 'report.json')
    const run = await cli(['--target-type', 'org', '--org', 'acme', '--hostname', api.url, '--report-file', given], { GITHUB_TOKEN: token })
    expect(run.code).toBe(0)
    expect(run.stderr).toContain(`--report-file ${given} cannot be created: ${join(temp, 'plain')} is a file, not a directory.`)
  })

  test('a state file from a newer version: the words fit a file, and the sentence reads', async () => {
    const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    api.createOrgHook('acme')
    const stateFile = join(temp, 'state.json')
    writeFileSync(stateFile, '{"version":9,"hooks":{}}\n')
    const run = await cli(orgArgs('--state-file', stateFile), { GITHUB_TOKEN: token })
    expect(run.code).toBe(1)
    expect(run.stderr).toBe(
      `error: The state file ${stateFile} holds a bookmark written by a newer version of webhook-redelivery (bookmark version 9). Run that version or a later one, or delete the state file ${stateFile} to start over.\n`
    )
    expect(readFileSync(stateFile, 'utf8')).toBe('{"version":9,"hooks":{}}\n')
  })
})

test('a state file that holds no bookmark: the warning speaks of the file and of this program, not of an action or a variable', async () => {
  const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
  api.createOrgHook('acme')
  const stateFile = join(temp, 'state.json')
  writeFileSync(stateFile, 'not json {')
  const run = await cli(orgArgs('--state-file', stateFile), { GITHUB_TOKEN: token })
  expect(run.code).toBe(0)
  expect(run.stderr).toContain(`warning: The state file ${stateFile} does not hold a bookmark webhook-redelivery can read (it is not JSON); scanning the last 1d and replacing it.\n`)
  expect(run.stderr).not.toMatch(/action|variable/)
})

describe('counts in good grammar', () => {
  test('one attempt, one error: "1 attempt", "1 error", "1 redelivery request failed"', async () => {
    const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    const hook = api.createOrgHook('acme')
    addFailure(api, hook, HOUR)
    // GitHub answers every redelivery with 503: retried, then counted as an error.
    api.outage({ pathIncludes: '/attempts', methods: ['POST'], durationMs: 10 * HOUR, status: 503 })
    const run = await cli(orgArgs('--hook-id', String(hook.id)), { GITHUB_TOKEN: token })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('scanned 1 attempt; 1 failing: 0 redelivered, 0 skipped, 1 error.\n')
    expect(run.stderr).toContain(`acme hook ${hook.id}: scanned 1 attempt; 1 failing; 0 redelivered, 0 skipped, 1 error\n`)
    expect(run.stderr).toContain('error: 1 redelivery request failed after retries; the next run tries again.\n')
    expect(run.stderr + run.stdout).not.toMatch(/\b1 (errors|attempts|redeliveries|requests)\b/)
  })
})

test('--json with a bad input prints one object that says why', async () => {
  const { code, stdout } = await cli(['--target-type', 'org', '--org', 'acme', '--max-attempts', '0', '--json'], { GITHUB_TOKEN: 'ghp_placeholder' })
  expect(code).toBe(1)
  expect(JSON.parse(stdout)).toEqual({ failures: ['--max-attempts must be a positive integer, got "0".'] })
})
