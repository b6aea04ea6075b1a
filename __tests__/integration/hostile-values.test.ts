/**
 * What a hostile API sends never reaches a terminal, the log or the job summary as control
 * characters: events, actions, statuses and hook URLs holding ANSI and OSC escapes, line breaks
 * that would start a `::error::` workflow command, C1 controls, DEL and bidi overrides. Served
 * by the local GitHub API; the CLI's main() and the action's run() in this process.
 */
import { afterEach, beforeEach, expect, test } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startLocalApi, type LocalApi } from '../../local-api/index.js'
import { runActionInProcess, runCliInProcess, shortenWaitsInEachTest } from '../support/in-process.js'
import { guid, HOUR } from '../support/world.js'

shortenWaitsInEachTest()

// ESC ] OSC title, BEL, a line break into a workflow command, CSI (C1), DEL, a right-to-left override.
const EVENT = 'push\u001b]0;pwned\u0007\n::error::injected by the event'
const ACTION = 'opened\u009b31m\u007f\u202eevil'
const STATUS = 'Invalid HTTP Response: 503\r\n::warning::injected by the status\u001b[2J'
const URL = 'https://receiver.example.com/\u001b[31mred\n::error::injected by the url'

/** Any control character but the line feed that ends a line, and the text a workflow command line starts with. */
// eslint-disable-next-line no-control-regex -- control characters are what this finds
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/
const COMMAND_FROM_A_VALUE = /^::(error|warning)::injected/m

let api: LocalApi
let temp: string
beforeEach(async () => {
  api = await startLocalApi({ seed: 3 })
  temp = mkdtempSync(join(tmpdir(), 'hostile-values-'))
})
afterEach(async () => {
  await api.close()
  rmSync(temp, { recursive: true, force: true })
})

function hostileHook() {
  const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
  const hook = api.createOrgHook('acme', { url: URL })
  // Failing now and given up (max-attempts 1, already attempted): a redelivered row and a skipped one.
  api.addDelivery(hook, { guid: guid('hostile'), event: EVENT, action: ACTION, deliveredAt: api.now() - HOUR, ok: false, status: STATUS, statusCode: 503 })
  return { token, hook }
}

test('the CLI: stderr with --debug, stdout with --json, and the report file hold no control character and start no command', async () => {
  const { token, hook } = hostileHook()
  const report = join(temp, 'report.json')
  // Every hook of acme: its label names its URL (the host only, which no control character can be part of).
  expect(hook.id).toBeGreaterThan(0)
  const args = ['--target-type', 'org', '--org', 'acme', '--hostname', api.url, '--report-file', report, '--debug']
  const run = await runCliInProcess([...args, '--json'], { GITHUB_TOKEN: token })
  expect(run.code).toBe(0)
  // The values are shown, escaped.
  expect(run.stderr).toContain('push\\x1b]0;pwned\\x07\\n::error::injected by the event')
  for (const text of [run.stderr, run.stdout]) {
    expect(text).not.toMatch(RAW_CONTROL)
    expect(text).not.toMatch(COMMAND_FROM_A_VALUE)
  }
  // The report keeps every character (JSON reads them back), none raw: `cat` shows escapes.
  const text = readFileSync(report, 'utf8')
  expect(text).not.toMatch(RAW_CONTROL)
  expect(text).not.toMatch(COMMAND_FROM_A_VALUE)
  const row = JSON.parse(text).deliveries?.[0] ?? JSON.parse(text).rows?.[0]
  expect(row).toMatchObject({ event: EVENT, action: ACTION })
})

test('the action: its log lines, debug included, and the job summary hold no control character and start no command', async () => {
  const { token, hook } = hostileHook()
  const run = await runActionInProcess({ apiUrl: api.url, debug: true, keepTemp: true, inputs: { 'target-type': 'org', org: 'acme', token } })
  expect(hook.id).toBeGreaterThan(0)
  try {
    expect(run.exitCode).toBe(0)
    expect(run.commands.errors).toEqual([])
    expect(run.commands.warnings).toEqual([])
    expect(run.stdout).toContain('push\\x1b]0;pwned\\x07\\n::error::injected by the event')
    for (const text of [run.stdout, run.summary]) {
      expect(text).not.toMatch(RAW_CONTROL)
      expect(text).not.toMatch(COMMAND_FROM_A_VALUE)
    }
    // A table cell is one line: a line break is a space there, and the rest escaped.
    expect(run.summary).toContain('`push\\x1b]0;pwned\\x07 ::error::injected by the event`')
    expect(run.summary).toContain('`opened\\x9b31m\\x7f\\u202eevil`')
    const text = readFileSync(run.outputs.report, 'utf8')
    expect(text).not.toMatch(RAW_CONTROL)
    expect(JSON.stringify(JSON.parse(text))).toContain(JSON.stringify(ACTION).slice(1, -1))
  } finally {
    rmSync(run.env.RUNNER_TEMP, { recursive: true, force: true })
  }
})
