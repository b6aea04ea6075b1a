/**
 * Requests that never got an answer from GitHub: Octokit reports them as status 500.
 * These run the real client in process against local servers that fail in each way.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http'
import { connect, createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startLocalApi, type LocalApi } from '../../local-api/index.js'
import { UserError } from '../../src/engine/ports.js'
import { createClient, loadGitHub, type ClientContext } from '../../src/github/client.js'
import { GitHubClock } from '../../src/github/clock.js'
import { GITHUB_PACING, type Pacing } from '../../src/github/timing.js'
import { GitHubDeliveries } from '../../src/github/deliveries.js'
import { orgHookRoute } from '../../src/targets/org.js'
import { describeError, explainHttpError, networkFailure } from '../../src/github/errors.js'
import { parseConfig, type Config } from '../../src/core/config.js'
import { redeliverFailedDeliveries } from '../../src/session.js'
import { VariableStore } from '../../src/state/variable-store.js'
import { closedPort } from '../support/world.js'

const GitHub = await loadGitHub()

const TOKEN = 'ghp_networktest0000000000000000000000'
/** GitHub's waits a thousand times shorter; a test that needs the real ones sets `pacing = GITHUB_PACING`. */
const SHORT_PACING: Pacing = { ...GITHUB_PACING, writeIntervalMs: 1, retryBaseMs: 1, verifyDelayMs: { dotcom: 30, ghes: 60 } }
let pacing = SHORT_PACING
const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy']
let savedEnv: Record<string, string | undefined>

function context(baseUrl: string): ClientContext {
  return {
    GitHub,
    baseUrl,
    clock: new GitHubClock(),
    log: { debug: () => undefined, warning: () => undefined },
    mask: () => undefined,
    requests: { total: 0, writes: 0 },
    pacing
  }
}

/** The error one GET to the org's hooks ends with. */
async function failure(baseUrl: string, token = TOKEN): Promise<unknown> {
  try {
    await createClient(context(baseUrl), { token }).request('GET /orgs/{org}/hooks', { org: 'acme' })
  } catch (error) {
    return error
  }
  throw new Error('the request succeeded')
}

/** A TCP server that counts connections and hands each socket to `onSocket`. */
async function tcpServer(onSocket: (socket: Socket) => void): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let connections = 0
  const sockets = new Set<Socket>()
  const server: Server = createServer(socket => {
    connections++
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
    onSocket(socket)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  return {
    port,
    connections: () => connections,
    close: () => {
      for (const socket of sockets) socket.destroy()
      return new Promise(resolve => server.close(() => resolve()))
    }
  }
}

beforeEach(() => {
  savedEnv = Object.fromEntries(PROXY_VARIABLES.map(name => [name, process.env[name]]))
  for (const name of PROXY_VARIABLES) delete process.env[name]
  pacing = SHORT_PACING
})

afterEach(() => {
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
})

describe('a certificate the machine does not trust (GHES with a private certificate authority)', () => {
  let api: LocalApi
  let forwarder: Awaited<ReturnType<typeof tcpServer>>

  beforeAll(async () => {
    api = await startLocalApi({ tls: true })
    const apiPort = Number(new URL(api.url).port)
    // Counts the connections made to the HTTPS server: one per try.
    forwarder = await tcpServer(socket => {
      const upstream = connect(apiPort, '127.0.0.1')
      upstream.on('error', () => socket.destroy())
      socket.pipe(upstream).pipe(socket)
    })
  })

  afterAll(async () => {
    await forwarder.close()
    await api.close()
  })

  test('says the certificate is not trusted, names NODE_EXTRA_CA_CERTS, and does not retry', async () => {
    const error = await failure(`https://127.0.0.1:${forwarder.port}/api/v3`)
    const message = describeError(error)
    expect(message).toMatch(/^the TLS certificate of 127\.0\.0\.1:\d+ is not trusted: self-signed certificate \(DEPTH_ZERO_SELF_SIGNED_CERT\)\./)
    expect(message).toContain('set the environment variable NODE_EXTRA_CA_CERTS to a PEM file')
    expect(message).not.toMatch(/\b500\b/)
    expect(networkFailure(error)).toMatchObject({ problem: 'certificate', permanent: true, mayHaveArrived: false })
    expect(forwarder.connections()).toBe(1)
  })

  test('a redelivery that cannot connect is not retried: the run ends with what to do (nothing was sent)', async () => {
    const before = forwarder.connections()
    const deliveries = new GitHubDeliveries(
      { client: createClient(context(`https://127.0.0.1:${forwarder.port}/api/v3`), { token: TOKEN }), credential: 'token' },
      new GitHubClock(),
      orgHookRoute('acme')
    )
    await expect(deliveries.redeliver({ key: '1', kind: 'org', id: '1', label: 'acme hook 1' }, '12345')).rejects.toThrow(/NODE_EXTRA_CA_CERTS/)
    expect(forwarder.connections() - before).toBe(1)
  })

  test('with the authority in NODE_EXTRA_CA_CERTS the same server is trusted: the advice works', async () => {
    // Node reads NODE_EXTRA_CA_CERTS at start: a child process shows it.
    const dir = mkdtempSync(join(tmpdir(), 'network-errors-'))
    try {
      writeFileSync(join(dir, 'ca.pem'), api.certPem!)
      const script = `fetch(${JSON.stringify(`${api.url}/api/v3/meta`)}).then(r => console.log('answered', r.status), e => console.log(e.cause?.code))`
      const output = await new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['-e', script], { env: { PATH: process.env.PATH ?? '', NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') } })
        let out = ''
        child.stdout.on('data', (chunk: Buffer) => (out += chunk))
        child.on('error', reject)
        child.on('close', () => resolve(out.trim()))
      })
      expect(output).toMatch(/^answered \d{3}$/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

test('a host name that does not resolve fails at once, saying so, not as "500"', async () => {
  pacing = GITHUB_PACING // Real retry pacing: 1 + 4 + 9 s if it were retried.
  const started = performance.now()
  const error = await failure('https://ghe.nowhere.invalid/api/v3')
  expect(performance.now() - started).toBeLessThan(3000)
  const message = describeError(error)
  expect(message).toMatch(/^could not resolve the host name ghe\.nowhere\.invalid \((ENOTFOUND|EAI_AGAIN)\)\. Check "hostname"/)
  expect(message).not.toMatch(/\b500\b/)
})

test('a refused connection names the host and port', async () => {
  const port = await closedPort()
  const message = describeError(await failure(`http://127.0.0.1:${port}`))
  expect(message).toBe(`127.0.0.1:${port} refused the connection (ECONNREFUSED): nothing accepts connections there. Check "hostname" and its port, and that the server is up.`)
})

test('a refused connection while reading the state variable is the same one sentence, not wrapped in the read that met it', async () => {
  const port = await closedPort()
  const baseUrl = `http://127.0.0.1:${port}`
  const store = new VariableStore({ client: createClient(context(baseUrl), { token: TOKEN }), credential: 'token', tokenIsInstallationToken: false }, { owner: 'acme', repo: 'ops' }, 'BOOKMARK')
  const error = await store.read().then(
    () => undefined,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(UserError)
  expect((error as Error).message).toBe(`127.0.0.1:${port} refused the connection (ECONNREFUSED): nothing accepts connections there. Check "hostname" and its port, and that the server is up.`)
})

test('a connection closed before the answer is retried, then explained', async () => {
  const server = await tcpServer(socket => socket.destroy())
  try {
    const error = await failure(`http://127.0.0.1:${server.port}`)
    expect(describeError(error)).toMatch(/^the connection to 127\.0\.0\.1:\d+ was closed before GitHub answered \((ECONNRESET|UND_ERR_SOCKET)\)\./)
    expect(networkFailure(error)).toMatchObject({ problem: 'connection-closed', permanent: false, mayHaveArrived: true })
    // GitHub's guidance: dropped connections are retried with backoff (three times).
    expect(server.connections()).toBe(4)
  } finally {
    await server.close()
  }
})

test('an answer that is not HTTP says to check the port', async () => {
  const server = await tcpServer(socket => socket.end('SSH-2.0-OpenSSH_9.6\r\n\r\n'))
  try {
    expect(describeError(await failure(`http://127.0.0.1:${server.port}`))).toMatch(/^127\.0\.0\.1:\d+ did not answer in HTTP \(HPE_[A-Z_]+\): check "hostname" and its port\.$/)
  } finally {
    await server.close()
  }
})

describe('proxies', () => {
  let proxy: HttpServer
  let proxyPort: number

  beforeAll(async () => {
    proxy = createHttpServer((_request, response) => response.writeHead(407).end())
    proxy.on('connect', (_request, socket: Socket) => socket.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n'))
    await new Promise<void>(resolve => proxy.listen(0, '127.0.0.1', resolve))
    proxyPort = (proxy.address() as { port: number }).port
  })

  afterAll(() => new Promise<void>(resolve => proxy.close(() => resolve())))

  test("a proxy that wants credentials is named, and its URL's password never shown", async () => {
    process.env.HTTPS_PROXY = `http://someone:proxy-secret@127.0.0.1:${proxyPort}`
    const error = await failure('https://ghe.example.com/api/v3')
    const message = describeError(error)
    expect(message).toBe(
      `the proxy 127.0.0.1:${proxyPort} refused to connect to ghe.example.com (407): it wants credentials (give them in the proxy URL, http://user:password@proxy:port). Check HTTPS_PROXY/HTTP_PROXY and NO_PROXY.`
    )
    expect(message).not.toContain('proxy-secret')
  })

  test('a proxy that refuses connections is the one named', async () => {
    const port = await closedPort()
    process.env.HTTPS_PROXY = `http://127.0.0.1:${port}`
    expect(describeError(await failure('https://ghe.example.com/api/v3'))).toBe(
      `the proxy 127.0.0.1:${port} refused the connection (ECONNREFUSED) on the way to ghe.example.com. Check HTTPS_PROXY/HTTP_PROXY, or list ghe.example.com in NO_PROXY.`
    )
  })

  test('a proxy variable that is not a URL is an error naming the variable, not "Invalid URL"', () => {
    process.env.HTTPS_PROXY = 'not a url:secret'
    expect(() => createClient(context('https://ghe.example.com/api/v3'), { token: TOKEN })).toThrow(UserError)
    expect(() => createClient(context('https://ghe.example.com/api/v3'), { token: TOKEN })).toThrow(/^The proxy in the HTTPS_PROXY environment variable is not a URL/)
    expect(() => createClient(context('https://ghe.example.com/api/v3'), { token: TOKEN })).not.toThrow(/secret/)
  })
})

test('a credential that cannot be an HTTP header is explained without repeating it', async () => {
  const api = await startLocalApi()
  try {
    const token = 'ghp_first\nghp_second€'
    const error = await failure(api.url, token)
    const message = describeError(error)
    expect(message).toBe('a credential cannot be sent in an HTTP header: it holds a line break or a character outside ASCII. Check how the secret was stored.')
    expect(message).not.toContain('ghp_')
    const explained = explainHttpError(error as Parameters<typeof explainHttpError>[0], { action: 'list the webhooks of acme', credential: 'token', permission: 'x' })
    expect(explained).toBe(`Could not list the webhooks of acme: ${message}`)
  } finally {
    await api.close()
  }
})

test("GitHub's own 500 (an answer) is reported as GitHub's", () => {
  const error = Object.assign(new Error('Server Error'), { status: 500, response: { headers: {}, data: { message: 'Server Error' } }, cause: new Error('x') })
  expect(networkFailure(error)).toBeUndefined()
  expect(describeError(error)).toBe('500 Server Error')
})

describe("a server that is not GitHub's API (a sign-in page, a web server)", () => {
  let web: HttpServer
  let status = 200
  let base: string

  beforeAll(async () => {
    web = createHttpServer((_request, response) => response.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end('<html><body>Sign in</body></html>'))
    await new Promise<void>(resolve => web.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(web.address() as { port: number }).port}`
  })

  afterAll(() => new Promise<void>(resolve => web.close(() => resolve())))

  const config = (hookId: string): Config => {
    const parsed = parseConfig({ 'target-type': 'org', org: 'acme', token: TOKEN, 'hook-id': hookId, hostname: base }, {})
    if (!parsed.ok) throw new Error(parsed.errors.join())
    return parsed.config
  }
  const quiet = { log: { info: () => undefined, warning: () => undefined, debug: () => undefined }, mask: () => undefined, pacing }
  const notApi = (answer: number): string =>
    `127.0.0.1:${new URL(base).port} answered ${answer} with text/html, not GitHub's REST API (JSON): check "hostname" (GitHub Enterprise Server's API is at https://HOST/api/v3) and any proxy in between.`

  test('a page answered with 200 is named as such, not as a parsing error about its text', async () => {
    status = 200
    const result = await redeliverFailedDeliveries(config('1'), quiet)
    expect(result.failures).toEqual([`Could not scan acme hook 1: listing deliveries failed: ${notApi(200)}`])
    await expect(redeliverFailedDeliveries(config(''), quiet)).rejects.toThrow(`listing the webhooks of acme failed: ${notApi(200)}`)
  })

  test('a page answered with 404 is not taken for a hook that does not exist', async () => {
    status = 404
    await expect(redeliverFailedDeliveries(config('1'), quiet)).rejects.toThrow(`Could not list the deliveries of acme hook 1: ${notApi(404)}`)
    await expect(redeliverFailedDeliveries(config(''), quiet)).rejects.toThrow(`Could not list the webhooks of acme: ${notApi(404)}`)
  })
})

describe('networkFailure: every kind of failure, as fetch reports it', () => {
  /** What Octokit throws: status 500, no response, the fetch TypeError as cause, the system error below it. */
  const fetchFailure = (code: string, message = `${code} happened`, extra: Record<string, unknown> = {}): unknown =>
    Object.assign(new Error(message), {
      status: 500,
      request: { url: 'https://ghe.example.com/api/v3/orgs/acme/hooks' },
      cause: Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(message), { code, ...extra }) })
    })

  test.each([
    ['EAI_AGAIN', 'name-resolution', true, false],
    ['ENOTFOUND', 'name-resolution', true, false],
    ['ECONNREFUSED', 'connection-refused', true, false],
    ['ECONNRESET', 'connection-closed', false, true],
    ['UND_ERR_SOCKET', 'connection-closed', false, true],
    ['UND_ERR_CONNECT_TIMEOUT', 'timeout', false, false],
    ['UND_ERR_HEADERS_TIMEOUT', 'timeout', false, true],
    ['EHOSTUNREACH', 'unreachable', false, false],
    ['CERT_HAS_EXPIRED', 'certificate', true, false],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'certificate', true, false],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls', true, false],
    ['HPE_INVALID_CONSTANT', 'not-http', false, true]
  ] as const)('%s: %s, permanent %s, may have arrived %s', (code, problem, permanent, mayHaveArrived) => {
    const failure = networkFailure(fetchFailure(code, `${code} happened`, { hostname: 'ghe.example.com' }))
    expect(failure).toMatchObject({ problem, code, permanent, mayHaveArrived })
    expect(failure!.explanation).toContain('ghe.example.com')
    expect(failure!.explanation).not.toMatch(/\b500\b/)
  })

  test('a certificate for another name says so', () => {
    expect(networkFailure(fetchFailure('ERR_TLS_CERT_ALTNAME_INVALID'))!.explanation).toMatch(
      /^the TLS certificate of ghe\.example\.com is not valid for the name ghe\.example\.com \(ERR_TLS_CERT_ALTNAME_INVALID\)/
    )
  })

  test('an abort (no cause) and an answer GitHub gave are not network failures', () => {
    expect(networkFailure(Object.assign(new Error('This operation was aborted'), { status: 500 }))).toBeUndefined()
    expect(networkFailure(Object.assign(new Error('Bad Gateway'), { status: 502, cause: new Error('x') }))).toBeUndefined()
  })
})
