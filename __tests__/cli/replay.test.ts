/**
 * `webhook-redelivery replay` (issue #21) against the local GitHub API, in process: a two-hour
 * range over several pages, each event once, oldest first, nothing outside GitHub's window; the
 * preview's counts are what is sent; interrupted (a signal, a crash) and run again, it finishes
 * with no event sent twice; the scheduled run after it sends nothing the replay sent and charges
 * no attempt for it.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startLocalApi, type LocalApi, type OrgHookRef } from '../../local-api/index.js'
import { parseConfig } from '../../src/core/config.js'
import { ACTION_NAMING, renderInputError } from '../../src/core/input-errors.js'
import type { ReportDocument } from '../../src/core/report.js'
import { replayInSession } from '../../src/recovery.js'
import { FileStore } from '../../src/state/file-store.js'
import { runCliInProcess, shortenWaitsInEachTest, simulatedPacing } from '../support/in-process.js'
import { addFailure, addSuccess, DAY, HOUR, MINUTE, redeliveryCounts } from '../support/world.js'

let api: LocalApi
let hook: OrgHookRef
let token: string
let temp: string
let state: string
shortenWaitsInEachTest()

beforeEach(async () => {
  api = await startLocalApi({ seed: 2103 })
  hook = api.createOrgHook('acme')
  token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
  temp = mkdtempSync(join(tmpdir(), 'replay-test-'))
  state = join(temp, 'state.json')
})
afterEach(async () => {
  await api.close()
  rmSync(temp, { recursive: true, force: true })
})

const iso = (ms: number): string => new Date(ms).toISOString()
const base = (): string[] => ['--target-type', 'org', '--org', 'acme', '--hostname', api.url, '--state-file', state]
const cli = (args: string[], interrupt?: AbortSignal) => runCliInProcess(args, { GITHUB_TOKEN: token, TMPDIR: temp }, { interrupt })

interface ReplayJson {
  toSend: number
  byHook: Record<string, number>
  byEvent: Record<string, number>
  from?: string
  to?: string
  durationSeconds: number
  outsideWindow: number
  doneBefore: number
  sent: number
  left: number
  finished: boolean
  failures: string[]
}

/**
 * Every 30 s over `[from, from + 2h)` one event: two in three succeeded, the others failed; a
 * few pull_request events among them. Also deliveries before and after the range.
 */
function twoHours(fromAgo: number): { inRange: string[]; firstAt: Map<string, number> } {
  const inRange: string[] = []
  const firstAt = new Map<string, number>()
  addSuccess(api, hook, fromAgo + 10 * MINUTE, { event: 'push' })
  for (let i = 0; i < 240; i++) {
    const ago = fromAgo - i * 30_000
    const event = i % 10 === 0 ? 'pull_request' : 'push'
    const guid =
      i % 3 === 2
        ? addFailure(api, hook, ago, { event, action: event === 'pull_request' ? 'opened' : null })
        : addSuccess(api, hook, ago, { event, action: event === 'pull_request' ? 'opened' : null })
    inRange.push(guid)
    firstAt.set(guid, api.now() - ago)
  }
  addSuccess(api, hook, fromAgo - 2 * HOUR - MINUTE)
  return { inRange, firstAt }
}

function sentInOrder(): string[] {
  return api
    .redeliveryRequests(hook)
    .filter(r => r.accepted)
    .map(r => r.guid)
}

describe('replay', () => {
  test('a two-hour range over several pages: the preview counts what --send then sends, each event once, oldest first', async () => {
    const { inRange, firstAt } = twoHours(5 * HOUR)
    const range = ['--since', iso(api.now() - 5 * HOUR - MINUTE), '--until', iso(api.now() - 3 * HOUR)]

    const preview = await cli(['replay', ...range, ...base(), '--json'])
    expect(preview.stderr).not.toMatch(/^error/m)
    expect(preview.code).toBe(0)
    const previewed = JSON.parse(preview.stdout) as ReplayJson
    expect(previewed).toMatchObject({ toSend: 240, byEvent: { push: 216, 'pull_request.opened': 24 }, durationSeconds: 240, outsideWindow: 0, sent: 0 })
    expect(Object.values(previewed.byHook)).toEqual([240])
    // GitHub's delivered_at has whole seconds.
    const second = (ms: number): string => iso(Math.floor(ms / 1000) * 1000)
    expect(previewed.from).toBe(second(firstAt.get(inRange[0])!))
    expect(previewed.to).toBe(second(firstAt.get(inRange[239])!))
    expect(api.redeliveryRequests()).toHaveLength(0)
    // Several pages of 100 were read.
    expect(api.log.filter(e => /\/deliveries/.test(e.path) && e.method === 'GET').length).toBeGreaterThanOrEqual(3)

    const sent = await cli(['replay', ...range, ...base(), '--send', '--json'])
    expect(sent.code).toBe(0)
    expect(JSON.parse(sent.stdout)).toMatchObject({ sent: previewed.toSend, left: 0, finished: true })
    expect(sentInOrder()).toEqual(inRange)
    expect([...redeliveryCounts(api).values()].every(n => n === 1)).toBe(true)

    // The same fixed range again: finished, nothing sent twice.
    const again = await cli(['replay', ...range, ...base(), '--send', '--json'])
    expect(again.code).toBe(0)
    expect(JSON.parse(again.stdout)).toMatchObject({ sent: 0, toSend: 0 })
    expect(again.stderr).toMatch(/This replay \(the same range and selection\) finished at/)
    expect(sentInOrder()).toHaveLength(240)
  })

  test("what is outside GitHub's window is reported, not sent; --outcome and --events narrow", async () => {
    // The range straddles the window's end (3 days, less 15 minutes of safety).
    // No event within seconds of the window's end, so the clock's progress during the test does not matter.
    const { inRange, firstAt } = twoHours(3 * DAY + HOUR + 10_000)
    const range = ['--since', iso(api.now() - 3 * DAY - HOUR - MINUTE), '--until', iso(api.now() - 3 * DAY + HOUR)]
    const cut = api.now() - 3 * DAY + 15 * MINUTE
    const inside = inRange.filter(g => firstAt.get(g)! >= cut)
    const failedOnly = await cli(['replay', ...range, ...base(), '--outcome', 'failed', '--events', 'push', '--json'])
    expect(JSON.parse(failedOnly.stdout)).toMatchObject({ byEvent: { push: expect.any(Number) } })
    const sent = await cli(['replay', ...range, ...base(), '--send', '--json'])
    const result = JSON.parse(sent.stdout) as ReplayJson
    expect(result.outsideWindow).toBe(inRange.length - inside.length)
    expect(result.sent).toBe(inside.length)
    expect(sentInOrder()).toEqual(inside)
    expect(sent.stderr).toMatch(/older than GitHub can redeliver \(3d\): not sent/)
  })

  test('interrupted by a signal and run again: finishes, nothing twice', async () => {
    const { inRange } = twoHours(5 * HOUR)
    const command = ['replay', '--since', iso(api.now() - 5 * HOUR - MINUTE), '--until', iso(api.now() - 3 * HOUR), ...base(), '--send', '--json']
    const interrupt = new AbortController()
    const poll = setInterval(() => {
      if (sentInOrder().length >= 50) interrupt.abort('SIGTERM')
    }, 2)
    const first = await cli(command, interrupt.signal)
    clearInterval(poll)
    expect(first.code).toBe(143)
    const stopped = JSON.parse(first.stdout) as ReplayJson
    expect(stopped.sent).toBeGreaterThanOrEqual(50)
    expect(stopped.sent).toBeLessThan(240)
    expect(stopped.left).toBe(240 - stopped.sent)

    const second = await cli(command)
    expect(second.code).toBe(0)
    expect(JSON.parse(second.stdout)).toMatchObject({ sent: 240 - stopped.sent, doneBefore: stopped.sent, finished: true })
    expect(sentInOrder()).toEqual(inRange)
  })

  test('crashed right after GitHub accepted a redelivery, before recording it: the next run finds it listed and sends it no more', async () => {
    const { inRange } = twoHours(5 * HOUR)
    const parsed = parseConfig(
      { 'target-type': 'org', org: 'acme', token, 'replay-since': iso(api.now() - 5 * HOUR - MINUTE), 'replay-until': iso(api.now() - 3 * HOUR), 'replay-send': 'true' },
      { GITHUB_API_URL: api.url }
    )
    if (!parsed.ok) throw new Error(parsed.errors.map(error => renderInputError(error, ACTION_NAMING)).join(' '))
    const io = { log: { info: () => undefined, warning: () => undefined, debug: () => undefined }, mask: () => undefined, pacing: simulatedPacing(api) }
    // The process dies as it goes to record its first batch as sent: GitHub made those redeliveries, the record says "about to".
    class DyingStore extends FileStore {
      private writes = 0
      override async write(text: string): Promise<void> {
        if (++this.writes === 2) throw new Error('killed')
        await super.write(text)
      }
    }
    await expect(replayInSession(parsed.config, { ...io, store: new FileStore(state), progressStore: new DyingStore(`${state}.replay.json`) })).rejects.toThrow('killed')
    const before = sentInOrder().length
    expect(before).toBe(20)

    const result = await replayInSession(parsed.config, { ...io, store: new FileStore(state), progressStore: new FileStore(`${state}.replay.json`) })
    expect(result.failures).toEqual([])
    expect(result.finished).toBe(true)
    expect(sentInOrder()).toEqual(inRange)
  })

  test('the scheduled run after a replay sends nothing the replay sent, and charges no attempt for it', async () => {
    // Failing deliveries the scheduled run has not handled yet; the replay's redeliveries are listed late.
    const failing = [addFailure(api, hook, 50 * MINUTE), addFailure(api, hook, 40 * MINUTE), addFailure(api, hook, 30 * MINUTE)]
    addSuccess(api, hook, 20 * MINUTE)
    // The receiver refuses these three again; GitHub lists the replay's redeliveries late.
    api.setReceiver(hook, { type: 'failing', guids: new Set(failing) })
    api.setListingDelay(20 * MINUTE, hook)
    const replay = await cli(['replay', '--since', '1h', ...base(), '--send', '--json'])
    expect(JSON.parse(replay.stdout)).toMatchObject({ sent: 4 })
    const report = join(temp, 'report.json')
    const scheduled = await cli([...base(), '--json', '--report-file', report])
    expect(scheduled.code).toBe(0)
    expect(JSON.parse(scheduled.stdout)).toMatchObject({ redelivered: 0 })
    for (const guid of failing) expect(redeliveryCounts(api).get(guid)).toBe(1)

    // Listed at last, and failed: the scheduled run (its receiver answering others) retries them, charging nothing for the replay's.
    api.advanceClock(30 * MINUTE)
    addSuccess(api, hook, 5_000)
    const later = await cli([...base(), '--json', '--report-file', report])
    expect(later.code).toBe(0)
    const rows = (JSON.parse(readFileSync(report, 'utf8')) as ReportDocument).deliveries
    expect(rows.map(r => r.guid).sort()).toEqual([...failing].sort())
    // attempts: the redelivery this run made, and none for the replay's.
    for (const row of rows) expect(row).toMatchObject({ result: 'redelivered', attempts: 1 })
  })
})
