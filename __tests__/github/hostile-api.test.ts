/**
 * An API that is hostile or broken, in front of the local GitHub API: it forwards every request
 * and tampers with the ones a test names. What the client must hold to: the credential never
 * leaves the API's origin, answers have a size and a time limit, error bodies are quoted
 * shortened, and a cut-off or malformed answer is named as such, with the request it answered.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { startLocalApi, type LocalApi } from '../../local-api/index.js'
import { MAX_ANSWER_BYTES } from '../../src/github/http.js'
import { runInProcess } from '../support/in-process.js'
import { addFailure, HOUR } from '../support/world.js'

/** Handles a request itself (true) or leaves it to be forwarded to the local API. */
type Tamper = (request: IncomingMessage, response: ServerResponse, forward: (rewrite?: (headers: Record<string, string | string[] | undefined>) => void) => void) => boolean

let api: LocalApi
let front: { url: string; server: Server }
let other: { url: string; server: Server; seen: string[] }
let tamper: Tamper = () => false

async function listen(server: Server): Promise<string> {
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

beforeEach(async () => {
  api = await startLocalApi({ seed: 41 })
  tamper = () => false
  const target = new URL(api.url)
  const frontServer = createServer((request, response) => {
    const forward = (rewrite?: (headers: Record<string, string | string[] | undefined>) => void): void => {
      const upstream = httpRequest({ host: target.hostname, port: target.port, path: request.url, method: request.method, headers: { ...request.headers, host: target.host } }, answer => {
        const headers = { ...answer.headers }
        rewrite?.(headers)
        response.writeHead(answer.statusCode ?? 502, headers)
        answer.pipe(response)
      })
      request.pipe(upstream)
    }
    if (!tamper(request, response, forward)) forward()
  })
  front = { server: frontServer, url: await listen(frontServer) }
  const seen: string[] = []
  const otherServer = createServer((request, response) => {
    seen.push(`${request.method} ${request.url} ${request.headers.authorization ?? ''}`)
    response.writeHead(200, { 'content-type': 'application/json' }).end('[]')
  })
  other = { server: otherServer, seen, url: await listen(otherServer) }
})

afterEach(async () => {
  for (const server of [front.server, other.server]) {
    server.closeAllConnections()
    await new Promise(resolve => server.close(resolve))
  }
  await api.close()
})

/** An organization hook with one failing delivery, and a token that may redeliver it. */
function orgHook(): { token: string; hookId: number } {
  const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
  const hook = api.createOrgHook('acme')
  addFailure(api, hook, HOUR)
  return { token, hookId: hook.id }
}

const linkElsewhere = (headers: Record<string, string | string[] | undefined>): void => {
  headers.link = `<${other.url}/steal/next?cursor=x>; rel="next"`
}

describe('the credential never follows a link to another origin', () => {
  test('a deliveries page whose next link names another host: an error naming it, and nothing sent there', async () => {
    const { token, hookId } = orgHook()
    tamper = (request, _response, forward) => (request.url!.includes('/deliveries') ? (forward(linkElsewhere), true) : false)
    const run = await runInProcess(api, { 'target-type': 'org', org: 'acme', 'hook-id': String(hookId), token, hostname: front.url })
    expect(run.result?.failures).toEqual([expect.stringContaining(`Could not scan acme hook ${hookId}: listing deliveries failed: GitHub's answer linked the next page to ${new URL(other.url).host}`)])
    expect(other.seen).toEqual([])
  })

  test('the hooks list', async () => {
    const { token } = orgHook()
    tamper = (request, _response, forward) => (/\/orgs\/acme\/hooks\?/.test(request.url!) ? (forward(linkElsewhere), true) : false)
    const run = await runInProcess(api, { 'target-type': 'org', org: 'acme', token, hostname: front.url })
    expect(run.error).toContain(`GitHub's answer linked the next page to ${new URL(other.url).host}`)
    expect(other.seen).toEqual([])
  })

  test("an organization's repository list", async () => {
    api.addRepository('acme', 'widgets')
    api.createRepoHook('acme/widgets')
    const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    tamper = (request, _response, forward) => (request.url!.startsWith('/orgs/acme/repos') ? (forward(linkElsewhere), true) : false)
    const run = await runInProcess(api, { 'target-type': 'repo', repository: 'acme/*', token, hostname: front.url })
    expect(run.error).toContain(`GitHub's answer linked the next page to ${new URL(other.url).host}`)
    expect(other.seen).toEqual([])
  })
})

describe('answers have limits', () => {
  test('a 600 MB deliveries page is refused early, unread, and not asked for again', async () => {
    const { token, hookId } = orgHook()
    let sent = 0
    let asked = 0
    tamper = (request, response) => {
      if (!request.url!.includes('/deliveries')) return false
      asked++
      response.writeHead(200, { 'content-type': 'application/json' })
      const chunk = Buffer.alloc(1024 * 1024, 0x20)
      // Written as fast as the client reads, up to 600 MB, until it hangs up.
      const pump = (): void => {
        while (sent < 600 * 1024 * 1024 && !response.destroyed) {
          sent += chunk.length
          if (!response.write(chunk)) return void response.once('drain', pump)
        }
        response.end()
      }
      response.write('[')
      pump()
      return true
    }
    const run = await runInProcess(api, { 'target-type': 'org', org: 'acme', 'hook-id': String(hookId), token, hostname: front.url })
    expect(run.result?.failures).toEqual([
      expect.stringMatching(new RegExp(`^Could not scan acme hook ${hookId}: listing deliveries failed: the answer to /orgs/acme/hooks/${hookId}/deliveries was larger than 32 MB`))
    ])
    expect(asked).toBe(1)
    // Cut off soon after the limit: what was sent beyond it is what the sockets buffered.
    expect(sent).toBeLessThan(MAX_ANSWER_BYTES + 16 * 1024 * 1024)
  })

  test('a 200 kB error body is quoted shortened', async () => {
    const { token, hookId } = orgHook()
    tamper = (request, response) => {
      if (!request.url!.includes('/deliveries')) return false
      response.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'x'.repeat(200_000) }))
      return true
    }
    const run = await runInProcess(api, { 'target-type': 'org', org: 'acme', 'hook-id': String(hookId), token, hostname: front.url })
    const failures = run.result?.failures ?? []
    expect(failures).toEqual([expect.stringContaining('more characters not shown')])
    expect(failures[0].length).toBeLessThan(1000)
    expect(run.log.join('\n').length).toBeLessThan(10_000)
  })

  test('an answer sent a byte at a time is abandoned after the time limit in all, and retried as a network failure', async () => {
    const { token, hookId } = orgHook()
    let asked = 0
    tamper = (request, response) => {
      if (!request.url!.includes('/deliveries')) return false
      asked++
      response.writeHead(200, { 'content-type': 'application/json' })
      // Never idle for long, never done: one byte every 200 ms.
      const timer = setInterval(() => (response.destroyed ? clearInterval(timer) : response.write(' ')), 200)
      response.on('close', () => clearInterval(timer))
      return true
    }
    const started = Date.now()
    const run = await runInProcess(api, { 'target-type': 'org', org: 'acme', 'hook-id': String(hookId), token, hostname: front.url }, { requestTimeoutMs: 1000 })
    expect(run.result?.failures).toEqual([
      `Could not scan acme hook ${hookId}: listing deliveries failed: ${new URL(front.url).host} gave no complete answer within 1 s, so the request was abandoned. Check that this machine can reach it (firewall, proxy settings).`
    ])
    // The first try and the request policy's three retries of a read.
    expect(asked).toBe(4)
    expect(Date.now() - started).toBeLessThan(15_000)
  })
})

describe('broken answers are named', () => {
  test('a deliveries page cut off mid-answer: GitHub’s answer was cut off, for that hook', async () => {
    const { token, hookId } = orgHook()
    tamper = (request, response) => {
      if (!request.url!.includes('/deliveries')) return false
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' })
      response.write('[{"id":1,"guid":"')
      setTimeout(() => response.destroy(), 20)
      return true
    }
    const run = await runInProcess(api, { 'target-type': 'org', org: 'acme', 'hook-id': String(hookId), token, hostname: front.url })
    expect(run.result?.failures).toEqual([
      `Could not scan acme hook ${hookId}: listing deliveries failed: the answer of ${new URL(front.url).host} was cut off before its end: the connection closed mid-answer.`
    ])
  })

  test('a deliveries page that is not valid JSON says so, for that hook', async () => {
    const { token, hookId } = orgHook()
    tamper = (request, response) => {
      if (!request.url!.includes('/deliveries')) return false
      response.writeHead(200, { 'content-type': 'application/json' }).end('[{"id":1,')
      return true
    }
    const run = await runInProcess(api, { 'target-type': 'org', org: 'acme', 'hook-id': String(hookId), token, hostname: front.url })
    expect(run.result?.failures).toEqual([expect.stringMatching(new RegExp(`^Could not scan acme hook ${hookId}: listing deliveries failed: GitHub's answer was not valid JSON \\(`))])
  })

  test('a hooks list that is not valid JSON says so, and which request it answered', async () => {
    const { token } = orgHook()
    tamper = (request, response) => {
      if (!/\/orgs\/acme\/hooks\?/.test(request.url!)) return false
      response.writeHead(200, { 'content-type': 'application/json' }).end('[{"id":1,')
      return true
    }
    const run = await runInProcess(api, { 'target-type': 'org', org: 'acme', token, hostname: front.url })
    expect(run.error).toContain("GitHub's answer to GET /orgs/acme/hooks was not valid JSON")
  })
})
