/**
 * The warning before loss (issue #21), against the local GitHub API: a failing delivery 6 hours
 * from the end of GitHub's redelivery window is reported as expiring, one 2 days away is not;
 * the CLI's outputs, report, metrics and `fail-on: expiring` say so.
 */
import { afterEach, beforeEach, expect, test } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startLocalApi, type LocalApi, type OrgHookRef } from '../../local-api/index.js'
import type { ReportDocument } from '../../src/core/report.js'
import { runCliInProcess, runInProcess, shortenWaitsInEachTest } from '../support/in-process.js'
import { metricValue, parseMetrics } from '../support/prometheus.js'
import { addFailure, DAY, HOUR } from '../support/world.js'

const WINDOW = 3 * DAY
let api: LocalApi
let hook: OrgHookRef
let token: string
let temp: string
shortenWaitsInEachTest()

beforeEach(async () => {
  api = await startLocalApi({ seed: 21 })
  hook = api.createOrgHook('acme')
  token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
  temp = mkdtempSync(join(tmpdir(), 'expiring-test-'))
})
afterEach(async () => {
  await api.close()
  rmSync(temp, { recursive: true, force: true })
})

test('with the receiver down: the delivery 6 hours from the window end is expiring, the one 2 days away is not', async () => {
  api.setReceiver(hook, { type: 'down', from: 0, to: Infinity })
  const soon = addFailure(api, hook, WINDOW - 6 * HOUR, { label: 'soon' })
  const later = addFailure(api, hook, WINDOW - 2 * DAY, { label: 'later' })

  const run = await runInProcess(api, { 'target-type': 'org', org: 'acme', token, lookback: '3d' })
  expect(run.error).toBeUndefined()
  const result = run.result!
  expect(result.totals.expiring).toBe(1)
  const rows = new Map(result.rows.map(r => [r.guid, r]))
  expect(rows.get(soon)!.expiring).toBe(true)
  expect(rows.get(later)!.expiring).toBeUndefined()
  expect(Date.parse(rows.get(soon)!.windowEndsAt!) - api.now()).toBeGreaterThan(5 * HOUR)
  expect(Date.parse(rows.get(soon)!.windowEndsAt!) - api.now()).toBeLessThanOrEqual(6 * HOUR)
})

test('a redelivery that got through is no warning; a margin of 3 days takes in both', async () => {
  addFailure(api, hook, WINDOW - 6 * HOUR, { label: 'soon' })
  addFailure(api, hook, WINDOW - 2 * DAY, { label: 'later' })
  const dry = await runInProcess(api, { 'target-type': 'org', org: 'acme', token, lookback: '3d', 'dry-run': 'true', 'expiring-within': '3d' })
  expect(dry.result!.totals.expiring).toBe(2)
  const sent = await runInProcess(api, { 'target-type': 'org', org: 'acme', token, lookback: '3d' })
  expect(sent.result!.totals).toMatchObject({ redelivered: 2, expiring: 0 })
})

test('the CLI: output, report row, metric, and fail-on expiring', async () => {
  api.setReceiver(hook, { type: 'down', from: 0, to: Infinity })
  const soon = addFailure(api, hook, WINDOW - 6 * HOUR, { label: 'soon' })
  addFailure(api, hook, WINDOW - 2 * DAY, { label: 'later' })
  const report = join(temp, 'report.json')
  const metrics = join(temp, 'wr.prom')
  const args = ['--target-type', 'org', '--org', 'acme', '--hostname', api.url, '--lookback', '3d', '--json', '--report-file', report, '--metrics-file', metrics]

  const warned = await runCliInProcess(args, { GITHUB_TOKEN: token, TMPDIR: temp })
  expect(warned.code).toBe(0)
  expect(JSON.parse(warned.stdout)).toMatchObject({ expiring: 1 })
  const doc = JSON.parse(readFileSync(report, 'utf8')) as ReportDocument
  expect(doc.totals.expiring).toBe(1)
  expect(doc.deliveries.filter(d => d.expiring).map(d => d.guid)).toEqual([soon])
  expect(metricValue(parseMetrics(readFileSync(metrics, 'utf8')), 'expiring_deliveries', { target: 'org acme', hook_id: String(hook.id) })).toBe(1)

  const failed = await runCliInProcess([...args, '--fail-on', 'errors,expiring'], { GITHUB_TOKEN: token, TMPDIR: temp })
  expect(failed.code).toBe(1)
  expect(failed.stderr).toMatch(/^error: 1 failing delivery leaves GitHub's redelivery window soon \(--fail-on: expiring\)/m)
})
