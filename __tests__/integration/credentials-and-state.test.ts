/**
 * Which credential does what, and what the bookmark costs: the combinations the
 * README and docs/state.md promise, each against the local GitHub API, with the action's run() in process.
 */
import { afterEach, beforeEach, expect, test } from '@jest/globals'
import { startLocalApi, type LocalApi } from '../../local-api/index.js'
import { runActionInProcess } from '../support/in-process.js'
import { MAX_STATE_BYTES } from '../../src/core/bookmark/format.js'
import { addFailure, addSuccess, DAY, HOUR, MINUTE, orgToken, redeliveryCounts, settle } from '../support/world.js'

let api: LocalApi
beforeEach(async () => {
  api = await startLocalApi({ seed: 21 })
})
afterEach(async () => {
  await api.close()
})

test('app target with no token: the state variable is kept through the app installation on the state repository', async () => {
  const app = api.createApp()
  api.createInstallation(app.id, { repo: 'acme/workflows' }, { actions_variables: 'write' })
  const failing = addFailure(api, app.hook, HOUR)
  const run = await runActionInProcess({ apiUrl: api.url, inputs: { 'target-type': 'app', 'app-id': String(app.id), 'private-key': app.privateKeyPem, 'state-variable': 'BOOKMARK' } })
  expect(run.commands.errors).toEqual([])
  expect(redeliveryCounts(api).get(failing)).toBe(1)
  expect(api.getVariable('acme/workflows', 'BOOKMARK')).toBeDefined()
  const variableRequests = api.log.filter(e => e.route.includes('/actions/variables'))
  expect(variableRequests.length).toBeGreaterThan(0)
  expect(variableRequests.every(e => e.auth === 'installation')).toBe(true)
})

test('org with app credentials and a token: the app reaches the hooks, the token the variable', async () => {
  const app = api.createApp()
  api.createInstallation(app.id, { org: 'acme' }, { organization_hooks: 'write' })
  const token = api.createToken({ grants: [{ repo: 'acme/workflows', variables: 'write' }] })
  const hook = api.createOrgHook('acme')
  const failing = addFailure(api, hook, HOUR)
  const run = await runActionInProcess({
    apiUrl: api.url,
    inputs: { 'target-type': 'org', org: 'acme', 'app-id': String(app.id), 'private-key': app.privateKeyPem, token, 'state-variable': 'BOOKMARK' }
  })
  expect(run.commands.errors).toEqual([])
  expect(redeliveryCounts(api).get(failing)).toBe(1)
  expect(api.log.filter(e => e.route.startsWith('/orgs/acme/hooks')).every(e => e.auth === 'installation')).toBe(true)
  expect(api.log.filter(e => e.route.includes('/actions/variables')).every(e => e.auth === 'token')).toBe(true)
})

test('an app that is not installed on the organization: one clear error, nothing sent', async () => {
  const app = api.createApp()
  api.createOrgHook('acme')
  const run = await runActionInProcess({ apiUrl: api.url, inputs: { 'target-type': 'org', org: 'acme', 'app-id': String(app.id), 'private-key': app.privateKeyPem } })
  expect(run.exitCode).toBe(1)
  expect(run.commands.errors).toEqual([expect.stringContaining('The GitHub App given by "app-id" is not installed on acme')])
  expect(api.redeliveryRequests()).toHaveLength(0)
})

test("GitHub's clock 7 minutes behind and nothing read before the app's first request: the JWT is signed again with GitHub's time", async () => {
  await api.close()
  api = await startLocalApi({ seed: 22, clockOffsetMs: -7 * MINUTE })
  const app = api.createApp()
  const failing = addFailure(api, app.hook, HOUR)
  const run = await runActionInProcess({ apiUrl: api.url, inputs: { 'target-type': 'app', 'app-id': String(app.id), 'private-key': app.privateKeyPem } })
  expect(run.commands.errors).toEqual([])
  expect(run.exitCode).toBe(0)
  expect(redeliveryCounts(api).get(failing)).toBe(1)
  // The first JWT was refused for clock skew; every request after the retry was accepted first time.
  const refused = api.log.filter(e => e.status === 401)
  expect(refused).toHaveLength(1)
  expect(api.log.indexOf(refused[0])).toBe(0)
})

test('a run with nothing new reads the bookmark once and writes nothing', async () => {
  const token = orgToken(api)
  const hook = api.createOrgHook('acme')
  for (let i = 1; i <= 5; i++) addSuccess(api, hook, i * MINUTE)
  const inputs = { 'target-type': 'org', org: 'acme', token, 'hook-id': String(hook.id), 'state-variable': 'BOOKMARK' }
  const first = await runActionInProcess({ apiUrl: api.url, inputs })
  expect(first.exitCode).toBe(0)
  expect(api.log.filter(e => e.method !== 'GET')).toHaveLength(1) // the bookmark, created
  await settle()
  api.advanceClock(15 * MINUTE)
  api.clearLog()
  const idle = await runActionInProcess({ apiUrl: api.url, inputs })
  expect(idle.exitCode).toBe(0)
  // Both at once: the hook's newest page travels while the bookmark is read.
  expect(api.log.map(e => `${e.method} ${e.route}`).sort()).toEqual([`GET /orgs/acme/hooks/${hook.id}/deliveries`, 'GET /repos/acme/workflows/actions/variables/BOOKMARK'])
  expect(idle.summary).toMatch(/^\*\*Webhook redelivery\*\*: nothing to redeliver\./)
})

test('a lookback longer than GitHub can redeliver is clamped, with a warning', async () => {
  const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
  const hook = api.createOrgHook('acme')
  const old = addFailure(api, hook, 5 * DAY)
  const recent = addFailure(api, hook, 2 * DAY)
  const run = await runActionInProcess({ apiUrl: api.url, inputs: { 'target-type': 'org', org: 'acme', token, lookback: '7d' } })
  expect(run.exitCode).toBe(0)
  expect(run.commands.warnings).toContain('Input "lookback" is 7d, longer than GitHub can redeliver (3d); scanning 3d.')
  expect(redeliveryCounts(api).get(recent)).toBe(1)
  expect(redeliveryCounts(api).has(old)).toBe(false)
})

test('a payload URL is shown as its host only: secrets in its user info, path or query are never printed, even in an error', async () => {
  const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
  api.createOrgHook('acme', { url: 'https://user:hunter2@ci.example.com/hook?token=s3cr3t' })
  addFailure(api, api.createOrgHook('acme', { url: 'https://bot:pa55@chat.example.com/services/T0001/B0002/pathsecret?key=k3y' }), HOUR)
  const listed = await runActionInProcess({ apiUrl: api.url, inputs: { 'target-type': 'org', org: 'acme', token } })
  expect(listed.exitCode).toBe(0)
  const unknown = await runActionInProcess({ apiUrl: api.url, inputs: { 'target-type': 'org', org: 'acme', token, 'hook-id': 'https://x:secretpw@nowhere.example.com/?t=zzz' } })
  expect(unknown.exitCode).toBe(1)
  const everything = [listed, unknown].map(r => r.stdout + r.stderr + r.summary + JSON.stringify(r.report ?? {})).join('\n')
  for (const secret of ['hunter2', 's3cr3t', 'pa55', 'k3y', 'secretpw', 'zzz', 'pathsecret', 'T0001']) expect(everything).not.toContain(secret)
  expect(listed.summary).toContain('(https://chat.example.com)')
})

test("GitHub's primary rate limit used up mid-run: the run stops cleanly, and after the reset the next run does the rest, each once", async () => {
  await api.close()
  // 1 list request and 7 redeliveries fit in this token's hour.
  api = await startLocalApi({ seed: 23, primaryLimit: 8 })
  const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
  const hook = api.createOrgHook('acme')
  const failing = Array.from({ length: 12 }, (_, i) => addFailure(api, hook, (i + 1) * MINUTE))
  // The receiver answered a moment ago: no probe, so the hour's budget goes to redeliveries.
  addSuccess(api, hook, 10_000)
  const inputs = { 'target-type': 'org', org: 'acme', token, 'hook-id': String(hook.id) }
  const first = await runActionInProcess({ apiUrl: api.url, inputs })
  expect(first.commands.errors).toEqual([])
  expect(first.exitCode).toBe(0)
  expect(first.outputs).toMatchObject({ failed: '12', redelivered: '7', skipped: '5', errors: '0' })
  expect(first.report.deliveries.filter((d: { reason?: string }) => d.reason === 'rate-limited')).toHaveLength(5)
  expect(api.stats().primary).toBeGreaterThan(0)

  await settle()
  api.advanceClock(61 * MINUTE)
  const second = await runActionInProcess({ apiUrl: api.url, inputs })
  expect(second.exitCode).toBe(0)
  expect(second.outputs).toMatchObject({ redelivered: '5' })
  const counts = redeliveryCounts(api)
  for (const g of failing) expect(counts.get(g)).toBe(1)
})

test('a hook no longer scanned (perhaps another target sharing the variable) keeps its entry until it is older than the window', async () => {
  const token = orgToken(api)
  const a = api.createOrgHook('acme')
  const b = api.createOrgHook('acme')
  addFailure(api, a, HOUR)
  addFailure(api, b, HOUR)
  const inputs = { 'target-type': 'org', org: 'acme', token, 'state-variable': 'BOOKMARK' }
  await runActionInProcess({ apiUrl: api.url, inputs })
  expect(Object.keys(JSON.parse(api.getVariable('acme/workflows', 'BOOKMARK')!.value).hooks).sort()).toEqual([String(a.id), String(b.id)].sort())
  await settle()
  api.advanceClock(5 * MINUTE)
  addSuccess(api, a, MINUTE)
  const onlyA = await runActionInProcess({ apiUrl: api.url, inputs: { ...inputs, 'hook-id': String(a.id) } })
  expect(onlyA.exitCode).toBe(0)
  const kept = JSON.parse(api.getVariable('acme/workflows', 'BOOKMARK')!.value).hooks
  expect(Object.keys(kept).sort()).toEqual([String(a.id), String(b.id)].sort())
  // Three days later (github.com's window) nothing in b's entry matters any more: it leaves.
  api.advanceClock(3 * DAY + MINUTE)
  addSuccess(api, a, MINUTE)
  const later = await runActionInProcess({ apiUrl: api.url, inputs: { ...inputs, 'hook-id': String(a.id) } })
  expect(later.exitCode).toBe(0)
  expect(Object.keys(JSON.parse(api.getVariable('acme/workflows', 'BOOKMARK')!.value).hooks)).toEqual([String(a.id)])
})

test('a hook quiet for longer than the window gets no warning about lost failures', async () => {
  const token = orgToken(api)
  const hook = api.createOrgHook('acme')
  addFailure(api, hook, 4 * DAY + HOUR, { label: 'handled-long-ago' })
  addSuccess(api, hook, 4 * DAY)
  const inputs = { 'target-type': 'org', org: 'acme', token, 'hook-id': String(hook.id), 'state-variable': 'BOOKMARK', lookback: '3d' }
  // The bookmark of a run four days ago, which saw everything up to its newest attempt.
  const seen = api.deliveries(hook)[0].deliveredAt
  api.setVariable('acme/workflows', 'BOOKMARK', JSON.stringify({ version: 1, hooks: { [String(hook.id)]: { floor: new Date(seen - 2 * MINUTE).toISOString(), seen: new Date(seen).toISOString() } } }))
  const run = await runActionInProcess({ apiUrl: api.url, inputs })
  expect(run.exitCode).toBe(0)
  expect(run.commands.warnings).toEqual([])
  // The same gap with a failure no run saw does warn.
  addFailure(api, hook, 3 * DAY + HOUR, { label: 'never-seen' })
  const gap = await runActionInProcess({ apiUrl: api.url, inputs })
  expect(gap.commands.warnings.join('\n')).toMatch(/can no longer be recovered/)
})

test('with hook-id empty, an inactive hook (switched off on purpose) is left alone', async () => {
  const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
  const on = api.createOrgHook('acme')
  const off = api.createOrgHook('acme', { active: false })
  const failingOn = addFailure(api, on, HOUR)
  addFailure(api, off, HOUR)
  const run = await runActionInProcess({ apiUrl: api.url, inputs: { 'target-type': 'org', org: 'acme', token } })
  expect(run.exitCode).toBe(0)
  expect([...redeliveryCounts(api).keys()]).toEqual([failingOn])
  expect(api.log.some(e => e.route.startsWith(`/orgs/acme/hooks/${off.id}/`))).toBe(false)
})

test('a state variable larger than any bookmark is refused before it is parsed, naming the variable and the limit', async () => {
  const token = orgToken(api)
  const hook = api.createOrgHook('acme')
  addFailure(api, hook, HOUR)
  // GitHub caps a variable at 48 KB: only a hostile or broken API sends this.
  api.setVariable('acme/workflows', 'BOOKMARK', `{"version":1,"hooks":{},"x":"${'a'.repeat(MAX_STATE_BYTES)}"}`)
  const run = await runActionInProcess({ apiUrl: api.url, inputs: { 'target-type': 'org', org: 'acme', token, 'state-variable': 'BOOKMARK' } })
  expect(run.exitCode).toBe(1)
  expect(run.commands.errors).toEqual([
    'The state variable BOOKMARK in acme/workflows is 8 MB, more than the 8 MB any bookmark of webhook-redelivery stays under: it is not read. Delete it or give another to start a new bookmark.'
  ])
  expect(redeliveryCounts(api).size).toBe(0)
})
