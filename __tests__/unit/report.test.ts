import { describe, expect, test } from '@jest/globals'
import { buildReport, describeTarget, stepFailures } from '../../src/core/report.js'
import { bigId, hookResult, hookTarget, NOW, reportRow, runResult, totals } from '../fixtures/builders.js'

describe('describeTarget', () => {
  test('each target type', () => {
    expect(describeTarget({ type: 'app' })).toBe('app')
    expect(describeTarget({ type: 'org', org: 'acme' })).toBe('org acme')
    expect(describeTarget({ type: 'repo', owner: 'octo', repo: 'hello' })).toBe('repo octo/hello')
  })
})

describe('buildReport', () => {
  const rows = [
    reportRow({ id: bigId(0), guid: 'g1', result: 'redelivered', attempts: 1 }),
    reportRow({ id: bigId(1), guid: 'g2', result: 'skipped', reason: 'max-attempts', attempts: 3, event: 'pull_request', action: 'opened' }),
    reportRow({ id: bigId(2), guid: 'g3', result: 'error', message: 'HTTP 502', attempts: 0 })
  ]
  const result = runResult({
    totals: totals({ scanned: 10, failed: 3, redelivered: 1, skipped: 1, errors: 1 }),
    hooks: [
      hookResult({ scanned: 10, failed: 3, redelivered: 1, skipped: 1, errors: 1, inFlight: 2 }),
      hookResult({ hook: hookTarget({ key: 'app', kind: 'app', id: undefined, label: 'app', webUrl: undefined }), scanError: 'HTTP 500' })
    ],
    rows,
    warnings: ['lookback clamped'],
    dryRun: true
  })

  test('the exact document', () => {
    expect(buildReport({ type: 'org', org: 'acme' }, result)).toEqual({
      version: 1,
      target: 'org acme',
      dryRun: true,
      finishedAt: '2025-01-10T12:00:00.000Z',
      totals: { scanned: 10, failed: 3, redelivered: 1, skipped: 1, errors: 1, givenUp: 0, receiversDown: 0, expiring: 0 },
      hooks: [
        { hook: 'org acme hook 101', hookId: '101', scanned: 10, failed: 3, redelivered: 1, skipped: 1, errors: 1, givenUp: 0, expiring: 0, inFlight: 2 },
        { hook: 'app', hookId: null, scanned: 0, failed: 0, redelivered: 0, skipped: 0, errors: 0, givenUp: 0, expiring: 0, inFlight: 0, scanError: 'HTTP 500' }
      ],
      warnings: ['lookback clamped'],
      failures: [],
      deliveries: rows
    })
  })

  test('what failed the run is in the report, beside the counts that alone would read as success', () => {
    const failed = runResult({
      totals: totals({ scanned: 5, failed: 5, redelivered: 5 }),
      failures: ['Could not save the bookmark to the variable STATE in acme/ops: 502 Bad Gateway']
    })
    const doc = buildReport({ type: 'org', org: 'acme' }, failed)
    expect(doc.failures).toEqual(['Could not save the bookmark to the variable STATE in acme/ops: 502 Bad Gateway'])
    expect(doc.totals).toMatchObject({ redelivered: 5, errors: 0 })
  })

  test('a hook without scanError has no scanError key', () => {
    const doc = buildReport({ type: 'app' }, result)
    expect(Object.keys(doc.hooks[0])).not.toContain('scanError')
    expect(Object.keys(doc.hooks[1])).toContain('scanError')
  })

  test('JSON.stringify works and ids stay exact strings above 2^53', () => {
    const text = JSON.stringify(buildReport({ type: 'repo', owner: 'octo', repo: 'hello' }, result))
    const back = JSON.parse(text) as { deliveries: Array<{ id: unknown }>; finishedAt: string; target: string }
    expect(back.deliveries.map(d => d.id)).toEqual(['9007199254740993', '9007199254740994', '9007199254740995'])
    expect(back.deliveries.every(d => typeof d.id === 'string')).toBe(true)
    expect(text).toContain('"id":"9007199254740993"')
    expect(back.target).toBe('repo octo/hello')
    expect(back.finishedAt).toBe(new Date(NOW).toISOString())
  })

  test('every row field a user needs: hook, id, guid, event, action, status, attempts, result', () => {
    const doc = buildReport({ type: 'app' }, result)
    expect(Object.keys(doc.deliveries[0]).sort()).toEqual(['action', 'attempts', 'event', 'firstDeliveredAt', 'guid', 'hook', 'hookId', 'id', 'result', 'status', 'statusCode'].sort())
  })
})

describe('stepFailures: fail-on expiring', () => {
  const expiring = runResult({ totals: totals({ failed: 2, skipped: 2, expiring: 2 }) })
  test('fails the step only when asked, and says what to do', () => {
    expect(stepFailures(expiring, new Set(['errors']))).toEqual([])
    expect(stepFailures(expiring, new Set(['expiring']))).toEqual([
      "2 failing deliveries leave GitHub's redelivery window soon (fail-on: expiring); fix the receiver before then, the report says when."
    ])
    expect(stepFailures(runResult({ totals: totals({ failed: 2, skipped: 2 }) }), new Set(['expiring']))).toEqual([])
  })
})
