import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { Octokit } from '@octokit/core'
import { seedDeliveries, seedRealisticDay, startLocalApi, type AppInfo, type HookRef, type LocalApi } from '../../local-api/index.js'
import { RawInt, toJsonText } from '../../local-api/util.js'
import { DAY, MINUTE as MIN } from '../support/world.js'
import { appJwt, call, nextLink, rawIds } from './helpers.js'

describe('deliveries', () => {
  let api: LocalApi
  let app: AppInfo
  let orgHook: HookRef
  let token: string

  beforeAll(async () => {
    // Receivers answer half a second later on the server's clock: a loaded machine's round trip stays shorter.
    api = await startLocalApi({ seed: 11, receiverDelayMs: 500 })
    app = api.createApp()
    orgHook = api.createOrgHook('acme', { id: 77 })
    token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
  })
  afterAll(() => api.close())

  const jwt = () => `Bearer ${appJwt(app, api.now())}`

  it('pages newest first with a cursor Link, and keeps ids past 2^53 exact in the JSON text', async () => {
    const now = api.now()
    for (let i = 0; i < 7; i++) api.addDelivery(app.hook, { event: 'push', deliveredAt: now - (10 - i) * MIN, ok: i !== 3 })
    const seen: string[] = []
    let url: string | undefined = `${api.url}/app/hook/deliveries?per_page=3`
    let pages = 0
    while (url) {
      const r = await call(url, { auth: jwt() })
      expect(r.status).toBe(200)
      seen.push(...rawIds(r.text))
      url = nextLink(r)
      if (url) expect(url.startsWith(`${api.url}/app/hook/deliveries?`)).toBe(true)
      pages++
    }
    expect(pages).toBe(3)
    const expected = api.deliveries(app.hook).map(d => d.id)
    expect(seen).toEqual(expected)
    expect(BigInt(seen[0])).toBeGreaterThan(2n ** 53n)
    expect(BigInt(seen[0])).toBeGreaterThan(BigInt(seen[6]))
    // JSON.parse would have rounded these: the text must carry every digit.
    expect(seen.every(id => /^\d{19}$/.test(id))).toBe(true)
  })

  it('hands Octokit ids it parses as exact bigints', async () => {
    const octokit = new Octokit({ baseUrl: api.ghesUrl, auth: token })
    const expected = api.addDelivery(orgHook, { event: 'push', deliveredAt: api.now() - 1000, ok: true })
    const { data } = await octokit.request('GET /orgs/{org}/hooks/{hook_id}/deliveries', { org: 'acme', hook_id: 77, per_page: 1 })
    expect(typeof data[0].id).toBe('bigint')
    expect(String(data[0].id)).toBe(expected.id)
  })

  it('orders by completion time: a 10 s timeout is listed above deliveries that started after it', async () => {
    const hook = api.createRepoHook('acme/order')
    const now = api.now()
    const slow = api.addDelivery(hook, { event: 'push', deliveredAt: now - 60_000, ok: false, status: 'timed out', statusCode: 0, durationMs: 10_000 })
    const fast = api.addDelivery(hook, { event: 'push', deliveredAt: now - 55_000, ok: true, durationMs: 100 })
    const r = await call(`${api.url}/repos/acme/order/hooks/${(hook as { id: number }).id}/deliveries`, {
      auth: `token ${api.createToken({ grants: [{ repo: 'acme/order', hooks: 'read' }] })}`
    })
    expect(rawIds(r.text)).toEqual([slow.id, fast.id])
    expect(r.json[0]).toMatchObject({ status: 'timed out', duration: 10, status_code: 0 })
    expect(Date.parse(r.json[0].delivered_at)).toBeLessThan(Date.parse(r.json[1].delivered_at))
  })

  it('serves a single delivery with request and response, and 404 for unknown ids', async () => {
    const d = api.deliveries(app.hook)[0]
    const r = await call(`${api.url}/app/hook/deliveries/${d.id}`, { auth: jwt() })
    expect(r.status).toBe(200)
    expect(rawIds(r.text)[0]).toBe(d.id)
    expect(r.json.request.headers['X-GitHub-Delivery']).toBe(d.guid)
    expect(r.json).toHaveProperty('response')
    expect((await call(`${api.url}/app/hook/deliveries/123`, { auth: jwt() })).status).toBe(404)
  })

  it('redelivers: 202, then a new attempt with the same guid, redelivery true and a bigger id', async () => {
    const failed = api.addDelivery(orgHook, { event: 'issues', action: 'opened', deliveredAt: api.now() - 5 * MIN, ok: false })
    const r = await call(`${api.url}/orgs/acme/hooks/77/deliveries/${failed.id}/attempts`, { method: 'POST', auth: `token ${token}` })
    expect(r.status).toBe(202)
    expect(r.json).toEqual({})
    // Not listed until the receiver has answered.
    expect(api.deliveries(orgHook).filter(d => d.guid === failed.guid)).toHaveLength(1)
    api.advanceClock(1000)
    const attempts = api.deliveries(orgHook).filter(d => d.guid === failed.guid)
    expect(attempts).toHaveLength(2)
    expect(attempts[0]).toMatchObject({ redelivery: true, ok: true, status: 'OK', event: 'issues', action: 'opened' })
    expect(BigInt(attempts[0].id)).toBeGreaterThan(BigInt(failed.id))
    expect(api.redeliveryRequests(orgHook).at(-1)).toMatchObject({ deliveryId: failed.id, guid: failed.guid, accepted: true, status: 202 })
  })

  it('follows the receiver model: down, failing, flaky', async () => {
    const hook = api.createOrgHook('acme')
    const now = api.now()
    const a = api.addDelivery(hook, { event: 'push', deliveredAt: now - MIN, ok: false })
    const b = api.addDelivery(hook, { event: 'push', deliveredAt: now - MIN, ok: false })
    api.setReceiver(hook, { type: 'down', from: now - DAY, to: now + DAY })
    const path = `${api.url}/orgs/acme/hooks/${(hook as { id: number }).id}/deliveries`
    expect((await call(`${path}/${a.id}/attempts`, { method: 'POST', auth: `token ${token}` })).status).toBe(202)
    api.setReceiver(hook, { type: 'failing', guids: new Set([b.guid]) })
    expect((await call(`${path}/${b.id}/attempts`, { method: 'POST', auth: `token ${token}` })).status).toBe(202)
    api.advanceClock(1000)
    const list = api.deliveries(hook)
    // Newest first: a receiver that is up refuses b with its status; one that is down is never reached.
    expect(list.filter(d => d.redelivery).map(d => [d.status, d.statusCode])).toEqual([
      ['Invalid HTTP Response: 400', 400],
      ['failed to connect to host', 502]
    ])
    api.setReceiver(hook, { type: 'flaky', failRate: 0.5 })
    for (let i = 0; i < 20; i++) await call(`${path}/${a.id}/attempts`, { method: 'POST', auth: `token ${token}` })
    api.advanceClock(1000)
    const flaky = api
      .deliveries(hook)
      .filter(d => d.redelivery)
      .slice(0, 20)
    expect(flaky.some(d => d.ok)).toBe(true)
    expect(flaky.some(d => !d.ok)).toBe(true)
  })

  it('refuses attempts older than 3 days at /, 7 days at /api/v3', async () => {
    const old = api.addDelivery(orgHook, { event: 'push', deliveredAt: api.now() - 4 * DAY, ok: false })
    const r = await call(`${api.url}/orgs/acme/hooks/77/deliveries/${old.id}/attempts`, { method: 'POST', auth: `token ${token}` })
    expect(r.status).toBe(422)
    expect(r.json.message).toBe('Validation Failed')
    expect(r.json.errors[0].message).toMatch(/3 days/)
    const ghes = await call(`${api.ghesUrl}/orgs/acme/hooks/77/deliveries/${old.id}/attempts`, { method: 'POST', auth: `token ${token}` })
    expect(ghes.status).toBe(202)
    const older = api.addDelivery(orgHook, { event: 'push', deliveredAt: api.now() - 8 * DAY, ok: false })
    expect((await call(`${api.ghesUrl}/orgs/acme/hooks/77/deliveries/${older.id}/attempts`, { method: 'POST', auth: `token ${token}` })).status).toBe(422)
    const refused = api.redeliveryRequests(orgHook).filter(x => !x.accepted)
    expect(refused.map(x => x.deliveryId)).toEqual([old.id, older.id])
  })

  it('refuses guids on demand with the given status', async () => {
    const d = api.addDelivery(orgHook, { event: 'push', deliveredAt: api.now() - MIN, ok: false })
    api.refuseRedelivery(d.guid, 404)
    const r = await call(`${api.url}/orgs/acme/hooks/77/deliveries/${d.id}/attempts`, { method: 'POST', auth: `token ${token}` })
    expect(r.status).toBe(404)
    expect(api.redeliveryRequests(orgHook).at(-1)).toMatchObject({ guid: d.guid, accepted: false, status: 404 })
  })

  it('serves the same routes under /api/v3 with /api/v3 links', async () => {
    const r = await call(`${api.ghesUrl}/orgs/acme/hooks/77/deliveries?per_page=1`, { auth: `token ${token}` })
    expect(r.status).toBe(200)
    expect(r.headers.get('link')).toContain(`${api.ghesUrl}/orgs/acme/hooks/77/deliveries?per_page=1&cursor=`)
    const hooks = await call(`${api.ghesUrl}/orgs/acme/hooks`, { auth: `token ${token}` })
    expect(hooks.json[0].url).toBe(`${api.ghesUrl}/orgs/acme/hooks/77`)
    expect(api.log.at(-1)).toMatchObject({ path: '/api/v3/orgs/acme/hooks', route: '/orgs/acme/hooks', auth: 'token' })
  })

  it('lists hooks with page/per_page Link and config.url', async () => {
    for (let i = 0; i < 3; i++) api.createRepoHook('acme/many', { url: `https://r${i}.example.com/hook` })
    const auth = `token ${api.createToken({ grants: [{ repo: 'acme/many', hooks: 'read' }] })}`
    const r = await call(`${api.url}/repos/acme/many/hooks?per_page=2`, { auth })
    expect(r.json.map((h: { config: { url: string } }) => h.config.url)).toEqual(['https://r0.example.com/hook', 'https://r1.example.com/hook'])
    expect(r.headers.get('link')).toContain('page=2>; rel="next"')
    const one = await call(`${api.url}/repos/acme/many/hooks/${r.json[1].id}`, { auth })
    expect(one.json.config.url).toBe('https://r1.example.com/hook')
  })

  it('filters by status=failure on status_code, hiding the successful attempts', async () => {
    const hook = api.createOrgHook('acme')
    const now = api.now()
    api.addDelivery(hook, { event: 'push', deliveredAt: now - 3 * MIN, ok: false, statusCode: 502 })
    api.addDelivery(hook, { event: 'push', deliveredAt: now - 2 * MIN, ok: true })
    api.addDelivery(hook, { event: 'push', deliveredAt: now - MIN, ok: false, status: 'timed out', statusCode: 0, durationMs: 10_000 })
    const r = await call(`${api.url}/orgs/acme/hooks/${(hook as { id: number }).id}/deliveries?status=failure`, { auth: `token ${token}` })
    expect(r.json.map((d: { status_code: number }) => d.status_code)).toEqual([502])
  })

  it('rejects a malformed cursor with 400', async () => {
    const r = await call(`${api.url}/orgs/acme/hooks/77/deliveries?cursor=garbage`, { auth: `token ${token}` })
    expect(r.status).toBe(400)
  })

  it('lists 20,000 deliveries by cursor, each once (the bench lists 100,000 and measures the cost per page)', async () => {
    const hook = api.createOrgHook('bulk')
    const failing = seedDeliveries(api, hook, { count: 20_000, failRate: 0.01 })
    const auth = `token ${api.createToken({ grants: [{ org: 'bulk', hooks: 'read' }] })}`
    let url: string | undefined = `${api.url}/orgs/bulk/hooks/${(hook as { id: number }).id}/deliveries?per_page=100`
    let count = 0
    let pages = 0
    let failed = 0
    while (url) {
      const r = await call(url, { auth })
      count += r.json.length
      failed += r.json.filter((d: { status: string }) => d.status !== 'OK').length
      pages++
      url = nextLink(r)
    }
    expect(count).toBe(20_000)
    expect(pages).toBe(200)
    expect(failed).toBe(failing.length)
  })

  it('seeds a realistic day', () => {
    const day = seedRealisticDay(api, { org: 'dayorg', seed: 5 })
    const total = day.deliveries.app + day.deliveries.org + day.deliveries.repo
    expect(total).toBeGreaterThan(2000)
    for (const name of ['app', 'org', 'repo'] as const) {
      expect(day.failing[name]).toBeGreaterThan(day.stuckGuids[name].length)
      const list = api.deliveries(day.hooks[name])
      // Someone already redelivered part of the outage successfully.
      expect(list.some(d => d.redelivery && d.ok)).toBe(true)
      expect(list.some(d => d.status === 'timed out')).toBe(true)
      expect(list.filter(d => !d.ok && d.deliveredAt >= day.outage.from && d.deliveredAt < day.outage.to).length).toBeGreaterThan(0)
    }
  })
})

describe('JSON as the local API writes it', () => {
  it('delivery ids and bigints as bare integers, exactly, whatever their size; other values as JSON.stringify writes them', () => {
    const reply = { id: new RawInt('9007199254740993'), nested: [{ id: new RawInt('-5') }], big: 12345678901234567890n, text: '9007199254740993', none: null }
    expect(toJsonText(reply)).toBe('{"id":9007199254740993,"nested":[{"id":-5}],"big":12345678901234567890,"text":"9007199254740993","none":null}')
    expect(toJsonText({ id: new RawInt('77'), at: '2026-01-01T00:00:00Z' })).toBe('{"id":77,"at":"2026-01-01T00:00:00Z"}')
    expect(toJsonText(undefined)).toBe('null')
  })
})
