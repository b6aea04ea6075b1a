/**
 * How a command-line run ends, in process (main() of src/cli/main.ts) against the local
 * GitHub API: what failed the run is in the JSON, the report and on stderr.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, unlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startLocalApi, type LocalApi } from '../../local-api/index.js'
import { defaultReportPath } from '../../src/report-file.js'
import { runCliInProcess, shortenWaitsInEachTest, type CliInProcessRun } from '../support/in-process.js'
import { acceptedIds, addFailure, closedPort, HOUR, MINUTE, redeliveryCounts, settle, sorted } from '../support/world.js'

let api: LocalApi
let temp: string

// Backoff and the one-second spacing of writes, shrunk for the local API.
const { realWaits } = shortenWaitsInEachTest()
beforeEach(async () => {
  api = await startLocalApi({ seed: 7 })
  temp = mkdtempSync(join(tmpdir(), 'cli-run-end-'))
})
afterEach(async () => {
  await api.close()
  rmSync(temp, { recursive: true, force: true })
})

function cli(args: string[], env: NodeJS.ProcessEnv, interrupt?: AbortSignal): Promise<CliInProcessRun> {
  return runCliInProcess(args, env, { interrupt })
}

describe('a hook that cannot be scanned', () => {
  test('--json says why the run failed, and the counts still add up', async () => {
    const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    const good = api.createOrgHook('acme')
    const broken = api.createOrgHook('acme')
    addFailure(api, good, HOUR)
    api.outage({ pathIncludes: `/hooks/${broken.id}/deliveries`, durationMs: 10 * 60_000, status: 503 })
    const stateFile = join(temp, 'state.json')

    const run = await cli(['--target-type', 'org', '--org', 'acme', '--hook-id', `${good.id},${broken.id}`, '--hostname', api.url, '--state-file', stateFile, '--json'], { GITHUB_TOKEN: token })

    expect(run.code).toBe(1)
    const out = JSON.parse(run.stdout)
    expect(out).toMatchObject({ failed: 1, redelivered: 1, skipped: 0, errors: 0 })
    expect(out.failed).toBe(out.redelivered + out.skipped + out.errors)
    expect(out.failures).toEqual([expect.stringContaining(`Could not scan acme hook ${broken.id}`)])
    const report = JSON.parse(readFileSync(out.report, 'utf8'))
    expect(report.failures).toEqual(out.failures)
    expect(run.stderr).toContain(`error: Could not scan acme hook ${broken.id}`)
  })

  test('without --json, the line of counts says how many hooks could not be scanned', async () => {
    const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    const good = api.createOrgHook('acme')
    const broken = api.createOrgHook('acme')
    api.outage({ pathIncludes: `/hooks/${broken.id}/deliveries`, durationMs: 10 * 60_000, status: 503 })

    const run = await cli(['--target-type', 'org', '--org', 'acme', '--hook-id', `${good.id},${broken.id}`, '--hostname', api.url, '--report-file', join(temp, 'report.json')], { GITHUB_TOKEN: token })

    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/^scanned 0 attempts; 0 failing: 0 redelivered, 0 skipped, 0 errors\. 1 of 2 hooks could not be scanned\.\n/)
  })

  test('a run that succeeds prints an empty failures list', async () => {
    const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    const hook = api.createOrgHook('acme')
    const run = await cli(['--target-type', 'org', '--org', 'acme', '--hook-id', String(hook.id), '--hostname', api.url, '--report-file', join(temp, 'r.json'), '--json'], {
      GITHUB_TOKEN: token
    })
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ errors: 0, failures: [] })
  })
})

describe('GitHub cannot be reached', () => {
  test("docs/cli.md's example against a host that refuses connections: one clear error, fast, and nothing written", async () => {
    const port = await closedPort()
    // Real waits, so retrying the refused connection would show in the time taken.
    realWaits()
    const started = Date.now()
    const run = await cli(['--target-type', 'org', '--org', 'acme', '--hook-id', '123', '--state-file', join(temp, 'state.json')], {
      GITHUB_TOKEN: 'ghp_placeholder',
      GITHUB_API_URL: `http://127.0.0.1:${port}`
    })

    expect(run.code).toBe(1)
    expect(Date.now() - started).toBeLessThan(3000)
    const errors = run.stderr.split('\n').filter(line => line.startsWith('error: '))
    expect(errors).toEqual([`error: 127.0.0.1:${port} refused the connection (ECONNREFUSED): nothing accepts connections there. Check --hostname and its port, and that the server is up.`])
    // No counts that read like a run that looked and found nothing.
    expect(run.stdout).toBe('')
    expect(readdirSync(temp)).toEqual([])
  })

  test('with --json, a run that stops early prints one object that says why', async () => {
    const port = await closedPort()
    const run = await cli(['--target-type', 'org', '--org', 'acme', '--hook-id', '123', '--report-file', join(temp, 'r.json'), '--json'], {
      GITHUB_TOKEN: 'placeholder',
      GITHUB_API_URL: `http://127.0.0.1:${port}`
    })
    expect(run.code).toBe(1)
    expect(JSON.parse(run.stdout)).toEqual({ failures: [expect.stringMatching(/^127\.0\.0\.1:\d+ refused the connection \(ECONNREFUSED\)/)] })
    expect(existsSync(join(temp, 'r.json'))).toBe(false)
  })

  test('when no hook could be scanned, the state file is not created', async () => {
    const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    const hook = api.createOrgHook('acme')
    api.outage({ pathIncludes: '/deliveries', durationMs: 10 * 60_000, status: 503 })
    const stateFile = join(temp, 'state.json')

    const run = await cli(['--target-type', 'org', '--org', 'acme', '--hook-id', String(hook.id), '--hostname', api.url, '--state-file', stateFile, '--json'], {
      GITHUB_TOKEN: token
    })

    expect(run.code).toBe(1)
    expect(JSON.parse(run.stdout).failures).toEqual([expect.stringContaining(`Could not scan acme hook ${hook.id}`)])
    expect(existsSync(stateFile)).toBe(false)
  })
})

describe('interrupted (SIGINT, SIGTERM)', () => {
  test('stops before the next redelivery, says what was sent, writes the report and the bookmark, and exits 143; the next run sends the rest once', async () => {
    const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    const hook = api.createOrgHook('acme')
    const failing = Array.from({ length: 12 }, (_, i) => addFailure(api, hook, HOUR - i * MINUTE))
    const stateFile = join(temp, 'state.json')
    const args = ['--target-type', 'org', '--org', 'acme', '--hook-id', String(hook.id), '--hostname', api.url, '--state-file', stateFile, '--json']

    // SIGTERM as soon as GitHub has accepted three redeliveries.
    const interrupt = new AbortController()
    const poll = setInterval(() => {
      if (api.redeliveryRequests().filter(r => r.accepted).length >= 3) interrupt.abort('SIGTERM')
    }, 1)
    const run = await cli(args, { GITHUB_TOKEN: token }, interrupt.signal).finally(() => clearInterval(poll))

    expect(run.code).toBe(143)
    const sent = acceptedIds(api)
    expect(sent.length).toBeGreaterThanOrEqual(3)
    expect(sent.length).toBeLessThan(failing.length)
    const left = failing.length - sent.length
    const out = JSON.parse(run.stdout)
    expect(out).toMatchObject({ failed: failing.length, redelivered: sent.length, skipped: left, errors: 0 })
    const message = `The run was interrupted by SIGTERM: ${sent.length} redeliveries were sent, ${left} left for the next run. The bookmark records what was sent; the next run continues from it.`
    expect(out.failures).toEqual([message])
    expect(run.stderr).toContain(`error: ${message}`)
    const report = JSON.parse(readFileSync(out.report, 'utf8'))
    expect(report.failures).toEqual([message])
    expect(report.deliveries.filter((d: { reason?: string }) => d.reason === 'interrupted')).toHaveLength(left)
    // The bookmark holds exactly what was sent as in flight, so nothing is sent twice, and nothing
    // unsent as pending, so the next run sends the rest at once.
    const entry = JSON.parse(readFileSync(stateFile, 'utf8')).hooks[String(hook.id)]
    expect(sorted(Object.values(entry.sent).flat() as string[])).toEqual(sorted(sent))
    expect(entry.pending).toBeUndefined()
    expect(existsSync(`${stateFile}.lock`)).toBe(false)

    await settle()
    api.advanceClock(5 * MINUTE)
    const next = await cli(args, { GITHUB_TOKEN: token })
    expect(next.code).toBe(0)
    expect(sorted(redeliveryCounts(api).keys())).toEqual(sorted(failing))
    for (const guid of failing) expect(redeliveryCounts(api).get(guid)).toBe(1)
  })

  test('interrupted before anything was scanned: nothing sent, no bookmark written, exit 130', async () => {
    const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    const hook = api.createOrgHook('acme')
    addFailure(api, hook, HOUR)
    const stateFile = join(temp, 'state.json')
    const interrupt = new AbortController()
    interrupt.abort('SIGINT')

    const run = await cli(['--target-type', 'org', '--org', 'acme', '--hook-id', String(hook.id), '--hostname', api.url, '--state-file', stateFile], { GITHUB_TOKEN: token }, interrupt.signal)

    expect(run.code).toBe(130)
    expect(api.redeliveryRequests()).toHaveLength(0)
    expect(run.stderr).toContain('error: The run was interrupted by SIGINT: 0 redeliveries were sent, 1 hook not scanned.')
    expect(existsSync(stateFile)).toBe(false)
  })
})

describe('what a run leaves in the temporary directory', () => {
  test("without --state-file or --report-file, every run writes its report to one directory of the user's, not a new one per run", async () => {
    const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    const hook = api.createOrgHook('acme')
    addFailure(api, hook, HOUR)
    const args = ['--target-type', 'org', '--org', 'acme', '--hook-id', String(hook.id), '--hostname', api.url, '--json']

    const first = JSON.parse((await cli(args, { GITHUB_TOKEN: token, TMPDIR: temp })).stdout)
    const second = JSON.parse((await cli(args, { GITHUB_TOKEN: token, TMPDIR: temp })).stdout)

    expect(second.report).toBe(first.report)
    expect(first.report).toBe(join(temp, `webhook-redelivery-${process.getuid!()}`, 'report.json'))
    expect(readdirSync(temp)).toEqual([`webhook-redelivery-${process.getuid!()}`])
    expect(readdirSync(join(temp, `webhook-redelivery-${process.getuid!()}`))).toEqual(['report.json'])
  })

  test("a directory of that name that is not the user's alone is never written into", () => {
    const elsewhere = join(temp, 'elsewhere')
    mkdirSync(elsewhere)
    symlinkSync(elsewhere, join(temp, `webhook-redelivery-${process.getuid!()}`))
    expect(() => defaultReportPath(temp)).toThrow(/is not a directory of this user's alone; give --report-file/)
    // unlink: rmSync of a link to a directory refuses on Node 24.
    unlinkSync(join(temp, `webhook-redelivery-${process.getuid!()}`))
    mkdirSync(join(temp, `webhook-redelivery-${process.getuid!()}`), { mode: 0o777 })
    // mkdir applies the umask: make it writable by others explicitly.
    chmodSync(join(temp, `webhook-redelivery-${process.getuid!()}`), 0o777)
    expect(() => defaultReportPath(temp)).toThrow(/not a directory of this user's alone/)
  })

  test("the run's warning about it reads: no empty path before the colon", async () => {
    const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    api.createOrgHook('acme')
    const dir = join(temp, `webhook-redelivery-${process.getuid!()}`)
    mkdirSync(dir)
    chmodSync(dir, 0o777)
    const run = await cli(['--target-type', 'org', '--org', 'acme', '--hostname', api.url], { GITHUB_TOKEN: token, TMPDIR: temp })
    expect(run.code).toBe(0)
    expect(run.stderr).toContain(`warning: Could not write the report: ${dir} is not a directory of this user's alone; give --report-file\n`)
    expect(run.stderr).not.toMatch(/ :/)
  })
})
