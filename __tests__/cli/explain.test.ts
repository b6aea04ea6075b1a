/**
 * `webhook-redelivery explain GUID` (issue #21) against the local GitHub API, in process: what
 * it says the next run would do is what the run then does, as its report says, for a delivery
 * redelivered, one held behind a receiver that is down, one backed off and one given up.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startLocalApi, type LocalApi, type OrgHookRef } from '../../local-api/index.js'
import type { ReportDocument } from '../../src/core/report.js'
import type { ReportRow } from '../../src/core/types.js'
import { runCliInProcess, shortenWaitsInEachTest } from '../support/in-process.js'
import { addFailure, addSuccess, guid as newGuid, HOUR, MINUTE } from '../support/world.js'

let api: LocalApi
let up: OrgHookRef
let down: OrgHookRef
let token: string
let temp: string
shortenWaitsInEachTest()

beforeEach(async () => {
  api = await startLocalApi({ seed: 2121 })
  up = api.createOrgHook('acme')
  down = api.createOrgHook('acme')
  token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
  temp = mkdtempSync(join(tmpdir(), 'explain-test-'))
})
afterEach(async () => {
  await api.close()
  rmSync(temp, { recursive: true, force: true })
})

interface ExplainJson {
  guid: string
  hooks: Array<{
    hookId: string
    attempts: Array<{ id: string; redelivery: boolean; deliveredAt: string }>
    state: Record<string, unknown>
    next: { action: string; reason?: string; probe?: boolean; because?: string; text: string }
  }>
}

/** A failure first delivered `agoMs` ago whose receiver, up, refused `refusals` redeliveries, the last `lastAgo` ago. */
function refused(hook: OrgHookRef, agoMs: number, refusals: number, lastAgo: number): string {
  const id = addFailure(api, hook, agoMs)
  for (let i = refusals; i >= 1; i--) {
    api.addDelivery(hook, { guid: id, event: 'push', deliveredAt: api.now() - lastAgo - (i - 1) * MINUTE, ok: false, status: 'Invalid HTTP Response: 500', statusCode: 500, redelivery: true })
  }
  return id
}

const args = (): string[] => ['--target-type', 'org', '--org', 'acme', '--hostname', api.url, '--state-file', join(temp, 'state.json')]

async function explain(guid: string): Promise<ExplainJson> {
  const run = await runCliInProcess(['explain', guid, ...args(), '--json'], { GITHUB_TOKEN: token, TMPDIR: temp })
  expect(run.stderr).not.toMatch(/^error: /m)
  expect(run.code).toBe(0)
  return JSON.parse(run.stdout) as ExplainJson
}

/** What a report row says of a decision explain announced. */
function agrees(next: ExplainJson['hooks'][number]['next'], row: ReportRow): void {
  if (next.action === 'redeliver') expect(row.result).toBe('redelivered')
  else if (next.action === 'held') expect(row).toMatchObject({ result: 'skipped', reason: 'receiver-down' })
  else expect(row).toMatchObject({ result: 'skipped', reason: next.reason })
}

describe('explain', () => {
  test('agrees with the report for a redelivered, a held, a backed-off and a given-up delivery', async () => {
    const redelivered = addFailure(api, up, 30 * MINUTE, { label: 'redelivered' })
    const backedOff = refused(up, 2 * HOUR, 1, 5 * MINUTE)
    const givenUp = refused(up, 10 * HOUR, 3, 6 * HOUR)
    // The receiver of `up` answered a moment ago; that of `down` fails everything.
    addSuccess(api, up, 10_000)
    api.setReceiver(down, { type: 'down', from: 0, to: Infinity })
    addFailure(api, down, 2 * HOUR, { label: 'probe' })
    const held = addFailure(api, down, HOUR, { label: 'held' })

    const before = new Map<string, ExplainJson>()
    for (const guid of [redelivered, held, backedOff, givenUp]) before.set(guid, await explain(guid))
    expect(before.get(redelivered)!.hooks[0].next).toMatchObject({ action: 'redeliver' })
    expect(before.get(held)!.hooks[0].next).toMatchObject({ action: 'held' })
    expect(before.get(backedOff)!.hooks[0]).toMatchObject({ next: { action: 'skip', reason: 'backoff' }, state: { attemptsCharged: 1, backoffUntil: expect.any(String) } })
    expect(before.get(givenUp)!.hooks[0]).toMatchObject({ next: { action: 'skip', reason: 'max-attempts' }, state: { attemptsCharged: 3 } })
    expect(before.get(givenUp)!.hooks[0].attempts).toHaveLength(4)
    expect(before.get(held)!.hooks[0].hookId).toBe(String(down.id))

    const report = join(temp, 'report.json')
    const run = await runCliInProcess([...args(), '--report-file', report], { GITHUB_TOKEN: token, TMPDIR: temp })
    expect(run.code).toBe(0)
    const rows = new Map((JSON.parse(readFileSync(report, 'utf8')) as ReportDocument).deliveries.map(r => [r.guid, r]))
    for (const [guid, explained] of before) agrees(explained.hooks[0].next, rows.get(guid)!)

    // Afterwards, the bookmark's side: given up for good, and why; the held one waits for its receiver.
    const after = await explain(givenUp)
    expect(after.hooks[0]).toMatchObject({ state: { givenUp: { reason: 'max-attempts' } }, next: { action: 'nothing' } })
    const waiting = await explain(held)
    expect(waiting.hooks[0].state.receiverDownSince).toEqual(expect.any(String))
  })

  test('text for a terminal: the attempts, the state, the next run', async () => {
    const guid = refused(up, 2 * HOUR, 1, 5 * MINUTE)
    addSuccess(api, up, 10_000)
    const run = await runCliInProcess(['explain', guid, ...args()], { GITHUB_TOKEN: token, TMPDIR: temp })
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`${guid} (push) on `)
    expect(run.stdout).toMatch(/ original +failed: Invalid HTTP Response: 503 \(503\)/)
    expect(run.stdout).toContain('1 of max-attempts 3 redeliveries charged')
    expect(run.stdout).toMatch(/backoff until .* \(55m from now\)/)
    expect(run.stdout).toContain('The next run would not redeliver it: receiver refused it; next try after the backoff.')
  })

  test('a GUID is checked before anything is sent; one GitHub does not list is an error', async () => {
    const bad = await runCliInProcess(['explain', '../../hooks', ...args()], { GITHUB_TOKEN: token, TMPDIR: temp })
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/^error: explain: "..\/..\/hooks" is not a delivery GUID/m)
    expect(api.log).toHaveLength(0)
    const unknown = await runCliInProcess(['explain', newGuid('nowhere'), ...args()], { GITHUB_TOKEN: token, TMPDIR: temp })
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(/GitHub lists no attempt of .* on org acme/)
  })
})
