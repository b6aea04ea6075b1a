/**
 * Nothing lost to a long outage (issue: "redeliver when the receiver is back"). The action
 * runs on a schedule against the local GitHub API, in process, on a simulated clock: hours
 * of traffic, outages and runs take milliseconds, with default inputs throughout.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { startLocalApi, type LocalApi, type OrgHookRef } from '../../local-api/index.js'
import { backoffMs } from '../../src/core/receiver.js'
import { runInProcess } from '../support/in-process.js'
import { Schedule } from '../support/schedule.js'
import { DAY, HOUR, MINUTE, orgToken } from '../support/world.js'

let api: LocalApi
let hook: OrgHookRef
let inputs: Record<string, string>

beforeEach(async () => {
  api = await startLocalApi({ seed: 11 })
  hook = api.createOrgHook('acme')
  const token = orgToken(api)
  inputs = { 'target-type': 'org', org: 'acme', token, 'state-variable': 'WEBHOOK_BOOKMARK' }
})
afterEach(async () => {
  await api.close()
})

/** A healthy receiver that refuses the first delivery it is sent, every time (400): `poison()` names it. */
function refusingFirst(): { up: (t: number, guid: string) => true | 400; poison: () => string | undefined } {
  let poison: string | undefined
  return {
    up: (_t, guid) => {
      poison ??= guid
      return guid !== poison || 400
    },
    poison: () => poison
  }
}

/** A receiver that is down in the given server-time intervals. */
function downDuring(...intervals: Array<[number, number]>): (t: number) => boolean {
  return t => !intervals.some(([from, to]) => t >= from && t < to)
}

async function outageScenario(opts: { every: number; perMinute: number; before: number; outage: number; after: number }) {
  // The outage begins and ends between two runs.
  const start = api.now() + opts.every / 3
  const down: [number, number] = [start + opts.before, start + opts.before + opts.outage]
  const schedule = new Schedule({ api, hook, inputs, every: opts.every, perMinute: opts.perMinute, up: downDuring(down) })
  await schedule.runFor(opts.before + opts.outage)
  // The first run after the receiver is back.
  schedule.pass(opts.every)
  const recovery = await schedule.run()
  expect(recovery.at).toBeGreaterThan(down[1])
  expect(schedule.runs.at(-2)!.at).toBeLessThan(down[1])
  api.advanceClock(1000)
  const missedByFirstRun = schedule.lost(down[1])
  await schedule.runFor(opts.after)
  api.advanceClock(1000)
  return { schedule, down, recovery, missedByFirstRun }
}

describe('an outage of the receiver', () => {
  test('two hours on a 15-minute schedule: every failed delivery is recovered by the first run after, at most one redelivery per run while down', async () => {
    const { schedule, down, recovery, missedByFirstRun } = await outageScenario({ every: 15 * MINUTE, perMinute: 1, before: HOUR, outage: 2 * HOUR, after: HOUR })
    const failedDuring = [...schedule.originals.values()].filter(o => o.failed).length
    expect(failedDuring).toBeGreaterThanOrEqual(105)
    expect(missedByFirstRun).toEqual([])
    expect(recovery.result!.totals.redelivered).toBeGreaterThanOrEqual(failedDuring - 8)
    expect(schedule.lost()).toEqual([])
    expect(schedule.duplicates()).toEqual([])
    const whileDown = schedule.runs.filter(r => r.at >= down[0] && r.at < down[1])
    expect(whileDown.length).toBe(8)
    for (const run of whileDown) {
      expect(run.intoDown).toBeLessThanOrEqual(1)
      expect(run.result!.totals.receiversDown).toBe(1)
      expect(run.result!.hooks[0].receiverDown?.since).toBeLessThanOrEqual(down[0] + MINUTE)
    }
    // GitHub's documented script sends every failure at every run; this spends at most one per run.
    expect(schedule.runs.reduce((n, r) => n + r.intoDown, 0)).toBeLessThanOrEqual(whileDown.length)
    expect(schedule.documentedScriptIntoDown(whileDown.map(r => r.at))).toBeGreaterThan(400)
    for (const run of schedule.runs) expect(run.result!.totals.givenUp).toBe(0)
    expect(schedule.runs.every(r => !r.error)).toBe(true)
  })

  test('two days on an hourly schedule: nothing lost, nothing given up, one probe per run while down', async () => {
    const { schedule, down, missedByFirstRun } = await outageScenario({ every: HOUR, perMinute: 0.1, before: 2 * HOUR, outage: 2 * DAY, after: 3 * HOUR })
    expect([...schedule.originals.values()].filter(o => o.failed).length).toBeGreaterThanOrEqual(280)
    expect(missedByFirstRun).toEqual([])
    expect(schedule.lost()).toEqual([])
    expect(schedule.duplicates()).toEqual([])
    const whileDown = schedule.runs.filter(r => r.at >= down[0] && r.at < down[1])
    expect(whileDown.length).toBeGreaterThanOrEqual(47)
    for (const run of whileDown) expect(run.intoDown).toBeLessThanOrEqual(1)
    for (const run of schedule.runs) expect(run.result!.totals.givenUp).toBe(0)
  })

  test('more failures than max-redeliveries: the runs after the first drain the rest, oldest first, none dropped', async () => {
    inputs['max-redeliveries'] = '40'
    const { schedule, recovery } = await outageScenario({ every: 15 * MINUTE, perMinute: 1, before: 30 * MINUTE, outage: 2 * HOUR, after: 2 * HOUR })
    expect(recovery.result!.totals.redelivered).toBe(40)
    const budgetSkips = recovery.result!.rows.filter(r => r.reason === 'budget')
    const sent = recovery.result!.rows.filter(r => r.result === 'redelivered')
    expect(Math.max(...sent.map(r => Date.parse(r.firstDeliveredAt)))).toBeLessThanOrEqual(Math.min(...budgetSkips.map(r => Date.parse(r.firstDeliveredAt))))
    expect(schedule.lost()).toEqual([])
    expect(schedule.duplicates()).toEqual([])
  })

  test('a flapping receiver, down and up several times: nothing lost, nothing twice', async () => {
    const t0 = api.now()
    const outages: Array<[number, number]> = [
      [t0 + 20 * MINUTE, t0 + 70 * MINUTE],
      [t0 + 100 * MINUTE, t0 + 130 * MINUTE],
      [t0 + 150 * MINUTE, t0 + 230 * MINUTE],
      [t0 + 250 * MINUTE, t0 + 262 * MINUTE]
    ]
    const schedule = new Schedule({ api, hook, inputs, every: 15 * MINUTE, perMinute: 1, up: downDuring(...outages) })
    await schedule.runFor(7 * HOUR)
    api.advanceClock(1000)
    expect(schedule.lost()).toEqual([])
    expect(schedule.duplicates()).toEqual([])
    for (const run of schedule.runs) {
      expect(run.intoDown).toBeLessThanOrEqual(1)
      expect(run.result!.totals.givenUp).toBe(0)
    }
  })
})

describe('a delivery a healthy receiver keeps refusing', () => {
  test('gets exactly max-attempts redeliveries, spread by the backoff, then is given up and reported once', async () => {
    const receiver = refusingFirst()
    const schedule = new Schedule({ api, hook, inputs, every: 15 * MINUTE, perMinute: 1, up: receiver.up })
    await schedule.runFor(12 * HOUR)
    const poison = receiver.poison()
    const sends = api.redeliveryRequests(hook).filter(r => r.accepted && r.guid === poison)
    expect(sends).toHaveLength(3)
    expect(sends[1].at - sends[0].at).toBeGreaterThanOrEqual(backoffMs(1))
    expect(sends[2].at - sends[1].at).toBeGreaterThanOrEqual(backoffMs(2))
    const givenUp = schedule.runs.filter(r => r.result!.totals.givenUp > 0)
    expect(givenUp).toHaveLength(1)
    expect(givenUp[0].result!.rows.find(r => r.guid === poison)).toMatchObject({ result: 'skipped', reason: 'max-attempts', attempts: 3 })
    // The others were never failing: nothing else was redelivered.
    expect(api.redeliveryRequests(hook).filter(r => r.guid !== poison)).toEqual([])
    for (const run of schedule.runs) expect(run.result!.totals.receiversDown).toBe(0)
  })
})

describe('in-flight accounting', () => {
  test('GitHub lists redeliveries 20 minutes late: runs 15 minutes apart send none twice', async () => {
    api.setListingDelay(20 * MINUTE)
    const t0 = api.now()
    const schedule = new Schedule({ api, hook, inputs, every: 15 * MINUTE, perMinute: 1, up: downDuring([t0, t0 + 10 * MINUTE]) })
    await schedule.runFor(2 * HOUR)
    api.advanceClock(30 * MINUTE)
    const counts = schedule.redeliveries()
    expect(counts.size).toBeGreaterThanOrEqual(9)
    expect([...counts.values()].filter(n => n > 1)).toEqual([])
    expect(schedule.lost()).toEqual([])
  })

  test('a quiet hook whose probes GitHub lists 5 minutes late: once the receiver is back, the next run sends everything, with no false alarm', async () => {
    api.setListingDelay(5 * MINUTE)
    const t0 = api.now()
    const down: [number, number] = [t0, t0 + 2 * HOUR]
    // A delivery every 20 minutes: never a fresh success at run time.
    const schedule = new Schedule({ api, hook, inputs, every: 15 * MINUTE, perMinute: 0.05, up: downDuring(down) })
    await schedule.runFor(5 * HOUR)
    api.advanceClock(10 * MINUTE)
    expect(schedule.lost()).toEqual([])
    expect(schedule.duplicates()).toEqual([])
    const after = schedule.runs.filter(r => r.at >= down[1] + 30 * MINUTE)
    for (const run of after) expect(run.result!.totals.receiversDown).toBe(0)
    // Recovery took at most two runs after the first one back (its probe's answer is listed late).
    const back = schedule.runs.filter(r => r.at >= down[1])
    expect(back.slice(2).every(r => r.result!.totals.failed === 0)).toBe(true)
  })

  test('a run cancelled while it waits for the answer to its probe, GitHub listing late: the next run sends nothing twice', async () => {
    api.setListingDelay(20 * MINUTE)
    const schedule = new Schedule({ api, hook, inputs, every: 15 * MINUTE, perMinute: 0, up: () => true })
    const t = api.now()
    for (const ago of [40, 30, 20]) api.addDelivery(hook, { guid: `aaaaaaaa-0000-4000-8000-0000000000${ago}`, event: 'push', deliveredAt: t - ago * MINUTE, ok: false, statusCode: 503 })
    // No fresh success: the run pings the hook (no delivery is spent asking), and is cancelled while it waits for the answer.
    const cancelled = await schedule.run({ sleep: () => Promise.reject(new Error('The operation was canceled.')) })
    expect(cancelled.error).toMatch(/canceled/)
    expect([cancelled.pings, cancelled.accepted]).toEqual([1, 0])
    for (let i = 0; i < 8; i++) {
      schedule.pass(15 * MINUTE)
      await schedule.run()
    }
    api.advanceClock(30 * MINUTE)
    expect([...schedule.redeliveries().values()]).toEqual([1, 1, 1])
    expect(schedule.duplicates()).toEqual([])
  })

  test('a delivery refused until GitHub can no longer redeliver it is given up as outside-window and reported, never dropped silently', async () => {
    inputs['max-attempts'] = '50'
    const receiver = refusingFirst()
    const schedule = new Schedule({ api, hook, inputs, every: 2 * HOUR, perMinute: 0.05, up: receiver.up })
    await schedule.runFor(4 * DAY)
    const poison = receiver.poison()
    const rows = schedule.runs.flatMap(r => r.result!.rows.filter(row => row.guid === poison))
    const givenUp = rows.filter(r => r.reason === 'outside-window')
    expect(givenUp).toHaveLength(1)
    expect(schedule.runs.reduce((n, r) => n + r.result!.totals.givenUp, 0)).toBe(1)
  })

  test('a run cancelled while it waits for its probe, then the next scheduled run: nothing lost, nothing twice', async () => {
    const t0 = api.now()
    const schedule = new Schedule({ api, hook, inputs, every: 15 * MINUTE, perMinute: 1, up: downDuring([t0, t0 + 70 * MINUTE]) })
    await schedule.runFor(45 * MINUTE)
    schedule.pass(15 * MINUTE)
    const cancelled = await schedule.run({
      sleep: () => Promise.reject(new Error('The operation was canceled.'))
    })
    expect(cancelled.error).toMatch(/canceled/)
    expect([cancelled.pings, cancelled.accepted]).toEqual([1, 0])
    await schedule.runFor(HOUR)
    api.advanceClock(1000)
    expect(schedule.lost()).toEqual([])
    expect(schedule.duplicates()).toEqual([])
  })

  test('first run with a token that can list but not redeliver: nothing is left in flight, the corrected rerun redelivers at once', async () => {
    const readOnly = api.createToken({
      grants: [
        { org: 'acme', hooks: 'read' },
        { repo: 'acme/workflows', variables: 'write' }
      ]
    })
    const t = api.now()
    api.addDelivery(hook, { guid: 'aaaaaaaa-0000-0000-0000-000000000001', event: 'push', deliveredAt: t - 10 * MINUTE, ok: false, statusCode: 503 })
    api.addDelivery(hook, { guid: 'aaaaaaaa-0000-0000-0000-000000000002', event: 'push', deliveredAt: t - 5 * MINUTE, ok: true })
    const refused = await runInProcess(api, { ...inputs, token: readOnly })
    expect(refused.error).toMatch(/Webhooks/)
    const value = api.getVariable('acme/workflows', 'WEBHOOK_BOOKMARK')?.value
    if (value !== undefined) expect(value).not.toMatch(/pending|sent/)
    const rerun = await runInProcess(api, inputs)
    expect(rerun.result!.totals).toMatchObject({ failed: 1, redelivered: 1 })
  })
})
