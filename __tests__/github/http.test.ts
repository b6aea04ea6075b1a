/**
 * The client's requests go through http.ts: undici's fetch and dispatcher, with the answer read
 * whole inside its limits. Differential tests: the same server answers go to it and to Node's own
 * fetch, and what Octokit reads of them (status, final URL, headers, body) must be the same, as
 * must what the server receives after redirects.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib'
import { apiFetch } from '../../src/github/http.js'

type FetchInit = RequestInit & { headers?: Record<string, string> }
type Call = (url: string, init?: FetchInit) => Promise<Response>

interface Seen {
  method: string
  url: string
  headers: IncomingHttpHeaders
  body: string
}

let server: Server
let other: Server
let base: string
let otherBase: string
const seen: Seen[] = []
const connections = { count: 0 }

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' }
const page = '[{"id":3804004623172239366,"guid":"ü-😀","status":"OK"}]'

function listen(server: Server): Promise<string> {
  return new Promise(resolve => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)))
}

let httpFetch: Call

beforeAll(async () => {
  const record = (request: import('node:http').IncomingMessage, body: string) => seen.push({ method: request.method!, url: request.url!, headers: request.headers, body })
  server = createServer((request, response) => {
    let body = ''
    request.on('data', chunk => (body += chunk))
    request.on('end', () => {
      record(request, body)
      const path = new URL(request.url!, base).pathname
      switch (path) {
        case '/json':
          return response.writeHead(200, { ...JSON_TYPE, link: '<https://x/?page=2>; rel="next"', 'x-ratelimit-remaining': '4999' }).end(page)
        case '/missing':
          return response.writeHead(404, JSON_TYPE).end('{"message":"Not Found"}')
        case '/empty':
          return response.writeHead(204).end()
        case '/empty-gzip':
          // A front end that labels even an answer without a body as compressed.
          return response.writeHead(204, { 'content-encoding': 'gzip' }).end()
        case '/gzip-nothing':
          return response.writeHead(200, { ...JSON_TYPE, 'content-encoding': 'gzip' }).end()
        case '/gzip-capitals':
          return response.writeHead(200, { ...JSON_TYPE, 'content-encoding': 'GZip' }).end(gzipSync(page))
        case '/slow':
          // Half a page, then nothing until the client gives up.
          response.writeHead(200, JSON_TYPE)
          response.write(page.slice(0, 10))
          return
        case '/gzip':
          return response.writeHead(200, { ...JSON_TYPE, 'content-encoding': 'gzip' }).end(gzipSync(page))
        case '/deflate':
          return response.writeHead(200, { ...JSON_TYPE, 'content-encoding': 'deflate' }).end(deflateSync(page))
        case '/br':
          return response.writeHead(200, { ...JSON_TYPE, 'content-encoding': 'br' }).end(brotliCompressSync(page))
        case '/moved':
          return response.writeHead(301, { location: '/json' }).end()
        case '/see-other':
          return response.writeHead(303, { location: '/json' }).end()
        case '/temporary':
          return response.writeHead(307, { location: '/json' }).end()
        case '/elsewhere':
          return response.writeHead(302, { location: `${otherBase}/landing` }).end()
        case '/loop':
          return response.writeHead(302, { location: '/loop' }).end()
        default:
          return response.writeHead(500).end()
      }
    })
  })
  server.on('connection', () => connections.count++)
  other = createServer((request, response) => {
    record(request, '')
    response.writeHead(200, JSON_TYPE).end('{"landed":true}')
  })
  base = await listen(server)
  otherBase = await listen(other)
  httpFetch = apiFetch({ baseUrl: base, timeoutMs: 60_000 }) as unknown as Call
})

afterAll(async () => {
  await new Promise(resolve => server.close(resolve))
  await new Promise(resolve => other.close(resolve))
})

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection')
    },
    (error: unknown) => error as Error
  )
}

/** What Octokit reads of an answer, and what the servers saw for it. */
async function outcome(which: 'fetch' | 'ours', path: string, init: FetchInit = {}) {
  seen.length = 0
  const call = which === 'fetch' ? (fetch as Call) : httpFetch
  const response = await call(`${base}${path}`, { headers: { authorization: 'token secret', accept: 'application/json' }, ...init })
  const headers = Object.fromEntries([...response.headers].filter(([name]) => !['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length'].includes(name)))
  const text = await response.text()
  const requests = seen.map(s => ({ method: s.method, url: s.url, authorization: s.headers.authorization, type: s.headers['content-type'], body: s.body }))
  return { status: response.status, url: response.url, contentType: response.headers.get('Content-Type'), headers, text, requests }
}

describe('the same as Node’s fetch, for what Octokit reads', () => {
  test.each([
    ['a JSON page with a link header', '/json', {}],
    ['a 404 with a JSON message', '/missing', {}],
    ['a 204 with no body', '/empty', { method: 'PATCH', body: '{"value":"x"}', headers: { 'content-type': 'application/json' } }],
    ['a 204 labelled gzip: no body to decode', '/empty-gzip', { method: 'PATCH', body: '{"value":"x"}', headers: { 'content-type': 'application/json' } }],
    ['a HEAD labelled gzip', '/empty-gzip', { method: 'HEAD' }],
    ['an empty body labelled gzip: an empty text', '/gzip-nothing', {}],
    ['a body labelled GZip, decoded', '/gzip-capitals', {}],
    ['a gzip body, decoded', '/gzip', {}],
    ['a deflate body, decoded', '/deflate', {}],
    ['a brotli body, decoded', '/br', {}],
    ['a 301, followed', '/moved', {}],
    ['a 307 answering a POST: followed with the same method and body', '/temporary', { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } }],
    ['a 303 answering a POST: followed with a GET and no body', '/see-other', { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } }],
    ['a redirect to another origin: followed without the credential', '/elsewhere', {}]
  ] as const)('%s', async (_what, path, init) => {
    const theirs = await outcome('fetch', path, init as FetchInit)
    const ours = await outcome('ours', path, init as FetchInit)
    expect(ours).toEqual(theirs)
  })

  test('a redirect loop fails as fetch fails, a TypeError', async () => {
    // Errors made by Node itself come from another realm than the test's: compared by name.
    await expect(fetch(`${base}/loop`)).rejects.toMatchObject({ name: 'TypeError', message: 'fetch failed' })
    await expect(httpFetch(`${base}/loop`)).rejects.toMatchObject({ name: 'TypeError', message: 'fetch failed' })
  })

  test('a refused connection: TypeError "fetch failed" with the system error as its cause, as errors.ts reads it', async () => {
    const closed = createServer()
    const url = await listen(closed)
    await new Promise(resolve => closed.close(resolve))
    const theirs = await rejection(fetch(url))
    const ours = await rejection(httpFetch(url))
    expect(ours.name).toBe('TypeError')
    expect({ message: ours.message, code: (ours.cause as { code?: string }).code }).toEqual({ message: theirs.message, code: (theirs.cause as { code?: string }).code })
  })

  test('an aborted request rejects with an AbortError, which Octokit passes on as is', async () => {
    const controller = new AbortController()
    controller.abort()
    await expect(fetch(`${base}/json`, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' })
    await expect(httpFetch(`${base}/json`, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' })
  })
})

test('a request aborted while its body streams rejects the read with an AbortError, as fetch does (not as a dropped connection)', async () => {
  for (const call of [fetch as Call, httpFetch]) {
    const controller = new AbortController()
    // http.ts reads the answer inside the request: the exchange as a whole is what is aborted.
    const reading = call(`${base}/slow`, { signal: controller.signal }).then(response => response.text())
    await new Promise(resolve => setTimeout(resolve, 100))
    controller.abort()
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' })
  }
})

test('a credential that cannot be a header value is refused without repeating it', async () => {
  const error = await rejection(httpFetch(`${base}/json`, { headers: { authorization: 'token sec\nret' } }))
  expect(error.name).toBe('TypeError')
  expect(error.message).toMatch(/header/i)
  expect(error.message).not.toContain('sec')
})

test('asks for compressed answers, and the body streams once, decoded', async () => {
  seen.length = 0
  const response = await httpFetch(`${base}/gzip`)
  expect(seen[0].headers['accept-encoding']).toBe('gzip, deflate, br')
  const chunks: Uint8Array[] = []
  for await (const chunk of response.body!) chunks.push(chunk)
  expect(Buffer.concat(chunks).toString('utf8')).toBe(page)
})

test('connections are kept alive, also after answers nobody reads (204)', async () => {
  // A client of its own: its connections are counted from none.
  const fresh = apiFetch({ baseUrl: base, timeoutMs: 60_000 }) as unknown as Call
  const round = async (): Promise<void> => {
    for (let i = 0; i < 3; i++) {
      await fresh(`${base}/empty`, { method: 'PATCH', body: '{}' })
      await (await fresh(`${base}/json`)).text()
    }
  }
  const before = connections.count
  await round()
  // undici opens a second connection once, for the request that follows a write's answer at once.
  expect(connections.count - before).toBeLessThanOrEqual(2)
  const after = connections.count
  await round()
  expect(connections.count).toBe(after)
})
