/**
 * What the action and the command line each print for the same input error or message that
 * names inputs (src/core/input-errors.ts): one value, two vocabularies, and no rewriting of text.
 */
import { describe, expect, test } from '@jest/globals'
import { parseConfig, type RawInputs } from '../../src/core/config.js'
import { ACTION_NAMING, bare, CLI_NAMING, cliNaming, inputError, quoted, render, renderInputError, subject, type InputError, type Text } from '../../src/core/input-errors.js'
import { stepFailures } from '../../src/core/report.js'
import { runResult, totals } from '../fixtures/builders.js'

function errorsOf(raw: RawInputs): InputError[] {
  const result = parseConfig(raw, {})
  if (result.ok) throw new Error('expected input errors')
  return result.errors
}

function warningsOf(raw: RawInputs): readonly Text[] {
  const result = parseConfig(raw, {})
  if (!result.ok) throw new Error('expected a valid configuration')
  return result.warnings
}

describe('the same input error, printed by each front end', () => {
  test.each<[string, RawInputs, string, string]>([
    [
      'a bad value',
      { 'target-type': 'org', org: 'acme', token: 'ghp_x', 'max-attempts': '-1' },
      'Input "max-attempts" must be a positive integer, got "-1".',
      '--max-attempts must be a positive integer, got "-1".'
    ],
    [
      'a missing secret, in words that name other inputs',
      { 'target-type': 'org', org: 'acme' },
      'Input "token" is required when target-type is "org" (or give app-id and private-key of an app installed there).',
      'GITHUB_TOKEN is required when --target-type is "org" (or give --app-id and GITHUB_APP_PRIVATE_KEY (or --private-key-file) of an app installed there).'
    ],
    [
      'a key that is no key',
      { 'target-type': 'app', 'app-id': '7', 'private-key': 'nope' },
      'Input "private-key" must be the GitHub App\'s PEM private key (-----BEGIN RSA PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----), as downloaded from the app\'s settings.',
      "GITHUB_APP_PRIVATE_KEY (or --private-key-file) must be the GitHub App's PEM private key (-----BEGIN RSA PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----), as downloaded from the app's settings."
    ],
    [
      'a list entry (core/selection.ts)',
      { 'target-type': 'org', org: 'acme', token: 'ghp_x', shard: '3/2' },
      'Input "shard" must be i/n such as 2/8: part i of n, with 1 <= i <= n <= 1000, got "3/2".',
      '--shard must be i/n such as 2/8: part i of n, with 1 <= i <= n <= 1000, got "3/2".'
    ]
  ])('%s', (_, raw, action, cli) => {
    const [error] = errorsOf(raw)
    expect(renderInputError(error, ACTION_NAMING)).toBe(action)
    expect(renderInputError(error, CLI_NAMING)).toBe(cli)
  })

  test('a value that reads like an input name stays a value', () => {
    const error = inputError('target-type', 'must be app, org or repo', 'org')
    expect(renderInputError(error, ACTION_NAMING)).toBe('Input "target-type" must be app, org or repo, got "org".')
    expect(renderInputError(error, CLI_NAMING)).toBe('--target-type must be app, org or repo, got "org".')
  })

  test('a secret pasted into the wrong input is never repeated, in either vocabulary', () => {
    const [error] = errorsOf({ 'target-type': 'org', org: 'ghp_abcdefghijklmnop', token: 'ghp_x' })
    expect(error).toEqual({ input: 'org', expected: ['must be an organization login (letters, digits and hyphens)'], got: { secret: true } })
    expect(renderInputError(error, ACTION_NAMING)).toBe('Input "org" must be an organization login (letters, digits and hyphens), got what looks like a secret (not shown).')
    expect(renderInputError(error, CLI_NAMING)).toBe('--org must be an organization login (letters, digits and hyphens), got what looks like a secret (not shown).')
  })
})

describe('warnings and other messages that name inputs', () => {
  test('an input ignored without another', () => {
    const [warning] = warningsOf({ 'target-type': 'org', org: 'acme', 'app-id': '7', token: 'ghp_x' })
    expect(render(warning, ACTION_NAMING)).toBe('Input "app-id" is ignored without "private-key": the app cannot sign in without its key, so "token" is used.')
    expect(render(warning, CLI_NAMING)).toBe('--app-id is ignored without GITHUB_APP_PRIVATE_KEY (or --private-key-file): the app cannot sign in without its key, so GITHUB_TOKEN is used.')
  })

  test('names in running text, and names that merely contain an input name, stay as written', () => {
    const text: Text = ['dry-run hook 5 of acme/dry-run (ci.max-age.example.com): check ', quoted('hostname'), '; lower ', bare('max-redeliveries'), '. ', subject('lookback'), ' is long.']
    expect(render(text, ACTION_NAMING)).toBe('dry-run hook 5 of acme/dry-run (ci.max-age.example.com): check "hostname"; lower max-redeliveries. Input "lookback" is long.')
    expect(render(text, CLI_NAMING)).toBe('dry-run hook 5 of acme/dry-run (ci.max-age.example.com): check --hostname; lower --max-redeliveries. --lookback is long.')
  })

  test("a subcommand's own flags: replay's --since for replay-since", () => {
    const replay = cliNaming({ 'replay-since': '--since' })
    expect(render([subject('replay-since'), ' or ', quoted('hook-id')], replay)).toBe('--since or --hook-id')
  })

  test('why the step fails names fail-on as each front end does', () => {
    const expiring = runResult({ totals: totals({ failed: 1, expiring: 1 }) })
    expect(stepFailures(expiring, new Set(['expiring']))[0]).toContain('(fail-on: expiring)')
    expect(stepFailures(expiring, new Set(['expiring']), CLI_NAMING)[0]).toContain('(--fail-on: expiring)')
  })
})
