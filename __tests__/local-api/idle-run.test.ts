/**
 * A run with nothing to do costs one round trip to GitHub, not two: each hook's newest page
 * is asked for while the bookmark is read. In process against the local GitHub API with latency.
 */
import { afterEach, expect, test } from '@jest/globals'
import { startLocalApi, type LocalApi } from '../../local-api/index.js'
import { runInProcess } from '../support/in-process.js'
import { addSuccess, HOUR, orgToken } from '../support/world.js'

let api: LocalApi
afterEach(async () => {
  await api.close()
})

test('the bookmark read and the first page of each hook are in flight together', async () => {
  api = await startLocalApi({ seed: 3, latencyMs: 60 })
  const hooks = [api.createOrgHook('acme'), api.createOrgHook('acme')]
  for (const hook of hooks) addSuccess(api, hook, HOUR)
  const token = orgToken(api)
  const inputs = { 'target-type': 'org', org: 'acme', token, 'hook-id': hooks.map(h => h.id).join(','), 'state-variable': 'WEBHOOK_BOOKMARK' }
  expect((await runInProcess(api, inputs)).error).toBeUndefined()

  api.clearLog()
  const idle = await runInProcess(api, inputs)
  expect(idle.error).toBeUndefined()
  const read = api.log.find(e => e.method === 'GET' && e.route.includes('/actions/variables/'))!
  const pages = api.log.filter(e => e.route.endsWith('/deliveries'))
  expect(api.log).toHaveLength(3)
  expect(pages).toHaveLength(2)
  for (const page of pages) expect(page.start).toBeLessThan(read.end)
  expect(api.log.filter(e => e.method !== 'GET')).toEqual([])
})
