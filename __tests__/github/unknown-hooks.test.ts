/**
 * `hook-id` naming hooks that do not exist among hooks that do: the session runs in
 * process against the local GitHub API.
 */
import { afterEach, beforeEach, expect, test } from '@jest/globals'
import { startLocalApi, type LocalApi } from '../../local-api/index.js'
import { parseConfig, type Config, type RawInputs } from '../../src/core/config.js'
import { ACTION_NAMING, renderInputError } from '../../src/core/input-errors.js'
import { redeliverFailedDeliveries } from '../../src/session.js'
import { shortenWaitsInEachTest } from '../support/in-process.js'
import { addFailure, HOUR, orgToken, redeliveryCounts } from '../support/world.js'

shortenWaitsInEachTest()

let api: LocalApi

beforeEach(async () => {
  api = await startLocalApi({ seed: 3 })
})

afterEach(async () => {
  await api.close()
})

function config(inputs: RawInputs): Config {
  const parsed = parseConfig({ hostname: api.url, ...inputs }, {})
  if (!parsed.ok) throw new Error(parsed.errors.map(error => renderInputError(error, ACTION_NAMING)).join('\n'))
  return parsed.config
}

const quiet = { log: { info: () => undefined, warning: () => undefined, debug: () => undefined }, mask: () => undefined }

test('unknown ids among valid ones: the valid hooks are processed, every unknown one is named in one failure', async () => {
  const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
  const a = api.createOrgHook('acme')
  const b = api.createOrgHook('acme')
  const failingA = addFailure(api, a, HOUR)
  const failingB = addFailure(api, b, HOUR)

  const result = await redeliverFailedDeliveries(config({ 'target-type': 'org', org: 'acme', token, 'hook-id': `${a.id}, 999001, ${b.id}, 999002` }), quiet)

  expect(redeliveryCounts(api).get(failingA)).toBe(1)
  expect(redeliveryCounts(api).get(failingB)).toBe(1)
  expect(result.totals).toMatchObject({ failed: 2, redelivered: 2, errors: 0 })
  expect(result.hooks.map(h => h.hook.id)).toEqual([String(a.id), String(b.id)])
  expect(result.failures).toEqual([
    'Input "hook-id": acme has no webhooks 999001, 999002 (deleted, or the credential cannot see them); the other hooks were processed. Remove them from "hook-id", or check the credential\'s access.'
  ])
})

test('one unknown id among valid ones, on a repository', async () => {
  const token = api.createToken({ grants: [{ repo: 'acme/widgets', hooks: 'write' }] })
  const hook = api.createRepoHook('acme/widgets')
  const failing = addFailure(api, hook, HOUR)

  const result = await redeliverFailedDeliveries(config({ 'target-type': 'repo', repository: 'acme/widgets', token, 'hook-id': `5, ${hook.id}` }), quiet)

  expect(redeliveryCounts(api).get(failing)).toBe(1)
  expect(result.failures).toEqual([
    'Input "hook-id": acme/widgets has no webhook 5 (deleted, or the credential cannot see it); the other hooks were processed. Remove it from "hook-id", or check the credential\'s access.'
  ])
})

test('3,000 unknown ids cost a hooks listing and a handful of requests, not one each', async () => {
  const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
  const hook = api.createOrgHook('acme')
  const failing = addFailure(api, hook, HOUR)
  const unknown = Array.from({ length: 3000 }, (_, i) => String(800_001 + i))

  const result = await redeliverFailedDeliveries(config({ 'target-type': 'org', org: 'acme', token, 'hook-id': [String(hook.id), ...unknown].join('\n') }), quiet)

  expect(redeliveryCounts(api).get(failing)).toBe(1)
  expect(result.failures).toHaveLength(1)
  for (const id of unknown) expect(result.failures[0]).toContain(id)
  // One page of hooks, the valid hook's deliveries and redelivery, and the few 404s in flight before the listing came back.
  expect(api.log.filter(e => e.route === '/orgs/acme/hooks')).toHaveLength(1)
  expect(api.log.length).toBeLessThan(20)
})

test('when no named hook exists, the run stops with that error before writing anything', async () => {
  const token = orgToken(api)
  api.createOrgHook('acme')
  api.setVariable('acme/workflows', 'BOOKMARK', '1700000000000')
  const inputs = { 'target-type': 'org', org: 'acme', token, 'hook-id': '999001,999002', 'state-variable': 'BOOKMARK', 'state-repository': 'acme/workflows' }

  await expect(redeliverFailedDeliveries(config(inputs), quiet)).rejects.toThrow(
    'Input "hook-id": acme has no webhooks 999001, 999002 (deleted, or the credential cannot see them). Remove them from "hook-id", or check the credential\'s access.'
  )
  expect(api.getVariable('acme/workflows', 'BOOKMARK')?.value).toBe('1700000000000')
  expect(api.log.filter(e => e.method !== 'GET')).toEqual([])
})

test('when every named hook exists, the hooks are never listed', async () => {
  const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
  const hook = api.createOrgHook('acme')
  addFailure(api, hook, HOUR)

  const result = await redeliverFailedDeliveries(config({ 'target-type': 'org', org: 'acme', token, 'hook-id': String(hook.id) }), quiet)

  expect(result.failures).toEqual([])
  expect(api.log.filter(e => e.route === '/orgs/acme/hooks')).toEqual([])
})

test('a credential that cannot read the hooks still gets the permission explained, and the run stops', async () => {
  const token = api.createToken({ grants: [{ org: 'other', hooks: 'write' }] })
  const hook = api.createOrgHook('acme')

  await expect(redeliverFailedDeliveries(config({ 'target-type': 'org', org: 'acme', token, 'hook-id': String(hook.id) }), quiet)).rejects.toThrow(
    /^Input "hook-id": GitHub has no webhook \d+ here, or the credential cannot see it \(404 while listing the deliveries of acme hook \d+\)\./
  )
})

test('a hook whose payload URL is not a URL is labelled "(invalid URL)", not "((invalid URL))"', async () => {
  const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
  const hook = api.createOrgHook('acme', { url: 'not a url' })
  const result = await redeliverFailedDeliveries(config({ 'target-type': 'org', org: 'acme', token }), quiet)
  expect(result.hooks.map(h => h.hook.label)).toEqual([`acme hook ${hook.id} (invalid URL)`])
})

test('payload URLs that match no hook, among ones that do: the matched hooks are processed, every unmatched URL is named', async () => {
  const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
  const hook = api.createOrgHook('acme', { url: 'https://ci.example.com/hook' })
  const failing = addFailure(api, hook, HOUR)
  const inputs = { 'target-type': 'org', org: 'acme', token, 'hook-id': 'https://ci.example.com/hook, https://gone.example.com/x?secret=1, https://old.example.com/y' }

  const result = await redeliverFailedDeliveries(config(inputs), quiet)

  expect(redeliveryCounts(api).get(failing)).toBe(1)
  expect(result.failures).toEqual([
    'Input "hook-id": no webhook of acme has the payload URLs https://gone.example.com, https://old.example.com; the other hooks were processed. Use the hook\'s ID, or its exact payload URL.'
  ])
})
