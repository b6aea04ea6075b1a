/**
 * The client's one HTTP stack: undici's fetch with an undici dispatcher, the pair @actions/github
 * itself uses. Its own fetch rather than Node's: Node 20 ships undici 6 and Node 24 undici 7,
 * and a dispatcher of one version given to the fetch of another works only as long as their
 * handler interfaces agree; one version of both behaves the same on every Node the action runs on.
 *
 * What it adds around fetch, for every request the client sends:
 * - the proxy the toolkit's rules choose for the API (HTTPS_PROXY/HTTP_PROXY, lower case first,
 *   NO_PROXY; loopback never proxied), checked before any request (`proxyFor`);
 * - certificates: undici uses Node's TLS defaults, so NODE_EXTRA_CA_CERTS (a GHES private CA) applies;
 * - a total time limit per request, answer included, not only an idle one;
 * - a size limit on answers, counted as they arrive, so a huge answer is refused unread;
 * - the run's stop signal, which aborts the request in progress.
 * Redirects are fetch's: followed, and the credential is not carried to another origin.
 */
import { checkBypass } from '@actions/http-client/lib/proxy'
import { Agent, Headers, ProxyAgent, fetch as undiciFetch, type Dispatcher, type Response } from 'undici'
import { UserError } from '../engine/ports.js'

/** Far above anything GitHub sends: a page of 100 deliveries is about 50 kB, of 100 repositories about 600 kB. */
export const MAX_ANSWER_BYTES = 32 * 1024 * 1024
const CONNECT_TIMEOUT_MS = 10_000
/**
 * A stopped run abandons a read at once; a write gets this long to be answered, so that whether
 * GitHub made a redelivery is known, not left uncertain, and the bookmark can still be saved.
 */
const WRITE_GRACE_MS = 3_000

/** The codes errors.ts reads on the cause of a failed request (beside the system's and undici's). */
export const ANSWER_TOO_LARGE = 'ERR_ANSWER_TOO_LARGE'
export const ANSWER_CUT_OFF = 'ERR_ANSWER_CUT_OFF'
export const REQUEST_TIMED_OUT = 'ERR_REQUEST_TIMED_OUT'

/** A request abandoned because the run was stopped (SIGINT, SIGTERM): Octokit passes an AbortError on as it is. */
export class RunInterrupted extends Error {
  override readonly name = 'AbortError'
  constructor(signal: AbortSignal) {
    super(`the run was interrupted${typeof signal.reason === 'string' ? ` by ${signal.reason}` : ''}`)
  }
}

export interface HttpOptions {
  baseUrl: string
  /** Longest one request may take, its answer included. */
  timeoutMs: number
  /** The run's stop signal. */
  signal?: AbortSignal
}

/** The proxy variables, lower case first as the toolkit reads them. */
const PROXY_VARIABLES = { 'https:': ['https_proxy', 'HTTPS_PROXY'], 'http:': ['http_proxy', 'HTTP_PROXY'] } as const

/**
 * The proxy requests to `baseUrl` go through, by the toolkit's rules, or undefined. A variable that
 * applies but cannot be used is a UserError naming it, never its value (it may hold credentials).
 */
export function proxyFor(baseUrl: string | URL, env: NodeJS.ProcessEnv = process.env): URL | undefined {
  const target = new URL(baseUrl)
  if (!(target.protocol in PROXY_VARIABLES) || checkBypass(target)) return undefined
  return configuredProxy(target.protocol as keyof typeof PROXY_VARIABLES, env, target.hostname)
}

/**
 * Both proxy variables the toolkit would use (for http and for https), checked before any request
 * and before @actions/github reads them: one that cannot be used is a UserError naming it.
 */
export function checkProxyVariables(env: NodeJS.ProcessEnv = process.env): void {
  configuredProxy('http:', env)
  configuredProxy('https:', env)
}

/** The proxy set for a protocol, checked; `host`: the API's, for the hint. */
function configuredProxy(protocol: keyof typeof PROXY_VARIABLES, env: NodeJS.ProcessEnv, host?: string): URL | undefined {
  const name = PROXY_VARIABLES[protocol].find(n => env[n])
  const value = name ? env[name]!.trim() : ''
  if (!name || !value) return undefined
  const bypass = host ? `, or add ${host} to NO_PROXY` : ''
  const unusable = (why: string): UserError =>
    new UserError(`The proxy in the ${name} environment variable ${why}: set it to http://host:port (credentials as http://user:password@host:port)${bypass}.`)
  // As the toolkit does, host:port alone means http://host:port; a bare word is no proxy.
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value)
  if (!hasScheme && !/^[^\s/:@[\]]+:\d+\/?$/.test(value) && !/^\[[0-9a-f:.]+\]:\d+\/?$/i.test(value)) throw unusable('is not a URL')
  let url: URL
  try {
    url = new URL(hasScheme ? value : `http://${value}`)
  } catch {
    throw unusable('is not a URL')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw unusable(`uses ${url.protocol.slice(0, -1)}, which this action cannot use (only http and https proxies)`)
  if (!url.hostname) throw unusable('names no host')
  return url
}

/** Connections to the API, straight or through the proxy. */
function dispatcherFor(baseUrl: string): Dispatcher {
  const proxy = proxyFor(baseUrl)
  const connect = { timeout: CONNECT_TIMEOUT_MS }
  if (!proxy) return new Agent({ connect })
  const credentials = proxy.username || proxy.password ? { token: `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}` } : {}
  proxy.username = ''
  proxy.password = ''
  return new ProxyAgent({ uri: proxy.href, connect, ...credentials })
}

type Fetch = (url: string, init?: RequestInit) => Promise<Response>

/**
 * The fetch Octokit calls: the whole answer is read here, inside the time limit and the size
 * limit, so every failure of the exchange (a connection dropped mid-answer, too large, too slow,
 * a stop) is a failed fetch that the request policy sees, never a body Octokit silently cuts short.
 */
export function apiFetch(options: HttpOptions): Fetch {
  // Made (and the proxy variables checked) now, before any request.
  const dispatcher = dispatcherFor(options.baseUrl)
  const stop = options.signal
  return async (url, init = {}) => {
    const read = ['GET', 'HEAD', undefined].includes(init.method?.toUpperCase())
    // Nothing more is read once the run is stopped; a write still may be (the bookmark saved in a variable).
    if (read && stop?.aborted) throw new RunInterrupted(stop)
    // One controller per request, aborted by the time limit, the stop or the caller; listeners removed after
    // (AbortSignal.any would keep every request's signal tied to the run's until the run ends).
    const controller = new AbortController()
    const abort = (): void => controller.abort()
    let timedOut = false
    const timeout = setTimeout(() => ((timedOut = true), abort()), options.timeoutMs)
    const grace = stop && !read ? graceAfter(stop, WRITE_GRACE_MS) : undefined
    const stopped = grace?.signal ?? stop
    const signals = [stopped, init.signal ?? undefined].filter(s => s !== undefined)
    for (const signal of signals) signal.addEventListener('abort', abort, { once: true })
    if (signals.some(signal => signal.aborted)) abort()
    let reading = false
    try {
      const response = await undiciFetch(url, { ...(init as object), headers: withCompression(init.headers), signal: controller.signal, dispatcher })
      if (response.body === null || [204, 205, 304].includes(response.status)) return response
      reading = true
      return readAnswer(response, await readLimited(response.body, url))
    } catch (error) {
      if (stopped?.aborted) throw new RunInterrupted(stop!)
      if (timedOut) throw fetchFailed(coded(`no complete answer within ${options.timeoutMs / 1000} s`, REQUEST_TIMED_OUT))
      if ((error as { code?: unknown }).code === ANSWER_TOO_LARGE) throw fetchFailed(error)
      // undici's "terminated": the connection ended before the answer did.
      if (reading && (error as Error).name === 'TypeError') throw fetchFailed(coded('the answer was cut off before its end', ANSWER_CUT_OFF))
      // fetch's message quotes the header value, which can be the token: never repeat it, nor keep it as a cause.
      // eslint-disable-next-line preserve-caught-error
      if (!reading && (error as Error).name === 'TypeError' && /header/i.test((error as Error).message)) throw new TypeError('a request header value is invalid (not shown: it may hold a credential)')
      throw error
    } finally {
      clearTimeout(timeout)
      grace?.dispose()
      for (const signal of signals) signal.removeEventListener('abort', abort)
    }
  }
}

/** A signal aborted `ms` after `signal` is (or from now, if it already is), and how to let go of it. */
function graceAfter(signal: AbortSignal, ms: number): { signal: AbortSignal; dispose: () => void } {
  const later = new AbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  const start = (): void => void (timer = setTimeout(() => later.abort(signal.reason), ms))
  if (signal.aborted) start()
  else signal.addEventListener('abort', start, { once: true })
  return {
    signal: later.signal,
    dispose: () => {
      signal.removeEventListener('abort', start)
      clearTimeout(timer)
    }
  }
}

/** Compressed answers asked for as Node's own clients do over https too (fetch leaves brotli out over http). */
function withCompression(headers: RequestInit['headers']): Record<string, string> {
  const plain = Object.fromEntries(new Headers(headers as Record<string, string> | undefined))
  return 'accept-encoding' in plain ? plain : { ...plain, 'accept-encoding': 'gzip, deflate, br' }
}

/**
 * The answer, read whole, as Octokit reads a fetch Response (status, url, headers, and the body
 * once as text, bytes or a stream): no second web stream around bytes already in memory.
 */
function readAnswer(response: Response, body: Buffer): Response {
  const answer = {
    status: response.status,
    statusText: response.statusText,
    url: response.url,
    headers: response.headers,
    ok: response.ok,
    body: (async function* () {
      yield body
    })(),
    text: async () => body.toString('utf8'),
    json: async () => JSON.parse(body.toString('utf8')) as unknown,
    arrayBuffer: async () => body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength)
  }
  return answer as unknown as Response
}

/** The answer's bytes, refused as soon as they pass MAX_ANSWER_BYTES (the rest is never read). */
async function readLimited(body: AsyncIterable<Uint8Array>, url: string): Promise<Buffer> {
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of body) {
    size += chunk.byteLength
    // Leaving the loop cancels the stream, which closes the connection.
    if (size > MAX_ANSWER_BYTES) throw coded(`the answer to ${new URL(url).pathname} was larger than ${MAX_ANSWER_BYTES / 1024 / 1024} MB, far more than GitHub sends`, ANSWER_TOO_LARGE)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks, size)
}

function coded(message: string, code: string): Error {
  return Object.assign(new Error(message), { code })
}

/** How fetch reports a request that got no answer: errors.ts reads the cause. */
function fetchFailed(cause: unknown): TypeError {
  return new TypeError('fetch failed', { cause })
}
