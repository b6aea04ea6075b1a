import { HttpClient } from '@actions/http-client'
import { createAppAuth } from '@octokit/auth-app'
import { Octokit } from '@octokit/core'
import { paginateRest } from '@octokit/plugin-paginate-rest'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import Bottleneck from 'bottleneck/light.js'
import { fetch as undiciFetch, type RequestInit as UndiciRequestInit } from 'undici'
import githubAppJwt from 'universal-github-app-jwt'
import type { AppCredentials } from '../core/config.js'
import { UserError } from '../engine/ports.js'
import type { GitHubClock } from './clock.js'
import { networkFailure, notTheApi } from './errors.js'
import type { Pacing } from './timing.js'

export const USER_AGENT = 'webhook-redelivery/1.0.0'

/**
 * The toolkit's convention: inside a workflow run, the user agent carries the runner's
 * orchestration id, so GitHub can tie API traffic to the job that made it.
 */
export function userAgent(env: NodeJS.ProcessEnv = process.env): string {
  const id = env.ACTIONS_ORCHESTRATION_ID?.trim()
  return id ? `${USER_AGENT} actions_orchestration_id/${id.replace(/[^a-z0-9_.-]/gi, '_')}` : USER_AGENT
}
const API_VERSION = '2022-11-28'

/**
 * Octokit's retry plugin retries every network failure as a status 500, 1 + 4 + 9 s apart:
 * a host name that does not resolve or a certificate that is not trusted never gets better,
 * so those fail at once. Registered before `retry`, so it decides first.
 */
function failFastOnPermanentNetworkFailures(octokit: Octokit): void {
  octokit.hook.error('request', (error, options) => {
    if (networkFailure(error)?.permanent) options.request = { ...options.request, retries: 0 }
    throw error
  })
}

export const GitHubOctokit = Octokit.plugin(paginateRest, throttling, failFastOnPermanentNetworkFailures, retry)
export type GitHubClient = InstanceType<typeof GitHubOctokit>

export interface ClientLog {
  debug(message: string): void
  warning(message: string): void
}

export interface ClientContext {
  baseUrl: string
  clock: GitHubClock
  log: ClientLog
  /** Registers a secret with the runner before anything could print it. */
  mask(secret: string): void
  /** Requests made by every client of the run, for the API budget in debug logging. */
  requests: { total: number; writes: number }
  pacing: Pacing
}

// One write queue for every client in the process: GitHub asks for one write per second in all.
const writeGroups = new Map<number, Bottleneck.Group>()
function sharedWriteGroup(minTime: number): Bottleneck.Group {
  let group = writeGroups.get(minTime)
  if (!group) writeGroups.set(minTime, (group = new Bottleneck.Group({ id: `webhook-redelivery-write-${minTime}`, maxConcurrent: 1, minTime })))
  return group
}

/** Most a secondary rate limit may ask us to wait before the run stops and leaves the rest to the next run. */
const MAX_SECONDARY_WAIT_S = 180
const MAX_SECONDARY_RETRIES = 4
const MAX_PRIMARY_WAIT_S = 60

export function createClient(context: ClientContext, auth: { token: string } | { app: AppCredentials; installationId?: number }): GitHubClient {
  const { log, pacing } = context
  const options: ConstructorParameters<typeof GitHubOctokit>[0] = {
    baseUrl: context.baseUrl,
    userAgent: userAgent(),
    request: { fetch: proxyAwareFetch(context.baseUrl) },
    log: {
      debug: (message: string) => log.debug(message),
      info: (message: string) => log.debug(message),
      warn: (message: string) => log.debug(message),
      error: (message: string) => log.debug(message)
    },
    throttle: {
      write: sharedWriteGroup(pacing.writeIntervalMs),
      // GitHub's retry-after is obeyed as given, even in tests.
      retryAfterBaseValue: 1000,
      fallbackSecondaryRateRetryAfter: 60,
      onSecondaryRateLimit: (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
        const again = retryCount < MAX_SECONDARY_RETRIES && retryAfter <= MAX_SECONDARY_WAIT_S
        log.warning(`GitHub's secondary rate limit answered ${request.method} ${request.url}; ${again ? `waiting ${retryAfter}s as it asks` : 'stopping here'}.`)
        return again
      },
      onRateLimit: (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
        const again = retryCount < 1 && retryAfter <= MAX_PRIMARY_WAIT_S
        log.warning(`GitHub's rate limit is used up (${request.method} ${request.url}); ${again ? `waiting ${retryAfter}s for it to reset` : 'stopping here'}.`)
        return again
      }
    },
    retry: { retryAfterBaseValue: pacing.retryBaseMs }
  }
  if ('token' in auth) {
    context.mask(auth.token)
    options.auth = auth.token
  } else {
    options.authStrategy = createAppAuth
    options.auth = {
      appId: /^\d+$/.test(auth.app.appId) ? Number(auth.app.appId) : auth.app.appId,
      ...(auth.installationId ? { installationId: auth.installationId } : {}),
      // Sign with GitHub's clock, not the runner's, and mask every JWT before it is used.
      createJwt: async (appId: string | number, timeDifference?: number) => {
        const now = context.clock.known ? Math.floor(context.clock.now() / 1000) : Math.floor(Date.now() / 1000) + (timeDifference ?? 0)
        const jwt = await githubAppJwt({ id: appId, privateKey: auth.app.privateKey, now })
        context.mask(jwt.token)
        return { jwt: jwt.token, expiresAt: new Date(jwt.expiration * 1000).toISOString() }
      }
    }
  }
  const octokit = new GitHubOctokit(options)
  octokit.hook.before('request', request => {
    request.headers['x-github-api-version'] = API_VERSION
    context.requests.total++
    if (request.method !== 'GET') context.requests.writes++
  })
  octokit.hook.after('request', response => {
    context.clock.observe(response.headers.date)
    const problem = notTheApi(response)
    if (problem) throw new Error(problem)
  })
  octokit.hook.error('request', error => {
    const headers = (error as { response?: { headers?: Record<string, string> } }).response?.headers
    context.clock.observe(headers?.date)
    // A failure that cannot get better (a host that does not resolve or refuses connections, an untrusted
    // certificate) would fail every request of the run the same way: one message that says what to check ends it.
    const failure = networkFailure(error)
    if (failure?.permanent) throw new UserError(failure.explanation, { cause: error })
    throw error
  })
  return octokit
}

/**
 * Node's fetch ignores HTTPS_PROXY; the toolkit's HTTP client picks the proxy
 * (or none, per NO_PROXY) for the destination, as @actions/github does.
 */
function proxyAwareFetch(baseUrl: string): typeof fetch {
  let dispatcher: ReturnType<HttpClient['getAgentDispatcher']>
  try {
    dispatcher = new HttpClient(USER_AGENT).getAgentDispatcher(baseUrl)
  } catch (error) {
    // Only the proxy setting is parsed here; its value can hold a password, so it is not repeated.
    const secure = baseUrl.startsWith('https:')
    const name = (secure ? ['https_proxy', 'HTTPS_PROXY'] : ['http_proxy', 'HTTP_PROXY']).find(n => process.env[n]) ?? (secure ? 'HTTPS_PROXY' : 'HTTP_PROXY')
    throw new UserError(`The proxy in the ${name} environment variable is not a URL (${(error as Error).message}): set it to http://host:port, or add the API's host to NO_PROXY.`)
  }
  return ((url: string, init?: UndiciRequestInit) => undiciFetch(url, { ...init, dispatcher })) as unknown as typeof fetch
}
