import { describe, expect, test } from '@jest/globals'
import { renderFailure, renderSummary, SUMMARY_ROW_LIMIT } from '../../src/core/summary.js'
import type { ReportRow } from '../../src/core/types.js'
import { bigId, hookResult, hookTarget, HOUR, NOW, reportRow, runResult, totals } from '../fixtures/builders.js'

const at = (ms: number): string => new Date(ms).toISOString()

describe('renderSummary: nothing to redeliver', () => {
  test('one line with the counts, one hook', () => {
    const result = runResult({ totals: totals({ scanned: 1234 }), hooks: [hookResult({ scanned: 1234 })] })
    expect(renderSummary(result)).toBe('**Webhook redelivery**: nothing to redeliver. Scanned 1,234 delivery attempts across 1 hook; every delivery succeeded or was already handled.\n')
  })

  test('several hooks, custom title', () => {
    const result = runResult({ hooks: [hookResult(), hookResult(), hookResult()] })
    expect(renderSummary(result, 'Redeliver')).toBe('**Redeliver**: nothing to redeliver. Scanned 0 delivery attempts across 3 hooks; every delivery succeeded or was already handled.\n')
  })

  test('not "nothing" when a hook failed to scan, has redeliveries in flight, or there are warnings', () => {
    expect(renderSummary(runResult({ hooks: [hookResult({ scanError: 'HTTP 500' })] }))).not.toContain('nothing to redeliver')
    expect(renderSummary(runResult({ hooks: [hookResult({ inFlight: 1 })] }))).not.toContain('nothing to redeliver')
    expect(renderSummary(runResult({ warnings: ['careful'] }))).not.toContain('nothing to redeliver')
  })
})

describe('renderSummary: with deliveries', () => {
  const rows: ReportRow[] = [
    reportRow({ guid: 's', result: 'skipped', reason: 'max-attempts', attempts: 3, firstDeliveredAt: at(NOW - 3 * HOUR), event: 'pull_request', action: 'opened' }),
    reportRow({ guid: 'r', result: 'redelivered', attempts: 1, firstDeliveredAt: at(NOW - 2 * HOUR) }),
    reportRow({ guid: 'e', id: bigId(9), result: 'error', message: 'HTTP 502 | bad gateway\nretry', attempts: 0, firstDeliveredAt: at(NOW - HOUR) })
  ]
  const result = runResult({
    totals: totals({ scanned: 12_345, failed: 3, redelivered: 1, skipped: 1, errors: 1 }),
    hooks: [hookResult({ scanned: 12_345, failed: 3, redelivered: 1, skipped: 1, errors: 1, inFlight: 2 })],
    rows
  })

  test('the exact markdown for one hook', () => {
    expect(renderSummary(result)).toBe(
      [
        '### Webhook redelivery: 1 redelivered, 1 skipped, 1 error',
        '',
        '| Hook | Scanned | Failed | Redelivered | Skipped | Errors | In flight | Deliveries |',
        '|---|---:|---:|---:|---:|---:|---:|---|',
        '| org acme hook 101 | 12,345 | 3 | 1 | 1 | 1 | 2 | [open](https://github.com/organizations/acme/settings/hooks/101) |',
        '',
        '| Event | Action | First failure | Attempts | Result |',
        '|---|---|---|---:|---|',
        '| `push` |  | 2025-01-10 11:00:00 UTC | 0 | error: HTTP 502 \\| bad gateway retry; next run |',
        '| `push` |  | 2025-01-10 10:00:00 UTC | 1 | redelivered |',
        '| `pull_request` | `opened` | 2025-01-10 09:00:00 UTC | 3 | skipped: gave up: `max-attempts` reached |',
        ''
      ].join('\n')
    )
  })

  test('dry-run headline', () => {
    const dry = runResult({ ...result, dryRun: true, totals: totals({ failed: 1234, skipped: 1234 }) })
    expect(renderSummary(dry).split('\n')[0]).toBe('### Webhook redelivery (dry run): 1,234 failing, nothing redelivered')
  })

  test('every skip reason has its text', () => {
    const reasons = ['filtered', 'too-old', 'max-attempts', 'outside-window', 'budget', 'rate-limited', 'refused', 'dry-run', 'receiver-down', 'backoff', 'interrupted'] as const
    const texts = [
      'skipped: event not selected by `events`',
      'skipped: older than `max-age`',
      'skipped: gave up: `max-attempts` reached',
      'skipped: older than GitHub can redeliver',
      'skipped: `max-redeliveries` reached; next run',
      'skipped: GitHub rate limit; next run',
      'skipped: GitHub refused the redelivery',
      'skipped: dry run',
      'skipped: receiver down; waits, costs no attempt',
      'skipped: receiver refused it; next try after the backoff',
      'skipped: run interrupted; next run'
    ]
    const many = reasons.map((reason, i) => reportRow({ guid: reason, result: 'skipped', reason, firstDeliveredAt: at(NOW - (10 - i) * HOUR) }))
    const text = renderSummary(runResult({ totals: totals({ failed: 11, skipped: 11 }), rows: many }))
    const resultCells = text
      .split('\n')
      .filter(l => l.startsWith('| `push`'))
      .map(l => l.split(' | ').at(-1)!.replace(/ \|$/, ''))
    expect(resultCells).toEqual(texts)
    // A skipped row without a reason (cosmetic: rendered "skipped: skipped" today).
    expect(renderSummary(runResult({ totals: totals({ failed: 1 }), rows: [reportRow({ result: 'skipped' })] }))).toMatch(/\| 1 \| skipped(: skipped)? \|\n/)
  })

  test('an error without message and long error messages are truncated to 120 characters', () => {
    const text = renderSummary(
      runResult({
        totals: totals({ failed: 2, errors: 2 }),
        rows: [reportRow({ result: 'error', firstDeliveredAt: at(NOW - 2 * HOUR) }), reportRow({ result: 'error', message: 'x'.repeat(500), firstDeliveredAt: at(NOW - HOUR) })]
      })
    )
    expect(text).toContain('| error: request failed; next run |')
    expect(text).toContain(`| error: ${'x'.repeat(117)}...; next run |`)
  })

  test('several hooks: a hook column in the deliveries table, app rows named app', () => {
    const hooks = [hookResult(), hookResult({ hook: hookTarget({ key: 'app', kind: 'app', id: undefined, label: 'GitHub App', webUrl: undefined }) })]
    const text = renderSummary(
      runResult({
        totals: totals({ failed: 2, redelivered: 2 }),
        hooks,
        rows: [reportRow({ hookId: '101', firstDeliveredAt: at(NOW - 2 * HOUR) }), reportRow({ hookId: null, firstDeliveredAt: at(NOW - HOUR) })]
      })
    )
    expect(text).toContain('| Hook | Event | Action | First failure | Attempts | Result |\n|---|---|---|---|---:|---|')
    expect(text).toContain('| 101 | `push` |  | 2025-01-10 10:00:00 UTC | 1 | redelivered |')
    expect(text).toContain('| app | `push` |  | 2025-01-10 11:00:00 UTC | 1 | redelivered |')
    // A hook without a web URL has an empty link cell.
    expect(text).toContain('| GitHub App | 0 | 0 | 0 | 0 | 0 | 0 |  |')
  })

  test('a hook that could not be scanned says so', () => {
    const text = renderSummary(runResult({ hooks: [hookResult({ scanError: 'HTTP 404 | not found' })] }))
    expect(text).toContain('| org acme hook 101 (not scanned: HTTP 404 \\| not found) | 0 |')
  })

  test('pipes and newlines in labels, events, actions and warnings are escaped', () => {
    const text = renderSummary(
      runResult({
        totals: totals({ failed: 1, redelivered: 1 }),
        hooks: [hookResult({ hook: hookTarget({ label: 'a|b\r\nc' }) })],
        rows: [reportRow({ event: 'e|v', action: 'a|c' })],
        warnings: ['one | two\nthree']
      })
    )
    expect(text).toContain('| a\\|b c | 0 |')
    expect(text).toContain('| `e\\|v` | `a\\|c` |')
    expect(text).toContain('> [!WARNING]\n> one \\| two three\n')
    // No table line has an unescaped extra cell.
    for (const line of text.split('\n').filter(l => l.startsWith('|'))) {
      const cells = line.replace(/\\\|/g, '').split('|').length
      expect([9, 10, 7, 8]).toContain(cells)
    }
  })

  test('warnings are shown before the table', () => {
    const text = renderSummary(runResult({ warnings: ['first warning', 'second warning'], totals: totals({ failed: 0 }) }))
    expect(text).toBe(
      [
        '### Webhook redelivery: 0 redelivered, 0 skipped, 0 errors',
        '',
        '> [!WARNING]',
        '> first warning',
        '',
        '> [!WARNING]',
        '> second warning',
        '',
        '| Hook | Scanned | Failed | Redelivered | Skipped | Errors | In flight | Deliveries |',
        '|---|---:|---:|---:|---:|---:|---:|---|',
        '| org acme hook 101 | 0 | 0 | 0 | 0 | 0 | 0 | [open](https://github.com/organizations/acme/settings/hooks/101) |',
        ''
      ].join('\n')
    )
  })
})

describe('renderSummary: bounded size', () => {
  function manyRows(n: number): ReportRow[] {
    const rows: ReportRow[] = []
    for (let i = 0; i < n; i++) {
      rows.push(
        reportRow({
          id: bigId(i),
          guid: `guid-${i}`,
          result: i % 3 === 0 ? 'error' : i % 3 === 1 ? 'redelivered' : 'skipped',
          reason: i % 3 === 2 ? 'budget' : undefined,
          message: i % 3 === 0 ? 'HTTP 502' : undefined,
          firstDeliveredAt: at(NOW - i * 1000)
        })
      )
    }
    return rows
  }

  test(`rows are capped at SUMMARY_ROW_LIMIT (${SUMMARY_ROW_LIMIT}) with "and N more"`, () => {
    expect(SUMMARY_ROW_LIMIT).toBe(100)
    const rows = manyRows(250)
    const text = renderSummary(runResult({ totals: totals({ failed: 250 }), rows }))
    const deliveryLines = text.split('\n').filter(l => l.startsWith('| `push`'))
    expect(deliveryLines).toHaveLength(100)
    expect(text).toContain("\n\nand 150 more: see the `report` output's file.\n")
    // Errors first (84 of them), then redelivered, each oldest first.
    expect(deliveryLines.slice(0, 84).every(l => l.includes('| error: HTTP 502; next run |'))).toBe(true)
    expect(deliveryLines.slice(84).every(l => l.endsWith('| redelivered |'))).toBe(true)
    expect(deliveryLines[0]).toContain(at(NOW - 249 * 1000).slice(11, 19))
  })

  test('exactly SUMMARY_ROW_LIMIT rows: no "more" line', () => {
    const text = renderSummary(runResult({ totals: totals({ failed: 100 }), rows: manyRows(100) }))
    expect(text).not.toContain('more: see')
    expect(text.split('\n').filter(l => l.startsWith('| `push`'))).toHaveLength(100)
  })

  test('100,000 rows stay well under 1 MiB, with a thousands separator', () => {
    const rows = manyRows(100_000)
    const text = renderSummary(runResult({ totals: totals({ failed: 100_000, redelivered: 33_333, skipped: 33_333, errors: 33_334 }), rows }))
    expect(Buffer.byteLength(text, 'utf8')).toBeLessThan(1024 * 1024)
    expect(Buffer.byteLength(text, 'utf8')).toBeLessThan(64 * 1024)
    expect(text.split('\n')[0]).toBe('### Webhook redelivery: 33,333 redelivered, 33,333 skipped, 33,334 errors')
    expect(text).toContain('and 99,900 more')
  })

  test("does not reorder the caller's rows", () => {
    const rows = manyRows(5)
    const ids = rows.map(r => r.id)
    renderSummary(runResult({ totals: totals({ failed: 5 }), rows }))
    expect(rows.map(r => r.id)).toEqual(ids)
  })
})

describe('renderSummary: a run that failed', () => {
  const failure = 'Could not save the bookmark to the variable STATE in acme/ops: 502 Bad Gateway'

  test('the headline says it failed and the failures come first, even when every count looks fine', () => {
    const result = runResult({
      totals: totals({ scanned: 5, failed: 5, redelivered: 5 }),
      hooks: [hookResult({ scanned: 5, failed: 5, redelivered: 5 })],
      failures: [failure, 'second | problem\non two lines']
    })
    const lines = renderSummary(result).split('\n')
    expect(lines.slice(0, 6)).toEqual([
      '### Webhook redelivery failed: 5 redelivered, 0 skipped, 0 errors',
      '',
      '> [!CAUTION]',
      '> The run failed:',
      `> - ${failure}`,
      '> - second \\| problem on two lines'
    ])
  })

  test('never "nothing to redeliver" when the run failed, dry runs included', () => {
    const quiet = runResult({ failures: [failure] })
    expect(renderSummary(quiet)).not.toContain('nothing to redeliver')
    expect(renderSummary(quiet)).toContain(failure)
    expect(renderSummary(runResult({ dryRun: true, failures: [failure] }))).toMatch(/^### Webhook redelivery failed \(dry run\)/)
  })

  test('a run that succeeded has no failure block', () => {
    const result = runResult({ totals: totals({ failed: 1, redelivered: 1 }), hooks: [hookResult({ failed: 1, redelivered: 1 })] })
    expect(renderSummary(result)).not.toContain('[!CAUTION]')
    expect(renderSummary(result)).toMatch(/^### Webhook redelivery: 1 redelivered/)
  })
})

test('renderFailure: one line with the error', () => {
  expect(renderFailure('Input "hook-id": GitHub has no webhook 9 | here')).toBe('**Webhook redelivery** could not run: Input "hook-id": GitHub has no webhook 9 \\| here\n')
})

describe('renderSummary: outages and given-up deliveries', () => {
  test('says, per hook, since when its receiver has been failing and how many deliveries wait; and how many were given up', () => {
    const down = hookResult({ hook: hookTarget({ label: 'acme hook 7' }), failed: 5, skipped: 4, redelivered: 1, receiverDown: { verdict: 'down', since: Date.UTC(2026, 10, 30, 22, 15), waiting: 5 } })
    const unknown = hookResult({ hook: hookTarget({ key: '8', label: 'acme hook 8' }), failed: 1, redelivered: 1, receiverDown: { verdict: 'unknown', waiting: 1 } })
    const text = renderSummary(runResult({ totals: totals({ failed: 6, redelivered: 2, skipped: 4, givenUp: 2, receiversDown: 2 }), hooks: [down, unknown] }))
    expect(text).toContain('> [!CAUTION]')
    expect(text).toContain('> 2 deliveries given up this run (see the Result column).')
    expect(text).toContain('> The receiver of acme hook 7 is down: failing since 2026-11-30 22:15:00 UTC; 5 failing deliveries wait for it, at no cost of an attempt.')
    expect(text).toContain('> The receiver of acme hook 8 did not answer the probe in time; 1 failing delivery waits for it, at no cost of an attempt.')
  })

  test('warns before loss: how many failing deliveries leave the window soon, and when the first does', () => {
    const rows = [
      reportRow({ guid: 'x', result: 'skipped', reason: 'receiver-down', expiring: true, windowEndsAt: '2025-01-10T18:00:00.000Z' }),
      reportRow({ guid: 'y', result: 'skipped', reason: 'receiver-down', expiring: true, windowEndsAt: '2025-01-10T17:30:00.000Z' })
    ]
    const text = renderSummary(runResult({ totals: totals({ failed: 2, skipped: 2, expiring: 2 }), hooks: [hookResult({ failed: 2, skipped: 2, expiring: 2 })], rows }))
    expect(text).toContain(
      "> [!CAUTION]\n> 2 failing deliveries leave GitHub's redelivery window soon (the first at 2025-01-10 17:30:00 UTC): fix the receiver before then, or they can no longer be recovered.  \n"
    )
  })

  test('no caution block when nothing is down or given up', () => {
    expect(renderSummary(runResult({ totals: totals({ failed: 1, redelivered: 1 }), hooks: [hookResult({ failed: 1, redelivered: 1 })] }))).not.toContain('CAUTION')
  })
})

describe('renderSummary: a fleet', () => {
  /** 1,000 hooks of 500 repositories; `noisy` of them have something to say. */
  function fleetResult() {
    const hooks = Array.from({ length: 1000 }, (_, i) => {
      const repository = `acme/svc-${String(Math.floor(i / 2)).padStart(4, '0')}`
      const id = String(400_000_001 + i)
      return hookResult({
        hook: hookTarget({ key: id, id, kind: 'repo', repository, label: `${repository} hook ${id}`, webUrl: `https://github.com/${repository}/settings/hooks/${id}?tab=deliveries` }),
        scanned: 3
      })
    })
    hooks[10] = { ...hooks[10], failed: 2, redelivered: 2 }
    hooks[11] = { ...hooks[11], failed: 1, skipped: 1, givenUp: 1 }
    hooks[500] = { ...hooks[500], failed: 4, skipped: 4, receiverDown: { verdict: 'down', waiting: 4 } }
    return runResult({ totals: totals({ scanned: 3000, failed: 7, redelivered: 2, skipped: 5, givenUp: 1, receiversDown: 1 }), hooks })
  }

  test('totals first, then only the hooks with something failing, given up or down, grouped by repository, with links', () => {
    const text = renderSummary(fleetResult())
    expect(text).toContain('1,000 hooks in 500 repositories, 3,000 delivery attempts scanned: 3 with something to look at, 997 with nothing failing.')
    const table = text.split('\n').filter(l => l.startsWith('| acme/') || l.startsWith('|  |'))
    expect(table).toEqual([
      '| acme/svc-0005 | 400000011 | 2 | 2 | 0 | 0 | 0 | 0 |  | [open](https://github.com/acme/svc-0005/settings/hooks/400000011?tab=deliveries) |',
      '|  | 400000012 | 1 | 0 | 1 | 1 | 0 | 0 |  | [open](https://github.com/acme/svc-0005/settings/hooks/400000012?tab=deliveries) |',
      '| acme/svc-0250 | 400000501 | 4 | 0 | 4 | 0 | 0 | 0 | down | [open](https://github.com/acme/svc-0250/settings/hooks/400000501?tab=deliveries) |'
    ])
    expect(text).not.toContain('400000001')
    expect(text.length).toBeLessThan(4000)
  })

  test('at most 100 hooks are listed; the report file has the rest', () => {
    const result = fleetResult()
    result.hooks = result.hooks.map(h => ({ ...h, failed: 1, skipped: 1 }))
    const text = renderSummary(result)
    expect(text.split('\n').filter(l => /^\| (acme\/svc-\d+)? \| 4000/.test(l))).toHaveLength(100)
    expect(text).toContain("and 900 more hooks: see the `report` output's file.")
  })
})
