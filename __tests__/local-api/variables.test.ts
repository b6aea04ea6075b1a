import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startLocalApi, type LocalApi } from '../../local-api/index.js'
import { call } from './helpers.js'

describe('actions variables', () => {
  let api: LocalApi
  let auth: string
  let base: string
  beforeAll(async () => {
    api = await startLocalApi()
    auth = `token ${api.createToken({ grants: [{ repo: 'acme/state', variables: 'write' }] })}`
    base = `${api.url}/repos/acme/state/actions/variables`
  })
  afterAll(() => api.close())

  it('creates (201), refuses a duplicate (409), reads, updates (204), deletes (204)', async () => {
    expect((await call(`${base}/WEBHOOK_STATE`, { auth })).status).toBe(404)
    const created = await call(base, { method: 'POST', auth, body: { name: 'webhook_state', value: '{"v":1}' } })
    expect(created.status).toBe(201)
    expect((await call(base, { method: 'POST', auth, body: { name: 'WEBHOOK_STATE', value: 'x' } })).status).toBe(409)
    const got = await call(`${base}/webhook_state`, { auth })
    expect(got.json).toMatchObject({ name: 'WEBHOOK_STATE', value: '{"v":1}' })
    expect(got.json.updated_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    const patched = await call(`${base}/WEBHOOK_STATE`, { method: 'PATCH', auth, body: { name: 'WEBHOOK_STATE', value: '{"v":2}' } })
    expect(patched.status).toBe(204)
    expect(patched.text).toBe('')
    expect(api.getVariable('acme/state', 'WEBHOOK_STATE')?.value).toBe('{"v":2}')
    const list = await call(base, { auth })
    expect(list.json).toMatchObject({ total_count: 1, variables: [{ name: 'WEBHOOK_STATE' }] })
    expect((await call(`${base}/WEBHOOK_STATE`, { method: 'DELETE', auth })).status).toBe(204)
    expect(api.getVariable('acme/state', 'WEBHOOK_STATE')).toBeUndefined()
    expect((await call(`${base}/WEBHOOK_STATE`, { method: 'PATCH', auth, body: { value: 'y' } })).status).toBe(404)
  })

  it.each(['1ABC', 'GITHUB_STATE', 'github_x', 'has-dash', 'has space', ''])('rejects the name %p with 422', async name => {
    const r = await call(base, { method: 'POST', auth, body: { name, value: 'v' } })
    expect(r.status).toBe(422)
    expect(r.json.message).toBe('Validation Failed')
  })

  it('limits values to 48 KB', async () => {
    const big = 'x'.repeat(48 * 1024)
    expect((await call(base, { method: 'POST', auth, body: { name: 'BIG', value: big } })).status).toBe(201)
    expect((await call(`${base}/BIG`, { method: 'PATCH', auth, body: { value: big + 'x' } })).status).toBe(422)
    expect((await call(base, { method: 'POST', auth, body: { name: 'BIGGER', value: big + 'x' } })).status).toBe(422)
  })

  it('seeds from the control API and rejects bad JSON', async () => {
    api.setVariable('acme/state', 'SEEDED', '1700000000000')
    expect((await call(`${base}/SEEDED`, { auth })).json.value).toBe('1700000000000')
    const r = await fetch(base, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: '{nope' })
    expect(r.status).toBe(400)
  })

  it('needs write for writes', async () => {
    const reader = `token ${api.createToken({ grants: [{ repo: 'acme/state', variables: 'read' }] })}`
    const r = await call(base, { method: 'POST', auth: reader, body: { name: 'X', value: 'v' } })
    expect(r.status).toBe(403)
    expect(r.headers.get('x-accepted-github-permissions')).toBe('actions_variables=write')
  })
})
