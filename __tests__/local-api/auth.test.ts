import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createAppAuth } from '@octokit/auth-app'
import { Octokit } from '@octokit/core'
import { JWT_MESSAGES, startLocalApi, type AppInfo, type LocalApi } from '../../local-api/index.js'
import { appJwt, call, makeJwt } from './helpers.js'

const silent = { debug() {}, info() {}, warn() {}, error() {} }

describe('app JWTs', () => {
  let api: LocalApi
  let app: AppInfo
  beforeAll(async () => {
    api = await startLocalApi()
    app = api.createApp({ id: 4242, clientId: 'Iv23liTESTCLIENT' })
  })
  afterAll(() => api.close())

  const deliveries = (jwt: string) => call(`${api.url}/app/hook/deliveries`, { auth: `Bearer ${jwt}` })
  const nowS = () => Math.floor(api.now() / 1000)

  it('accepts iss as number, numeric string or client id, with either key form', async () => {
    expect((await deliveries(appJwt(app))).status).toBe(200)
    expect((await deliveries(appJwt({ id: '4242', privateKeyPem: app.privateKeyPkcs8Pem }))).status).toBe(200)
    expect((await deliveries(appJwt({ id: app.clientId, privateKeyPem: app.privateKeyPem }))).status).toBe(200)
    expect(api.log.at(-1)?.auth).toBe('jwt')
  })

  it('rejects bad signatures, foreign keys and garbage as undecodable', async () => {
    const other = api.createApp()
    const forged = makeJwt(other.privateKeyPem, { iat: nowS() - 30, exp: nowS() + 500, iss: app.id })
    for (const jwt of [forged, appJwt(app).slice(0, -4) + 'AAAA', 'eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.xx']) {
      const r = await deliveries(jwt)
      expect(r.status).toBe(401)
      expect(r.json.message).toBe(JWT_MESSAGES.undecodable)
    }
    const hs = makeJwt(app.privateKeyPem, { iat: nowS() - 30, exp: nowS() + 500, iss: app.id }, { alg: 'HS256' })
    expect((await deliveries(hs)).json.message).toBe(JWT_MESSAGES.undecodable)
    const stranger = await deliveries(makeJwt(app.privateKeyPem, { iat: nowS() - 30, exp: nowS() + 500, iss: 999 }))
    expect([stranger.status, stranger.json.message]).toEqual([404, JWT_MESSAGES.integrationNotFound])
  })

  it("answers GitHub's messages for iat in the future, exp past, exp too far", async () => {
    const k = app.privateKeyPem
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ iat: nowS() + 120, exp: nowS() + 500, iss: app.id }, JWT_MESSAGES.iat],
      [{ iat: String(nowS()), exp: nowS() + 500, iss: app.id }, JWT_MESSAGES.iat],
      [{ iat: nowS() - 700, exp: nowS() - 100, iss: app.id }, JWT_MESSAGES.expPast],
      [{ iat: nowS() - 30, exp: nowS() + 660, iss: app.id }, JWT_MESSAGES.expTooFar]
    ]
    for (const [claims, message] of cases) {
      const r = await deliveries(makeJwt(k, claims))
      expect(r.status).toBe(401)
      expect(r.json.message).toBe(message)
      expect(r.headers.get('date')).toBeTruthy()
    }
  })

  it('wants a JWT on /app routes: an installation token or PAT is refused', async () => {
    const pat = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    const r = await call(`${api.url}/app/hook/deliveries`, { auth: `token ${pat}` })
    expect(r.status).toBe(401)
    expect((await call(`${api.url}/app/hook/deliveries`)).status).toBe(401)
  })

  it.each([-7, 7, 12])('works through @octokit/auth-app with the server clock %i minutes off', async minutes => {
    api.setClockOffset(minutes * 60_000)
    api.clearLog()
    try {
      const octokit = new Octokit({ baseUrl: api.url, authStrategy: createAppAuth, auth: { appId: app.id, privateKey: app.privateKeyPem }, log: silent })
      const r = await octokit.request('GET /app/hook/deliveries')
      expect(r.status).toBe(200)
      const statuses = api.log.map(e => e.status)
      // Behind: iat is in GitHub's future. Far ahead: exp is already past. Both retry once
      // using the Date header; 7 minutes ahead is still inside the JWT's 10-minute life.
      expect(statuses).toEqual(minutes === 7 ? [200] : [401, 200])
    } finally {
      api.setClockOffset(0)
    }
  })
})

describe('installations and tokens', () => {
  let api: LocalApi
  let app: AppInfo
  let orgInst: number
  let repoInst: number
  beforeAll(async () => {
    api = await startLocalApi()
    app = api.createApp()
    api.createOrgHook('acme', { id: 1 })
    api.createRepoHook('acme/api', { id: 2 })
    api.createRepoHook('other/thing', { id: 3 })
    orgInst = api.createInstallation(app.id, { org: 'acme' }, { organization_hooks: 'write', repository_hooks: 'read' }).id
    repoInst = api.createInstallation(app.id, { repo: 'other/thing' }, { repository_hooks: 'write', actions_variables: 'write' }).id
  })
  afterAll(() => api.close())

  const jwt = () => `Bearer ${appJwt(app, api.now())}`

  it('finds installations by org and repo, and issues tokens', async () => {
    expect((await call(`${api.url}/orgs/acme/installation`, { auth: jwt() })).json.id).toBe(orgInst)
    expect((await call(`${api.url}/repos/acme/api/installation`, { auth: jwt() })).json.id).toBe(orgInst)
    expect((await call(`${api.url}/repos/other/thing/installation`, { auth: jwt() })).json.id).toBe(repoInst)
    expect((await call(`${api.url}/orgs/nobody/installation`, { auth: jwt() })).status).toBe(404)
    expect((await call(`${api.url}/app/installations/${repoInst}`, { auth: jwt() })).json.app_id).toBe(app.id)
    const t = await call(`${api.url}/app/installations/${orgInst}/access_tokens`, { method: 'POST', auth: jwt() })
    expect(t.status).toBe(201)
    expect(t.json.token).toMatch(/^ghs_/)
    expect(Date.parse(t.json.expires_at) - api.now()).toBeGreaterThan(3500_000)
    expect(t.json.permissions).toEqual({ organization_hooks: 'write', repository_hooks: 'read' })
  })

  it('applies installation permissions: read vs write, reach, never /app/hook', async () => {
    const t = (await call(`${api.url}/app/installations/${orgInst}/access_tokens`, { method: 'POST', auth: jwt() })).json.token
    const auth = `token ${t}`
    expect((await call(`${api.url}/orgs/acme/hooks/1/deliveries`, { auth })).status).toBe(200)
    expect(api.log.at(-1)?.auth).toBe('installation')
    expect((await call(`${api.url}/repos/acme/api/hooks/2/deliveries`, { auth })).status).toBe(200)
    const write = await call(`${api.url}/repos/acme/api/hooks/2/deliveries/1/attempts`, { method: 'POST', auth })
    expect(write.status).toBe(403)
    expect(write.json.message).toBe('Resource not accessible by integration')
    expect(write.headers.get('x-accepted-github-permissions')).toBe('repository_hooks=write')
    expect((await call(`${api.url}/repos/other/thing/hooks`, { auth })).status).toBe(404)
    expect((await call(`${api.url}/app/hook/deliveries`, { auth })).status).toBe(401)
  })

  it('downscopes on request and refuses permissions the installation lacks', async () => {
    const path = `${api.url}/app/installations/${orgInst}/access_tokens`
    const ok = await call(path, { method: 'POST', auth: jwt(), body: { permissions: { organization_hooks: 'read' } } })
    expect(ok.json.permissions).toEqual({ organization_hooks: 'read' })
    const write = await call(`${api.url}/orgs/acme/hooks/1/deliveries/5/attempts`, { method: 'POST', auth: `token ${ok.json.token}` })
    expect(write.status).toBe(403)
    expect((await call(path, { method: 'POST', auth: jwt(), body: { permissions: { actions_variables: 'write' } } })).status).toBe(422)
  })

  it('expires installation tokens after an hour of server time', async () => {
    const t = (await call(`${api.url}/app/installations/${repoInst}/access_tokens`, { method: 'POST', auth: jwt() })).json.token
    expect((await call(`${api.url}/repos/other/thing/hooks`, { auth: `token ${t}` })).status).toBe(200)
    api.advanceClock(3601_000)
    try {
      const r = await call(`${api.url}/repos/other/thing/hooks`, { auth: `token ${t}` })
      expect(r.status).toBe(401)
      expect(r.json.message).toBe('Bad credentials')
    } finally {
      api.setClockOffset(0)
    }
  })

  it('applies PAT grants: 404 for what it cannot see, 403 for too little permission', async () => {
    const pat = api.createToken({
      grants: [
        { org: 'acme', hooks: 'read' },
        { repo: 'other/thing', variables: 'write' }
      ]
    })
    const auth = `token ${pat}`
    expect((await call(`${api.url}/orgs/acme/hooks`, { auth })).status).toBe(200)
    expect((await call(`${api.url}/repos/acme/api/hooks`, { auth })).status).toBe(200) // org grant reaches its repos
    const post = await call(`${api.url}/orgs/acme/hooks/1/deliveries/9/attempts`, { method: 'POST', auth })
    expect(post.status).toBe(403)
    expect(post.json.message).toBe('Resource not accessible by personal access token')
    expect(post.headers.get('x-accepted-github-permissions')).toBe('organization_hooks=write')
    expect((await call(`${api.url}/repos/other/thing/hooks`, { auth })).status).toBe(403)
    expect((await call(`${api.url}/orgs/elsewhere/hooks`, { auth })).status).toBe(404)
    expect((await call(`${api.url}/repos/other/thing/actions/variables`, { auth })).status).toBe(200)
  })

  it('refuses GITHUB_TOKEN for hooks and variables like GitHub does', async () => {
    const gh = api.createToken({ grants: [{ repo: 'other/thing', hooks: 'write', variables: 'write' }], kind: 'github_token' })
    expect(gh).toMatch(/^ghs_/)
    for (const path of ['/repos/other/thing/hooks', '/repos/other/thing/actions/variables/STATE']) {
      const r = await call(`${api.url}${path}`, { auth: `Bearer ${gh}` })
      expect(r.status).toBe(403)
      expect(r.json.message).toBe('Resource not accessible by integration')
      expect(r.headers.get('x-accepted-github-permissions')).toBeTruthy()
    }
  })

  it('answers bad tokens with 401 Bad credentials and no token with 401', async () => {
    const r = await call(`${api.url}/orgs/acme/hooks`, { auth: 'token ghp_nope' })
    expect(r.status).toBe(401)
    expect(r.json).toEqual({ message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' })
    expect((await call(`${api.url}/orgs/acme/hooks`)).json.message).toBe('Requires authentication')
  })
})
