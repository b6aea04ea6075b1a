/**
 * The bundle as the runner runs it (`node dist/index.js`, an environment built from scratch),
 * once per target kind on Node 20 and on Node 24: app, org and repo here, the fleet in
 * fleet.bundle.test.ts. What each target does in detail is tested in process (targets.bundle.test.ts).
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { startLocalApi, type LocalApi } from '../../local-api/index.js'
import { maskedLog, nodeRuntimes, runAction, type ActionRun } from '../support/runner.js'
import { addFailure, addSuccess, HOUR, MINUTE, orgToken, redeliveryCounts, sorted } from '../support/world.js'

describe.each(nodeRuntimes())('on $name', node => {
  let api: LocalApi
  beforeEach(async () => {
    api = await startLocalApi({ seed: 41 })
  })
  afterEach(async () => {
    await api.close()
  })

  /** A clean run: exit 0, no error, every failing guid redelivered once, the outputs, report and summary written, the bookmark saved. */
  function expectRedeliveredOnce(run: ActionRun, failing: string[]): void {
    expect(run.commands.errors).toEqual([])
    expect(run.exitCode).toBe(0)
    expect(sorted(redeliveryCounts(api).keys())).toEqual(sorted(failing))
    expect([...redeliveryCounts(api).values()].every(n => n === 1)).toBe(true)
    expect(run.outputs).toMatchObject({ failed: String(failing.length), redelivered: String(failing.length), errors: '0' })
    expect(run.report.deliveries.map((d: { guid: string }) => d.guid).sort()).toEqual(sorted(failing))
    expect(run.summary).toContain(`${failing.length} redelivered`)
    expect(api.getVariable('acme/workflows', 'BOOKMARK')).toBeDefined()
  }

  test('app: the JWT reads the app hook, the token keeps the bookmark; the key is never printed', async () => {
    const app = api.createApp()
    const token = api.createToken({ grants: [{ repo: 'acme/workflows', variables: 'write' }] })
    const failing = [addFailure(api, app.hook, 2 * HOUR), addFailure(api, app.hook, 30 * MINUTE)]
    addSuccess(api, app.hook, HOUR)
    const run = await runAction({ node, apiUrl: api.url, inputs: { 'target-type': 'app', 'app-id': String(app.id), 'private-key': app.privateKeyPem, token, 'state-variable': 'BOOKMARK' } })
    expectRedeliveredOnce(run, failing)
    expect(api.log.filter(e => e.route.startsWith('/app/')).every(e => e.auth === 'jwt')).toBe(true)
    expect(maskedLog(run)).not.toContain(app.privateKeyPem.split('\n')[1])
  })

  test('org: every hook of the organization; the token is never printed', async () => {
    const token = orgToken(api)
    const a = api.createOrgHook('acme')
    const b = api.createOrgHook('acme')
    const failing = [addFailure(api, a, HOUR), addFailure(api, b, 2 * HOUR)]
    const run = await runAction({ node, apiUrl: api.url, inputs: { 'target-type': 'org', org: 'acme', token, 'state-variable': 'BOOKMARK' } })
    expectRedeliveredOnce(run, failing)
    expect(maskedLog(run)).not.toContain(token)
  })

  test('repo: the workflow repository by default', async () => {
    const token = api.createToken({ grants: [{ repo: 'acme/workflows', hooks: 'write', variables: 'write' }] })
    const hook = api.createRepoHook('acme/workflows')
    const failing = [addFailure(api, hook, HOUR, { event: 'pull_request', action: 'closed' })]
    const run = await runAction({ node, apiUrl: api.url, inputs: { 'target-type': 'repo', token, 'state-variable': 'BOOKMARK' } })
    expectRedeliveredOnce(run, failing)
  })
})
