/**
 * GitHub's refusals explained once (src/github/access.ts), and one decision of what a rate
 * limit is (request-policy.ts `rateLimitOf`, which errors.ts `isRateLimit` asks): what the
 * client waits out as a limit is never explained to the user as a missing permission.
 */
import { afterEach, describe, expect, test } from '@jest/globals'
import { startLocalApi, type LocalApi } from '../../local-api/index.js'
import { UserError, RateLimitedError } from '../../src/engine/ports.js'
import { refusal, type Access } from '../../src/github/access.js'
import type { GitHubClient } from '../../src/github/client.js'
import { isRateLimit, type HttpErrorLike } from '../../src/github/errors.js'
import { nextStep, rateLimitOf, type FailedAnswer } from '../../src/github/request-policy.js'
import { VariableStore } from '../../src/state/variable-store.js'
import { runInProcess } from '../support/in-process.js'

const forbidden = (headers: Record<string, string>, message = 'Forbidden'): HttpErrorLike => ({ status: 403, message, response: { headers, data: { message } } })
const attempt = { action: 'list the webhooks of acme', permission: 'the "Webhooks" organization permission' }
const access = (client: unknown = {}): Access => ({ client: client as GitHubClient, credential: 'token' })

describe('a rate limit is decided once', () => {
  test('a 403 with retry-after but no "rate limit" text is a rate limit, not a missing permission', () => {
    const error = forbidden({ 'retry-after': '30' })
    expect(isRateLimit(error)).toBe(true)
    expect(refusal(access(), error, attempt)).toBeUndefined()
  })

  test('a 403 that says "rate limit" is one even without GitHub\'s headers; a plain 403 is a refusal that names the permission', () => {
    expect(isRateLimit(forbidden({}, 'API rate limit exceeded for user ID 1.'))).toBe(true)
    const plain = forbidden({})
    expect(isRateLimit(plain)).toBe(false)
    const refused = refusal(access(), plain, attempt)
    expect(refused).toBeInstanceOf(UserError)
    expect(refused?.message).toBe('The token lacks the permission to list the webhooks of acme (403: Forbidden). It needs the "Webhooks" organization permission.')
  })

  test('the client waits a minute after a 403 that says "rate limit" without GitHub\'s headers, as GitHub\'s docs ask', () => {
    const answer: FailedAnswer = { method: 'GET', status: 403, answered: true, mayHaveActed: false, headers: {}, message: 'API rate limit exceeded for user ID 1.' }
    expect(rateLimitOf(answer, 0)).toEqual({ limit: 'secondary', waitS: 60 })
    expect(nextStep(answer, { limited: 0, failed: 0 }, { serverRetries: 3, retryBaseMs: 1000, now: 0 })).toMatchObject({ retry: true, waitMs: 60_000 })
  })

  test('the state variable read meeting such a limit says rate limit', async () => {
    const error = forbidden({ 'retry-after': '30' })
    const client = { request: async () => Promise.reject(error) }
    const store = new VariableStore(access(client), { owner: 'acme', repo: 'workflows' }, 'BOOKMARK')
    const failure = await store.read().catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(RateLimitedError)
    expect((failure as Error).message).toMatch(/^GitHub's rate limit refused to read the state variable BOOKMARK in acme\/workflows/)
  })

  describe('with the app', () => {
    let api: LocalApi | undefined
    afterEach(async () => {
      await api?.close()
      api = undefined
    })

    test("an installation lookup refused by the rate limit is not explained as the app's missing permission", async () => {
      api = await startLocalApi({ seed: 9, primaryLimit: 0 })
      const app = api.createApp()
      api.createOrgHook('acme')
      const run = await runInProcess(api, { 'target-type': 'org', org: 'acme', 'app-id': String(app.id), 'private-key': app.privateKeyPem })
      expect(run.error).toMatch(/^finding the app's installation on acme failed: 403 API rate limit exceeded/)
      expect(run.error).not.toMatch(/lacks the permission/)
    })
  })
})

describe('a request that did nothing may be sent again, writes included', () => {
  const answer = (status: number, extra: Partial<FailedAnswer> = {}): FailedAnswer => ({ method: 'POST', status, answered: true, mayHaveActed: status !== 503, headers: {}, message: '', ...extra })
  const rules = { serverRetries: 0, retryBaseMs: 1000, now: 0 }

  test('a POST answered 503 is retried after 1, 4 and 9 units, then given up', () => {
    const waits = [0, 1, 2, 3].map(failed => nextStep(answer(503), { limited: 0, failed }, rules))
    expect(waits).toEqual([{ retry: true, waitMs: 1000 }, { retry: true, waitMs: 4000 }, { retry: true, waitMs: 9000 }, { retry: false }])
  })

  test('a POST that never connected is retried; one whose answer was lost, or a 502, is not', () => {
    expect(nextStep(answer(500, { answered: false, mayHaveActed: false }), { limited: 0, failed: 0 }, rules)).toEqual({ retry: true, waitMs: 1000 })
    expect(nextStep(answer(500, { answered: false, mayHaveActed: true }), { limited: 0, failed: 0 }, rules)).toEqual({ retry: false })
    expect(nextStep(answer(502), { limited: 0, failed: 0 }, rules)).toEqual({ retry: false })
  })
})
