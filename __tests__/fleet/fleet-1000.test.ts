/**
 * The bookmark of a fleet scales with what is open, not with the fleet (issue 12): 1,000
 * repositories with one hook each fit an Actions variable with in-flight redeliveries, and
 * their quiet bookmark stays under 16 KB. In process, against the local API. What an idle run
 * of a fleet reads and writes does not depend on its size: fleet.test checks it exactly on 150
 * repositories. No test runs an idle run of 1,000: `npm run bench` does (scenario 7, its own
 * 1,000-repository fleet, with the reads as upper bounds).
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals'
import { seedFleet, startLocalApi, type Fleet, type LocalApi } from '../../local-api/index.js'
import { MAX_STATE_CHARS, parseBookmark } from '../../src/core/bookmark/format.js'
import { runInProcess } from '../support/in-process.js'
import { MINUTE, orgToken, redeliveryCounts, settle, sorted } from '../support/world.js'

let api: LocalApi
let fleet: Fleet
let inputs: Record<string, string>

beforeAll(async () => {
  // One run of this fleet reads about 2,000 times: every 15 minutes, that is more than a PAT's 5,000
  // an hour (see the API budget in docs/fleets.md), as much as an installation on GitHub Enterprise Cloud.
  api = await startLocalApi({ seed: 5, primaryLimit: 15_000 })
  fleet = seedFleet(api, { owner: 'acme', repositories: 1000, failingHooks: 0.02 })
  const token = orgToken(api)
  inputs = { 'target-type': 'repo', repository: 'acme/*', token, 'state-variable': 'FLEET_STATE' }
})
afterAll(async () => {
  await api.close()
})

const state = (): string => api.getVariable('acme/workflows', 'FLEET_STATE')!.value

test('1,000 hooks: redeliveries in flight fit the variable; once listed, the quiet bookmark is under 16 KB', async () => {
  const failing = fleet.hooks.flatMap(h => h.failingGuids)
  expect(failing).toHaveLength(20)

  const first = await runInProcess(api, inputs)
  expect(first.error).toBeUndefined()
  expect(first.result!.hooks).toHaveLength(1000)
  expect(first.result!.totals.redelivered).toBe(20)
  const withInFlight = state()
  expect(withInFlight.length).toBeLessThan(MAX_STATE_CHARS)
  expect(parseBookmark(withInFlight).bookmark.hooks.size).toBe(1000)

  await settle()
  api.advanceClock(15 * MINUTE)
  const second = await runInProcess(api, inputs)
  expect(second.error).toBeUndefined()
  expect(second.result!.totals.failed).toBe(0)
  const quiet = state()
  expect(quiet.length).toBeLessThan(16 * 1024)
  expect(parseBookmark(quiet).bookmark.hooks.size).toBe(1000)
  expect(sorted(redeliveryCounts(api).keys())).toEqual(sorted(failing))
})
