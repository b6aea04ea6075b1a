import type { GitHub } from '@actions/github/lib/utils'
import type { Octokit } from '@octokit/core'
import type { OctokitOptions } from '@octokit/core/types'
import type { AppCredentials } from '../core/config.js'
import type { Naming } from '../core/input-errors.js'
import { VERSION } from '../core/inputs.generated.js'
import { UserError } from '../engine/ports.js'
import type { GitHubClock } from './clock.js'
import { failedAnswer, networkFailure, notTheApi } from './errors.js'
import { apiFetch, checkProxyVariables, RunInterrupted } from './http.js'
import { defaultServerRetries, nextStep } from './request-policy.js'
import type { Pacing } from './timing.js'

export const USER_AGENT = `webhook-redelivery/${VERSION}`

/**
 * The toolkit's convention: inside a workflow run, the user agent carries the runner's
 * orchestration id, so GitHub can tie API traffic to the job that made it.
 */
export function userAgent(env: NodeJS.ProcessEnv = process.env): string {
  const id = env.ACTIONS_ORCHESTRATION_ID?.trim()
  return id ? `${USER_AGENT} actions_orchestration_id/${id.replace(/[^a-z0-9_.-]/gi, '_')}` : USER_AGENT
}
const API_VERSION = '2022-11-28'

/** The toolkit's client class: @actions/github's `GitHub` (Octokit with its REST routes and pagination). */
export type GitHubClass = typeof GitHub
export type GitHubClient = InstanceType<GitHubClass>

/**
 * Loads @actions/github once the proxy variables were checked: its module builds its proxy
 * defaults from them as it is imported, and a malformed one would throw "Invalid URL" there
 * instead of an error that names the variable.
 */
export async function loadGitHub(env: NodeJS.ProcessEnv = process.env): Promise<GitHubClass> {
  checkProxyVariables(env)
  return (await import('@actions/github/lib/utils')).GitHub
}

export interface ClientLog {
  debug(message: string): void
  warning(message: string): void
}

export interface ClientContext {
  /** @actions/github's client class, from `loadGitHub`. */
  GitHub: GitHubClass
  baseUrl: string
  clock: GitHubClock
  log: ClientLog
  /** Registers a secret with the runner before anything could print it. */
  mask(secret: string): void
  /** Requests made by every client of the run, for the API budget in debug logging. */
  requests: { total: number; writes: number }
  pacing: Pacing
  /** The run's stop signal (SIGINT, SIGTERM): aborts the request in progress and any wait. */
  signal?: AbortSignal
  /** How the front end names inputs in messages (the action's words when absent). */
  naming?: Naming
}

export function createClient(context: ClientContext, auth: { token: string } | { app: AppCredentials }): GitHubClient {
  const { log } = context
  const options: ConstructorParameters<GitHubClass>[0] & { policy: ClientContext } = {
    policy: context,
    baseUrl: context.baseUrl,
    userAgent: userAgent(),
    request: { fetch: apiFetch({ baseUrl: context.baseUrl, timeoutMs: context.pacing.requestTimeoutMs, signal: context.signal }) },
    log: {
      debug: (message: string) => log.debug(message),
      info: (message: string) => log.debug(message),
      warn: (message: string) => log.debug(message),
      error: (message: string) => log.debug(message)
    }
  }
  if ('token' in auth) {
    // Masked where it was made: the user's token by the front end, an installation token by the session.
    options.auth = auth.token
  } else {
    options.authStrategy = deferredAuth(async strategyOptions => (await import('./app-auth.js')).appAuth(strategyOptions, auth.app, context))
  }
  return new (context.GitHub.plugin(requestPolicy))(options)
}

/**
 * The project's request policy as an Octokit plugin (the client's `policy` option): GitHub's
 * rules around every request (`governRequests`), the API version, the request count, GitHub's
 * clock from its answers, and answers that are not the API's refused. Octokit's own throttling
 * and retry plugins are not used: they retry writes that may have acted, and queue every request
 * through three Bottleneck jobs (about 15 ms per request of idle timers).
 */
function requestPolicy(octokit: Octokit, options: OctokitOptions): void {
  const context = (options as { policy?: ClientContext }).policy
  if (!context) return
  governRequests(octokit, context)
  const api = new URL(context.baseUrl)
  octokit.hook.before('request', request => {
    // The credential goes to the API the user configured and nowhere else: a pagination link to
    // another origin is refused before anything is sent there (redirects drop the credential themselves).
    const url = String(request.url)
    if (/^https?:\/\//i.test(url) && new URL(url).origin !== api.origin) {
      throw new Error(`GitHub's answer linked the next page to ${new URL(url).host}, which is not the API (${api.host}): nothing was sent there, so the credential stays with the API`)
    }
    request.headers['x-github-api-version'] = API_VERSION
    context.requests.total++
    if (request.method !== 'GET') context.requests.writes++
  })
  octokit.hook.after('request', (response, request) => {
    context.clock.observe(response.headers.date)
    const problem = notTheApi(response, context.naming)
    if (problem) throw new Error(problem)
    // Octokit hands on the text of a JSON answer it could not parse, as if it were the data.
    const asText = (request.request as { parseSuccessResponseBody?: boolean } | undefined)?.parseSuccessResponseBody === false
    if (!asText && typeof response.data === 'string' && response.data !== '' && /json/i.test(String(response.headers['content-type']))) {
      throw new Error(`GitHub's answer to ${request.method} ${new URL(response.url).pathname} was not valid JSON (cut off or malformed)`)
    }
  })
  octokit.hook.error('request', error => {
    const headers = (error as { response?: { headers?: Record<string, string> } }).response?.headers
    context.clock.observe(headers?.date)
    throw error
  })
}

/** What Octokit expects of an auth strategy: the credential on demand, and a hook around every request. */
interface Auth {
  (options: never): Promise<unknown>
  hook(...args: never[]): Promise<unknown>
}

/**
 * An auth strategy made when the client first needs it (its first request, or `auth()`), so
 * that the strategy's code is loaded by the runs that use it and by no other.
 */
function deferredAuth(make: (strategyOptions: object) => Promise<Auth>): (strategyOptions: object) => Auth {
  return strategyOptions => {
    let made: Promise<Auth> | undefined
    const strategy = (): Promise<Auth> => (made ??= make(strategyOptions))
    return Object.assign(async (options: never) => (await strategy())(options), {
      hook: async (...args: never[]) => (await strategy()).hook(...args)
    })
  }
}

/**
 * GitHub's rules around every request: writes one at a time and at least `writeIntervalMs`
 * apart in the whole process, rate limits waited out as GitHub asks (or the run stops and
 * leaves the rest to the next one), and server errors or dropped connections retried with
 * backoff only for requests that cannot act twice (GETs, unless `request.retries` says otherwise).
 * A request made with `request.parseSuccessResponseBody: false` gets its body as text, read
 * inside the retries, so a connection dropped mid-body is retried like any other.
 */
function governRequests(octokit: Octokit, context: ClientContext): void {
  const { log, pacing } = context
  octokit.hook.wrap('request', async (request, options) => {
    const method = String(options.method).toUpperCase()
    const settings = (options.request ?? {}) as { retries?: number; parseSuccessResponseBody?: boolean }
    const serverRetries = settings.retries ?? defaultServerRetries(method)
    const tries = { limited: 0, failed: 0 }
    for (;;) {
      const release = method !== 'GET' && method !== 'HEAD' ? await writeTurn(pacing) : undefined
      try {
        const response = await Promise.resolve(request(options)).finally(() => release?.())
        if (settings.parseSuccessResponseBody === false && isStream(response.data)) response.data = await readText(response.data)
        return response
      } catch (error) {
        // A stopped run sends nothing more and waits for nothing: the request is not retried.
        if (context.signal?.aborted) throw error
        // A failure that cannot get better (a host that does not resolve or refuses connections, an untrusted
        // certificate) would fail every request of the run the same way: one message that says what to check ends it.
        const failure = networkFailure(error, context.naming)
        if (failure?.permanent) throw new UserError(failure.explanation, { cause: error })
        // The same request would get the same answer.
        if (failure?.problem === 'too-large') throw error
        const answer = failedAnswer(method, error, failure)
        // GitHub's own time, so a rate limit's reset is not misread through the runner's clock.
        const now = Date.parse(answer.headers.date ?? '') || context.clock.now()
        const step = nextStep(answer, tries, { serverRetries, retryBaseMs: pacing.retryBaseMs, now })
        const what = `${method} ${String(options.url)}`
        if (step.limit === 'secondary') {
          log.warning(`GitHub's secondary rate limit answered ${what}; ${step.retry ? `waiting ${step.waitS}s as it asks` : 'stopping here'}.`)
        } else if (step.limit === 'primary') {
          log.warning(`GitHub's rate limit is used up (${what}); ${step.retry ? `waiting ${step.waitS}s for it to reset` : 'stopping here'}.`)
        }
        if (!step.retry) throw error
        if (step.limit) tries.limited++
        else {
          tries.failed++
          log.debug(`${what} failed (${answer.message}); trying again in ${step.waitMs} ms.`)
        }
        await pacing.sleep(step.waitMs, context.signal)
        if (context.signal?.aborted) throw new RunInterrupted(context.signal)
      }
    }
  })
}

function isStream(data: unknown): data is AsyncIterable<Uint8Array> {
  return typeof (data as { [Symbol.asyncIterator]?: unknown } | undefined)?.[Symbol.asyncIterator] === 'function'
}

/** A response body as text (already read whole by the client's fetch). */
async function readText(body: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = []
  for await (const chunk of body) chunks.push(chunk)
  return Buffer.concat(chunks).toString('utf8')
}

// One write queue for every client in the process: GitHub asks for one write per second in all.
// Keyed by the clock that spaces them, which is one clock outside tests.
const writeQueues = new Map<() => number, { queue: Promise<void>; nextAt: number }>()
const monotonic = (): number => performance.now()

/**
 * Resolves when this process may send its next write, with the function to call once GitHub has
 * answered it. One write at a time, and the interval runs from the answer: GitHub counts from
 * when it handled the last write, which a slow connection can make later than when it was sent.
 */
function writeTurn(pacing: Pacing): Promise<() => void> {
  const now = pacing.now ?? monotonic
  let state = writeQueues.get(now)
  if (!state) writeQueues.set(now, (state = { queue: Promise.resolve(), nextAt: -Infinity }))
  const gate = state
  let release!: () => void
  const answered = new Promise<void>(resolve => (release = resolve))
  const turn = gate.queue.then(async () => {
    const wait = gate.nextAt - now()
    if (wait > 0) await pacing.sleep(wait)
  })
  gate.queue = turn
    .then(() => answered)
    .catch(() => undefined)
    .then(() => {
      gate.nextAt = now() + pacing.writeIntervalMs
    })
  return turn.then(() => release)
}
