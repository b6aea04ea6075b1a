/**
 * Nothing lost, nothing twice: each condition of the "Behaviour" contract, shown against the
 * local GitHub API's fault modes with the action's own run() in this process (the sources, so a
 * broken rule fails here before dist/ is rebuilt). A run killed mid-way is a process: that
 * case runs the bundle, on the runtime action.yml declares.
 */
import { afterEach, describe, expect, test } from '@jest/globals'
import { startLocalApi, type LocalApi, type LocalApiOptions, type OrgHookRef } from '../../local-api/index.js'
import { runActionInProcess } from '../support/in-process.js'
import { runAction, shippedRuntime, type ActionRunOptions } from '../support/runner.js'
import { addFailure, addSuccess, DAY, guid, HOUR, MINUTE, onceRedelivered, orgToken, redeliveryCounts, settle, sorted } from '../support/world.js'

let api: LocalApi
afterEach(async () => {
  await api?.close()
})

async function orgWorld(options: LocalApiOptions = {}): Promise<{ hook: OrgHookRef; token: string; inputs: Record<string, string> }> {
  api = await startLocalApi({ seed: 11, ...options })
  const hook = api.createOrgHook('acme', { url: 'https://ci.example.com/hook' })
  const token = orgToken(api)
  return { hook, token, inputs: { 'target-type': 'org', org: 'acme', token, 'hook-id': String(hook.id), 'state-variable': 'BOOKMARK' } }
}

function run(inputs: Record<string, string>, extra: Partial<ActionRunOptions> = {}) {
  return runActionInProcess({ apiUrl: api.url, inputs, ...extra })
}

/** The next scheduled run: receivers answered, GitHub's clock moved on. */
async function nextTick(ms = 5 * MINUTE): Promise<void> {
  await settle()
  api.advanceClock(ms)
}

function bookmark(): any {
  const value = api.getVariable('acme/workflows', 'BOOKMARK')?.value
  return value === undefined ? undefined : JSON.parse(value)
}

function expectEachOnce(guids: string[]): void {
  const counts = redeliveryCounts(api)
  expect(sorted(counts.keys())).toEqual(sorted(guids))
  for (const g of guids) expect([g, counts.get(g)]).toEqual([g, 1])
}

describe('the action', () => {
  test('1. faults on every endpoint: within two runs every failing delivery is redelivered exactly once', async () => {
    // A dropped write may already have taken effect, as on the real network: a blind retry would send it twice.
    const { hook, inputs } = await orgWorld({ faults: { rate: 0.18, dropAfterProcessing: true } })
    const failing = Array.from({ length: 30 }, (_, i) => addFailure(api, hook, (i + 1) * MINUTE))
    for (let i = 0; i < 200; i++) addSuccess(api, hook, i * 20_000)
    const first = await run(inputs)
    await nextTick()
    const second = await run(inputs)
    expect(api.stats().faults.total).toBeGreaterThan(5)
    // Some redeliveries were made by GitHub but their answer was lost: they must not be sent again.
    expect(api.log.some(e => e.dropped && e.method === 'POST' && e.route.endsWith('/attempts'))).toBe(true)
    expectEachOnce(failing)
    expect([first.exitCode, second.exitCode]).toContain(0)
    expect(Number(first.outputs.redelivered ?? 0) + Number(second.outputs.redelivered ?? 0)).toBe(30)
  })

  describe('2. secondary rate limits on writes', () => {
    test('retry-after is obeyed: nothing is written before the wait GitHub asked for', async () => {
      const { hook, inputs } = await orgWorld({ secondaryWriteLimit: { max: 3, windowMs: 3_000 } })
      const failing = Array.from({ length: 5 }, (_, i) => addFailure(api, hook, (i + 1) * MINUTE))
      const result = await run(inputs)
      expect(result.exitCode).toBe(0)
      expectEachOnce(failing)
      const limited = api.log.filter(e => e.limited === 'secondary-write-window')
      expect(limited.length).toBeGreaterThan(0)
      for (const answer of limited) {
        const next = api.log.find(e => e.method !== 'GET' && e.start > answer.end)
        // retry-after is whole seconds; nothing was written before it had passed.
        if (next) expect(next.start - answer.end).toBeGreaterThanOrEqual(950)
      }
      expect(api.stats().secondary.writeWindow).toBe(limited.length)
    }, 60_000)

    test('a run that cannot finish inside the limits stops cleanly; the next runs do the rest, each delivery once', async () => {
      // GitHub's hourly content limit: the wait it asks for is longer than a run should take.
      const { hook, inputs } = await orgWorld({ secondaryWriteLimit: { max: 5, windowMs: 3_600_000 } })
      const failing = Array.from({ length: 20 }, (_, i) => addFailure(api, hook, (i + 1) * MINUTE))
      let stops = 0
      for (let i = 0; i < 12 && redeliveryCounts(api).size < 20; i++) {
        const result = await run(inputs)
        expect(result.commands.errors).toEqual([])
        expect(result.exitCode).toBe(0)
        if (result.report.deliveries.some((d: { reason?: string }) => d.reason === 'rate-limited')) stops++
        // The hour passes before the next scheduled run.
        api.resetWriteWindow()
        await nextTick()
      }
      expect(stops).toBeGreaterThan(1)
      expectEachOnce(failing)
    }, 120_000)
  })

  test('3. an outage of the redelivery endpoint mid-run: reported, and the next run does exactly the rest', async () => {
    const { hook, inputs } = await orgWorld()
    const failing = Array.from({ length: 20 }, (_, i) => addFailure(api, hook, (i + 1) * MINUTE))
    // Long enough that the run's retries (a few hundred ms at the tests' time scale) cannot outlast it on a loaded machine; ended by the test.
    const outage = onceRedelivered(api, 5, () => api.outage({ pathIncludes: '/attempts', durationMs: 5_000, status: 503 }))
    const first = await run(inputs, { killWhen: outage.killWhen })
    expect(first.exitCode).toBe(1)
    const errors = Number(first.outputs.errors)
    expect(errors).toBeGreaterThan(0)
    expect(Number(first.outputs.redelivered) + errors).toBe(20)
    expect(first.commands.errors.join('\n')).toMatch(/failed after retries; the next run tries again/)
    expect(first.report.deliveries.filter((d: { result: string }) => d.result === 'error')).toHaveLength(errors)
    // The outage ends before the next scheduled run.
    api.endOutages()
    await nextTick()
    const second = await run(inputs)
    expect(second.exitCode).toBe(0)
    expect(second.outputs.redelivered).toBe(String(errors))
    expectEachOnce(failing)
  })

  describe.each([
    ['ahead of', 7 * MINUTE],
    ['behind', -7 * MINUTE]
  ])("4. GitHub's clock 7 minutes %s the runner's", (_, offset) => {
    test('app authentication works and no delivery arriving between runs is missed', async () => {
      api = await startLocalApi({ seed: 3, clockOffsetMs: offset })
      const app = api.createApp()
      const token = api.createToken({ grants: [{ repo: 'acme/workflows', variables: 'write' }] })
      const inputs = { 'target-type': 'app', 'app-id': String(app.id), 'private-key': app.privateKeyPem, token, 'state-variable': 'BOOKMARK' }
      const early = addFailure(api, app.hook, 10 * MINUTE)
      addSuccess(api, app.hook, 5_000)
      const first = await run(inputs)
      expect(first.commands.errors).toEqual([])
      expect(first.exitCode).toBe(0)
      await settle()
      // Arrives between the runs, seconds after the first one scanned (GitHub's time).
      api.advanceClock(30_000)
      const between = addFailure(api, app.hook, 20_000)
      api.advanceClock(MINUTE)
      const second = await run(inputs)
      expect(second.exitCode).toBe(0)
      expectEachOnce([early, between])
    })
  })

  test('5. a delivery listed late (it timed out while the run scanned) is caught by the next run', async () => {
    const { hook, inputs } = await orgWorld()
    addSuccess(api, hook, 1_000)
    const scanAt = api.now()
    const first = await run(inputs)
    expect(first.outputs.failed).toBe('0')
    // Started 8 s before the scan, timed out after 10 s: listed after the scan, above newer deliveries.
    const late = guid('late')
    api.addDelivery(hook, { guid: late, event: 'push', deliveredAt: scanAt - 8_000, durationMs: 10_000, ok: false, status: 'timed out', statusCode: 0 })
    await nextTick(MINUTE)
    const second = await run(inputs)
    expect(second.outputs.redelivered).toBe('1')
    expectEachOnce([late])
  })

  test('6. a delivery a healthy receiver keeps refusing: redelivered exactly max-attempts times, spread by the backoff, then reported as given up, then never again', async () => {
    const { hook, inputs } = await orgWorld()
    const stuck = addFailure(api, hook, 10 * MINUTE, { event: 'issues', action: 'opened' })
    const fine = addFailure(api, hook, 9 * MINUTE)
    api.setReceiver(hook, { type: 'failing', guids: new Set([stuck]) })
    const results = []
    for (let i = 0; i < 6; i++) {
      // Other traffic keeps succeeding: the receiver is up.
      addSuccess(api, hook, 1000)
      results.push(await run({ ...inputs, 'max-attempts': '3' }))
      // Past the longest backoff before the third try (4 h).
      await nextTick(4 * HOUR + MINUTE)
    }
    expect(redeliveryCounts(api).get(stuck)).toBe(3)
    expect(redeliveryCounts(api).get(fine)).toBe(1)
    expect(results.map(r => r.outputs.redelivered)).toEqual(['2', '1', '1', '0', '0', '0'])
    const givenUp = results[3]
    expect(givenUp.outputs).toMatchObject({ failed: '1', skipped: '1', redelivered: '0', 'given-up': '1' })
    expect(givenUp.report.deliveries).toEqual([expect.objectContaining({ guid: stuck, result: 'skipped', reason: 'max-attempts', attempts: 3 })])
    expect(givenUp.summary).toContain('max-attempts')
    expect(givenUp.summary).toContain('1 delivery given up this run')
    for (const later of results.slice(4)) expect(later.outputs).toMatchObject({ failed: '0', 'given-up': '0' })
  })

  test('7. a budget: max-redeliveries 20 with 45 failing gives 20, 20, 5, each once', async () => {
    const { hook, inputs } = await orgWorld()
    const failing = Array.from({ length: 45 }, (_, i) => addFailure(api, hook, (i + 1) * MINUTE))
    const counts: string[] = []
    for (let i = 0; i < 4; i++) {
      const result = await run({ ...inputs, 'max-redeliveries': '20' })
      expect(result.exitCode).toBe(0)
      counts.push(result.outputs.redelivered)
      if (i === 0) expect(result.outputs).toMatchObject({ failed: '45', skipped: '25' })
      await nextTick()
    }
    expect(counts).toEqual(['20', '20', '5', '0'])
    expectEachOnce(failing)
  })

  test('8. killed mid-redelivery: the state stays readable, a rerun sends nothing twice, the next run finishes the job', async () => {
    const { hook, inputs } = await orgWorld()
    const failing = Array.from({ length: 60 }, (_, i) => addFailure(api, hook, (i + 1) * MINUTE))
    const killed = await runAction({ apiUrl: api.url, inputs, node: shippedRuntime(), timeScale: 0.05, killWhen: () => redeliveryCounts(api).size >= 25 })
    expect(killed.signal).toBe('SIGKILL')
    const sentBeforeKill = redeliveryCounts(api).size
    expect(sentBeforeKill).toBeGreaterThanOrEqual(25)
    expect(sentBeforeKill).toBeLessThan(60)
    expect(bookmark().version).toBe(1)

    await settle()
    const rerun = await run(inputs)
    expect(rerun.exitCode).toBe(0)
    for (const [, n] of redeliveryCounts(api)) expect(n).toBe(1)

    await nextTick()
    const next = await run(inputs)
    expect(next.exitCode).toBe(0)
    expectEachOnce(failing)
  })

  describe('9. deliveries GitHub will no longer redeliver', () => {
    test('refused with 4xx: skipped with a reason, never failing later runs, never holding the bookmark back', async () => {
      const { hook, inputs } = await orgWorld()
      const refused = addFailure(api, hook, 2 * HOUR)
      const ok = addFailure(api, hook, HOUR)
      api.refuseRedelivery(refused, 422)
      const first = await run(inputs)
      expect(first.exitCode).toBe(0)
      expect(first.report.deliveries.find((d: { guid: string }) => d.guid === refused)).toMatchObject({ result: 'skipped', reason: 'refused' })
      await nextTick()
      addSuccess(api, hook, MINUTE)
      const second = await run(inputs)
      expect(second.exitCode).toBe(0)
      expect(second.outputs.failed).toBe('0')
      expect(Date.parse(bookmark().hooks[String(hook.id)].floor)).toBeGreaterThan(api.now() - 2 * HOUR)
      expect(redeliveryCounts(api).get(ok)).toBe(1)
    })

    test('a gap longer than the window: warns that older failures are lost, redelivers what GitHub still can', async () => {
      const { hook, inputs } = await orgWorld()
      const lost = addFailure(api, hook, 3 * DAY + 12 * HOUR)
      const edge = addFailure(api, hook, 3 * DAY - 5 * MINUTE)
      const recent = addFailure(api, hook, 2 * DAY)
      api.setVariable('acme/workflows', 'BOOKMARK', JSON.stringify({ version: 1, hooks: { [String(hook.id)]: { floor: new Date(api.now() - 4 * DAY).toISOString() } } }))
      const result = await run(inputs)
      expect(result.exitCode).toBe(0)
      expect(result.commands.warnings.join('\n')).toMatch(/can no longer be recovered/)
      expect(sorted(redeliveryCounts(api).keys())).toEqual([recent])
      expect(redeliveryCounts(api).has(lost)).toBe(false)
      expect(result.report.deliveries.find((d: { guid: string }) => d.guid === edge)).toMatchObject({ reason: 'outside-window' })
      expect(result.summary).toContain('can no longer be recovered')
    })
  })

  test('10. overlapping runs: what another run has put in flight meanwhile is not sent again', async () => {
    const { hook, inputs } = await orgWorld()
    // 80 failures: two batches of 40, oldest first; the second batch is the 40 newest.
    const failing = Array.from({ length: 80 }, (_, i) => addFailure(api, hook, (i + 1) * MINUTE))
    const theirs = failing.slice(0, 5)
    const theirIds = theirs.map(g => api.deliveries(hook).find(d => d.guid === g)!.id)
    const injection = onceRedelivered(api, 3, () => {
      // Another run checkpointed its own batch, with five of our second batch in it.
      const current = JSON.parse(api.getVariable('acme/workflows', 'BOOKMARK')!.value)
      const entry = current.hooks[String(hook.id)]
      entry.pending = { ...entry.pending, [String(Math.floor(api.now() / 1000) + 1)]: theirIds }
      api.setVariable('acme/workflows', 'BOOKMARK', JSON.stringify(current))
    })
    const result = await run(inputs, { timeScale: 0.05, killWhen: injection.killWhen })
    expect(result.exitCode).toBe(0)
    expect(injection.done()).toBe(true)
    for (const g of theirs) expect(redeliveryCounts(api).has(g)).toBe(false)
    for (const g of failing.slice(5)) expect(redeliveryCounts(api).get(g)).toBe(1)
    const skipped = result.report.deliveries.filter((d: { reason?: string }) => d.reason === 'in-flight')
    expect(skipped.map((d: { guid: string }) => d.guid).sort()).toEqual(sorted(theirs))
    expect(result.outputs).toMatchObject({ failed: '80', redelivered: '75', skipped: '5' })
  })

  test('10. overlapping runs: a run never overwrites a newer bookmark with an older one', async () => {
    const { hook, inputs } = await orgWorld()
    Array.from({ length: 10 }, (_, i) => addFailure(api, hook, (i + 1) * MINUTE))
    const newerFloor = new Date(api.now() + HOUR).toISOString()
    const injection = onceRedelivered(api, 3, () => {
      // Another run finished meanwhile and wrote a newer bookmark with a redelivery of its own in flight.
      const pending = { [String(Math.floor(api.now() / 1000))]: ['123456789'] }
      api.setVariable('acme/workflows', 'BOOKMARK', JSON.stringify({ version: 1, hooks: { [String(hook.id)]: { floor: newerFloor, pending } } }))
    })
    const result = await run(inputs, { timeScale: 0.05, killWhen: injection.killWhen })
    expect(result.exitCode).toBe(0)
    expect(injection.done()).toBe(true)
    const saved = bookmark().hooks[String(hook.id)]
    expect(saved.floor).toBe(newerFloor)
    expect(Object.values(saved.pending).flat()).toContain('123456789')
  })
})
