/**
 * The action end to end against the local GitHub API: app, org and repo webhooks, with the
 * action's run() in process and the runner's environment (the bundle on Node 20 and 24 is
 * smoke.bundle.test.ts). HTTPS with the machine's extra certificates needs a process of its own.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { startLocalApi, type LocalApi } from '../../local-api/index.js'
import { runActionInProcess } from '../support/in-process.js'
import { maskedLog, runAction } from '../support/runner.js'
import { addFailure, addSuccess, DAY, guid, HOUR, MINUTE, orgToken, redeliveryCounts, settle, sorted } from '../support/world.js'

describe('app, org and repo', () => {
  let api: LocalApi
  beforeEach(async () => {
    api = await startLocalApi({ seed: 7 })
  })
  afterEach(async () => {
    await api.close()
  })

  test('app: redelivers exactly the failing guids, once, by their newest attempt; the bookmark makes the second run see only what is new', async () => {
    const app = api.createApp()
    const token = api.createToken({ grants: [{ repo: 'acme/workflows', variables: 'write' }] })
    const hook = app.hook
    const failing = [addFailure(api, hook, 5 * HOUR), addFailure(api, hook, 2 * HOUR, { attempts: 2 }), addFailure(api, hook, 30 * MINUTE, { event: 'pull_request', action: 'opened' })]
    addSuccess(api, hook, 3 * HOUR)
    // Failed, then a manual redelivery worked: left alone.
    const recovered = addFailure(api, hook, 4 * HOUR)
    api.addDelivery(hook, { guid: recovered, event: 'push', deliveredAt: api.now() - 3 * HOUR, ok: true, status: 'OK', statusCode: 200, redelivery: true })
    // Older than the lookback: not this run's business.
    addFailure(api, hook, 30 * HOUR)

    const newestIds = new Map(failing.map(g => [g, api.deliveries(hook).filter(d => d.guid === g)[0].id]))
    const inputs = { 'target-type': 'app', 'app-id': String(app.id), 'private-key': app.privateKeyPem, token, 'state-variable': 'WEBHOOK_BOOKMARK' }

    const first = await runActionInProcess({ apiUrl: api.url, inputs })
    expect(first.commands.errors).toEqual([])
    expect(first.exitCode).toBe(0)
    expect(sorted(redeliveryCounts(api).keys())).toEqual(sorted(failing))
    expect([...redeliveryCounts(api).values()].every(n => n === 1)).toBe(true)
    for (const request of api.redeliveryRequests()) expect(request.deliveryId).toBe(newestIds.get(request.guid))
    expect(first.outputs).toMatchObject({ failed: '3', redelivered: '3', skipped: '0', errors: '0' })
    // 1 + 2 + 1 failing attempts, 1 success, 2 attempts of the recovered one; not the one older than the lookback.
    expect(first.outputs.scanned).toBe('7')
    expect(api.getVariable('acme/workflows', 'WEBHOOK_BOOKMARK')).toBeDefined()
    expect(first.report.deliveries.map((d: { guid: string }) => d.guid).sort()).toEqual(sorted(failing))
    expect(first.summary).toContain('3 redelivered')

    await settle()
    api.advanceClock(20 * MINUTE)
    const later = addFailure(api, hook, 2 * MINUTE, { event: 'issues', action: 'opened' })
    // The receiver answered since: no probe needed.
    addSuccess(api, hook, MINUTE)
    const before = JSON.parse(api.getVariable('acme/workflows', 'WEBHOOK_BOOKMARK')!.value)
    api.clearLog()
    const second = await runActionInProcess({ apiUrl: api.url, inputs })
    expect(second.exitCode).toBe(0)
    expect(second.outputs).toMatchObject({ failed: '1', redelivered: '1' })
    expect(redeliveryCounts(api).get(later)).toBe(1)
    for (const g of failing) expect(redeliveryCounts(api).get(g)).toBe(1)
    const after = JSON.parse(api.getVariable('acme/workflows', 'WEBHOOK_BOOKMARK')!.value)
    expect(Date.parse(after.hooks[`app:${app.id}`].floor)).toBeGreaterThan(Date.parse(before.hooks[`app:${app.id}`].floor))
    // The second run read only what is new: the first page reached the bookmark.
    const pages = api.log.filter(e => e.route === '/app/hook/deliveries')
    expect(pages.length).toBe(1)
    expect(maskedLog(second)).not.toContain(app.privateKeyPem.split('\n')[1])
  })

  test('org: every hook when hook-id is empty; a payload URL resolves to its hook; ids above 2^53 are redelivered exactly', async () => {
    const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    const a = api.createOrgHook('acme', { url: 'https://ci.example.com/webhook' })
    const b = api.createOrgHook('acme', { url: 'https://chat.example.com/hooks/github?secret=s3cr3t' })
    const fa = addFailure(api, a, HOUR)
    const fb = addFailure(api, b, 2 * HOUR)
    addSuccess(api, a, 10 * MINUTE)
    const expectedIds = [api.deliveries(a).find(d => d.guid === fa)!.id, api.deliveries(b).find(d => d.guid === fb)!.id]

    const all = await runActionInProcess({ apiUrl: api.url, inputs: { 'target-type': 'org', org: 'acme', token } })
    expect(all.exitCode).toBe(0)
    expect(sorted(redeliveryCounts(api).keys())).toEqual(sorted([fa, fb]))
    expect(all.outputs).toMatchObject({ failed: '2', redelivered: '2' })
    const ids = api.redeliveryRequests().map(r => r.deliveryId)
    for (const id of ids) expect(BigInt(id) > 2n ** 53n).toBe(true)
    expect(sorted(ids)).toEqual(sorted(expectedIds))
    // A payload URL's query can hold a secret: it is never printed.
    expect(all.stdout + all.summary).not.toContain('s3cr3t')

    await settle()
    const fa2 = addFailure(api, a, 5 * MINUTE)
    const fb2 = addFailure(api, b, 5 * MINUTE)
    const byUrl = await runActionInProcess({ apiUrl: api.url, inputs: { 'target-type': 'org', org: 'acme', token, 'hook-id': 'https://ci.example.com/webhook/' } })
    expect(byUrl.exitCode).toBe(0)
    expect(redeliveryCounts(api).get(fa2)).toBe(1)
    expect(redeliveryCounts(api).has(fb2)).toBe(false)
  })

  test('repo: the workflow repository by default; dry-run redelivers nothing and writes no state but reports', async () => {
    const token = api.createToken({ grants: [{ repo: 'acme/widgets', hooks: 'write', variables: 'write' }] })
    const hook = api.createRepoHook('acme/widgets', { url: 'https://deploy.example.com/hook' })
    const f1 = addFailure(api, hook, HOUR, { event: 'pull_request', action: 'closed' })
    const inputs = { 'target-type': 'repo', token, 'hook-id': String(hook.id), 'state-variable': 'BOOKMARK', 'dry-run': 'true' }

    const dry = await runActionInProcess({ apiUrl: api.url, repository: 'acme/widgets', inputs })
    expect(dry.exitCode).toBe(0)
    expect(api.redeliveryRequests()).toHaveLength(0)
    expect(api.getVariable('acme/widgets', 'BOOKMARK')).toBeUndefined()
    expect(api.log.filter(e => e.method !== 'GET')).toHaveLength(0)
    expect(dry.outputs).toMatchObject({ failed: '1', redelivered: '0', skipped: '1', errors: '0' })
    expect(dry.report.deliveries[0]).toMatchObject({ guid: f1, result: 'skipped', reason: 'dry-run', event: 'pull_request', action: 'closed' })
    expect(dry.summary).toContain('dry run')

    const real = await runActionInProcess({ apiUrl: api.url, repository: 'acme/widgets', inputs: { ...inputs, 'dry-run': 'false' } })
    expect(real.exitCode).toBe(0)
    expect(redeliveryCounts(api).get(f1)).toBe(1)
    expect(api.getVariable('acme/widgets', 'BOOKMARK')).toBeDefined()
  })

  test('app-id may be the client ID, and the key PKCS#8 with escaped newlines', async () => {
    const app = api.createApp()
    const failing = addFailure(api, app.hook, HOUR)
    const run = await runActionInProcess({
      apiUrl: api.url,
      inputs: { 'target-type': 'app', 'app-id': app.clientId, 'private-key': app.privateKeyPkcs8Pem.replace(/\n/g, '\\n') }
    })
    expect(run.commands.errors).toEqual([])
    expect(run.exitCode).toBe(0)
    expect(redeliveryCounts(api).get(failing)).toBe(1)
    expect(api.log.filter(e => e.route.startsWith('/app/')).every(e => e.auth === 'jwt')).toBe(true)
  })

  test("the docs' script's bookmark (milliseconds since the epoch) is taken over", async () => {
    const token = orgToken(api)
    const hook = api.createOrgHook('acme')
    const before = addFailure(api, hook, 3 * HOUR)
    const after = addFailure(api, hook, 30 * MINUTE)
    api.setVariable('acme/workflows', 'LAST_REDELIVERY', String(api.now() - HOUR))
    const run = await runActionInProcess({ apiUrl: api.url, inputs: { 'target-type': 'org', org: 'acme', token, 'hook-id': String(hook.id), 'state-variable': 'LAST_REDELIVERY' } })
    expect(run.exitCode).toBe(0)
    expect(sorted(redeliveryCounts(api).keys())).toEqual([after])
    expect(redeliveryCounts(api).has(before)).toBe(false)
    expect(JSON.parse(api.getVariable('acme/workflows', 'LAST_REDELIVERY')!.value).version).toBe(1)
  })
})

describe('GitHub Enterprise Server', () => {
  test('from GITHUB_API_URL: every request goes under /api/v3', async () => {
    const api = await startLocalApi()
    try {
      const token = orgToken(api)
      const hook = api.createOrgHook('acme')
      const failing = addFailure(api, hook, 5 * DAY) // inside GHES's 7-day window, outside github.com's 3
      const run = await runActionInProcess({ apiUrl: api.ghesUrl, inputs: { 'target-type': 'org', org: 'acme', token, lookback: '6d', 'state-variable': 'BOOKMARK' } })
      expect(run.commands.errors).toEqual([])
      expect(run.exitCode).toBe(0)
      expect(api.log.length).toBeGreaterThan(0)
      for (const entry of api.log) expect(entry.path.startsWith('/api/v3/')).toBe(true)
      expect(redeliveryCounts(api).get(failing)).toBe(1)
    } finally {
      await api.close()
    }
  })

  test("an app's webhook: the JWT goes to /api/v3/app/hook routes", async () => {
    const api = await startLocalApi()
    try {
      const app = api.createApp()
      const failing = addFailure(api, app.hook, 4 * DAY)
      const run = await runActionInProcess({ apiUrl: api.ghesUrl, inputs: { 'target-type': 'app', 'app-id': String(app.id), 'private-key': app.privateKeyPem, lookback: '5d' } })
      expect(run.commands.errors).toEqual([])
      expect(redeliveryCounts(api).get(failing)).toBe(1)
      for (const entry of api.log) expect(entry).toMatchObject({ auth: 'jwt', path: expect.stringMatching(/^\/api\/v3\/app\/hook\/deliveries/) })
    } finally {
      await api.close()
    }
  })

  test('from the hostname input, over HTTPS', async () => {
    const api = await startLocalApi({ tls: true })
    try {
      const { writeFileSync, mkdtempSync, rmSync } = await import('node:fs')
      const { join } = await import('node:path')
      const { tmpdir } = await import('node:os')
      const caDir = mkdtempSync(join(tmpdir(), 'ca-'))
      const ca = join(caDir, 'ca.pem')
      writeFileSync(ca, api.certPem!)
      try {
        const token = api.createToken({ grants: [{ repo: 'acme/widgets', hooks: 'write' }] })
        const hook = api.createRepoHook('acme/widgets')
        const failing = addFailure(api, hook, HOUR)
        const host = new URL(api.url).host
        const run = await runAction({
          apiUrl: 'https://api.github.com.invalid',
          env: { NODE_EXTRA_CA_CERTS: ca },
          inputs: { 'target-type': 'repo', repository: 'acme/widgets', token, hostname: host }
        })
        expect(run.commands.errors).toEqual([])
        expect(run.exitCode).toBe(0)
        for (const entry of api.log) expect(entry.path.startsWith('/api/v3/')).toBe(true)
        expect(redeliveryCounts(api).get(failing)).toBe(1)
      } finally {
        rmSync(caDir, { recursive: true, force: true })
      }
    } finally {
      await api.close()
    }
  })
})

test('guid helper makes distinct guids', () => {
  expect(guid('a')).not.toBe(guid('a'))
})
