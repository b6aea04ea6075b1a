/**
 * GitHub's rules, kept by the client itself (src/github/client.ts), in process against the
 * local GitHub API: writes spaced process-wide, retry-after and rate limits obeyed, server
 * errors and dropped connections retried for reads, redeliveries never sent twice blindly.
 * Every wait goes through an injected sleep on a virtual clock: no test waits real seconds.
 */
import { afterEach, describe, expect, test } from '@jest/globals'
import { startLocalApi, type LocalApi, type OrgHookRef } from '../../local-api/index.js'
import { createClient, loadGitHub, type ClientContext } from '../../src/github/client.js'
import { GitHubClock } from '../../src/github/clock.js'
import { GitHubDeliveries, nextPageUrl, parseDeliveryPage } from '../../src/github/deliveries.js'
import { orgHookRoute } from '../../src/targets/org.js'
import type { HookTarget } from '../../src/core/types.js'
import type { Pacing } from '../../src/github/timing.js'
import { VariableStore } from '../../src/state/variable-store.js'
import { HOUR, orgToken } from '../support/world.js'

const GitHub = await loadGitHub()

/** Waits recorded and spent on a virtual clock; `onSleep` can move the server along. */
function virtualPacing(writeIntervalMs: number, onSleep: (ms: number) => void = () => {}): Pacing & { sleeps: number[] } {
  let now = 0
  const sleeps: number[] = []
  return {
    writeIntervalMs,
    retryBaseMs: 1000,
    verifyDelayMs: { dotcom: 30_000, ghes: 60_000 },
    requestTimeoutMs: 60_000,
    sleeps,
    now: () => now,
    sleep: async ms => {
      sleeps.push(ms)
      now += ms
      onSleep(ms)
    }
  }
}

function context(api: LocalApi, pacing: Pacing, warnings: string[] = []): ClientContext {
  return {
    GitHub,
    baseUrl: api.url,
    clock: new GitHubClock(),
    log: { debug: () => {}, warning: m => warnings.push(m) },
    mask: () => {},
    requests: { total: 0, writes: 0 },
    pacing
  }
}

const target = (hook: OrgHookRef): HookTarget => ({ kind: 'org', key: String(hook.id), id: String(hook.id), label: `org hook ${hook.id}` })

let api: LocalApi | undefined
afterEach(async () => {
  await api?.close()
  api = undefined
})

async function world(options: Parameters<typeof startLocalApi>[0] = {}): Promise<{ api: LocalApi; token: string; hook: OrgHookRef }> {
  api = await startLocalApi({ seed: 5, ...options })
  const hook = api.createOrgHook('acme')
  const token = orgToken(api)
  return { api, token, hook }
}

describe('writes', () => {
  test('are sent writeIntervalMs apart across every client of the process; reads do not wait for them', async () => {
    const { api, token } = await world()
    api.addRepository('acme', 'workflows')
    const pacing = virtualPacing(1000)
    const [a, b] = [createClient(context(api, pacing), { token }), createClient(context(api, pacing), { token })]
    const write = (client: typeof a, i: number) => client.request('POST /repos/{owner}/{repo}/actions/variables', { owner: 'acme', repo: 'workflows', name: `V${i}`, value: String(i) })
    await Promise.all([write(a, 1), write(b, 2), write(a, 3), write(b, 4), a.request('GET /orgs/{org}/hooks', { org: 'acme' })])
    expect(api.log.filter(e => e.method === 'POST' && e.status === 201)).toHaveLength(4)
    // The first write leaves at once, each next one a second after the one before; the read adds no wait.
    expect(pacing.sleeps).toEqual([1000, 1000, 1000])
    expect(api.getVariable('acme/workflows', 'V4')?.value).toBe('4')
  })

  test('the waits are the ones GitHub asks for when nothing else is configured', async () => {
    const { GITHUB_PACING } = await import('../../src/github/timing.js')
    expect(GITHUB_PACING.writeIntervalMs).toBe(1000)
  })
})

describe('rate limits', () => {
  test("a secondary rate limit's retry-after is waited out as given, then the write goes through", async () => {
    const { api, token, hook } = await world({ secondaryWriteLimit: { max: 1, windowMs: 60_000 } })
    const pacing = virtualPacing(0, () => api.resetWriteWindow())
    const warnings: string[] = []
    const client = createClient(context(api, pacing, warnings), { token })
    const first = api.addDelivery(hook, { event: 'push', deliveredAt: api.now() - HOUR, ok: false })
    const second = api.addDelivery(hook, { event: 'push', deliveredAt: api.now() - HOUR, ok: false })
    const path: string = '/orgs/{org}/hooks/{hook_id}/deliveries/{delivery_id}/attempts'
    await client.request(`POST ${path}`, { org: 'acme', hook_id: hook.id, delivery_id: first.id })
    await client.request(`POST ${path}`, { org: 'acme', hook_id: hook.id, delivery_id: second.id })
    const limited = api.log.find(e => e.limited === 'secondary-write-window')
    expect(limited).toBeDefined()
    expect(api.stats().secondary.total).toBe(1)
    // The local API asks for the rest of its 60 s window: that, in whole seconds, was slept.
    expect(pacing.sleeps).toHaveLength(1)
    expect(pacing.sleeps[0]).toBeGreaterThanOrEqual(59_000)
    expect(pacing.sleeps[0] % 1000).toBe(0)
    expect(api.redeliveryRequests(hook).filter(r => r.accepted)).toHaveLength(2)
    expect(warnings.join('\n')).toMatch(/secondary rate limit answered POST .*waiting \d+s as it asks/)
  })

  test('a secondary rate limit that keeps answering stops the run after a bounded number of waits', async () => {
    const { api, token, hook } = await world({ secondaryWriteLimit: { max: 1, windowMs: 60_000 } })
    const pacing = virtualPacing(0)
    const client = createClient(context(api, pacing), { token })
    const [a, b] = [0, 1].map(() => api.addDelivery(hook, { event: 'push', deliveredAt: api.now() - HOUR, ok: false }))
    const path: string = '/orgs/{org}/hooks/{hook_id}/deliveries/{delivery_id}/attempts'
    await client.request(`POST ${path}`, { org: 'acme', hook_id: hook.id, delivery_id: a.id })
    await expect(client.request(`POST ${path}`, { org: 'acme', hook_id: hook.id, delivery_id: b.id })).rejects.toMatchObject({ status: 403 })
    expect(pacing.sleeps).toHaveLength(4)
    expect(api.stats().secondary.total).toBe(5)
  })

  test('a primary rate limit resetting in an hour is not waited for: the request fails at once', async () => {
    const { api, token } = await world({ primaryLimit: 1 })
    const pacing = virtualPacing(0)
    const warnings: string[] = []
    const client = createClient(context(api, pacing, warnings), { token })
    await client.request('GET /orgs/{org}/hooks', { org: 'acme' })
    await expect(client.request('GET /orgs/{org}/hooks', { org: 'acme' })).rejects.toMatchObject({ status: 403 })
    expect(pacing.sleeps).toEqual([])
    expect(warnings.join('\n')).toMatch(/rate limit is used up .*stopping here/)
  })
})

describe('server errors and dropped connections', () => {
  test('reads are retried with backoff until they get through', async () => {
    const { api, token, hook } = await world({ faults: { rate: 0.3, methods: ['GET'] } })
    for (let i = 0; i < 450; i++) api.addDelivery(hook, { event: 'push', deliveredAt: api.now() - HOUR + i, ok: i % 9 !== 0 })
    const pacing = virtualPacing(0)
    const client = createClient(context(api, pacing), { token })
    const deliveries = new GitHubDeliveries({ client, credential: 'token' }, new GitHubClock(), orgHookRoute('acme'))
    const ids: string[] = []
    await deliveries.listDeliveries(target(hook), page => (ids.push(...page.map(a => a.id)), true))
    expect(new Set(ids).size).toBe(450)
    const faults = api.stats().faults
    expect(faults.total).toBeGreaterThan(0)
    expect(faults.drop + faults['500'] + faults['502'] + faults['503']).toBe(faults.total)
    // 1, 4, 9 … units of retryBaseMs.
    expect(pacing.sleeps.every(ms => [1000, 4000, 9000].includes(ms))).toBe(true)
    expect(pacing.sleeps.length).toBe(faults.total)
  })

  test('a read that keeps failing gives up after three retries', async () => {
    const { api, token } = await world({ faults: { rate: 1, methods: ['GET'] } })
    const pacing = virtualPacing(0)
    const client = createClient(context(api, pacing), { token })
    await expect(client.request('GET /orgs/{org}/hooks', { org: 'acme' })).rejects.toBeDefined()
    expect(pacing.sleeps).toEqual([1000, 4000, 9000])
    expect(api.log).toHaveLength(4)
  })

  test.each([
    ['a 502', { status: 502 }],
    ['a connection dropped', { drop: true }]
  ])('a redelivery answered by %s is sent once, and reported as uncertain', async (_what, fault) => {
    const { api, token, hook } = await world()
    const pacing = virtualPacing(0)
    const client = createClient(context(api, pacing), { token })
    const deliveries = new GitHubDeliveries({ client, credential: 'token' }, new GitHubClock(), orgHookRoute('acme'))
    const failing = api.addDelivery(hook, { event: 'push', deliveredAt: api.now() - HOUR, ok: false })
    api.outage({ pathIncludes: '/attempts', methods: ['POST'], durationMs: 60_000, ...fault })
    const result = await deliveries.redeliver(target(hook), failing.id)
    expect(api.log.filter(e => e.method === 'POST')).toHaveLength(1)
    expect(result).toMatchObject({ kind: 'error', uncertain: true })
  })

  test('a redelivery answered 503 is sent again after 1, 4 and 9 s: GitHub did nothing with it', async () => {
    const { api, token, hook } = await world()
    const pacing = virtualPacing(0)
    const client = createClient(context(api, pacing), { token })
    const deliveries = new GitHubDeliveries({ client, credential: 'token' }, new GitHubClock(), orgHookRoute('acme'))
    const failing = api.addDelivery(hook, { event: 'push', deliveredAt: api.now() - HOUR, ok: false })
    api.outage({ pathIncludes: '/attempts', methods: ['POST'], durationMs: 60_000, status: 503 })
    const result = await deliveries.redeliver(target(hook), failing.id)
    expect(api.log.filter(e => e.method === 'POST')).toHaveLength(4)
    expect(pacing.sleeps).toEqual([1000, 4000, 9000])
    expect(result).toMatchObject({ kind: 'error', uncertain: false })
  })
})

describe('the state variable', () => {
  test('a write that meets a server error is sent again: the same value, so no harm', async () => {
    const { api, token } = await world()
    api.addRepository('acme', 'workflows')
    const pacing = virtualPacing(0)
    const store = new VariableStore({ client: createClient(context(api, pacing), { token }), credential: 'token' }, { owner: 'acme', repo: 'workflows' }, 'BOOKMARK')
    await store.read()
    await store.write('first')
    api.outage({ pathIncludes: '/actions/variables', methods: ['PATCH'], durationMs: 60_000, status: 502 })
    await expect(store.write('second')).rejects.toThrow(/502/)
    expect(pacing.sleeps).toEqual([1000, 4000, 9000])
    expect(api.log.filter(e => e.method === 'PATCH')).toHaveLength(4)
  })
})

describe('listing pages', () => {
  test('ids beyond 2^53 come out exact, as strings', () => {
    const text =
      '[{"id":3804004623172239366,"guid":"g","delivered_at":"2026-01-01T00:00:00Z","redelivery":false,"duration":0.5,"status":"OK","status_code":200,"event":"push","action":null,"installation_id":123,"repository_id":4}]'
    const [attempt] = parseDeliveryPage(text)
    expect(attempt.id).toBe('3804004623172239366')
    expect(attempt).toMatchObject({ guid: 'g', statusCode: 200, durationMs: 500, redelivery: false })
    expect(() => parseDeliveryPage('{"message":"x"}')).toThrow(/other than a list/)
  })

  test('the next page is the rel="next" link, wherever it stands', () => {
    expect(nextPageUrl('<https://a/x?cursor=1>; rel="prev", <https://a/x?cursor=2>; rel="next"')).toBe('https://a/x?cursor=2')
    expect(nextPageUrl('<https://a/x?cursor=1>; rel="prev"')).toBeUndefined()
    expect(nextPageUrl(undefined)).toBeUndefined()
  })
})
