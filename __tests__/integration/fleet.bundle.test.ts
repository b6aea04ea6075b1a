/**
 * The bundle with a fleet target, as the runner runs it: `repository: acme/*` with a payload
 * URL prefix and a shard, a token that cannot read one repository's hooks, on Node 20 and on
 * Node 24 (the fleet's part of smoke.bundle.test.ts). The fleet's behaviour in detail is tested in
 * process (__tests__/fleet).
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { seedFleet, startLocalApi, type LocalApi } from '../../local-api/index.js'
import { maskedLog, nodeRuntimes, runAction, type NodeRuntime } from '../support/runner.js'
import { redeliveryCounts, settle, sorted } from '../support/world.js'

let api: LocalApi
beforeEach(async () => {
  api = await startLocalApi({ seed: 31 })
})
afterEach(async () => {
  await api.close()
})

describe.each(nodeRuntimes())('on $name', (node: NodeRuntime) => {
  test('acme/*: the failures of the matched hooks are redelivered once; one warning names the repository the token cannot read; the summary groups by repository', async () => {
    const fleet = seedFleet(api, {
      owner: 'acme',
      repositories: 30,
      hooks: i => (i % 10 === 0 ? 0 : 1),
      archived: i => i === 7,
      url: i => (i % 3 === 0 ? `https://chat.example.net/${i}` : `https://ci.example.com/hooks/${i}`),
      failingHooks: 0.3
    })
    const token = api.createToken({
      kind: 'classic',
      grants: [
        ...fleet.repositories.filter(r => r.name !== 'svc-0005').map(r => ({ repo: r.fullName, hooks: 'write' as const })),
        { repo: 'acme/svc-0005' },
        { repo: 'acme/workflows', variables: 'write' }
      ]
    })
    const matched = fleet.hooks.filter(h => h.url.startsWith('https://ci.example.com/') && h.repo !== 'acme/svc-0007' && h.repo !== 'acme/svc-0005')
    const inputs = { 'target-type': 'repo', repository: 'acme/*', 'hook-id': 'https://ci.example.com/*', token, 'state-variable': 'FLEET_STATE' }

    const run = await runAction({ node, apiUrl: api.url, inputs, timeScale: 0.01 })
    expect(run.commands.errors).toEqual([])
    expect(run.exitCode).toBe(0)
    await settle()
    const expected = matched.flatMap(h => h.failingGuids)
    expect(expected.length).toBeGreaterThan(0)
    expect(sorted(redeliveryCounts(api).keys())).toEqual(sorted(expected))
    expect(run.outputs.redelivered).toBe(String(expected.length))
    expect(run.commands.warnings.filter(w => w.includes('acme/svc-0005'))).toHaveLength(1)
    expect(run.summary).toMatch(/\d+ hooks in \d+ repositories/)
    expect(run.summary).toContain('| acme/svc-')
    expect(maskedLog(run)).not.toContain(token)
  })
})
