/**
 * A receiver that answers is up (issue: "a receiver that answers is up"). Quiet hooks, with
 * no fresh traffic to show their receiver up, whose receivers refuse a few payloads: each
 * payload gets 1..max-attempts redeliveries spread by the backoff, and no run calls the
 * receiver down. Organization and repository hooks are asked with a ping; the app's hook,
 * which has no ping, with one probe that does not starve or hammer. Runs every 15 minutes
 * on the local API's clock, in process, with default inputs.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { startLocalApi, type HookRef, type LocalApi } from '../../local-api/index.js'
import type { RawInputs } from '../../src/core/config.js'
import { backoffMs } from '../../src/core/receiver.js'
import { runInProcess } from '../support/in-process.js'
import { Schedule } from '../support/schedule.js'
import { guid, HOUR, MINUTE } from '../support/world.js'

let api: LocalApi

beforeEach(async () => {
  api = await startLocalApi({ seed: 17 })
})
afterEach(async () => {
  await api.close()
})

const VARIABLES = { repo: 'acme/workflows', variables: 'write' } as const

function orgWorld(): { hook: HookRef; inputs: RawInputs } {
  const hook = api.createOrgHook('acme')
  const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }, VARIABLES] })
  return { hook, inputs: { 'target-type': 'org', org: 'acme', token, 'state-variable': 'WEBHOOK_BOOKMARK' } }
}

function repoWorld(): { hook: HookRef; inputs: RawInputs } {
  const hook = api.createRepoHook('acme/api')
  const token = api.createToken({ grants: [{ repo: 'acme/api', hooks: 'write' }, VARIABLES] })
  return { hook, inputs: { 'target-type': 'repo', repository: 'acme/api', token, 'state-variable': 'WEBHOOK_BOOKMARK' } }
}

function appWorld(): { hook: HookRef; inputs: RawInputs } {
  const app = api.createApp()
  const token = api.createToken({ grants: [VARIABLES] })
  return { hook: app.hook, inputs: { 'target-type': 'app', 'app-id': String(app.id), 'private-key': app.privateKeyPem, token, 'state-variable': 'WEBHOOK_BOOKMARK' } }
}

/** Three old deliveries the (healthy) receiver refuses, each with its own status: 400, 404, 422. */
function refusedPayloads(hook: HookRef): Map<string, number> {
  const refused = new Map<string, number>()
  ;[400, 404, 422].forEach((status, i) => {
    const g = guid(`refused-${status}`)
    api.addDelivery(hook, { guid: g, event: 'push', deliveredAt: api.now() - (3 - i) * HOUR, ok: false, statusCode: status, status: `Invalid HTTP Response: ${status}` })
    refused.set(g, status)
  })
  return refused
}

describe.each([
  ['an organization hook', orgWorld, 'ping'],
  ['a repository hook', repoWorld, 'ping'],
  ["the GitHub App's hook", appWorld, 'probe']
] as const)('%s, quiet, whose receiver is up and refuses three payloads', (_name, world, check) => {
  test('6 hours of 15-minute runs: each payload 1..max-attempts redeliveries, spread by the backoff; never reported down', async () => {
    const { hook, inputs } = world()
    const refused = refusedPayloads(hook)
    // No traffic at all: only the refused payloads, and what this tool sends.
    const schedule = new Schedule({ api, hook, inputs, every: 15 * MINUTE, perMinute: 0, up: (_t, g) => refused.get(g) ?? true })
    await schedule.runFor(6 * HOUR)

    expect(schedule.runs).toHaveLength(24)
    expect(schedule.runs.filter(r => r.error)).toEqual([])
    for (const run of schedule.runs) expect(run.result!.totals.receiversDown).toBe(0)
    const sends = api.redeliveryRequests(hook).filter(r => r.accepted)
    for (const g of refused.keys()) {
      const times = sends.filter(r => r.guid === g).map(r => r.at)
      expect(times.length).toBeGreaterThanOrEqual(1)
      expect(times.length).toBeLessThanOrEqual(3)
      for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(backoffMs(i))
    }
    // Each refusal is charged: the report's attempts grow, and the one given up says max-attempts.
    const rows = schedule.runs.flatMap(r => r.result!.rows)
    for (const g of refused.keys()) {
      const charged = rows.filter(r => r.guid === g && r.result === 'redelivered').map(r => r.attempts)
      expect(charged).toEqual(charged.map((_, i) => i + 1))
      // Given up once it reached max-attempts, and reported once.
      if (charged.length === 3) expect(rows.filter(r => r.guid === g && r.reason === 'max-attempts').map(r => r.attempts)).toEqual([3])
    }
    if (check === 'ping') {
      // Asked with pings, never with a delivery; at most one ping per hook per run, never redelivered, never failing.
      expect(schedule.runs.every(r => r.pings <= 1)).toBe(true)
      expect(schedule.runs.some(r => r.pings === 1)).toBe(true)
      const pingGuids = new Set(api.pingRequests(hook).map(p => p.guid))
      expect(sends.filter(r => pingGuids.has(r.guid))).toEqual([])
      expect(rows.filter(r => r.event === 'ping')).toEqual([])
      const checked = schedule.runs.flatMap(r => r.result!.hooks.map(h => h.receiverCheck)).filter(c => c !== undefined)
      expect(checked.length).toBeGreaterThan(0)
      expect(checked.every(c => c!.check === 'ping' && c!.verdict === 'up')).toBe(true)
    } else {
      expect(api.pingRequests()).toEqual([])
    }
  })
})

describe("the GitHub App's hook, quiet, GitHub listing its attempts 20 minutes late", () => {
  test('a probe the receiver refused is charged once its answer is listed: no payload is the probe run after run, none exceeds max-attempts', async () => {
    const { hook, inputs } = appWorld()
    const refused = refusedPayloads(hook)
    api.setListingDelay(20 * MINUTE)
    const schedule = new Schedule({ api, hook, inputs, every: 15 * MINUTE, perMinute: 0, up: (_t, g) => refused.get(g) ?? true })
    await schedule.runFor(6 * HOUR)
    expect(schedule.runs.filter(r => r.error)).toEqual([])
    for (const run of schedule.runs) expect(run.result!.totals.receiversDown).toBe(0)
    const counts = schedule.redeliveries()
    for (const g of refused.keys()) {
      expect(counts.get(g) ?? 0).toBeGreaterThanOrEqual(1)
      expect(counts.get(g) ?? 0).toBeLessThanOrEqual(3)
    }
  })
})

describe('the seeded delivery a healthy receiver rejects every time', () => {
  test('charged at every redelivery, given up at max-attempts, however close together the runs', async () => {
    const { hook, inputs } = orgWorld()
    const g = guid('rejected')
    api.addDelivery(hook, { guid: g, event: 'issues', action: 'opened', deliveredAt: api.now() - HOUR, ok: false, statusCode: 422, status: 'Invalid HTTP Response: 422' })
    api.setReceiver(hook, { type: 'failing', guids: new Set([g]), status: 422 })
    const attempts: number[] = []
    for (let i = 0; i < 40; i++) {
      const run = await runInProcess(api, inputs)
      expect(run.error).toBeUndefined()
      const row = run.result!.rows.find(r => r.guid === g)
      if (row) attempts.push(row.attempts)
      // Back to back, then an hour apart: the backoff spaces them, not the schedule.
      api.advanceClock(i < 10 ? MINUTE : HOUR)
    }
    expect(api.redeliveryRequests(hook).filter(r => r.accepted && r.guid === g)).toHaveLength(3)
    expect(Math.max(...attempts)).toBe(3)
  })
})

describe('70 quiet organization hooks whose receivers refuse a couple of payloads each', () => {
  test('max-attempts 2: every payload tried, none more than twice, no receiver reported down', async () => {
    const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }, VARIABLES] })
    const inputs = { 'target-type': 'org', org: 'acme', token, 'state-variable': 'WEBHOOK_BOOKMARK', 'max-attempts': '2' }
    const refused: string[] = []
    for (let h = 0; h < 70; h++) {
      const hook = api.createOrgHook('acme')
      const mine = new Set<string>()
      for (let i = 0; i < 2 + (h % 2); i++) {
        const g = guid(`h${h}-p${i}`)
        api.addDelivery(hook, { guid: g, event: 'push', deliveredAt: api.now() - (i + 1) * 40 * MINUTE - h * 1000, ok: false, statusCode: 400, status: 'Invalid HTTP Response: 400' })
        mine.add(g)
        refused.push(g)
      }
      api.setReceiver(hook, { type: 'failing', guids: mine })
    }
    expect(refused.length).toBeGreaterThanOrEqual(140)
    for (let run = 0; run < 6; run++) {
      const result = await runInProcess(api, inputs)
      expect(result.error).toBeUndefined()
      expect(result.result!.totals.receiversDown).toBe(0)
      api.advanceClock(HOUR)
    }
    const counts = new Map<string, number>()
    for (const r of api.redeliveryRequests()) if (r.accepted) counts.set(r.guid, (counts.get(r.guid) ?? 0) + 1)
    expect(refused.filter(g => !counts.has(g))).toEqual([])
    expect([...counts.values()].filter(n => n > 2)).toEqual([])
    // One ping per hook per run at most.
    const perRun = new Map<string, number>()
    for (const p of api.pingRequests()) perRun.set(`${JSON.stringify(p.hook)}@${Math.floor(p.at / HOUR)}`, (perRun.get(`${JSON.stringify(p.hook)}@${Math.floor(p.at / HOUR)}`) ?? 0) + 1)
    expect([...perRun.values()].filter(n => n > 1)).toEqual([])
  })
})

describe('a receiver that is down: it cannot be reached, by pings either', () => {
  test('pinged once per run, reported down, nothing redelivered, nothing charged; everything sent once it is back', async () => {
    const { hook, inputs } = orgWorld()
    const t0 = api.now()
    const back = t0 + 2 * HOUR
    const failing = [1, 2, 3].map(i => {
      const g = guid(`down-${i}`)
      api.addDelivery(hook, { guid: g, event: 'push', deliveredAt: t0 - i * 20 * MINUTE, ok: false, statusCode: 0, status: 'timed out' })
      return g
    })
    const schedule = new Schedule({ api, hook, inputs, every: 15 * MINUTE, perMinute: 0, up: t => t >= back })
    await schedule.runFor(2 * HOUR - MINUTE)
    const whileDown = schedule.runs.filter(r => r.at < back)
    expect(whileDown.length).toBeGreaterThanOrEqual(7)
    for (const run of whileDown) {
      expect(run.pings).toBe(1)
      expect(run.accepted).toBe(0)
      expect(run.result!.totals.receiversDown).toBe(1)
      expect(run.result!.hooks[0].receiverCheck).toMatchObject({ check: 'ping', verdict: 'down' })
      expect(run.result!.rows.map(r => [r.reason, r.attempts])).toEqual(failing.map(() => ['receiver-down', 0]))
    }
    await schedule.runFor(30 * MINUTE)
    const counts = schedule.redeliveries()
    expect(failing.map(g => counts.get(g))).toEqual([1, 1, 1])
    expect(schedule.runs.at(-1)!.result!.totals.receiversDown).toBe(0)
  })

  test('a ping whose answer is not listed by the end of the wait: not known to be up, and every output says so alike', async () => {
    const { hook, inputs } = orgWorld()
    api.setListingDelay(20 * MINUTE)
    const g = guid('waiting')
    api.addDelivery(hook, { guid: g, event: 'push', deliveredAt: api.now() - 30 * MINUTE, ok: false, statusCode: 0, status: 'timed out' })
    const run = await runInProcess(api, inputs)
    expect(run.error).toBeUndefined()
    const result = run.result!
    expect(result.totals.receiversDown).toBe(0)
    expect(result.hooks[0].receiverDown).toMatchObject({ verdict: 'unknown', waiting: 1 })
    expect(result.hooks[0].receiverCheck).toMatchObject({ check: 'ping', verdict: 'unknown' })
    expect(result.rows).toEqual([expect.objectContaining({ guid: g, reason: 'receiver-unknown', attempts: 0 })])
    expect(run.log.join('\n')).not.toMatch(/receiver down/)
    expect(run.log.join('\n')).toMatch(/not known to be up/)
  })

  test('a dry run never pings', async () => {
    const { hook, inputs } = orgWorld()
    api.addDelivery(hook, { guid: guid('dry'), event: 'push', deliveredAt: api.now() - 30 * MINUTE, ok: false, statusCode: 0, status: 'timed out' })
    const run = await runInProcess(api, { ...inputs, 'dry-run': 'true' })
    expect(run.result!.totals).toMatchObject({ failed: 1, skipped: 1, redelivered: 0 })
    expect(api.pingRequests()).toEqual([])
    expect(api.redeliveryRequests()).toEqual([])
  })
})
