// Fleets: repository listings (page-numbered), what a token can see of an organization,
// installations on all or selected repositories, hooks' last_response and the lag before
// a redelivery is listed.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { Octokit } from '@octokit/core'
import { paginateRest } from '@octokit/plugin-paginate-rest'
import { seedFleet, startLocalApi, type AppInfo, type LocalApi } from '../../local-api/index.js'
import { DAY, MINUTE as MIN } from '../support/world.js'
import { appJwt, call, nextLink, type Res } from './helpers.js'

/** Every page of a page-numbered listing, following Link rel="next". */
async function allPages(first: string, auth?: string): Promise<{ pages: Res[]; items: any[] }> {
  const pages: Res[] = []
  const items: any[] = []
  let url: string | undefined = first
  while (url) {
    const r = await call(url, { auth })
    expect(r.status).toBe(200)
    pages.push(r)
    items.push(...(Array.isArray(r.json) ? r.json : r.json.repositories))
    url = nextLink(r)
  }
  return { pages, items }
}

const names = (items: Array<{ name: string }>) => items.map(r => r.name)

describe('repository listings', () => {
  let api: LocalApi
  let token: string

  beforeAll(async () => {
    api = await startLocalApi({ seed: 3 })
    seedFleet(api, { owner: 'acme', repositories: 250, hooks: () => 0, archived: i => i % 50 === 7 })
    api.addRepository('acme', 'site', { private: false })
    api.addRepository('acme', 'site-fork', { private: false, fork: true })
    token = api.createToken({ grants: [{ org: 'acme', hooks: 'read' }] })
  })
  afterAll(() => api.close())

  it('pages GET /orgs/{org}/repos by number, newest first, with next and last links', async () => {
    const { pages, items } = await allPages(`${api.url}/orgs/acme/repos?per_page=100`, `token ${token}`)
    expect(pages).toHaveLength(3)
    expect(items).toHaveLength(252)
    expect(new Set(items.map(r => r.id)).size).toBe(252)
    expect(items[0].name).toBe('site-fork')
    expect(items.at(-1).name).toBe('svc-0000')
    const link = pages[0].headers.get('link')!
    expect(link).toContain(`<${api.url}/orgs/acme/repos?per_page=100&page=2>; rel="next"`)
    expect(link).toContain(`<${api.url}/orgs/acme/repos?per_page=100&page=3>; rel="last"`)
    expect(pages[2].headers.get('link')).toContain('rel="first"')
    expect(pages[2].headers.get('link')).not.toContain('rel="next"')
    const archived = items.filter(r => r.archived).map(r => r.name)
    expect(archived).toEqual(['svc-0207', 'svc-0157', 'svc-0107', 'svc-0057', 'svc-0007'])
    expect(items[0]).toMatchObject({ full_name: 'acme/site-fork', private: false, fork: true, owner: { login: 'acme', type: 'Organization' } })
  })

  it("pages through Octokit's paginate, under /api/v3 too", async () => {
    const Paginating = Octokit.plugin(paginateRest)
    for (const baseUrl of [api.url, api.ghesUrl]) {
      const octokit = new Paginating({ baseUrl, auth: token })
      const repos = await octokit.paginate('GET /orgs/{org}/repos', { org: 'acme', per_page: 100 })
      expect(repos).toHaveLength(252)
    }
    expect(api.log.filter(e => e.route === '/orgs/acme/repos' && e.path.startsWith('/api/v3')).length).toBe(3)
  })

  it('defaults to 30 per page and caps per_page at 100', async () => {
    const dflt = await call(`${api.url}/orgs/acme/repos`, { auth: `token ${token}` })
    expect(dflt.json).toHaveLength(30)
    expect(dflt.headers.get('link')).toContain('page=9>; rel="last"')
    const big = await call(`${api.url}/orgs/acme/repos?per_page=1000`, { auth: `token ${token}` })
    expect(big.json).toHaveLength(100)
  })

  it('filters by type and keeps the filter in the links', async () => {
    const auth = `token ${token}`
    expect(names((await call(`${api.url}/orgs/acme/repos?type=public`, { auth })).json)).toEqual(['site-fork', 'site'])
    expect(names((await call(`${api.url}/orgs/acme/repos?type=forks`, { auth })).json)).toEqual(['site-fork'])
    const sources = await allPages(`${api.url}/orgs/acme/repos?type=sources&per_page=100`, auth)
    expect(sources.items).toHaveLength(251)
    expect(sources.pages[0].headers.get('link')).toContain('/orgs/acme/repos?per_page=100&type=sources&page=2>; rel="next"')
    const priv = await allPages(`${api.url}/orgs/acme/repos?type=private&per_page=100`, auth)
    expect(priv.items).toHaveLength(250)
    expect((await call(`${api.url}/orgs/acme/repos?type=secret`, { auth })).status).toBe(422)
  })

  it('sorts by full_name ascending when asked', async () => {
    const r = await call(`${api.url}/orgs/acme/repos?sort=full_name&per_page=3`, { auth: `token ${token}` })
    expect(names(r.json)).toEqual(['site', 'site-fork', 'svc-0000'])
    const desc = await call(`${api.url}/orgs/acme/repos?sort=full_name&direction=desc&per_page=1`, { auth: `token ${token}` })
    expect(names(desc.json)).toEqual(['svc-0249'])
  })

  it('shows anonymous callers the public repositories only; unknown orgs are 404', async () => {
    expect(names((await call(`${api.url}/orgs/acme/repos`)).json)).toEqual(['site-fork', 'site'])
    expect((await call(`${api.url}/orgs/nobody/repos`)).status).toBe(404)
  })

  it("lists a user's public repositories; a user is no organization", async () => {
    api.addRepository('octo', 'public-b', { private: false, ownerType: 'User' })
    api.addRepository('octo', 'public-a', { private: false })
    api.addRepository('octo', 'secret')
    const mine = api.createToken({ grants: [{ repo: 'octo/secret', hooks: 'write' }] })
    const r = await call(`${api.url}/users/octo/repos`, { auth: `token ${mine}` })
    expect(r.status).toBe(200)
    expect(names(r.json)).toEqual(['public-a', 'public-b'])
    expect(r.json[0].owner).toMatchObject({ login: 'octo', type: 'User' })
    expect((await call(`${api.url}/users/octo/repos?type=member`)).json).toEqual([])
    expect((await call(`${api.url}/orgs/octo/repos`, { auth: `token ${mine}` })).status).toBe(404)
    expect((await call(`${api.url}/users/ghost/repos`)).status).toBe(404)
  })
})

describe('a token that sees part of an organization', () => {
  let api: LocalApi

  beforeAll(async () => {
    api = await startLocalApi({ seed: 4 })
    for (const name of ['granted', 'readonly', 'hidden']) api.createRepoHook(`acme/${name}`, { id: name.length })
    api.addRepository('acme', 'open-source', { private: false })
    api.createRepoHook('acme/open-source', { id: 99 })
  })
  afterAll(() => api.close())

  it('lists only the repositories it can see, and 404s the hooks of hidden ones', async () => {
    const token = api.createToken({ grants: [{ repo: 'acme/granted', hooks: 'write' }, { repo: 'acme/readonly' }] })
    const auth = `token ${token}`
    const listed = await call(`${api.url}/orgs/acme/repos?sort=full_name`, { auth })
    expect(names(listed.json)).toEqual(['granted', 'open-source', 'readonly'])
    expect((await call(`${api.url}/repos/acme/granted/hooks`, { auth })).status).toBe(200)
    for (const path of ['/repos/acme/hidden/hooks', '/repos/acme/hidden/hooks/6/deliveries', '/repos/acme/open-source/hooks']) {
      const r = await call(api.url + path, { auth })
      expect([path, r.status, r.json.message]).toEqual([path, 404, 'Not Found'])
    }
  })

  it("answers a fine-grained token without the Webhooks permission 403 with GitHub's message", async () => {
    const token = api.createToken({ grants: [{ repo: 'acme/readonly' }] })
    const r = await call(`${api.url}/repos/acme/readonly/hooks`, { auth: `token ${token}` })
    expect(r.status).toBe(403)
    expect(r.json.message).toBe('Resource not accessible by personal access token')
    expect(r.headers.get('x-accepted-github-permissions')).toBe('repository_hooks=read')
  })

  it('hides hooks from a classic token whose owner is no admin of the repository (404)', async () => {
    const token = api.createToken({ kind: 'classic', grants: [{ repo: 'acme/readonly' }, { repo: 'acme/granted', hooks: 'write' }] })
    const auth = `token ${token}`
    expect(names((await call(`${api.url}/orgs/acme/repos?sort=full_name`, { auth })).json)).toEqual(['granted', 'open-source', 'readonly'])
    expect((await call(`${api.url}/repos/acme/readonly/hooks`, { auth })).status).toBe(404)
    expect((await call(`${api.url}/repos/acme/granted/hooks`, { auth })).status).toBe(200)
    const vars = await call(`${api.url}/repos/acme/readonly/actions/variables`, { auth })
    expect([vars.status, vars.json.message]).toEqual([403, 'Must have admin rights to Repository.'])
  })

  it('forgets a deleted repository and a deleted hook', async () => {
    const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    const auth = `token ${token}`
    const gone = api.createRepoHook('acme/short-lived', { id: 500 })
    api.createRepoHook('acme/granted', { id: 501 })
    api.deleteRepository('acme/short-lived')
    api.deleteHook({ kind: 'repo', repo: 'acme/granted', id: 501 })
    expect(names((await call(`${api.url}/orgs/acme/repos`, { auth })).json)).not.toContain('short-lived')
    expect((await call(`${api.url}/repos/acme/short-lived/hooks`, { auth })).status).toBe(404)
    expect((await call(`${api.url}/repos/${gone.repo}/hooks/500/deliveries`, { auth })).status).toBe(404)
    expect((await call(`${api.url}/repos/acme/granted/hooks`, { auth })).json.map((h: { id: number }) => h.id)).toEqual([7])
  })
})

describe('installations on all or selected repositories', () => {
  let api: LocalApi
  let app: AppInfo

  beforeAll(async () => {
    api = await startLocalApi({ seed: 5 })
    app = api.createApp()
    seedFleet(api, { owner: 'acme', repositories: 45, archived: i => i === 3 })
    seedFleet(api, { owner: 'beta', repositories: 5 })
  })
  afterAll(() => api.close())

  async function installationToken(target: Parameters<LocalApi['createInstallation']>[1]): Promise<string> {
    const { id } = api.createInstallation(app.id, target, { repository_hooks: 'write', organization_hooks: 'read' })
    const r = await call(`${api.url}/app/installations/${id}/access_tokens`, { method: 'POST', auth: `Bearer ${appJwt(app, api.now())}` })
    expect(r.status).toBe(201)
    return r.json.token
  }

  it('lists every repository of an org-wide installation, archived ones too, page by page', async () => {
    const auth = `token ${await installationToken({ org: 'acme' })}`
    const { pages, items } = await allPages(`${api.url}/installation/repositories?per_page=20`, auth)
    expect(pages).toHaveLength(3)
    expect(pages.map(p => p.json.total_count)).toEqual([45, 45, 45])
    expect(pages[0].json.repository_selection).toBe('all')
    expect(items).toHaveLength(45)
    expect(items.filter(r => r.archived).map(r => r.name)).toEqual(['svc-0003'])
    expect(pages[0].headers.get('link')).toContain(`<${api.url}/installation/repositories?per_page=20&page=3>; rel="last"`)
  })

  it("flattens through Octokit's paginate like GitHub's other total_count lists", async () => {
    const Paginating = Octokit.plugin(paginateRest)
    const octokit = new Paginating({ baseUrl: api.url, auth: await installationToken({ org: 'acme' }) })
    const repos = await octokit.paginate('GET /installation/repositories', { per_page: 10 })
    expect(repos.map(r => r.name)).toEqual(Array.from({ length: 45 }, (_, i) => `svc-${String(i).padStart(4, '0')}`))
  })

  it('lists only the selected repositories, and 404s the hooks of the others', async () => {
    const token = await installationToken({ org: 'beta', repositories: ['beta/svc-0001', 'beta/svc-0003'] })
    const auth = `token ${token}`
    const r = await call(`${api.url}/installation/repositories`, { auth })
    expect(r.json.total_count).toBe(2)
    expect(r.json.repository_selection).toBe('selected')
    expect(names(r.json.repositories)).toEqual(['svc-0001', 'svc-0003'])
    expect(names((await call(`${api.url}/orgs/beta/repos`, { auth })).json)).toEqual(['svc-0003', 'svc-0001'])
    expect((await call(`${api.url}/repos/beta/svc-0001/hooks`, { auth })).status).toBe(200)
    expect((await call(`${api.url}/repos/beta/svc-0002/hooks`, { auth })).status).toBe(404)
    expect((await call(`${api.url}/orgs/beta/hooks`, { auth })).status).toBe(200)
  })

  it("wants an installation token: a PAT gets 403 with GitHub's message, nobody 401", async () => {
    const pat = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    const r = await call(`${api.url}/installation/repositories`, { auth: `token ${pat}` })
    expect(r.status).toBe(403)
    expect(r.json.message).toBe('You must authenticate with an installation access token in order to list repositories for an installation.')
    expect((await call(`${api.url}/installation/repositories`)).status).toBe(401)
  })
})

describe("repository hooks' last_response and the listing delay", () => {
  let api: LocalApi
  let auth: string

  beforeAll(async () => {
    api = await startLocalApi({ seed: 6, receiverDelayMs: 100, listingDelayMs: 5 * MIN })
    auth = `token ${api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })}`
  })
  afterAll(() => api.close())

  const hookJson = async (repo: string, id: number) => (await call(`${api.url}/repos/${repo}/hooks/${id}`, { auth })).json
  const listed = async (repo: string, id: number) => (await call(`${api.url}/repos/${repo}/hooks/${id}/deliveries`, { auth })).json as Array<{ id: number; redelivery: boolean }>

  it('says unused before the first delivery, then carries the newest attempt', async () => {
    const hook = api.createRepoHook('acme/lr', { id: 31 })
    expect((await hookJson('acme/lr', 31)).last_response).toEqual({ code: null, status: 'unused', message: null })
    api.addDelivery(hook, { event: 'push', deliveredAt: api.now() - 2 * MIN, ok: true })
    expect((await hookJson('acme/lr', 31)).last_response).toEqual({ code: 200, status: 'active', message: 'OK' })
    api.addDelivery(hook, { event: 'push', deliveredAt: api.now() - MIN, ok: false, statusCode: 502, status: 'failed to connect to host' })
    expect((await hookJson('acme/lr', 31)).last_response).toEqual({ code: 502, status: null, message: 'failed to connect to host' })
    api.addDelivery(hook, { event: 'push', deliveredAt: api.now() - 30_000, ok: false, statusCode: 0, durationMs: 10_000 })
    expect((await hookJson('acme/lr', 31)).last_response).toEqual({ code: null, status: null, message: 'timed out' })
    const listing = (await call(`${api.url}/repos/acme/lr/hooks`, { auth })).json
    expect(listing[0].last_response.message).toBe('timed out')
  })

  it('has null fields when nothing was delivered for 30 days', async () => {
    const hook = api.createRepoHook('acme/quiet', { id: 32 })
    api.addDelivery(hook, { event: 'push', deliveredAt: api.now() - 31 * DAY, ok: true })
    expect((await hookJson('acme/quiet', 32)).last_response).toEqual({ code: null, status: null, message: null })
  })

  it('gives organization hooks no last_response', async () => {
    api.createOrgHook('acme', { id: 33 })
    expect((await call(`${api.url}/orgs/acme/hooks/33`, { auth })).json).not.toHaveProperty('last_response')
  })

  it('lists a redelivery listingDelayMs after it completed; last_response shows it at completion', async () => {
    const hook = api.createRepoHook('acme/lag', { id: 34 })
    const failed = api.addDelivery(hook, { event: 'push', deliveredAt: api.now() - MIN, ok: false })
    const post = await call(`${api.url}/repos/acme/lag/hooks/34/deliveries/${failed.id}/attempts`, { method: 'POST', auth })
    expect(post.status).toBe(202)
    api.advanceClock(1000)
    expect(await listed('acme/lag', 34)).toHaveLength(1)
    expect((await hookJson('acme/lag', 34)).last_response.status).toBe('active')
    api.advanceClock(5 * MIN - 2000)
    expect(await listed('acme/lag', 34)).toHaveLength(1)
    api.advanceClock(1200)
    const after = await listed('acme/lag', 34)
    expect(after).toHaveLength(2)
    expect(after[0].redelivery).toBe(true)
    const visibleAt = api.deliveries(hook)[0].completedAt + 5 * MIN
    expect(api.now()).toBeGreaterThanOrEqual(visibleAt)
  })

  it('takes a listing delay per hook, and a new default for the server', async () => {
    const slow = api.createRepoHook('acme/slow', { id: 35 })
    const fast = api.createRepoHook('acme/fast', { id: 36 })
    api.setListingDelay(0)
    api.setListingDelay(10 * MIN, slow)
    for (const [hook, repo, id] of [
      [slow, 'acme/slow', 35],
      [fast, 'acme/fast', 36]
    ] as const) {
      const d = api.addDelivery(hook, { event: 'push', deliveredAt: api.now() - MIN, ok: false })
      expect((await call(`${api.url}/repos/${repo}/hooks/${id}/deliveries/${d.id}/attempts`, { method: 'POST', auth })).status).toBe(202)
    }
    api.advanceClock(1000)
    expect(await listed('acme/fast', 36)).toHaveLength(2)
    expect(await listed('acme/slow', 35)).toHaveLength(1)
    api.advanceClock(10 * MIN)
    expect(await listed('acme/slow', 35)).toHaveLength(2)
  })
})

describe('seedFleet', () => {
  let api: LocalApi
  beforeAll(async () => {
    api = await startLocalApi({ seed: 7 })
  })
  afterAll(() => api.close())

  it('builds repositories, hooks and failures as asked', () => {
    const fleet = seedFleet(api, { owner: 'big', repositories: 100, hooks: i => (i % 10 === 0 ? 0 : i % 10 === 1 ? 2 : 1), failingHooks: 0.1, archived: i => i === 5 })
    expect(fleet.repositories).toHaveLength(100)
    expect(fleet.hooks).toHaveLength(100)
    expect(fleet.repositories.filter(r => r.archived).map(r => r.name)).toEqual(['svc-0005'])
    const failing = fleet.hooks.filter(h => h.failingGuids.length > 0)
    expect(failing).toHaveLength(10)
    for (const h of failing)
      expect(
        api
          .deliveries(h.ref)
          .filter(d => !d.ok)
          .map(d => d.guid)
      ).toEqual(h.failingGuids)
    expect(new Set(fleet.hooks.map(h => h.url)).size).toBe(100)
    expect(fleet.hooks.find(h => h.repo === 'big/svc-0001')?.url).toBe('https://ci.example.com/hooks/svc-0001')
  })
})
