// Every body the local API produces must satisfy GitHub's own OpenAPI description for
// that operation and status, so the action's tests cannot pass against a server that
// drifts from GitHub. The 13 MB description is read once; ajv compiles only what it uses.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { Ajv, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { startLocalApi, type AppInfo, type LocalApi } from '../../local-api/index.js'
import { appJwt } from './helpers.js'

type Json = Record<string, any>

// ajv-formats is CommonJS with a default export; under ESM interop it may arrive wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv

const SPEC_ID = 'https://api.github.com/openapi.json'

/** OpenAPI 3.0 `nullable` next to anyOf/oneOf (no `type`) is not JSON Schema: rewrite it. */
function fixNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(fixNullable)
  if (!node || typeof node !== 'object') return node
  const out: Json = {}
  for (const [k, v] of Object.entries(node)) out[k] = fixNullable(v)
  if (out.nullable === true && out.type === undefined && !('$ref' in out)) {
    delete out.nullable
    return { anyOf: [out, { type: 'null' }] }
  }
  return out
}

/** A schema's refs point into the spec document registered under SPEC_ID. */
function rebase(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rebase)
  if (!node || typeof node !== 'object') return node
  const out: Json = {}
  for (const [k, v] of Object.entries(node)) out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#') ? SPEC_ID + v : rebase(v)
  return out
}

class Oracle {
  private readonly spec: Json
  private readonly ajv: Ajv
  private readonly cache = new Map<string, ValidateFunction>()

  constructor() {
    const file = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json')
    this.spec = JSON.parse(readFileSync(file, 'utf8'))
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true })
    addFormats(this.ajv)
    this.ajv.addSchema({ $id: SPEC_ID, components: fixNullable(this.spec.components) } as Json)
  }

  /** The response schema GitHub documents for this operation and status. */
  validator(template: string, method: string, status: number): ValidateFunction {
    const key = `${method} ${template} ${status}`
    let v = this.cache.get(key)
    if (v) return v
    const op = this.spec.paths[template]?.[method.toLowerCase()]
    if (!op) throw new Error(`not in GitHub's description: ${method} ${template}`)
    let response = op.responses[String(status)]
    if (!response) {
      // Errors an operation does not list still use GitHub's common error shapes.
      if (status < 400) throw new Error(`${key}: status not documented`)
      response = { $ref: status === 422 ? '#/components/responses/validation_failed' : '#/components/responses/not_found' }
    }
    if (response.$ref) response = this.spec.components.responses[response.$ref.split('/').pop()]
    const schema = response.content?.['application/json']?.schema
    if (!schema) throw new Error(`${key}: no JSON body documented`)
    v = this.ajv.compile(rebase(fixNullable(schema)) as Json)
    this.cache.set(key, v)
    return v
  }

  /** Whether GitHub documents this operation answering `status` with no body (a 204). */
  documentsEmpty(template: string, method: string, status: number): boolean {
    const response = this.spec.paths[template]?.[method.toLowerCase()]?.responses[String(status)]
    return response !== undefined && response.content === undefined
  }

  check(template: string, method: string, status: number, text: string): string[] {
    const v = this.validator(template, method, status)
    // Parse the text exactly as a client would; ajv cannot take bigint.
    return v(JSON.parse(text)) ? [] : (v.errors ?? []).map(e => `${e.instancePath} ${e.message}`)
  }
}

describe("responses conform to GitHub's OpenAPI description", () => {
  let oracle: Oracle
  let api: LocalApi
  let app: AppInfo
  let pat: string
  let orgDeliveryId: string
  let repoDeliveryId: string
  let appDeliveryId: string
  let installationId: number
  let installationToken: string
  /** Sees acme/api only: acme/hidden is private to it. */
  let narrowPat: string

  beforeAll(async () => {
    oracle = new Oracle()
    api = await startLocalApi()
    app = api.createApp()
    installationId = api.createInstallation(app.id, { org: 'acme' }, { organization_hooks: 'write', repository_hooks: 'write', actions_variables: 'write' }).id
    api.createOrgHook('acme', { id: 10 })
    api.createRepoHook('acme/api', { id: 20 })
    pat = api.createToken({ grants: [{ org: 'acme', hooks: 'write', variables: 'write' }] })
    const now = api.now()
    appDeliveryId = api.addDelivery(app.hook, { event: 'pull_request', action: 'opened', deliveredAt: now - 60_000, ok: false, installationId, repositoryId: 5 }).id
    orgDeliveryId = api.addDelivery({ kind: 'org', org: 'acme', id: 10 }, { event: 'push', deliveredAt: now - 60_000, ok: false, status: 'timed out', statusCode: 0, durationMs: 10_000 }).id
    repoDeliveryId = api.addDelivery({ kind: 'repo', repo: 'acme/api', id: 20 }, { event: 'check_run', action: 'completed', deliveredAt: now - 4 * 86400_000, ok: true, repositoryId: 5 }).id
    api.setVariable('acme/api', 'STATE', '{"v":1}')
    // Fleet routes: repositories of an org and a user, repository hooks in each last_response state.
    api.addRepository('acme', 'site', { private: false, fork: true })
    api.addRepository('acme', 'old', { archived: true })
    api.addRepository('octo', 'hello', { private: false, ownerType: 'User' })
    api.createRepoHook('acme/api', { id: 21 })
    api.addDelivery({ kind: 'repo', repo: 'acme/api', id: 21 }, { event: 'push', deliveredAt: now - 30_000, ok: false, statusCode: 0, durationMs: 10_000 })
    api.createRepoHook('acme/api', { id: 22 })
    api.createRepoHook('acme/hidden', { id: 23 })
    narrowPat = api.createToken({ grants: [{ repo: 'acme/api', hooks: 'read' }] })
    const r = await fetch(`${api.url}/app/installations/${installationId}/access_tokens`, { method: 'POST', headers: { authorization: `Bearer ${appJwt(app, api.now())}` } })
    installationToken = ((await r.json()) as { token: string }).token
  })
  afterAll(() => api?.close())

  const cases: Array<[string, string, string, () => { path: string; auth: 'jwt' | 'pat' | 'narrow' | 'installation' | 'bad' | 'none'; body?: unknown }, number]> = [
    ['list app deliveries', 'GET', '/app/hook/deliveries', () => ({ path: '/app/hook/deliveries', auth: 'jwt' }), 200],
    ['get app delivery', 'GET', '/app/hook/deliveries/{delivery_id}', () => ({ path: `/app/hook/deliveries/${appDeliveryId}`, auth: 'jwt' }), 200],
    ['redeliver app delivery', 'POST', '/app/hook/deliveries/{delivery_id}/attempts', () => ({ path: `/app/hook/deliveries/${appDeliveryId}/attempts`, auth: 'jwt' }), 202],
    ['list org hooks', 'GET', '/orgs/{org}/hooks', () => ({ path: '/orgs/acme/hooks', auth: 'pat' }), 200],
    ['get org hook', 'GET', '/orgs/{org}/hooks/{hook_id}', () => ({ path: '/orgs/acme/hooks/10', auth: 'pat' }), 200],
    ['list org deliveries', 'GET', '/orgs/{org}/hooks/{hook_id}/deliveries', () => ({ path: '/orgs/acme/hooks/10/deliveries', auth: 'pat' }), 200],
    ['get org delivery', 'GET', '/orgs/{org}/hooks/{hook_id}/deliveries/{delivery_id}', () => ({ path: `/orgs/acme/hooks/10/deliveries/${orgDeliveryId}`, auth: 'pat' }), 200],
    ['redeliver org delivery', 'POST', '/orgs/{org}/hooks/{hook_id}/deliveries/{delivery_id}/attempts', () => ({ path: `/orgs/acme/hooks/10/deliveries/${orgDeliveryId}/attempts`, auth: 'pat' }), 202],
    ['list repo hooks', 'GET', '/repos/{owner}/{repo}/hooks', () => ({ path: '/repos/acme/api/hooks', auth: 'pat' }), 200],
    ['get repo hook', 'GET', '/repos/{owner}/{repo}/hooks/{hook_id}', () => ({ path: '/repos/acme/api/hooks/20', auth: 'pat' }), 200],
    ['list repo deliveries', 'GET', '/repos/{owner}/{repo}/hooks/{hook_id}/deliveries', () => ({ path: '/repos/acme/api/hooks/20/deliveries', auth: 'pat' }), 200],
    ['get repo delivery', 'GET', '/repos/{owner}/{repo}/hooks/{hook_id}/deliveries/{delivery_id}', () => ({ path: `/repos/acme/api/hooks/20/deliveries/${repoDeliveryId}`, auth: 'pat' }), 200],
    [
      'redelivery too old',
      'POST',
      '/repos/{owner}/{repo}/hooks/{hook_id}/deliveries/{delivery_id}/attempts',
      () => ({ path: `/repos/acme/api/hooks/20/deliveries/${repoDeliveryId}/attempts`, auth: 'pat' }),
      422
    ],
    ['org installation', 'GET', '/orgs/{org}/installation', () => ({ path: '/orgs/acme/installation', auth: 'jwt' }), 200],
    ['repo installation', 'GET', '/repos/{owner}/{repo}/installation', () => ({ path: '/repos/acme/api/installation', auth: 'jwt' }), 200],
    ['app installation', 'GET', '/app/installations/{installation_id}', () => ({ path: `/app/installations/${installationId}`, auth: 'jwt' }), 200],
    ['installation token', 'POST', '/app/installations/{installation_id}/access_tokens', () => ({ path: `/app/installations/${installationId}/access_tokens`, auth: 'jwt' }), 201],
    ['list variables', 'GET', '/repos/{owner}/{repo}/actions/variables', () => ({ path: '/repos/acme/api/actions/variables', auth: 'pat' }), 200],
    ['get variable', 'GET', '/repos/{owner}/{repo}/actions/variables/{name}', () => ({ path: '/repos/acme/api/actions/variables/STATE', auth: 'pat' }), 200],
    ['create variable', 'POST', '/repos/{owner}/{repo}/actions/variables', () => ({ path: '/repos/acme/api/actions/variables', auth: 'pat', body: { name: 'NEW', value: 'x' } }), 201],
    ['variable exists', 'POST', '/repos/{owner}/{repo}/actions/variables', () => ({ path: '/repos/acme/api/actions/variables', auth: 'pat', body: { name: 'NEW', value: 'x' } }), 409],
    ['bad variable name', 'POST', '/repos/{owner}/{repo}/actions/variables', () => ({ path: '/repos/acme/api/actions/variables', auth: 'pat', body: { name: 'GITHUB_X', value: 'x' } }), 422],
    ['missing variable', 'GET', '/repos/{owner}/{repo}/actions/variables/{name}', () => ({ path: '/repos/acme/api/actions/variables/NOPE', auth: 'pat' }), 404],
    ['missing hook', 'GET', '/orgs/{org}/hooks/{hook_id}/deliveries', () => ({ path: '/orgs/acme/hooks/999/deliveries', auth: 'pat' }), 404],
    ['bad credentials', 'GET', '/orgs/{org}/hooks', () => ({ path: '/orgs/acme/hooks', auth: 'bad' }), 401],
    ['no JWT on /app', 'GET', '/app/hook/deliveries', () => ({ path: '/app/hook/deliveries', auth: 'pat' }), 401],
    ['bad cursor', 'GET', '/app/hook/deliveries', () => ({ path: '/app/hook/deliveries?cursor=zzz', auth: 'jwt' }), 400],
    ['list org repos', 'GET', '/orgs/{org}/repos', () => ({ path: '/orgs/acme/repos?per_page=100', auth: 'pat' }), 200],
    ['list org repos anonymously', 'GET', '/orgs/{org}/repos', () => ({ path: '/orgs/acme/repos?type=public', auth: 'none' }), 200],
    ['list user repos', 'GET', '/users/{username}/repos', () => ({ path: '/users/octo/repos', auth: 'none' }), 200],
    ['installation repositories', 'GET', '/installation/repositories', () => ({ path: '/installation/repositories', auth: 'installation' }), 200],
    ['installation repositories with a PAT', 'GET', '/installation/repositories', () => ({ path: '/installation/repositories', auth: 'pat' }), 403],
    ['repo hook that timed out', 'GET', '/repos/{owner}/{repo}/hooks/{hook_id}', () => ({ path: '/repos/acme/api/hooks/21', auth: 'pat' }), 200],
    ['repo hook never used', 'GET', '/repos/{owner}/{repo}/hooks/{hook_id}', () => ({ path: '/repos/acme/api/hooks/22', auth: 'pat' }), 200],
    ['hooks of a hidden repo', 'GET', '/repos/{owner}/{repo}/hooks', () => ({ path: '/repos/acme/hidden/hooks', auth: 'narrow' }), 404]
  ]

  it.each(cases)('%s', async (_name, method, template, make, expectedStatus) => {
    const { path, auth, body } = make()
    const headers: Record<string, string> = {}
    if (auth === 'jwt') headers.authorization = `Bearer ${appJwt(app, api.now())}`
    if (auth === 'pat') headers.authorization = `token ${pat}`
    if (auth === 'installation') headers.authorization = `token ${installationToken}`
    if (auth === 'narrow') headers.authorization = `token ${narrowPat}`
    if (auth === 'bad') headers.authorization = 'token ghp_invalid'
    if (body !== undefined) headers['content-type'] = 'application/json'
    const r = await fetch(api.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
    const text = await r.text()
    expect(r.status).toBe(expectedStatus)
    expect(r.headers.get('content-type')).toMatch(/^application\/json/)
    expect(oracle.check(template, method, r.status, text)).toEqual([])
    if (Array.isArray(JSON.parse(text))) expect(JSON.parse(text).length).toBeGreaterThan(0)
  })

  it.each([
    ['/orgs/{org}/hooks/{hook_id}/pings', '/orgs/acme/hooks/10', { kind: 'org' as const, org: 'acme', id: 10 }],
    ['/repos/{owner}/{repo}/hooks/{hook_id}/pings', '/repos/acme/api/hooks/20', { kind: 'repo' as const, repo: 'acme/api', id: 20 }]
  ])('ping %s: 204 with no body as documented, and its `ping` delivery listed as GitHub lists deliveries', async (template, hookPath, ref) => {
    const r = await fetch(`${api.url}${hookPath}/pings`, { method: 'POST', headers: { authorization: `token ${pat}` } })
    expect(r.status).toBe(204)
    expect(await r.text()).toBe('')
    expect(oracle.documentsEmpty(template, 'POST', 204)).toBe(true)
    expect(api.pingRequests(ref)).toHaveLength(1)
    api.advanceClock(1000)
    const list = await fetch(`${api.url}${hookPath}/deliveries?per_page=1`, { headers: { authorization: `token ${pat}` } })
    const text = await list.text()
    expect(oracle.check(`${template.replace(/\/pings$/, '')}/deliveries`, 'GET', 200, text)).toEqual([])
    expect(JSON.parse(text)[0]).toMatchObject({ event: 'ping', action: null, redelivery: false, status: 'OK', status_code: 200 })
  })

  it('fails when a required field is dropped or mistyped', async () => {
    const r = await fetch(`${api.url}/orgs/acme/hooks/10/deliveries`, { headers: { authorization: `token ${pat}` } })
    const text = await r.text()
    const template = '/orgs/{org}/hooks/{hook_id}/deliveries'
    expect(oracle.check(template, 'GET', 200, text)).toEqual([])
    const items = JSON.parse(text) as Json[]
    const dropped = items.map(({ guid: _guid, ...rest }) => rest)
    expect(oracle.check(template, 'GET', 200, JSON.stringify(dropped)).join('\n')).toMatch(/must have required property 'guid'/)
    const mistyped = items.map(d => ({ ...d, redelivery: 'false', id: String(d.id) }))
    const errors = oracle.check(template, 'GET', 200, JSON.stringify(mistyped))
    expect(errors.some(e => e.includes('/redelivery'))).toBe(true)
    expect(errors.some(e => e.includes('/id'))).toBe(true)
    const single = await fetch(`${api.url}/orgs/acme/hooks/10/deliveries/${orgDeliveryId}`, { headers: { authorization: `token ${pat}` } })
    const { request: _request, ...noRequest } = JSON.parse(await single.text())
    expect(oracle.check('/orgs/{org}/hooks/{hook_id}/deliveries/{delivery_id}', 'GET', 200, JSON.stringify(noRequest))).not.toEqual([])
    const hooks = JSON.parse(await (await fetch(`${api.url}/repos/acme/api/hooks`, { headers: { authorization: `token ${pat}` } })).text()) as Json[]
    const noLastResponse = hooks.map(({ last_response: _lr, ...rest }) => rest)
    expect(oracle.check('/repos/{owner}/{repo}/hooks', 'GET', 200, JSON.stringify(noLastResponse)).join('\n')).toMatch(/last_response/)
    const installed = JSON.parse(await (await fetch(`${api.url}/installation/repositories`, { headers: { authorization: `token ${installationToken}` } })).text()) as Json
    const noArchived = { ...installed, repositories: installed.repositories.map(({ archived: _a, ...rest }: Json) => rest) }
    expect(oracle.check('/installation/repositories', 'GET', 200, JSON.stringify(noArchived)).join('\n')).toMatch(/archived/)
  })
})
