import { ACTION_NAMING, type Naming } from '../core/input-errors.js'
import { ANSWER_CUT_OFF, ANSWER_TOO_LARGE, proxyFor as proxyOf, REQUEST_TIMED_OUT, RunInterrupted } from './http.js'
import { rateLimitOf, type FailedAnswer } from './request-policy.js'
/** The credential a request was made with, to say which one GitHub refused. */
export type CredentialKind = 'token' | 'app-jwt' | 'installation'

export interface RequestContext {
  /** What was being done, e.g. `list deliveries of org hook 123`. */
  action: string
  credential: CredentialKind
  /** The permission this needs, in GitHub's words, for 403 messages. */
  permission: string
  /** Whether the token looks like an installation token (ghs_), as GITHUB_TOKEN is. */
  tokenIsInstallationToken?: boolean
  /** How the front end names inputs (the action's words when absent). */
  naming?: Naming
}

export interface HttpErrorLike {
  status: number
  message: string
  response?: { headers?: Record<string, string | undefined>; data?: unknown }
}

export function isHttpError(error: unknown): error is HttpErrorLike {
  return typeof error === 'object' && error !== null && typeof (error as { status?: unknown }).status === 'number'
}

/** GitHub's messages are a sentence; whatever an answer holds beyond this is not repeated. */
const MAX_QUOTED = 300

function githubMessage(error: HttpErrorLike): string {
  const data = error.response?.data as { message?: unknown } | undefined
  const message = (typeof data?.message === 'string' ? data.message : error.message).replace(/\s+-\s+https:\/\/docs\.github\.com\S*/, '').trim()
  return message.length > MAX_QUOTED ? `${message.slice(0, MAX_QUOTED)}… (${message.length - MAX_QUOTED} more characters not shown)` : message
}

/** Whether GitHub refused the request for a rate limit, as the client decided when it stopped waiting for it. */
export function isRateLimit(error: HttpErrorLike): boolean {
  return rateLimitOf(failedAnswer('GET', error), Date.now()) !== undefined
}

/** A failed request as the request policy reads it; `failure`: its network failure, when already known. */
export function failedAnswer(method: string, error: unknown, failure = networkFailure(error)): FailedAnswer {
  const http = isHttpError(error) ? error : undefined
  const answered = http?.response !== undefined
  return {
    method,
    // Octokit reports a request that got no answer at all as 500.
    status: http?.status ?? 500,
    answered,
    mayHaveActed: http ? mayHaveBeenProcessed(http, failure) : true,
    headers: http?.response?.headers ?? {},
    message: http ? githubMessage(http) : String((error as { message?: unknown } | undefined)?.message ?? error)
  }
}

/** Whether a failed request may still have taken effect at GitHub: a 503 says it did not, and so does a connection never made. */
export function mayHaveBeenProcessed(error: HttpErrorLike, failure = networkFailure(error)): boolean {
  if (error.status === 503) return false
  return failure?.mayHaveArrived ?? true
}

/** Turns GitHub's 401/403/404 into a sentence that says which credential or permission is missing. */
export function explainHttpError(error: HttpErrorLike, context: RequestContext): string {
  const naming = context.naming ?? ACTION_NAMING
  const network = networkFailure(error, naming)
  if (network) return `Could not ${context.action}: ${network.explanation}`
  const elsewhere = notTheApiError(error, naming)
  if (elsewhere) return `Could not ${context.action}: ${elsewhere}`
  const said = githubMessage(error)
  const who = credentialName(context.credential)
  if (error.status === 401) {
    if (context.credential === 'app-jwt') {
      return `GitHub rejected the app's JSON Web Token while trying to ${context.action} (401: ${said}). Check that ${naming.quoted('app-id')} is the GitHub App's ID or client ID and that ${naming.quoted('private-key')} is a current private key of that same app.`
    }
    return `GitHub rejected ${who} while trying to ${context.action} (401: ${said}). Check that the secret passed as ${naming.quoted('token')} is current: it may be expired, revoked or mistyped.`
  }
  if (error.status === 403) {
    if (context.credential === 'token' && context.tokenIsInstallationToken) {
      return `GitHub refused to ${context.action} (403: ${said}). The token is an installation token (ghs_): if it is the workflow's GITHUB_TOKEN, it can neither redeliver webhooks nor write Actions variables; pass a fine-grained or classic personal access token, or app-id and private-key, instead. Whatever the token, it needs ${context.permission}.`
    }
    const accepted = error.response?.headers?.['x-accepted-github-permissions']
    const hint = accepted ? ` (GitHub accepts: ${accepted})` : ''
    return `${who.charAt(0).toUpperCase()}${who.slice(1)} lacks the permission to ${context.action} (403: ${said}). It needs ${context.permission}${hint}.`
  }
  if (error.status === 404) {
    return `GitHub answered 404 while trying to ${context.action}: it does not exist, or ${who} cannot see it. Check the inputs and that the credential has ${context.permission}.`
  }
  return `GitHub answered ${error.status} while trying to ${context.action}: ${said}`
}

function credentialName(kind: CredentialKind): string {
  switch (kind) {
    case 'token':
      return 'the token'
    case 'app-jwt':
      return "the app's JSON Web Token"
    case 'installation':
      return "the app's installation token"
  }
}

export function describeError(error: unknown, naming: Naming = ACTION_NAMING): string {
  if (error instanceof RunInterrupted) return error.message
  const network = networkFailure(error, naming)
  if (network) return network.explanation
  const elsewhere = notTheApiError(error, naming)
  if (elsewhere) return elsewhere
  if (isHttpError(error)) return `${error.status} ${githubMessage(error)}`
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message
  }
  return String(error)
}

export type NetworkProblem =
  | 'name-resolution'
  | 'connection-refused'
  | 'connection-closed'
  | 'cut-off'
  | 'too-large'
  | 'timeout'
  | 'unreachable'
  | 'certificate'
  | 'tls'
  | 'proxy'
  | 'not-http'
  | 'blocked-port'
  | 'invalid-header'
  | 'other'

export interface NetworkFailure {
  problem: NetworkProblem
  /** The system's or undici's code, such as ENOTFOUND, for the log. */
  code?: string
  /** A request that can never succeed as made: retrying it only delays the error. */
  permanent: boolean
  /** Whether the request may have reached GitHub (and a write taken effect) before it failed. */
  mayHaveArrived: boolean
  /** What happened and what to do, naming the host; never the request's headers. */
  explanation: string
}

const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'ERR_TLS_CERT_ALTNAME_INVALID'
])

/**
 * A request that got no answer from GitHub at all. Octokit reports these as status 500
 * with the fetch error as `cause`, a status GitHub never sent; GitHub's own 500 comes
 * with a response. Returns undefined for every answer GitHub gave.
 */
export function networkFailure(error: unknown, naming: Naming = ACTION_NAMING): NetworkFailure | undefined {
  // The client ends a run on a failure that cannot get better with a UserError whose cause is the request's error.
  if (error instanceof Error && error.name === 'UserError' && error.cause !== undefined) return networkFailure(error.cause, naming)
  if (!isHttpError(error) || error.status !== 500 || error.response) return undefined
  const cause = (error as { cause?: unknown }).cause
  if (!isErrorLike(cause)) return undefined
  const url = requestUrl(error)
  const host = url?.host
  // fetch wraps the system error: "fetch failed" -> the error with the code (-> its own cause).
  let root: ErrorLike = cause
  for (let next = root.cause; isErrorLike(next); next = root.cause) root = next
  const code = typeof root.code === 'string' ? root.code : undefined
  const proxy = url ? proxyFor(url) : undefined
  const via = proxy ? ` through the proxy ${proxy} (HTTPS_PROXY/HTTP_PROXY; hosts in NO_PROXY bypass it)` : ''
  const where = host ?? 'the GitHub API'
  const hostname = naming.quoted('hostname')
  const fail = (problem: NetworkProblem, permanent: boolean, explanation: string): NetworkFailure => ({
    problem,
    code,
    permanent,
    // Only a connection that was made can have carried the request.
    mayHaveArrived: ['connection-closed', 'cut-off', 'too-large', 'not-http', 'other'].includes(problem) || (problem === 'timeout' && code !== 'UND_ERR_CONNECT_TIMEOUT'),
    explanation
  })

  if (cause === root && /header|ByteString/i.test(cause.message)) {
    // The message quotes the header value, which carries the token: never repeat it.
    return fail('invalid-header', true, 'a credential cannot be sent in an HTTP header: it holds a line break or a character outside ASCII. Check how the secret was stored.')
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'EAI_FAIL') {
    const name = typeof root.hostname === 'string' ? root.hostname : hostName(where)
    const check = proxy ? `the proxy variables (HTTPS_PROXY/HTTP_PROXY, NO_PROXY)` : `${hostname} (empty means GITHUB_API_URL, else github.com)`
    // Not retried even when "temporary" (EAI_AGAIN, what a machine without network gets): seconds
    // rarely fix DNS, and the next run scans again from the same bookmark.
    return fail('name-resolution', true, `could not resolve the host name ${name} (${code}). Check ${check} and that this machine can resolve names.`)
  }
  if (code === 'ECONNREFUSED') {
    if (proxy) {
      return fail('connection-refused', true, `the proxy ${proxy} refused the connection (ECONNREFUSED) on the way to ${where}. Check HTTPS_PROXY/HTTP_PROXY, or list ${hostName(where)} in NO_PROXY.`)
    }
    return fail('connection-refused', true, `${where} refused the connection (ECONNREFUSED): nothing accepts connections there. Check ${hostname} and its port, and that the server is up.`)
  }
  if (code === ANSWER_CUT_OFF) {
    return fail('cut-off', false, `the answer of ${where} was cut off before its end${via}: the connection closed mid-answer.`)
  }
  if (code === ANSWER_TOO_LARGE) {
    // Not retried: the same request would get the same answer.
    return fail('too-large', false, `${root.message}: it was refused unread. Check ${hostname} and any proxy in between.`)
  }
  if (code === REQUEST_TIMED_OUT) {
    return fail('timeout', false, `${where} gave ${root.message}${via}, so the request was abandoned. Check that this machine can reach it (firewall, proxy settings).`)
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED') {
    return fail(
      'connection-closed',
      false,
      `the connection to ${where} was closed before GitHub answered (${code})${via}. A proxy or firewall in between may cut it; an http:// API URL for a server that only speaks https does the same.`
    )
  }
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return fail('timeout', false, `${where} did not answer in time (${code})${via}. Check that this machine can reach it (firewall, proxy settings).`)
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ENETDOWN' || code === 'EHOSTDOWN') {
    return fail('unreachable', false, `${where} cannot be reached from this machine (${code})${via}. Check its network, firewall and proxy settings.`)
  }
  if (code && CERTIFICATE_CODES.has(code)) {
    // Node 24 appends its own advice to the reason ("; if the root CA is installed locally, try
    // running Node.js with --use-system-ca"): the reason alone, so the advice is ours on every runtime.
    const reason = root.message.split(';')[0].trim()
    const name = code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? `is not valid for the name ${hostName(where)}` : `is not trusted: ${reason}`
    return fail(
      'certificate',
      true,
      `the TLS certificate of ${where} ${name} (${code}). For GitHub Enterprise Server with a private certificate authority, set the environment variable NODE_EXTRA_CA_CERTS to a PEM file of that authority's certificate; never turn certificate checks off.`
    )
  }
  if (code?.startsWith('ERR_SSL_') || code === 'EPROTO') {
    return fail('tls', true, `the TLS handshake with ${where} failed (${code})${via}: it may not speak https at this address (an http:// server?), or only versions this machine refuses.`)
  }
  if (code === 'UND_ERR_ABORTED' && /proxy/i.test(root.message)) {
    const status = /\((\d{3})\)/.exec(root.message)?.[1]
    const hint = status === '407' ? ': it wants credentials (give them in the proxy URL, http://user:password@proxy:port)' : ''
    return fail('proxy', status === '407', `the proxy${proxy ? ` ${proxy}` : ''} refused to connect to ${where}${status ? ` (${status})` : ''}${hint}. Check HTTPS_PROXY/HTTP_PROXY and NO_PROXY.`)
  }
  if (code?.startsWith('HPE_')) {
    return fail('not-http', false, `${where} did not answer in HTTP (${code}): check ${hostname} and its port.`)
  }
  if (root.message === 'bad port') {
    return fail('blocked-port', true, `${where} is on a port that fetch refuses to use for safety: check ${hostname} and its port.`)
  }
  return fail('other', false, `the request to ${where} failed before GitHub answered: ${root.message}${code ? ` (${code})` : ''}${via}.`)
}

interface ErrorLike {
  message: string
  code?: unknown
  hostname?: unknown
  cause?: unknown
}

/** Not `instanceof Error`: errors made by Node itself may come from another realm. */
function isErrorLike(value: unknown): value is ErrorLike {
  return typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string'
}

function requestUrl(error: HttpErrorLike): URL | undefined {
  const url = (error as { request?: { url?: unknown } }).request?.url
  if (typeof url !== 'string') return undefined
  try {
    return new URL(url)
  } catch {
    return undefined
  }
}

function hostName(host: string): string {
  return host.replace(/:\d+$/, '')
}

/** The proxy a request to this URL goes through, as host:port only: a proxy URL may carry credentials. */
function proxyFor(url: URL): string | undefined {
  try {
    return proxyOf(url)?.host
  } catch {
    return undefined
  }
}

/**
 * A sign-in page, a proxy's notice or a web server where the API was expected: GitHub's API
 * answers in JSON (or with no body). Without this, the page reaches the code as data and fails
 * there with a message about the page's text.
 */
export function notTheApi(response: { url?: string; status: number; headers: Record<string, string | number | undefined>; data?: unknown }, naming: Naming = ACTION_NAMING): string | undefined {
  const type = String(response.headers['content-type'] ?? '')
  if (!type || /json/i.test(type) || typeof response.data !== 'string' || response.data === '') return undefined
  let where = 'The server'
  try {
    if (response.url) where = new URL(response.url).host
  } catch {
    // keep the generic name
  }
  return `${where} answered ${response.status} with ${type.split(';')[0]}, not GitHub's REST API (JSON): check ${naming.quoted('hostname')} (GitHub Enterprise Server's API is at https://HOST/api/v3) and any proxy in between.`
}

/** A 4xx that came as a web page: not GitHub's API answering (its errors are JSON). GitHub's own 5xx pages can be HTML. */
export function notTheApiError(error: unknown, naming: Naming = ACTION_NAMING): string | undefined {
  if (!isHttpError(error) || error.status >= 500 || !error.response?.headers) return undefined
  const response = error.response as { url?: string; headers: Record<string, string | undefined>; data?: unknown }
  return notTheApi({ url: response.url, status: error.status, headers: response.headers, data: response.data }, naming)
}
