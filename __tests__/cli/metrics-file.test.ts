/**
 * `--metrics-file` end to end, in process: the CLI's main() against the local GitHub API,
 * the file read back by a real Prometheus text-format parser.
 */
import { afterEach, beforeEach, expect, test } from '@jest/globals'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startLocalApi, type LocalApi } from '../../local-api/index.js'
import { runCliInProcess, shortenWaitsInEachTest, type CliInProcessRun } from '../support/in-process.js'
import { metricValue as value, parseMetrics, type MetricFamilies } from '../support/prometheus.js'
import { addFailure, addSuccess, HOUR, MINUTE, settle } from '../support/world.js'

let temp: string
let api: LocalApi
shortenWaitsInEachTest()

beforeEach(async () => {
  temp = mkdtempSync(join(tmpdir(), 'metrics-test-'))
  api = await startLocalApi({ seed: 13 })
})

afterEach(async () => {
  await api.close()
  rmSync(temp, { recursive: true, force: true })
})

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<CliInProcessRun> {
  // The default report goes under TMPDIR: this test's own directory, removed after it.
  return runCliInProcess(args, { TMPDIR: temp, ...env })
}

function metrics(path: string): MetricFamilies {
  return parseMetrics(readFileSync(path, 'utf8'))
}

test('per-hook counts, run gauges and the last success, written atomically and kept by a quiet run', async () => {
  const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
  const hook = api.createOrgHook('acme')
  const other = api.createOrgHook('acme')
  addFailure(api, hook, 3 * HOUR)
  addFailure(api, hook, HOUR)
  const successAgo = 2 * HOUR
  addSuccess(api, hook, successAgo)
  addSuccess(api, other, 30 * MINUTE)
  const dir = join(temp, 'textfile')
  const path = join(dir, 'webhook_redelivery.prom')
  const args = ['--target-type', 'org', '--org', 'acme', '--hostname', api.url, '--state-file', join(temp, 'state.json'), '--metrics-file', path]

  const first = await cli(args, { GITHUB_TOKEN: token })
  expect(first.stderr).not.toMatch(/^(error|warning): /m)
  expect(first.code).toBe(0)
  // Renamed into place: nothing else in the collector's directory but the saved last-success times, readable by another user.
  expect(readdirSync(dir)).toEqual(['webhook_redelivery.prom', 'webhook_redelivery.prom.state.json'])
  expect(statSync(path).mode & 0o777).toBe(0o644)

  const families = metrics(path)
  const labels = { target: 'org acme', hook_id: String(hook.id) }
  expect(value(families, 'scanned_attempts', labels)).toBe(3)
  expect(value(families, 'failed_deliveries', labels)).toBe(2)
  expect(value(families, 'redelivered_deliveries', labels)).toBe(2)
  expect(value(families, 'redelivery_errors', labels)).toBe(0)
  expect(value(families, 'skipped_deliveries', { ...labels, reason: 'budget' })).toBe(0)
  expect(value(families, 'given_up_deliveries', labels)).toBe(0)
  expect(value(families, 'receiver_down', labels)).toBe(0)
  expect(value(families, 'oldest_waiting_failure_age_seconds', labels)).toBeGreaterThanOrEqual(3 * 3600)
  const lastSuccess = value(families, 'last_success_timestamp_seconds', labels)!
  expect(Math.abs(lastSuccess - (api.now() - successAgo) / 1000)).toBeLessThan(5)
  const otherLabels = { target: 'org acme', hook_id: String(other.id) }
  expect(value(families, 'scanned_attempts', otherLabels)).toBe(1)
  const otherSuccess = value(families, 'last_success_timestamp_seconds', otherLabels)
  expect(otherSuccess).toBeDefined()
  expect(value(families, 'last_run_success', { target: 'org acme' })).toBe(1)
  expect(Math.abs(value(families, 'last_run_timestamp_seconds', { target: 'org acme' })! - api.now() / 1000)).toBeLessThan(60)

  // The next run lists no newer success for the other hook: the one recorded before stays in the file.
  await settle()
  api.advanceClock(10 * MINUTE)
  const second = await cli(args, { GITHUB_TOKEN: token })
  expect(second.code).toBe(0)
  const after = metrics(path)
  expect(value(after, 'last_success_timestamp_seconds', otherLabels)).toBe(otherSuccess)
  // The busy hook's redeliveries succeeded: its last success moved on.
  expect(value(after, 'last_success_timestamp_seconds', labels)).toBeGreaterThan(lastSuccess)
  expect(readdirSync(dir)).toEqual(['webhook_redelivery.prom', 'webhook_redelivery.prom.state.json'])
})

test('a run that cannot finish writes last_run_success 0 in place of the previous file', async () => {
  const path = join(temp, 'webhook_redelivery.prom')
  writeFileSync(path, 'webhook_redelivery_last_run_success{target="org acme"} 1\n')
  // A token without access to the organization's hooks.
  const token = api.createToken({ grants: [] })
  const run = await cli(['--target-type', 'org', '--org', 'acme', '--hostname', api.url, '--metrics-file', path], { GITHUB_TOKEN: token })
  expect(run.code).toBe(1)
  expect(value(metrics(path), 'last_run_success', { target: 'org acme' })).toBe(0)
})

test('bad input writes no metrics file; a path that is not *.prom is warned about', async () => {
  const path = join(temp, 'metrics.txt')
  const bad = await cli(['--target-type', 'nope', '--metrics-file', path], {})
  expect(bad.code).toBe(1)
  expect(readdirSync(temp)).toEqual([])
  const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
  api.createOrgHook('acme')
  const run = await cli(['--target-type', 'org', '--org', 'acme', '--hostname', api.url, '--metrics-file', path], { GITHUB_TOKEN: token })
  expect(run.code).toBe(0)
  expect(run.stderr).toMatch(/^warning: --metrics-file .*\.prom/m)
  expect(metrics(path).get('webhook_redelivery_last_run_success')).toBeDefined()
})

test('the last success comes from the times saved beside the metrics file, for the same target only', async () => {
  const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
  const quiet = api.createOrgHook('acme')
  const path = join(temp, 'webhook_redelivery.prom')
  const savedAt = Math.floor(api.now() / 1000 - 5 * 24 * 3600) * 1000
  writeFileSync(`${path}.state.json`, JSON.stringify({ target: 'org acme', lastSuccessAt: { [String(quiet.id)]: savedAt } }))
  const args = ['--target-type', 'org', '--org', 'acme', '--hostname', api.url, '--metrics-file', path]
  expect((await cli(args, { GITHUB_TOKEN: token })).code).toBe(0)
  const labels = { target: 'org acme', hook_id: String(quiet.id) }
  expect(value(metrics(path), 'last_success_timestamp_seconds', labels)).toBe(savedAt / 1000)
  expect(JSON.parse(readFileSync(`${path}.state.json`, 'utf8'))).toEqual({ target: 'org acme', lastSuccessAt: { [String(quiet.id)]: savedAt } })

  // Times saved for another target are not this one's.
  writeFileSync(`${path}.state.json`, JSON.stringify({ target: 'org other', lastSuccessAt: { [String(quiet.id)]: savedAt } }))
  expect((await cli(args, { GITHUB_TOKEN: token })).code).toBe(0)
  expect(value(metrics(path), 'last_success_timestamp_seconds', labels)).toBeUndefined()
})
