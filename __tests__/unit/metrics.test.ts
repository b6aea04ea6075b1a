/** The metrics file's text, checked by a real Prometheus text-format parser (never a regular expression). */
import { describe, expect, test } from '@jest/globals'
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import { escapeLabelValue, lastSuccessTimes, renderFailedRunMetrics, renderMetrics } from '../../src/core/metrics.js'
import type { ReportRow } from '../../src/core/types.js'
import { hookResult, hookTarget, HOUR, NOW, reportRow, runResult } from '../fixtures/builders.js'
import { metricValue as value, parseMetrics as parse } from '../support/prometheus.js'

const busy = hookTarget({ key: '101', id: '101', label: 'org acme hook 101 (https://hooks.example.com/"q"\\path\nnext)' })
const quiet = hookTarget({ key: '202', id: '202', label: 'org acme hook 202' })
const row = (overrides: Partial<ReportRow>): ReportRow => reportRow({ hook: busy.label, hookId: '101', ...overrides })
const rows: ReportRow[] = [
  row({ guid: 'a', result: 'redelivered', firstDeliveredAt: new Date(NOW - 2 * HOUR).toISOString() }),
  row({ guid: 'b', result: 'skipped', reason: 'max-attempts', firstDeliveredAt: new Date(NOW - 50 * HOUR).toISOString() }),
  row({ guid: 'c', result: 'skipped', reason: 'outside-window', firstDeliveredAt: new Date(NOW - 80 * HOUR).toISOString() }),
  row({ guid: 'd', result: 'skipped', reason: 'budget', firstDeliveredAt: new Date(NOW - 5 * HOUR).toISOString() }),
  row({ guid: 'e', result: 'error', message: 'HTTP 502', firstDeliveredAt: new Date(NOW - 3 * HOUR).toISOString() }),
  // The reason the receiver-health work brings; until then only a string.
  row({ guid: 'f', result: 'skipped', reason: 'receiver-down' as ReportRow['reason'], firstDeliveredAt: new Date(NOW - 4 * HOUR).toISOString() })
]
const run = runResult({
  hooks: [
    hookResult({ hook: busy, scanned: 40, failed: 6, redelivered: 1, skipped: 4, errors: 1, givenUp: 2, expiring: 1, receiverDown: { verdict: 'down', waiting: 1 }, lastSuccessAt: NOW - 30 * 60_000 }),
    hookResult({ hook: quiet, scanned: 7 })
  ],
  rows,
  finishedAt: NOW
})

describe('renderMetrics', () => {
  const text = renderMetrics(run, { target: 'org acme' })
  const families = parse(text)
  const busyLabels = { target: 'org acme', hook_id: '101' }
  const quietLabels = { target: 'org acme', hook_id: '202' }

  test('every family has HELP and TYPE gauge, and all of one family is together', () => {
    expect(families.size).toBeGreaterThan(10)
    for (const family of families.values()) {
      expect(family.type).toBe('GAUGE')
      expect(family.help.length).toBeGreaterThan(10)
    }
    // The parser merges nothing: a name that came back twice would mean a family was split.
    expect(parsePrometheusTextFormat(text)).toHaveLength(families.size)
  })

  test('per-hook counts, labelled by target, hook id and hook label (escaped and read back exactly)', () => {
    expect(value(families, 'scanned_attempts', busyLabels)).toBe(40)
    expect(value(families, 'failed_deliveries', busyLabels)).toBe(6)
    expect(value(families, 'redelivered_deliveries', busyLabels)).toBe(1)
    expect(value(families, 'redelivery_errors', busyLabels)).toBe(1)
    expect(value(families, 'scanned_attempts', quietLabels)).toBe(7)
    const labels = families.get('webhook_redelivery_scanned_attempts')!.metrics[0].labels
    expect(labels).toEqual({ target: 'org acme', hook_id: '101', hook: busy.label })
  })

  test('skipped by reason, with zeros for the reasons that did not occur', () => {
    expect(value(families, 'skipped_deliveries', { ...busyLabels, reason: 'max-attempts' })).toBe(1)
    expect(value(families, 'skipped_deliveries', { ...busyLabels, reason: 'outside-window' })).toBe(1)
    expect(value(families, 'skipped_deliveries', { ...busyLabels, reason: 'budget' })).toBe(1)
    expect(value(families, 'skipped_deliveries', { ...busyLabels, reason: 'receiver-down' })).toBe(1)
    expect(value(families, 'skipped_deliveries', { ...busyLabels, reason: 'dry-run' })).toBe(0)
    expect(value(families, 'skipped_deliveries', { ...quietLabels, reason: 'budget' })).toBe(0)
  })

  test("given up and receiver down, from the run's counts", () => {
    expect(value(families, 'given_up_deliveries', busyLabels)).toBe(2)
    expect(value(families, 'given_up_deliveries', quietLabels)).toBe(0)
    expect(value(families, 'expiring_deliveries', busyLabels)).toBe(1)
    expect(value(families, 'expiring_deliveries', quietLabels)).toBe(0)
    expect(value(families, 'receiver_down', busyLabels)).toBe(1)
    expect(value(families, 'receiver_down', quietLabels)).toBe(0)
  })

  test('the oldest waiting failure ignores what was given up; last success only when known', () => {
    // 'd' (budget, 5 h) is the oldest still waiting: 'b' and 'c' were given up.
    expect(value(families, 'oldest_waiting_failure_age_seconds', busyLabels)).toBe(5 * 3600)
    expect(value(families, 'oldest_waiting_failure_age_seconds', quietLabels)).toBe(0)
    expect(value(families, 'last_success_timestamp_seconds', busyLabels)).toBe((NOW - 30 * 60_000) / 1000)
    expect(value(families, 'last_success_timestamp_seconds', quietLabels)).toBeUndefined()
  })

  test('run-level gauges', () => {
    expect(value(families, 'last_run_timestamp_seconds', { target: 'org acme' })).toBe(NOW / 1000)
    expect(value(families, 'last_run_success', { target: 'org acme' })).toBe(1)
    expect(value(families, 'last_run_dry_run', { target: 'org acme' })).toBe(0)
    const failing = parse(renderMetrics({ ...run, failures: ['1 redelivery failed'] }, { target: 'org acme' }))
    expect(value(failing, 'last_run_success', { target: 'org acme' })).toBe(0)
  })

  test('a run that could not finish: only the run-level gauges, success 0', () => {
    const failed = parse(renderFailedRunMetrics({ target: 'repo a/b', finishedAt: NOW }))
    expect([...failed.keys()].sort()).toEqual(['webhook_redelivery_last_run_success', 'webhook_redelivery_last_run_timestamp_seconds'])
    expect(value(failed, 'last_run_success', { target: 'repo a/b' })).toBe(0)
  })
})

describe('last success carried over from the times saved by earlier runs', () => {
  test('a quiet run keeps the newest success an earlier run recorded, and a newer one wins', () => {
    const before = lastSuccessTimes(run)
    expect(before).toEqual(new Map([['101', NOW - 30 * 60_000]]))

    const quietRun = runResult({ hooks: [hookResult({ hook: busy, scanned: 0 })], rows: [], finishedAt: NOW + HOUR })
    const carried = parse(renderMetrics(quietRun, { target: 'org acme', lastSuccessBefore: before }))
    expect(value(carried, 'last_success_timestamp_seconds', { hook_id: '101' })).toBe((NOW - 30 * 60_000) / 1000)
    expect(lastSuccessTimes(quietRun, before)).toEqual(before)

    const newer = runResult({ hooks: [hookResult({ hook: busy, lastSuccessAt: NOW + 10 * 60_000 })], rows: [], finishedAt: NOW + HOUR })
    const updated = parse(renderMetrics(newer, { target: 'org acme', lastSuccessBefore: before }))
    expect(value(updated, 'last_success_timestamp_seconds', { hook_id: '101' })).toBe((NOW + 10 * 60_000) / 1000)
  })

  test('a hook this run did not scan keeps its time for a later run', () => {
    const quietRun = runResult({ hooks: [], rows: [], finishedAt: NOW + HOUR })
    expect(lastSuccessTimes(quietRun, new Map([['7', NOW]]))).toEqual(new Map([['7', NOW]]))
  })
})

test('label values escape backslash, double quote and line feed', () => {
  expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd')
})
