/**
 * A window holding more deliveries than the request budget can list (issue #19), scaled down:
 * a token with 150 requests an hour and 12,000 deliveries in the lookback (120 pages), 20 of
 * them failing, the action run hourly with default inputs and a state variable, on the local
 * API with GitHub's primary rate limit. `npm run bench` runs the full size (5,000/h, 600,000).
 */
import { afterEach, beforeEach, expect, test } from '@jest/globals'
import { seedDeliveries, startLocalApi, type LocalApi, type OrgHookRef } from '../../local-api/index.js'
import { runActionInProcess } from '../support/in-process.js'
import { HOUR, MINUTE, orgToken, redeliveryCounts, settle } from '../support/world.js'

const LIMIT = 150
const PER_HOUR = 500

let api: LocalApi
beforeEach(async () => {
  api = await startLocalApi({ seed: 41, primaryLimit: LIMIT })
})
afterEach(async () => {
  await api.close()
})

/** A day of traffic (the default lookback) ending now, `failing` of it failed; returns the failing guids. */
function busyDay(hook: OrgHookRef, failing: number): string[] {
  const total = 24 * PER_HOUR
  seedDeliveries(api, hook, { count: total, endAt: api.now() - 1000, spanMs: 24 * HOUR - 10 * MINUTE, failRate: 0, seed: 401 })
  const guids: string[] = []
  // Spread over the day, the newest a few hours old: the receiver is up (the newest deliveries succeeded).
  for (let i = 0; i < failing; i++) {
    const at = api.now() - 3 * HOUR - Math.floor((i * 20 * HOUR) / failing)
    guids.push(api.addDelivery(hook, { event: 'push', deliveredAt: at, ok: false, status: 'Invalid HTTP Response: 503', statusCode: 503, durationMs: 300 }).guid)
  }
  return guids
}

/** An hour later: GitHub's hourly limit has reset, and an hour of new (successful) traffic arrived. */
async function anHourLater(hook: OrgHookRef, seed: number): Promise<void> {
  await settle()
  api.advanceClock(HOUR)
  seedDeliveries(api, hook, { count: PER_HOUR, endAt: api.now() - 1000, spanMs: HOUR - MINUTE, failRate: 0, seed })
}

test('hourly runs over a window larger than the budget: every failure redelivered once within three runs, each run within the budget, saying how much it covered', async () => {
  const hook = api.createOrgHook('acme')
  const token = orgToken(api)
  const failing = busyDay(hook, 20)
  const inputs = { 'target-type': 'org', org: 'acme', token, 'hook-id': String(hook.id), 'state-variable': 'BOOKMARK' }

  const perRun: number[] = []
  for (let run = 1; run <= 3; run++) {
    if (run > 1) await anHourLater(hook, 410 + run)
    const before = api.redeliveryRequests(hook).length
    api.clearLog()
    const result = await runActionInProcess({ apiUrl: api.url, inputs })
    expect(result.commands.errors).toEqual([])
    expect(result.exitCode).toBe(0)
    perRun.push(api.redeliveryRequests(hook).length - before)
    // Within the budget, leaving the other jobs their share: GitHub never had to refuse a request.
    expect(api.stats().primary).toBe(0)
    expect(api.log.length).toBeLessThanOrEqual(LIMIT * 0.8)
    if (run === 1) expect(result.summary).toMatch(/covered \d+% of it/)
  }
  // The first run redelivers what it found in the part it could list; the rest follow.
  expect(perRun[0]).toBeGreaterThan(0)
  const counts = redeliveryCounts(api, hook)
  expect(failing.filter(g => counts.get(g) !== 1)).toEqual([])
  expect(counts.size).toBe(20)
  expect(api.stats().secondary.total).toBe(0)
})

test('a fleet of hooks that together need more than the budget: the hooks a run could not reach are reached first by the next', async () => {
  await api.close()
  // 100 requests an hour: each of the 40 quiet hooks needs a listing, a ping and a look for its answer, and a redelivery.
  api = await startLocalApi({ seed: 43, primaryLimit: 100 })
  const hooks = Array.from({ length: 40 }, () => api.createOrgHook('acme'))
  const token = orgToken(api)
  const failing = hooks.map((hook, i) => {
    seedDeliveries(api, hook, { count: 10, endAt: api.now() - 1000, spanMs: 20 * HOUR, failRate: 0, seed: 500 + i })
    return api.addDelivery(hook, { event: 'push', deliveredAt: api.now() - 2 * HOUR, ok: false, status: 'Invalid HTTP Response: 503', statusCode: 503, durationMs: 300 }).guid
  })
  const inputs = { 'target-type': 'org', org: 'acme', token, 'state-variable': 'BOOKMARK' }
  const reached: number[] = []
  for (let run = 1; run <= 3; run++) {
    if (run > 1) {
      await settle()
      api.advanceClock(HOUR)
    }
    api.clearLog()
    const result = await runActionInProcess({ apiUrl: api.url, inputs })
    expect(result.commands.errors).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(api.stats().primary).toBe(0)
    reached.push(new Set(api.log.filter(e => e.route.endsWith('/deliveries')).map(e => e.path)).size)
    if (run === 1) expect(result.commands.warnings).toContainEqual(expect.stringMatching(/The request budget was spent before \d+ hooks of 40 could be reached/))
  }
  expect(reached[0]).toBeLessThan(40)
  const counts = redeliveryCounts(api)
  expect(failing.filter(g => counts.get(g) !== 1)).toEqual([])
})

test('GitHub no longer takes the position where the last run stopped: a warning, and the next run lists the hook from its newest delivery, losing nothing', async () => {
  const hook = api.createOrgHook('acme')
  const token = orgToken(api)
  seedDeliveries(api, hook, { count: 300, endAt: api.now() - 1000, spanMs: 20 * HOUR, failRate: 0, seed: 431 })
  // Below where the last run stopped: only a listing that gets there finds it.
  const older = api.addDelivery(hook, { event: 'push', deliveredAt: api.now() - 15 * HOUR, ok: false, status: 'Invalid HTTP Response: 503', statusCode: 503, durationMs: 300 }).guid
  const at = (ago: number): string => new Date(api.now() - ago).toISOString()
  const entry = { floor: at(24 * HOUR), seen: at(2 * HOUR), resume: { cursor: 'no-longer-valid', at: at(10 * HOUR), settled: [], failing: [] } }
  api.setVariable('acme/workflows', 'BOOKMARK', JSON.stringify({ version: 1, hooks: { [String(hook.id)]: entry } }))
  const inputs = { 'target-type': 'org', org: 'acme', token, 'hook-id': String(hook.id), 'state-variable': 'BOOKMARK' }

  const first = await runActionInProcess({ apiUrl: api.url, inputs })
  expect(first.exitCode).toBe(0)
  expect(first.commands.warnings).toContainEqual(expect.stringContaining('GitHub did not continue the listing where the last run stopped'))
  expect(api.getVariable('acme/workflows', 'BOOKMARK')?.value).not.toContain('no-longer-valid')

  await settle()
  api.advanceClock(10 * MINUTE)
  const second = await runActionInProcess({ apiUrl: api.url, inputs })
  expect(second.exitCode).toBe(0)
  expect(redeliveryCounts(api, hook).get(older)).toBe(1)
})
