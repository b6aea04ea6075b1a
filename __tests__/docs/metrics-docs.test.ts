/** The metrics table and alert rules (docs/metrics-and-alerting.md) name only metrics the CLI writes, and every one of them. */
import { describe, expect, test } from '@jest/globals'
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import { renderMetrics } from '../../src/core/metrics.js'
import { hookResult, reportRow, runResult } from '../fixtures/builders.js'
import { parse as parseYaml } from 'yaml'
import { asMap, read, yamlBlocks } from './helpers.js'

const page = read('docs/metrics-and-alerting.md')
const start = page.indexOf('## Metrics for Prometheus')
const end = page.indexOf('\n## ', start)
const section = page.slice(start, end < 0 ? undefined : end)
// Every family, with last success known so that it is written too.
const written = parsePrometheusTextFormat(renderMetrics(runResult({ hooks: [hookResult({ lastSuccessAt: 1 })], rows: [reportRow()] }), { target: 'org acme' })).map(f => f.name)
const metricNames = (text: string): string[] => [...new Set(text.match(/\bwebhook_redelivery_[a-z_]+/g) ?? [])]

describe('the metrics section of docs/metrics-and-alerting.md', () => {
  test('the table lists exactly the metrics written', () => {
    const tableNames = metricNames(section.split('```yaml')[0])
    expect(tableNames.sort()).toEqual([...written].sort())
  })

  test('the alert rules parse and use only metrics that are written', () => {
    const block = yamlBlocks(section).find(b => b.startsWith('groups:'))
    expect(block).toBeDefined()
    const groups = asMap(parseYaml(block!), 'rules').groups as unknown as { rules: { alert: string; expr: string }[] }[]
    const rules = groups.flatMap(g => g.rules)
    expect(rules.length).toBeGreaterThanOrEqual(4)
    for (const rule of rules) {
      expect(rule.alert).toMatch(/^[A-Za-z]+$/)
      const used = metricNames(rule.expr)
      expect(used.length).toBeGreaterThan(0)
      for (const name of used) expect(written).toContain(name)
    }
  })
})
