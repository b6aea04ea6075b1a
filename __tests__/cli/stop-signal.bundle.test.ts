/**
 * A stop is a stop: SIGTERM/SIGINT while a request hangs or while a rate limit is waited out ends
 * the run within seconds, with the bookmark and the report saved and the documented exit code.
 * The APIs here sit in front of the local GitHub API and hang, or rate-limit, the requests a test
 * names; the rest is forwarded.
 */
import { afterEach, beforeEach, expect, test } from '@jest/globals'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startLocalApi, type LocalApi } from '../../local-api/index.js'
import { runCliInProcess } from '../support/in-process.js'
import { CLI_ENTRY } from '../support/runner.js'
import { addFailure, HOUR } from '../support/world.js'

let api: LocalApi
let temp: string
let front: { url: string; server: Server; asked: string[] }
/** Answers a request itself (true), or leaves it to be forwarded to the local API. */
let intercept: (request: IncomingMessage, response: ServerResponse) => boolean

beforeEach(async () => {
  api = await startLocalApi({ seed: 43 })
  temp = mkdtempSync(join(tmpdir(), 'cli-stop-'))
  intercept = () => false
  const target = new URL(api.url)
  const asked: string[] = []
  const server = createServer((request, response) => {
    asked.push(`${request.method} ${request.url}`)
    if (intercept(request, response)) return
    const upstream = httpRequest({ host: target.hostname, port: target.port, path: request.url, method: request.method, headers: { ...request.headers, host: target.host } }, answer => {
      response.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(response)
    })
    request.pipe(upstream)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  front = { server, asked, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
})

afterEach(async () => {
  front.server.closeAllConnections()
  await new Promise(resolve => front.server.close(resolve))
  await api.close()
  rmSync(temp, { recursive: true, force: true })
})

/** Two hooks with a failure each; the second's deliveries are the ones tampered with. */
function twoHooks(): { token: string; good: number; stuck: number } {
  const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
  const good = api.createOrgHook('acme')
  const stuck = api.createOrgHook('acme')
  addFailure(api, good, HOUR)
  addFailure(api, stuck, HOUR)
  return { token, good: good.id, stuck: stuck.id }
}

/** The CLI in this process, sent `signal` once `when()` holds; how long it took to end after it. */
async function stopWhen(args: string[], token: string, when: () => boolean, signal: 'SIGTERM' | 'SIGINT' = 'SIGTERM') {
  const interrupt = new AbortController()
  let stoppedAt = 0
  const poll = setInterval(() => {
    if (!stoppedAt && when()) {
      stoppedAt = Date.now()
      interrupt.abort(signal)
    }
  }, 20)
  const run = await runCliInProcess(args, { GITHUB_TOKEN: token }, { interrupt: interrupt.signal }).finally(() => clearInterval(poll))
  return { ...run, afterStopMs: Date.now() - stoppedAt, stopped: stoppedAt > 0 }
}

test('SIGTERM while a request hangs: the run ends within seconds, saves the bookmark of what was scanned and the report, and exits 143', async () => {
  const { token, good, stuck } = twoHooks()
  // Accepted, and never answered.
  intercept = request => request.url!.includes(`/hooks/${stuck}/deliveries`)
  const stateFile = join(temp, 'state.json')
  const args = ['--target-type', 'org', '--org', 'acme', '--hook-id', `${good},${stuck}`, '--hostname', front.url, '--state-file', stateFile, '--json']
  let hangingSince = 0
  // Stopped once the request has hung a while (and the other hook's listing is done).
  const run = await stopWhen(args, token, () => {
    if (!hangingSince && front.asked.some(r => r.includes(`/hooks/${stuck}/deliveries`))) hangingSince = Date.now()
    return hangingSince > 0 && Date.now() - hangingSince > 300
  })

  expect(run.stopped).toBe(true)
  expect(run.code).toBe(143)
  expect(run.afterStopMs).toBeLessThan(3000)
  const out = JSON.parse(run.stdout)
  expect(out.failures).toEqual([expect.stringMatching(/^The run was interrupted by SIGTERM: .*1 hook not scanned/)])
  expect(JSON.parse(readFileSync(out.report, 'utf8')).failures).toEqual(out.failures)
  // The hook that was scanned is bookmarked; the one cut short is not.
  expect(Object.keys(JSON.parse(readFileSync(stateFile, 'utf8')).hooks)).toEqual([String(good)])
})

test('SIGINT while a long retry-after is waited out: the run ends within seconds, asks nothing more, and exits 130', async () => {
  const { token, good, stuck } = twoHooks()
  intercept = (request, response) => {
    if (!request.url!.includes(`/hooks/${stuck}/deliveries`)) return false
    // A secondary rate limit the client waits out (under its three-minute ceiling).
    response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '170' }).end('{"message":"You have exceeded a secondary rate limit."}')
    return true
  }
  const stateFile = join(temp, 'state.json')
  const args = ['--target-type', 'org', '--org', 'acme', '--hook-id', `${good},${stuck}`, '--hostname', front.url, '--state-file', stateFile, '--json']
  const limited = (): number => front.asked.filter(r => r.includes(`/hooks/${stuck}/deliveries`)).length
  let waitingSince = 0
  // Stopped once the wait has begun (and the other hook's listing is done).
  const run = await stopWhen(
    args,
    token,
    () => {
      if (!waitingSince && limited() > 0) waitingSince = Date.now()
      return waitingSince > 0 && Date.now() - waitingSince > 300
    },
    'SIGINT'
  )

  expect(run.code).toBe(130)
  expect(run.afterStopMs).toBeLessThan(3000)
  expect(limited()).toBe(1)
  expect(run.stderr).toContain("GitHub's secondary rate limit answered")
  expect(JSON.parse(run.stdout).failures).toEqual([expect.stringMatching(/^The run was interrupted by SIGINT/)])
  expect(Object.keys(JSON.parse(readFileSync(stateFile, 'utf8')).hooks)).toEqual([String(good)])
})

test('the command as users run it: SIGTERM while a request hangs ends the process within seconds', async () => {
  const { token, stuck } = twoHooks()
  intercept = request => request.url!.includes(`/hooks/${stuck}/deliveries`)
  const child = spawn(process.execPath, [CLI_ENTRY, '--target-type', 'org', '--org', 'acme', '--hook-id', String(stuck), '--hostname', front.url, '--report-file', join(temp, 'r.json')], {
    env: { PATH: process.env.PATH ?? '', GITHUB_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stderr = ''
  child.stderr.on('data', chunk => (stderr += chunk))
  const exited = new Promise<number | null>(resolve => child.on('close', code => resolve(code)))
  let sentAt = 0
  const hanging = setInterval(() => {
    if (front.asked.some(r => r.includes(`/hooks/${stuck}/deliveries`))) {
      clearInterval(hanging)
      sentAt = Date.now()
      child.kill('SIGTERM')
    }
  }, 20)
  // A process that ignores the signal is killed, and the test fails rather than hangs.
  const guard = setTimeout(() => child.kill('SIGKILL'), 15_000)
  const code = await exited
  clearTimeout(guard)
  clearInterval(hanging)
  expect(sentAt).toBeGreaterThan(0)
  expect(Date.now() - sentAt).toBeLessThan(5000)
  expect(code).toBe(143)
  expect(stderr).toContain('error: The run was interrupted by SIGTERM')
  expect(existsSync(join(temp, 'r.json'))).toBe(true)
})
