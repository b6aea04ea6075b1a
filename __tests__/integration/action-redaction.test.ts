/**
 * The runner masks secrets in the log, not in files: the action's report and job summary
 * must never hold one, even when a message that fails the run quotes it. run() of
 * src/main.ts in process, with the session replaced by one that returns such a message.
 */
import { afterAll, beforeAll, expect, jest, test } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RunResult } from '../../src/core/types.js'
import type { SessionIO } from '../../src/session.js'
import { parseOutputs } from '../support/runner.js'

const TOKEN = 'ghp_input0token0never0shown'
const INSTALLATION_TOKEN = 'ghs_minted0during0the0run'

jest.unstable_mockModule('../../src/session.js', () => ({
  redeliverFailedDeliveries: async (_config: unknown, io: SessionIO): Promise<RunResult> => {
    io.mask(INSTALLATION_TOKEN)
    return {
      totals: { scanned: 3, failed: 1, redelivered: 1, skipped: 0, errors: 0, givenUp: 0, receiversDown: 0, expiring: 0 },
      hooks: [{ hook: { key: '1', kind: 'org', id: '1', label: 'acme hook 1' }, scanned: 3, failed: 1, redelivered: 1, skipped: 0, errors: 0, givenUp: 0, expiring: 0, inFlight: 0 }],
      rows: [],
      warnings: [`a warning that quotes ${INSTALLATION_TOKEN}`],
      failures: [`Could not save the bookmark: request with "${TOKEN}" refused`],
      dryRun: false,
      finishedAt: Date.now()
    }
  },
  // What the recovery commands (src/recovery.ts) import beside it; this test runs none of them.
  connect: () => Promise.reject(new Error('not in this test')),
  logRequests: () => undefined
}))

const saved = { ...process.env }
let temp: string

beforeAll(() => {
  temp = mkdtempSync(join(tmpdir(), 'action-redaction-'))
})
afterAll(() => {
  process.env = saved
  process.exitCode = undefined
  rmSync(temp, { recursive: true, force: true })
})

test('the report and the job summary show *** where a message quotes a secret', async () => {
  const output = join(temp, 'output')
  const summary = join(temp, 'summary')
  writeFileSync(output, '')
  writeFileSync(summary, '')
  process.env = {
    PATH: saved.PATH,
    RUNNER_TEMP: temp,
    GITHUB_OUTPUT: output,
    GITHUB_STEP_SUMMARY: summary,
    'INPUT_TARGET-TYPE': 'org',
    INPUT_ORG: 'acme',
    INPUT_TOKEN: TOKEN
  }
  const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
  try {
    const { run } = await import('../../src/main.js')
    await run()
  } finally {
    write.mockRestore()
  }
  expect(process.exitCode).toBe(1)
  const report = readFileSync(parseOutputs(readFileSync(output, 'utf8')).report, 'utf8')
  const markdown = readFileSync(summary, 'utf8')
  for (const text of [report, markdown]) {
    expect(text).not.toContain(TOKEN)
    expect(text).not.toContain(INSTALLATION_TOKEN)
  }
  expect(JSON.parse(report).failures).toEqual(['Could not save the bookmark: request with "***" refused'])
  expect(JSON.parse(report).warnings).toEqual(['a warning that quotes ***'])
  expect(markdown).toContain('request with "***" refused')
})
