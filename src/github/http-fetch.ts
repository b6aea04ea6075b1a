/**
 * The fetch Octokit calls when no proxy applies, on Node's http and https modules. Node's own
 * fetch (undici: web streams and a WebAssembly HTTP parser) takes about 35 ms to load on Node 24,
 * before the first request, and holds about 45 MB more at the peak of a 100,000-delivery scan.
 * What fetch does that the API's use depends on is kept: redirects followed (GitHub answers 301
 * and 307 for renamed repositories, and the credential is not carried to another origin),
 * gzip/deflate/br answers decoded, keep-alive, a 10 s connect and 300 s idle timeout, and
 * failures as fetch reports them, a `TypeError('fetch failed')` whose cause is the system error
 * (errors.ts classifies that cause).
 */
import http, { type IncomingMessage } from 'node:http'
import https from 'node:https'
// The module's own timers: the project's test preload that shortens long global timers must not shorten the connect timeout.
import { clearTimeout, setTimeout } from 'node:timers'
import { constants, createBrotliDecompress, createGunzip, createInflate } from 'node:zlib'

export interface FetchInit {
  method?: string
  headers?: Record<string, string>
  body?: string | Uint8Array | null
  redirect?: 'follow' | 'manual' | 'error'
  signal?: AbortSignal | null
}

interface FetchResponse {
  status: number
  statusText: string
  url: string
  headers: { get(name: string): string | null; [Symbol.iterator](): IterableIterator<[string, string]> }
  /** The decoded body, once. */
  body: AsyncIterable<Uint8Array>
  text(): Promise<string>
  arrayBuffer(): Promise<ArrayBuffer>
}

const MAX_REDIRECTS = 20
const CONNECT_TIMEOUT_MS = 10_000
const IDLE_TIMEOUT_MS = 300_000

export async function httpFetch(url: string, init: FetchInit = {}): Promise<FetchResponse> {
  let target = new URL(url)
  let method = (init.method ?? 'GET').toUpperCase()
  let body = init.body ?? undefined
  const headers: Record<string, string> = { ...init.headers }
  if (!Object.keys(headers).some(name => name.toLowerCase() === 'accept-encoding')) headers['accept-encoding'] = 'gzip, deflate, br'
  for (let redirects = 0; ; redirects++) {
    const response = await send(target, method, headers, body, init.signal ?? undefined)
    const location = response.headers.location
    const status = response.statusCode ?? 0
    if (![301, 302, 303, 307, 308].includes(status) || !location || init.redirect === 'manual') return toResponse(response, target, method, init.signal ?? undefined)
    response.resume()
    if (init.redirect === 'error' || redirects === MAX_REDIRECTS) throw fetchFailed(new Error(init.redirect === 'error' ? 'unexpected redirect' : 'redirect count exceeded'))
    const next = new URL(location, target)
    // As fetch does: a 303, or a 301/302 answering a POST, is followed with a GET and no body.
    if ((status === 303 && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST')) {
      method = 'GET'
      body = undefined
      for (const name of Object.keys(headers)) if (/^content-/i.test(name)) delete headers[name]
    }
    // The credential is for the API's origin only.
    if (next.origin !== target.origin) for (const name of Object.keys(headers)) if (/^(authorization|cookie)$/i.test(name)) delete headers[name]
    target = next
  }
}

function send(target: URL, method: string, headers: Record<string, string>, body: string | Uint8Array | undefined, signal: AbortSignal | undefined): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const transport = target.protocol === 'https:' ? https : http
    let request: http.ClientRequest
    try {
      request = transport.request(target, { method, headers, signal })
    } catch (error) {
      // A header value that is not a valid header (a line break in a secret): the message names the header, never its value.
      reject(error)
      return
    }
    request.on('socket', socket => {
      if (!socket.connecting) return
      // undici's code for it, so errors.ts has one name for a connect timeout whichever client made the request.
      const timer = setTimeout(() => request.destroy(Object.assign(new Error('connect timed out'), { code: 'UND_ERR_CONNECT_TIMEOUT' })), CONNECT_TIMEOUT_MS)
      socket.once('connect', () => clearTimeout(timer))
      socket.once('close', () => clearTimeout(timer))
    })
    request.setTimeout(IDLE_TIMEOUT_MS, () => request.destroy(Object.assign(new Error('no answer in time'), { code: 'ETIMEDOUT' })))
    request.on('response', resolve)
    request.on('error', error => reject(error.name === 'AbortError' ? error : fetchFailed(error)))
    request.end(body)
  })
}

function toResponse(response: IncomingMessage, target: URL, method: string, signal: AbortSignal | undefined): FetchResponse {
  const status = response.statusCode ?? 0
  const headers = new Map<string, string>()
  for (const [name, value] of Object.entries(response.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value)
  // These answers have no body, whatever their headers say (a Content-Encoding on a 204 is not
  // decoded): nothing will read them, so the connection goes back to the pool.
  const noBody = method === 'HEAD' || status === 204 || status === 205 || status === 304
  if (noBody) response.resume()
  const decoded = noBody ? emptyBody() : abortable(decode(response, headers.get('content-encoding')), signal)
  const bytes = (): Promise<Buffer> => collect(decoded)
  return {
    status,
    statusText: response.statusMessage ?? '',
    url: target.href,
    headers: { get: name => headers.get(name.toLowerCase()) ?? null, [Symbol.iterator]: () => headers.entries() },
    body: decoded,
    text: async () => (await bytes()).toString('utf8'),
    arrayBuffer: async () => {
      const buffer = await bytes()
      return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer
    }
  }
}

/**
 * The body as sent, decoded. As fetch does, an empty or cut-short compressed body ends the
 * stream instead of failing it (the decoders flush what they have).
 */
function decode(response: IncomingMessage, contentEncoding: string | undefined): AsyncIterable<Uint8Array> {
  const encoding = contentEncoding?.trim().toLowerCase()
  const flush = { finishFlush: constants.Z_SYNC_FLUSH }
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? createGunzip(flush)
      : encoding === 'deflate'
        ? createInflate(flush)
        : encoding === 'br'
          ? createBrotliDecompress({ finishFlush: constants.BROTLI_OPERATION_FLUSH })
          : undefined
  if (!decoder) return response
  response.on('error', error => decoder.destroy(error))
  return response.pipe(decoder)
}

async function* emptyBody(): AsyncIterable<Uint8Array> {}

/** A body's bytes, whole: Node's stream here, or undici's web stream behind a proxy. */
export async function collect(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of body) chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))
  return Buffer.concat(chunks)
}

/** A body cut off by the request's signal fails as fetch's does, with an AbortError, not as a dropped connection. */
async function* abortable(body: AsyncIterable<Uint8Array>, signal: AbortSignal | undefined): AsyncIterable<Uint8Array> {
  try {
    yield* body
  } catch (error) {
    if (signal?.aborted) throw signal.reason instanceof Error && signal.reason.name === 'AbortError' ? signal.reason : new DOMException('This operation was aborted', 'AbortError')
    throw error
  }
}

function fetchFailed(cause: unknown): TypeError {
  return new TypeError('fetch failed', { cause })
}
