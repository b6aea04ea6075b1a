import { describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import https from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { SECONDARY_MESSAGE, startLocalApi, type LocalApi, type LocalApiOptions } from '../../local-api/index.js'
import { call } from './helpers.js'

async function withApi(opts: LocalApiOptions, fn: (api: LocalApi, auth: string, hookId: number) => Promise<void>): Promise<void> {
  const api = await startLocalApi(opts)
  try {
    const hook = api.createOrgHook('acme')
    const auth = `token ${api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })}`
    await fn(api, auth, (hook as { id: number }).id)
  } finally {
    await api.close()
  }
}

describe('rate limits', () => {
  it('sends x-ratelimit-* headers and enforces the primary limit per credential', () =>
    withApi({ primaryLimit: 3 }, async (api, auth) => {
      const url = `${api.url}/orgs/acme/hooks`
      const first = await call(url, { auth })
      expect(first.headers.get('x-ratelimit-limit')).toBe('3')
      expect(first.headers.get('x-ratelimit-remaining')).toBe('2')
      expect(first.headers.get('x-ratelimit-used')).toBe('1')
      expect(first.headers.get('x-ratelimit-resource')).toBe('core')
      const reset = Number(first.headers.get('x-ratelimit-reset'))
      expect(reset * 1000).toBeGreaterThan(api.now() + 3500_000)
      await call(url, { auth })
      await call(url, { auth })
      const over = await call(url, { auth })
      expect(over.status).toBe(403)
      expect(over.headers.get('x-ratelimit-remaining')).toBe('0')
      expect(over.json.message).toMatch(/^API rate limit exceeded/)
      // Another credential has its own budget; the window resets on the server clock.
      const other = `token ${api.createToken({ grants: [{ org: 'acme', hooks: 'read' }] })}`
      expect((await call(url, { auth: other })).status).toBe(200)
      api.advanceClock(3600_000)
      expect((await call(url, { auth })).status).toBe(200)
      expect(api.stats().primary).toBe(1)
    }))

  it('limits writes per sliding window with retry-after and the secondary-limit message', () =>
    withApi({ secondaryWriteLimit: { max: 2, windowMs: 1500 } }, async (api, auth, id) => {
      const d = api.addDelivery({ kind: 'org', org: 'acme', id }, { event: 'push', deliveredAt: api.now() - 1000, ok: false })
      const post = () => call(`${api.url}/orgs/acme/hooks/${id}/deliveries/${d.id}/attempts`, { method: 'POST', auth })
      expect((await post()).status).toBe(202)
      expect((await post()).status).toBe(202)
      const limited = await post()
      expect(limited.status).toBe(403)
      expect(limited.json.message.startsWith(SECONDARY_MESSAGE)).toBe(true)
      expect(limited.json.message).toMatch(/secondary rate limit/)
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
      // Reads are not writes.
      expect((await call(`${api.url}/orgs/acme/hooks`, { auth })).status).toBe(200)
      await new Promise(r => setTimeout(r, 1600))
      expect((await post()).status).toBe(202)
      expect(api.stats().secondary).toMatchObject({ writeWindow: 1, total: 1 })
      expect(api.log.find(e => e.status === 403)?.limited).toBe('secondary-write-window')
      expect(api.redeliveryRequests().map(r => r.accepted)).toEqual([true, true, false, true])
    }))

  it('enforces a minimum interval between writes', () =>
    withApi({ minWriteIntervalMs: 300 }, async (api, auth, id) => {
      const d = api.addDelivery({ kind: 'org', org: 'acme', id }, { event: 'push', deliveredAt: api.now() - 1000, ok: false })
      const post = () => call(`${api.url}/orgs/acme/hooks/${id}/deliveries/${d.id}/attempts`, { method: 'POST', auth })
      expect((await post()).status).toBe(202)
      const fast = await post()
      expect(fast.status).toBe(403)
      expect(fast.headers.get('retry-after')).toBe('1')
      await new Promise(r => setTimeout(r, 320))
      expect((await post()).status).toBe(202)
      expect(api.stats().secondary.writeInterval).toBe(1)
    }))

  it('limits concurrency and logs how many requests were in flight', () =>
    withApi({ maxConcurrent: 4, latencyMs: 150 }, async (api, auth) => {
      const results = await Promise.all(Array.from({ length: 8 }, () => call(`${api.url}/orgs/acme/hooks`, { auth })))
      const statuses = results.map(r => r.status).sort()
      expect(statuses.filter(s => s === 200)).toHaveLength(4)
      expect(statuses.filter(s => s === 403)).toHaveLength(4)
      expect(Math.max(...api.log.map(e => e.concurrency))).toBe(8)
      expect(api.stats().secondary.concurrency).toBe(4)
      expect(api.log.every(e => e.end - e.start >= 140)).toBe(true)
    }))
})

describe('trouble', () => {
  it('injects seeded faults: 5xx and dropped connections, only where asked', () =>
    withApi({ seed: 9, faults: { rate: 0.5, methods: ['GET'], pathIncludes: '/deliveries' } }, async (api, auth, id) => {
      const outcomes: string[] = []
      for (let i = 0; i < 40; i++) {
        try {
          outcomes.push(String((await call(`${api.url}/orgs/acme/hooks/${id}/deliveries`, { auth })).status))
        } catch {
          outcomes.push('dropped')
        }
      }
      expect(outcomes).toContain('200')
      expect(outcomes).toContain('dropped')
      expect(outcomes.some(s => ['500', '502', '503'].includes(s))).toBe(true)
      const faults = api.stats().faults
      expect(faults.total).toBe(outcomes.filter(s => s !== '200').length)
      expect(api.log.filter(e => e.dropped)).toHaveLength(faults.drop)
      // Other paths are untouched.
      for (let i = 0; i < 10; i++) expect((await call(`${api.url}/orgs/acme/hooks`, { auth })).status).toBe(200)
    }))

  it('can drop a write after it took effect', () =>
    withApi({ faults: { rate: 1, methods: ['POST'], dropAfterProcessing: true }, seed: 4 }, async (api, auth, id) => {
      const ref = { kind: 'org' as const, org: 'acme', id }
      const d = api.addDelivery(ref, { event: 'push', deliveredAt: api.now() - 1000, ok: false })
      const outcomes: string[] = []
      for (let i = 0; i < 12; i++) {
        try {
          outcomes.push(String((await call(`${api.url}/orgs/acme/hooks/${id}/deliveries/${d.id}/attempts`, { method: 'POST', auth })).status))
        } catch {
          outcomes.push('dropped')
        }
      }
      const dropped = outcomes.filter(o => o === 'dropped').length
      expect(dropped).toBeGreaterThan(0)
      const accepted = api.redeliveryRequests(ref).filter(r => r.accepted)
      expect(accepted.filter(r => r.status === 0)).toHaveLength(dropped)
    }))

  it('serves an outage for a while on matching paths', () =>
    withApi({}, async (api, auth, id) => {
      api.outage({ pathIncludes: '/deliveries', methods: ['GET'], durationMs: 300 })
      expect((await call(`${api.url}/orgs/acme/hooks/${id}/deliveries`, { auth })).status).toBe(503)
      expect((await call(`${api.url}/orgs/acme/hooks`, { auth })).status).toBe(200)
      await new Promise(r => setTimeout(r, 320))
      expect((await call(`${api.url}/orgs/acme/hooks/${id}/deliveries`, { auth })).status).toBe(200)
      api.outage({ pathIncludes: '/hooks', durationMs: 1000, drop: true })
      await expect(call(`${api.url}/orgs/acme/hooks`, { auth })).rejects.toThrow()
      expect(api.stats().outages).toBe(2)
    }))

  it('answers unknown routes with GitHub-style 404 and carries the server clock in Date', () =>
    withApi({ clockOffsetMs: -3600_000 }, async (api, auth) => {
      const r = await call(`${api.url}/not/a/route`, { auth })
      expect(r.status).toBe(404)
      expect(r.json).toEqual({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' })
      const date = Date.parse(r.headers.get('date')!)
      expect(Math.abs(date - (Date.now() - 3600_000))).toBeLessThan(5000)
    }))
})

describe('TLS', () => {
  it('serves HTTPS with a certificate for 127.0.0.1 and localhost that clients can trust', async () => {
    const api = await startLocalApi({ tls: true })
    const dir = mkdtempSync(join(tmpdir(), 'local-api-tls-'))
    try {
      expect(api.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
      expect(api.certPem).toMatch(/BEGIN CERTIFICATE/)
      const port = new URL(api.url).port
      for (const host of ['127.0.0.1', 'localhost']) {
        const status = await new Promise<number>((resolve, reject) => {
          https
            .get({ host, port, path: '/orgs/x/hooks', ca: api.certPem }, res => {
              res.resume()
              resolve(res.statusCode ?? 0)
            })
            .on('error', reject)
        })
        expect(status).toBe(401)
      }
      // A separate process trusting it the way the action's tests do: NODE_EXTRA_CA_CERTS.
      const caFile = join(dir, 'ca.pem')
      writeFileSync(caFile, api.certPem!)
      const { stdout } = await promisify(execFile)(process.execPath, ['-e', `fetch(${JSON.stringify(api.url + '/x')}).then(r => console.log(r.status))`], {
        env: { ...process.env, NODE_OPTIONS: '', NODE_EXTRA_CA_CERTS: caFile }
      })
      expect(stdout.trim()).toBe('404')
      // Without trusting it, the connection fails.
      await expect(call(`${api.url}/x`)).rejects.toThrow()
    } finally {
      rmSync(dir, { recursive: true, force: true })
      await api.close()
    }
  })
})
