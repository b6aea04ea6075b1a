import { generateKeyPairSync } from 'node:crypto'
import { beforeAll, describe, expect, test } from '@jest/globals'
import { INPUTS } from '../../src/core/inputs.generated.js'
import { normalizePrivateKey, parseConfig, parseRepo, secretInputs, type Config, type Environment, type RawInputs } from '../../src/core/config.js'
import { ACTION_NAMING, render, renderInputError, type InputError, type Text } from '../../src/core/input-errors.js'
import { policyOf } from '../../src/core/plan.js'
import { rsaKeys, secretLines, type TestKeys } from '../fixtures/keys.js'

const DOTCOM = { apiBaseUrl: 'https://api.github.com', webBaseUrl: 'https://github.com', kind: 'dotcom' }
const ORG: RawInputs = { 'target-type': 'org', org: 'acme', token: 'ghp_token' }
const ENV: Environment = { GITHUB_REPOSITORY: 'octo/hello' }

function config(raw: RawInputs, env: Environment = {}): Config {
  const result = parseConfig(raw, env)
  if (!result.ok) throw new Error(`expected a valid config, got errors: ${actionWords(result.errors).join(' | ')}`)
  return result.config
}

function errors(raw: RawInputs, env: Environment = {}): string[] {
  const result = parseConfig(raw, env)
  if (result.ok) throw new Error(`expected errors, got config ${JSON.stringify(result.config)}`)
  return actionWords(result.errors)
}

/** Input errors and warnings as the action prints them (the CLI's words: __tests__/unit/input-errors.test.ts). */
function actionWords(messages: readonly (InputError | Text)[]): string[] {
  return messages.map(message => ('input' in message && 'expected' in message ? renderInputError(message, ACTION_NAMING) : render(message as Text, ACTION_NAMING)))
}

let keys: TestKeys
beforeAll(() => {
  keys = rsaKeys()
})

// action.yml is the one declaration the code derives from; these hold it to SPEC's contract,
// so renaming an input or changing a default is a decision a test names, not a silent edit.
describe("action.yml's inputs are SPEC's", () => {
  test('the names, in kebab-case', () => {
    expect(INPUTS.map(input => input.name).sort()).toEqual(
      [
        'target-type',
        'app-id',
        'private-key',
        'token',
        'org',
        'repository',
        'hook-id',
        'hostname',
        'state-variable',
        'state-repository',
        'lookback',
        'max-attempts',
        'max-redeliveries',
        'events',
        'max-age',
        'dry-run',
        'shard',
        'expiring-within',
        'replay-since',
        'replay-until',
        'replay-outcome',
        'replay-send',
        'fail-on'
      ].sort()
    )
  })

  test('the defaults, and only target-type required', () => {
    expect(Object.fromEntries(INPUTS.filter(input => input.default !== '').map(input => [input.name, input.default]))).toEqual({
      lookback: '24h',
      'max-attempts': '3',
      'max-redeliveries': '500',
      'dry-run': 'false',
      'expiring-within': '12h',
      'replay-send': 'false',
      'fail-on': 'errors'
    })
    expect(INPUTS.filter(input => input.required).map(input => input.name)).toEqual(['target-type'])
  })
})

describe('parseConfig: defaults and the happy paths', () => {
  test('an org target with a token gets every default', () => {
    expect(config(ORG)).toEqual({
      target: { type: 'org', org: 'acme' },
      hooks: [],
      token: 'ghp_token',
      app: undefined,
      location: DOTCOM,
      state: undefined,
      lookbackMs: 24 * 3_600_000,
      maxAttempts: 3,
      maxRedeliveries: 500,
      events: [],
      maxAgeMs: undefined,
      dryRun: false,
      expiringWithinMs: 12 * 3_600_000,
      failOn: new Set(['errors'])
    })
  })

  test('fail-on: conditions, comma- or newline-separated; never alone; anything else named', () => {
    expect(config({ ...ORG, 'fail-on': 'given-up, receiver-down\nerrors' }).failOn).toEqual(new Set(['errors', 'given-up', 'receiver-down']))
    expect(config({ ...ORG, 'fail-on': 'never' }).failOn).toEqual(new Set())
    expect(config({ ...ORG, 'fail-on': '' }).failOn).toEqual(new Set(['errors']))
    expect(config({ ...ORG, 'fail-on': 'expiring' }).failOn).toEqual(new Set(['expiring']))
    expect(errors({ ...ORG, 'fail-on': 'warnings' })).toEqual(['Input "fail-on" must be errors, given-up, receiver-down or expiring (comma-separated), or never, got "warnings".'])
    expect(errors({ ...ORG, 'fail-on': 'never,errors' })).toEqual(['Input "fail-on" cannot combine never with other conditions.'])
  })

  test('expiring-within: a duration, by default 12h', () => {
    expect(config({ ...ORG, 'expiring-within': '1d' }).expiringWithinMs).toBe(24 * 3_600_000)
    expect(errors({ ...ORG, 'expiring-within': '12' })).toEqual(['Input "expiring-within" must be a duration such as 12h or 1d, got "12".'])
  })

  test('replay-since: a replay instead of the redelivery of failures, its times checked', () => {
    expect(config({ ...ORG, 'replay-since': '6h' }).replay).toEqual({ since: '6h', until: '', outcome: 'all', send: false })
    expect(config({ ...ORG, 'replay-since': '2026-12-07T06:00:00Z', 'replay-until': '2026-12-07T08:00:00+01:00', 'replay-outcome': 'failed', 'replay-send': 'true' }).replay).toEqual({
      since: '2026-12-07T06:00:00Z',
      until: '2026-12-07T08:00:00+01:00',
      outcome: 'failed',
      send: true
    })
    expect(errors({ ...ORG, 'replay-since': '2026-12-07 06:00', 'replay-outcome': 'ok' })).toEqual([
      'Input "replay-since" must be an ISO 8601 time with its zone (2026-12-07T06:00:00Z) or a duration ago such as 6h, got "2026-12-07 06:00".',
      'Input "replay-outcome" must be failed or succeeded (empty: both), got "ok".'
    ])
    expect(config(ORG).replay).toBeUndefined()
  })

  test('inputs are trimmed', () => {
    const c = config({ 'target-type': ' org ', org: '  acme\n', token: ' ghp_token ', 'max-attempts': ' 5 ' })
    expect(c.target).toEqual({ type: 'org', org: 'acme' })
    expect(c.token).toBe('ghp_token')
    expect(c.maxAttempts).toBe(5)
  })

  test('empty strings fall back to the defaults', () => {
    const c = config({ ...ORG, lookback: '', 'max-attempts': '  ', 'max-redeliveries': '', 'dry-run': '' })
    expect([c.lookbackMs, c.maxAttempts, c.maxRedeliveries, c.dryRun]).toEqual([86_400_000, 3, 500, false])
  })

  test('an app target with app-id and private-key', () => {
    const c = config({ 'target-type': 'app', 'app-id': '12345', 'private-key': keys.pkcs1 })
    expect(c.target).toEqual({ type: 'app' })
    expect(c.app).toEqual({ appId: '12345', privateKey: keys.pkcs1 })
    expect(c.token).toBeUndefined()
    expect(c.hooks).toEqual([])
  })

  test('an app client ID (Iv…) is accepted as app-id', () => {
    for (const appId of ['Iv1.0123456789abcdef', 'Iv23liABCDEF0123', 'iv1.abcd']) {
      expect(config({ 'target-type': 'app', 'app-id': appId, 'private-key': keys.pkcs8 }).app?.appId).toBe(appId)
    }
  })

  test('org and repo targets may authenticate with app credentials instead of a token', () => {
    const org = config({ 'target-type': 'org', org: 'acme', 'app-id': '7', 'private-key': keys.pkcs8 })
    expect(org.token).toBeUndefined()
    expect(org.app).toEqual({ appId: '7', privateKey: keys.pkcs8 })
    const repo = config({ 'target-type': 'repo', 'app-id': '7', 'private-key': keys.pkcs1 }, ENV)
    expect(repo.target).toEqual({ type: 'repo', owner: 'octo', repo: 'hello' })
    expect(repo.app).toEqual({ appId: '7', privateKey: keys.pkcs1 })
  })

  test('a token and app credentials together keep both', () => {
    const c = config({ ...ORG, 'app-id': '7', 'private-key': keys.pkcs1 })
    expect(c.token).toBe('ghp_token')
    expect(c.app).toEqual({ appId: '7', privateKey: keys.pkcs1 })
  })

  test('app-id with a token but without private-key is not an error (the token is used)', () => {
    const c = config({ ...ORG, 'app-id': '7' })
    expect(c.app).toBeUndefined()
    expect(c.token).toBe('ghp_token')
    const result = parseConfig({ ...ORG, 'app-id': '7' }, {})
    expect(result.ok && actionWords(result.warnings)).toEqual(['Input "app-id" is ignored without "private-key": the app cannot sign in without its key, so "token" is used.'])
  })
})

describe('parseConfig: target-type', () => {
  test('is required', () => {
    expect(errors({})).toContain('Input "target-type" is required: use app, org or repo.')
    expect(errors({ 'target-type': '  ' })).toContain('Input "target-type" is required: use app, org or repo.')
  })

  test.each(['user', 'organization', 'repos', 'app,org'])('rejects %p', value => {
    expect(errors({ ...ORG, 'target-type': value })).toEqual([`Input "target-type" must be app, org or repo, got "${value}".`])
  })
})

describe('parseConfig: org', () => {
  test('is required for an org target', () => {
    expect(errors({ 'target-type': 'org', token: 't' })).toEqual(['Input "org" is required when target-type is "org": the organization login.'])
  })

  test.each(['acme', 'a', 'Acme-Corp', 'a1-b2', 'a'.repeat(39)])('accepts %p', org => {
    expect(config({ ...ORG, org }).target).toEqual({ type: 'org', org })
  })

  test.each(['-acme', 'ac me', 'acme/x', 'ac_me', 'a'.repeat(40), '../acme'])('rejects %p', org => {
    expect(errors({ ...ORG, org })).toEqual([`Input "org" must be an organization login (letters, digits and hyphens), got "${org}".`])
  })
})

describe('parseConfig: repository', () => {
  const REPO: RawInputs = { 'target-type': 'repo', token: 't' }

  test('defaults to GITHUB_REPOSITORY', () => {
    expect(config(REPO, ENV).target).toEqual({ type: 'repo', owner: 'octo', repo: 'hello' })
  })

  test('an explicit repository wins over GITHUB_REPOSITORY', () => {
    expect(config({ ...REPO, repository: 'acme/api.js' }, ENV).target).toEqual({ type: 'repo', owner: 'acme', repo: 'api.js' })
  })

  test('is required outside GitHub Actions', () => {
    expect(errors(REPO)).toEqual(['Input "repository" is required when target-type is "repo" outside GitHub Actions: use owner/name.'])
    expect(errors(REPO, { GITHUB_REPOSITORY: '  ' })).toEqual(['Input "repository" is required when target-type is "repo" outside GitHub Actions: use owner/name.'])
  })

  test.each(['a', 'a/..', 'a/.', 'a/b/c', '/b', 'a/', 'a b/c', 'a/b c', '-a/b', '../b', 'a/' + 'x'.repeat(101)])('rejects %p', repository => {
    expect(errors({ ...REPO, repository }, ENV)).toEqual([`Input "repository" must be owner/name, got "${repository.length > 80 ? repository.slice(0, 77) + '...' : repository}".`])
  })

  test('a bad GITHUB_REPOSITORY is reported against the repository input', () => {
    expect(errors(REPO, { GITHUB_REPOSITORY: 'nope' })).toEqual(['Input "repository" must be owner/name, got "nope".'])
  })
})

describe('parseConfig: credentials', () => {
  test('org needs a token or app credentials', () => {
    expect(errors({ 'target-type': 'org', org: 'acme' })).toEqual(['Input "token" is required when target-type is "org" (or give app-id and private-key of an app installed there).'])
  })

  test('repo needs a token or app credentials', () => {
    expect(errors({ 'target-type': 'repo' }, ENV)).toEqual(['Input "token" is required when target-type is "repo" (or give app-id and private-key of an app installed there).'])
  })

  test('app-id without private-key (and no token) asks for the key', () => {
    expect(errors({ 'target-type': 'org', org: 'acme', 'app-id': '7' })).toEqual(['Input "private-key" is required with app-id: the GitHub App\'s PEM private key.'])
  })

  test('private-key without app-id asks for the app id', () => {
    expect(errors({ 'target-type': 'org', org: 'acme', 'private-key': keys.pkcs1 })).toEqual(['Input "app-id" is required with private-key: the GitHub App ID or client ID.'])
  })

  test('an app target needs app-id', () => {
    const list = errors({ 'target-type': 'app', 'private-key': keys.pkcs1 })
    expect(list).toContain('Input "app-id" is required when target-type is "app": the GitHub App ID or client ID.')
    for (const message of list) expect(message.startsWith('Input "app-id" ')).toBe(true)
  })

  test('an app target needs private-key', () => {
    expect(errors({ 'target-type': 'app', 'app-id': '7' })).toEqual(['Input "private-key" is required when target-type is "app": the GitHub App\'s PEM private key.'])
  })

  test('an app target needs both', () => {
    expect(errors({ 'target-type': 'app' })).toEqual([
      'Input "app-id" is required when target-type is "app": the GitHub App ID or client ID.',
      'Input "private-key" is required when target-type is "app": the GitHub App\'s PEM private key.'
    ])
  })

  test('an app target does not need a token', () => {
    expect(config({ 'target-type': 'app', 'app-id': '7', 'private-key': keys.pkcs1 }).token).toBeUndefined()
  })

  test.each(['abc', '12a', '1234567890123', 'Iv1', 'Iv1.a b', '-1', '0x10'])('rejects app-id %p', appId => {
    expect(errors({ 'target-type': 'app', 'app-id': appId, 'private-key': keys.pkcs1 })).toEqual([`Input "app-id" must be a GitHub App ID (a number) or client ID (Iv…), got "${appId}".`])
  })

  test.each(['1', '123456789012'])('accepts numeric app-id %p', appId => {
    expect(config({ 'target-type': 'app', 'app-id': appId, 'private-key': keys.pkcs1 }).app?.appId).toBe(appId)
  })
})

describe('parseConfig: what reaches a request header', () => {
  const TOKEN_ERROR = 'Input "token" holds a line break, a space or a character outside ASCII, which cannot be sent to GitHub: store the token alone in the secret, with nothing around it.'

  test.each([
    ['a line break inside', 'ghp_first\nghp_second'],
    ['a carriage return inside', 'ghp_abc\rdef'],
    ['a space inside', 'token ghp_abcdef'],
    ['a tab inside', 'ghp_abc\tdef'],
    ['a character outside Latin-1', 'ghp_abc€def'],
    ['a Latin-1 character outside ASCII', 'ghp_abcédef'],
    ['a NUL', 'ghp_abc\u0000def'],
    ['a non-breaking space', 'ghp_abc\u00a0def']
  ])('a token with %s is an input error that never repeats it', (_case, token) => {
    const list = errors({ ...ORG, token })
    expect(list).toEqual([TOKEN_ERROR])
    expect(list.join('\n')).not.toContain('abc')
  })

  test('a token with only surrounding whitespace (a trailing newline from echo) is trimmed and accepted', () => {
    expect(config({ ...ORG, token: '  ghp_token\n' }).token).toBe('ghp_token')
  })

  test.each(['ghp_A1b2C3d4E5', 'github_pat_11ABCDEFG0_xyz', 'ghs_abc123', '0123456789abcdef0123456789abcdef01234567'])('accepts token %p', token => {
    expect(config({ ...ORG, token }).token).toBe(token)
  })

  test.each([
    ['org', { ...ORG, org: 'ghp_abcdefghijklmnop1234' }],
    ['app-id', { 'target-type': 'app', 'app-id': 'ghs_abcdefghijklmnop1234', 'private-key': '' }],
    ['state-variable', { ...ORG, 'state-variable': 'github_pat_11ABCDEFG0abcdefgh' }],
    ['hook-id', { ...ORG, 'hook-id': 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOjF9.c2ln' }],
    ['app-id', { 'target-type': 'app', 'app-id': '-----BEGIN RSA PRIVATE KEY-----\nMIIEabc', 'private-key': '' }]
  ] as const)('a secret pasted into %s is not repeated in its error', (name, raw) => {
    const list = errors(raw as RawInputs)
    const message = list.find(m => m.startsWith(`Input "${name}"`))
    expect(message).toMatch(/, got what looks like a secret \(not shown\)\.$/)
    for (const value of Object.values(raw)) if (value && value.length > 12) expect(list.join('\n')).not.toContain(value.slice(4, 16))
  })

  test('values that reach a URL path are validated: org, repository, hook ids, state variable', () => {
    expect(errors({ ...ORG, org: 'acme/../x' })[0]).toMatch(/^Input "org" must be/)
    expect(errors({ 'target-type': 'repo', token: 't', repository: 'a/b/c' })[0]).toMatch(/^Input "repository" must be/)
    expect(errors({ 'target-type': 'repo', token: 't', repository: 'a/..' })[0]).toMatch(/^Input "repository" must be/)
    expect(errors({ ...ORG, 'hook-id': '12/../34' })[0]).toMatch(/^Input "hook-id" must be/)
    expect(errors({ ...ORG, 'hook-id': '1%2F2' })[0]).toMatch(/^Input "hook-id" must be/)
    expect(errors({ ...ORG, 'state-variable': 'A/B', 'state-repository': 'o/r' })[0]).toMatch(/^Input "state-variable" must be/)
  })
})

describe('parseConfig: private-key', () => {
  const PEM_ERROR = 'Input "private-key" must be the GitHub App\'s PEM private key (-----BEGIN RSA PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----), as downloaded from the app\'s settings.'
  const APP: RawInputs = { 'target-type': 'app', 'app-id': '42' }

  test.each(['pkcs1', 'pkcs8'] as const)('an encrypted %s key: says it is encrypted and must be exported without a passphrase', type => {
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 1024,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type, format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' }
    })
    expect(privateKey).toMatch(type === 'pkcs1' ? /^-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED/ : /^-----BEGIN ENCRYPTED PRIVATE KEY-----/)
    const expected = [
      'Input "private-key" is an encrypted key: a passphrase protects it, and none can be given. Export the GitHub App\'s key without a passphrase (such as with openssl pkey -in key.pem -out plain.pem), or use the key as downloaded from the app\'s settings.'
    ]
    expect(errors({ ...APP, 'private-key': privateKey })).toEqual(expected)
    // As a one-line secret with \n escapes, too.
    expect(errors({ ...APP, 'private-key': privateKey.trim().replace(/\n/g, '\\n') })).toEqual(expected)
  })

  test('accepts PKCS#1 and PKCS#8', () => {
    expect(config({ ...APP, 'private-key': keys.pkcs1 }).app?.privateKey).toBe(keys.pkcs1)
    expect(config({ ...APP, 'private-key': keys.pkcs8 }).app?.privateKey).toBe(keys.pkcs8)
  })

  test('accepts the \\n-escaped single-line form and restores real newlines', () => {
    const escaped = keys.pkcs1.trim().replace(/\n/g, '\\n')
    expect(escaped).not.toContain('\n')
    expect(config({ ...APP, 'private-key': escaped }).app?.privateKey).toBe(keys.pkcs1)
    // A trailing escaped newline is accepted too; the PEM body is restored exactly.
    const escaped8 = keys.pkcs8.replace(/\n/g, '\\n')
    expect(config({ ...APP, 'private-key': escaped8 }).app?.privateKey?.trimEnd()).toBe(keys.pkcs8.trimEnd())
  })

  test('accepts CRLF, escaped \\r\\n, and surrounding whitespace', () => {
    expect(config({ ...APP, 'private-key': keys.pkcs1.replace(/\n/g, '\r\n') }).app?.privateKey).toBe(keys.pkcs1)
    expect(config({ ...APP, 'private-key': keys.pkcs8.trim().replace(/\n/g, '\\r\\n') }).app?.privateKey).toBe(keys.pkcs8)
    expect(config({ ...APP, 'private-key': `\n\n  ${keys.pkcs1}\n\n` }).app?.privateKey).toBe(keys.pkcs1)
  })

  test.each([
    ['garbage', 'not a key at all'],
    ['a public key', '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----'],
    ['a PEM header with a corrupt body', '-----BEGIN RSA PRIVATE KEY-----\nTHISISNOTBASE64KEYMATERIALxxxxxxxxxxxxx\n-----END RSA PRIVATE KEY-----'],
    ['a PKCS#8 header with a corrupt body', '-----BEGIN PRIVATE KEY-----\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n-----END PRIVATE KEY-----']
  ])('rejects %s', (_, key) => {
    expect(errors({ ...APP, 'private-key': key })).toEqual([PEM_ERROR])
  })

  test('rejects a real key whose body was truncated', () => {
    const lines = keys.pkcs1.trim().split('\n')
    const truncated = [...lines.slice(0, 5), lines[lines.length - 1]].join('\n')
    expect(errors({ ...APP, 'private-key': truncated })).toEqual([PEM_ERROR])
  })

  test('the private key never appears in any error message', () => {
    const secretGarbage = 'SUPERSECRETVALUE-0123456789'
    const corrupt = `-----BEGIN RSA PRIVATE KEY-----\n${secretGarbage}\n-----END RSA PRIVATE KEY-----`
    const keyInputs = [keys.pkcs1, keys.pkcs8, keys.pkcs1.replace(/\n/g, '\\n'), secretGarbage, corrupt]
    const badCompanions: RawInputs[] = [
      { 'target-type': 'app', 'app-id': 'bad id' },
      { 'target-type': 'app' },
      { 'target-type': 'org' },
      { 'target-type': 'nope', 'app-id': '1', hostname: 'x y', 'state-variable': '1bad' },
      { 'target-type': 'repo', 'app-id': '1', 'dry-run': 'maybe', lookback: 'soon', 'hook-id': '../x' }
    ]
    let checked = 0
    for (const key of keyInputs) {
      for (const companion of badCompanions) {
        const list = errors({ ...companion, 'private-key': key })
        const text = list.join('\n')
        for (const line of secretLines(key.replace(/\\n/g, '\n'))) expect(text).not.toContain(line)
        expect(text).not.toContain(secretGarbage)
        if (key.length > 80) expect(text).not.toContain(key.slice(40, 80))
        checked += list.length
      }
    }
    expect(checked).toBeGreaterThan(10)
  })
})

describe('normalizePrivateKey', () => {
  test('returns the PEM with real newlines and one trailing newline', () => {
    expect(normalizePrivateKey(keys.pkcs1)).toBe(keys.pkcs1)
    expect(normalizePrivateKey(keys.pkcs1.trim())).toBe(keys.pkcs1)
    expect(normalizePrivateKey(keys.pkcs8.trim().replace(/\n/g, '\\n'))).toBe(keys.pkcs8)
    expect(normalizePrivateKey(keys.pkcs8.replace(/\n/g, '\n\n'))).toBe(keys.pkcs8)
  })

  test('rejects what is not a parseable RSA PEM private key', () => {
    expect(normalizePrivateKey('')).toBeUndefined()
    expect(normalizePrivateKey('hello')).toBeUndefined()
    expect(normalizePrivateKey(`junk before ${keys.pkcs1}`)).toBeUndefined()
    const corruptBody = keys.pkcs1
      .split('\n')
      .map(line => (line.startsWith('-----') || line === '' ? line : 'A'.repeat(line.length)))
      .join('\n')
    expect(normalizePrivateKey(corruptBody)).toBeUndefined()
    expect(normalizePrivateKey('-----BEGIN RSA PRIVATE KEY-----\n-----END RSA PRIVATE KEY-----')).toBeUndefined()
  })
})

describe('parseConfig: hook-id', () => {
  test('one id', () => {
    expect(config({ ...ORG, 'hook-id': '123' }).hooks).toEqual([{ kind: 'id', id: '123' }])
  })

  test('comma- and newline-separated lists, blanks ignored', () => {
    expect(config({ ...ORG, 'hook-id': '1, 2\n3\r\n,\n 4 ,' }).hooks).toEqual([
      { kind: 'id', id: '1' },
      { kind: 'id', id: '2' },
      { kind: 'id', id: '3' },
      { kind: 'id', id: '4' }
    ])
  })

  test('ids larger than 2^53 stay exact strings', () => {
    expect(config({ ...ORG, 'hook-id': '9007199254740993' }).hooks).toEqual([{ kind: 'id', id: '9007199254740993' }])
    expect(config({ ...ORG, 'hook-id': '1' + '0'.repeat(19) }).hooks).toEqual([{ kind: 'id', id: '1' + '0'.repeat(19) }])
  })

  test('payload URLs are accepted as selectors', () => {
    expect(config({ ...ORG, 'hook-id': 'https://example.com/webhook?x=1, http://10.0.0.1:8080/hook\n42' }).hooks).toEqual([
      { kind: 'url', url: 'https://example.com/webhook?x=1' },
      { kind: 'url', url: 'http://10.0.0.1:8080/hook' },
      { kind: 'id', id: '42' }
    ])
  })

  test('empty means every hook', () => {
    expect(config({ ...ORG, 'hook-id': '' }).hooks).toEqual([])
    expect(config({ ...ORG, 'hook-id': ' , \n ' }).hooks).toEqual([])
  })

  test.each(['../x', '1/../2', '0', '01', '-1', '1.5', 'abc', '1 2', '1' + '0'.repeat(20), 'ftp://example.com/hook', 'javascript:alert(1)', '/hooks/1', 'example.com/hook'])('rejects %p', item => {
    expect(errors({ ...ORG, 'hook-id': item })).toEqual([`Input "hook-id" must be hook IDs (numbers) or payload URLs, comma- or newline-separated, got "${item}".`])
  })

  test('one error per bad item, good ones do not hide bad ones', () => {
    expect(errors({ ...ORG, 'hook-id': '1,../x,2,1/../2' })).toEqual([
      'Input "hook-id" must be hook IDs (numbers) or payload URLs, comma- or newline-separated, got "../x".',
      'Input "hook-id" must be hook IDs (numbers) or payload URLs, comma- or newline-separated, got "1/../2".'
    ])
  })

  test('is ignored for app targets, even junk', () => {
    expect(config({ 'target-type': 'app', 'app-id': '1', 'private-key': keys.pkcs1, 'hook-id': '../x' }).hooks).toEqual([])
    const result = parseConfig({ 'target-type': 'app', 'app-id': '1', 'private-key': keys.pkcs1, 'hook-id': '123' }, {})
    expect(result.ok && actionWords(result.warnings)).toEqual(['Input "hook-id" is ignored for target-type "app": a GitHub App has one webhook.'])
  })

  test('org and repository given with target-type app are named as ignored', () => {
    const result = parseConfig({ 'target-type': 'app', 'app-id': '1', 'private-key': keys.pkcs1, org: 'acme', repository: 'acme/widgets' }, {})
    expect(result.ok && actionWords(result.warnings)).toEqual([
      'Input "org" is ignored for target-type "app": the app\'s own webhook is scanned, whichever accounts installed it.',
      'Input "repository" is ignored for target-type "app": the app\'s own webhook is scanned, whichever accounts installed it.'
    ])
    // The workflow's repository, a default, is no input given.
    const quiet = parseConfig({ 'target-type': 'app', 'app-id': '1', 'private-key': keys.pkcs1 }, { GITHUB_REPOSITORY: 'acme/workflows' })
    expect(quiet.ok && actionWords(quiet.warnings)).toEqual([])
  })
})

describe('parseConfig: state-variable and state-repository', () => {
  const VAR_ERROR = (v: string): string => `Input "state-variable" must be a variable name: letters, digits and _, not starting with a digit or GITHUB_, got "${v}".`

  test('state defaults to the workflow repository', () => {
    expect(config({ ...ORG, 'state-variable': 'WEBHOOK_STATE' }, ENV).state).toEqual({
      variable: 'WEBHOOK_STATE',
      repository: { owner: 'octo', repo: 'hello' }
    })
  })

  test('an explicit state-repository', () => {
    expect(config({ ...ORG, 'state-variable': 's', 'state-repository': 'acme/ops' }, ENV).state).toEqual({
      variable: 's',
      repository: { owner: 'acme', repo: 'ops' }
    })
  })

  test.each(['_X', 'x', 'STATE_1', 'githubstate', 'GITHUBX', 'MY_GITHUB_STATE', 'a'.repeat(100)])('accepts variable %p', variable => {
    expect(config({ ...ORG, 'state-variable': variable }, ENV).state?.variable).toBe(variable)
  })

  test.each(['1X', '9', 'GITHUB_STATE', 'github_state', 'GitHub_x', 'GITHUB_', 'a-b', 'a.b', 'a b', 'ä', '$X'])('rejects variable %p', variable => {
    expect(errors({ ...ORG, 'state-variable': variable }, ENV)).toEqual([VAR_ERROR(variable)])
  })

  test('no state-variable means no state', () => {
    expect(config(ORG, ENV).state).toBeUndefined()
    expect(config({ ...ORG, 'state-repository': 'acme/ops' }, ENV).state).toBeUndefined()
  })

  test('state-repository is required outside GitHub Actions', () => {
    expect(errors({ ...ORG, 'state-variable': 'S' })).toEqual(['Input "state-repository" is required with state-variable outside GitHub Actions: use owner/name.'])
  })

  test.each(['x', 'a/..', 'a/b/c', 'a/.'])('rejects state-repository %p, with or without state-variable', repo => {
    expect(errors({ ...ORG, 'state-variable': 'S', 'state-repository': repo })).toEqual([`Input "state-repository" must be owner/name, got "${repo}".`])
    expect(errors({ ...ORG, 'state-repository': repo })).toEqual([`Input "state-repository" must be owner/name, got "${repo}".`])
  })

  test('state-variable needs a token or app credentials', () => {
    expect(errors({ 'target-type': 'app', 'app-id': '1', 'private-key': '', 'state-variable': 'S' }, ENV)).toEqual([
      'Input "private-key" is required when target-type is "app": the GitHub App\'s PEM private key.',
      'Input "token" is required with state-variable to read and write the variable (or give app-id and private-key of an app installed on the state repository).'
    ])
  })

  test('app credentials are enough for the state variable', () => {
    const c = config({ 'target-type': 'app', 'app-id': '1', 'private-key': keys.pkcs1, 'state-variable': 'S' }, ENV)
    expect(c.state).toEqual({ variable: 'S', repository: { owner: 'octo', repo: 'hello' } })
    expect(c.token).toBeUndefined()
  })

  test('a token is enough for the state variable of an app target', () => {
    const c = config({ 'target-type': 'app', 'app-id': '1', 'private-key': keys.pkcs1, token: 't', 'state-variable': 'S', 'state-repository': 'a/b' })
    expect(c.state).toEqual({ variable: 'S', repository: { owner: 'a', repo: 'b' } })
  })
})

describe('parseConfig: durations', () => {
  test.each([
    ['90m', 5_400_000],
    ['6h', 21_600_000],
    ['3d', 259_200_000],
    ['1d12h', 129_600_000],
    ['1w', 604_800_000],
    ['30s', 30_000],
    ['30d', 2_592_000_000]
  ])('lookback %p', (text, ms) => {
    expect(config({ ...ORG, lookback: text }).lookbackMs).toBe(ms)
  })

  test.each(['5', '0m', '-1h', '1.5h', 'soon', '1y', 'h', '3 days'])('rejects lookback %p', text => {
    expect(errors({ ...ORG, lookback: text })).toEqual([`Input "lookback" must be a duration such as 90m, 6h or 3d, got "${text}".`])
  })

  test('max-age: empty means no limit, else a duration', () => {
    expect(config(ORG).maxAgeMs).toBeUndefined()
    expect(config({ ...ORG, 'max-age': ' ' }).maxAgeMs).toBeUndefined()
    expect(config({ ...ORG, 'max-age': '12h' }).maxAgeMs).toBe(43_200_000)
  })

  test.each(['12', '0h', 'forever'])('rejects max-age %p', text => {
    expect(errors({ ...ORG, 'max-age': text })).toEqual([`Input "max-age" must be a duration such as 90m, 6h or 3d, got "${text}".`])
  })
})

describe('parseConfig: positive integers', () => {
  test.each([
    ['1', 1],
    ['007', 7],
    ['10', 10],
    ['999999999', 999_999_999]
  ])('%p', (text, n) => {
    const c = config({ ...ORG, 'max-attempts': text, 'max-redeliveries': text })
    expect([c.maxAttempts, c.maxRedeliveries]).toEqual([n, n])
  })

  test.each(['0', '000', '-1', '1.5', '1e3', 'abc', '1000000000', '+3', '0x10', 'Infinity'])('rejects %p', text => {
    expect(errors({ ...ORG, 'max-attempts': text })).toEqual([`Input "max-attempts" must be a positive integer, got "${text}".`])
    expect(errors({ ...ORG, 'max-redeliveries': text })).toEqual([`Input "max-redeliveries" must be a positive integer, got "${text}".`])
  })
})

describe('parseConfig: dry-run', () => {
  test.each(['true', 'TRUE', 'True', 'yes', 'YES', '1'])('%p is true', text => {
    expect(config({ ...ORG, 'dry-run': text }).dryRun).toBe(true)
  })

  test.each(['false', 'FALSE', 'no', '0', '', '  '])('%p is false', text => {
    expect(config({ ...ORG, 'dry-run': text }).dryRun).toBe(false)
  })

  test.each(['maybe', '2', 'on', 'off', 'y', 'truee'])('rejects %p', text => {
    expect(errors({ ...ORG, 'dry-run': text })).toEqual([`Input "dry-run" must be true or false, got "${text}".`])
  })
})

describe('parseConfig: events', () => {
  test('parses events and event.action pairs, comma- or newline-separated', () => {
    expect(config({ ...ORG, events: 'push, pull_request.opened\nissues,\n,check_run.completed' }).events).toEqual([
      { event: 'push' },
      { event: 'pull_request', action: 'opened' },
      { event: 'issues' },
      { event: 'check_run', action: 'completed' }
    ])
  })

  test('empty means every event', () => {
    expect(config({ ...ORG, events: '' }).events).toEqual([])
  })

  test('an event without action has no action key at all', () => {
    expect(Object.keys(config({ ...ORG, events: 'push' }).events[0])).toEqual(['event'])
  })

  test.each(['push.', '.opened', 'a.b.c', 'pull-request', 'push!', 'push opened', '*'])('rejects %p', item => {
    expect(errors({ ...ORG, events: `push,${item}` })).toEqual([`Input "events" must be event names such as push, pull_request or pull_request.opened, comma-separated, got "${item}".`])
  })
})

describe('parseConfig: hostname', () => {
  test('empty uses GITHUB_API_URL', () => {
    expect(config(ORG, { GITHUB_API_URL: 'https://ghes.corp.example/api/v3' }).location).toEqual({
      apiBaseUrl: 'https://ghes.corp.example/api/v3',
      webBaseUrl: 'https://ghes.corp.example',
      kind: 'ghes'
    })
  })

  test('an explicit hostname wins over GITHUB_API_URL', () => {
    expect(config({ ...ORG, hostname: 'github.com' }, { GITHUB_API_URL: 'https://ghes.corp.example/api/v3' }).location).toEqual(DOTCOM)
  })

  test('an unusable GITHUB_API_URL with an empty hostname is rejected against hostname', () => {
    expect(errors(ORG, { GITHUB_API_URL: 'ftp://x' })).toEqual(['Input "hostname" is empty and the runner\'s GITHUB_API_URL ("ftp://x") is not an http(s) API URL: set "hostname".'])
  })

  test('host:port and SUB.ghe.com', () => {
    expect(config({ ...ORG, hostname: 'ghe.example.com:8443' }).location).toEqual({
      apiBaseUrl: 'https://ghe.example.com:8443/api/v3',
      webBaseUrl: 'https://ghe.example.com:8443',
      kind: 'ghes'
    })
    expect(config({ ...ORG, hostname: 'octo.ghe.com' }).location).toEqual({ apiBaseUrl: 'https://api.octo.ghe.com', webBaseUrl: 'https://octo.ghe.com', kind: 'ghe.com' })
  })

  test.each([
    ['https://github.com/acme', 'github.com'],
    ['https://github.com/orgs/acme/settings/hooks', 'github.com'],
    ['https://octocorp.ghe.com/acme/widgets', 'octocorp.ghe.com'],
    ['github.com/acme', 'github.com']
  ])('a page on GitHub (%p) is refused with the value to use', (hostname, meant) => {
    expect(errors({ ...ORG, hostname })).toEqual([`Input "hostname" must be where GitHub is, not a page on it: use ${meant}, got "${hostname}".`])
  })

  test('web addresses are mapped to their API: https://github.com, https://SUB.ghe.com, https://GHES-HOST', () => {
    expect(config({ ...ORG, hostname: 'https://github.com' }).location).toEqual(DOTCOM)
    expect(config({ ...ORG, hostname: 'https://octocorp.ghe.com' }).location).toEqual({ apiBaseUrl: 'https://api.octocorp.ghe.com', webBaseUrl: 'https://octocorp.ghe.com', kind: 'ghe.com' })
    expect(config({ ...ORG, hostname: 'https://ghe.example.com' }).location).toEqual({ apiBaseUrl: 'https://ghe.example.com/api/v3', webBaseUrl: 'https://ghe.example.com', kind: 'ghes' })
  })

  test.each(['x y', 'a/b', 'ftp://x', 'ghe.example.com:99999', 'http://user:pw@x', 'https://x/?q=1'])('rejects %p', hostname => {
    expect(errors({ ...ORG, hostname })).toEqual([
      `Input "hostname" must be github.com, SUBDOMAIN.ghe.com, a GitHub Enterprise Server host (host or host:port) or an https:// API URL, got "${hostname.replace('user:pw@', '***@')}".`
    ])
  })

  test('a plain http API URL off this machine is accepted with a warning; on loopback without', () => {
    const remote = parseConfig({ ...ORG, hostname: 'http://ghe.example.com/api/v3' }, {})
    expect(remote.ok && actionWords(remote.warnings)).toEqual(['The GitHub API URL http://ghe.example.com/api/v3 is plain http: tokens and keys would travel unencrypted. Use https.'])
    const local = parseConfig({ ...ORG, hostname: 'http://127.0.0.1:8080' }, {})
    expect(local.ok && actionWords(local.warnings)).toEqual([])
  })
})

describe('parseConfig: every error names its input', () => {
  test('one message per bad input, each starting with Input "<name>"', () => {
    const list = errors({
      'target-type': 'org',
      org: 'bad org',
      'hook-id': 'x',
      'app-id': 'y',
      hostname: 'a b',
      'state-variable': 'GITHUB_X',
      'state-repository': 'nope',
      lookback: 'z',
      'max-age': 'w',
      'max-attempts': '0',
      'max-redeliveries': '-1',
      events: 'a-b',
      'dry-run': 'perhaps'
    })
    const names = list.map(m => /^Input "([a-z-]+)" /.exec(m)?.[1])
    expect(names).toEqual([
      'org',
      'hook-id',
      'app-id',
      'private-key',
      'hostname',
      'state-variable',
      'state-repository',
      'token',
      'lookback',
      'max-age',
      'max-attempts',
      'max-redeliveries',
      'events',
      'dry-run'
    ])
    for (const message of list) expect(message.endsWith('.')).toBe(true)
  })

  test('long values are truncated to 80 characters in messages', () => {
    const long = 'x'.repeat(200)
    expect(errors({ ...ORG, lookback: long })).toEqual([`Input "lookback" must be a duration such as 90m, 6h or 3d, got "${'x'.repeat(77)}...".`])
  })
})

describe('parseRepo', () => {
  test.each([
    ['octo/hello', { owner: 'octo', repo: 'hello' }],
    ['octo/hello.js', { owner: 'octo', repo: 'hello.js' }],
    ['octo/.github', { owner: 'octo', repo: '.github' }],
    ['Octo-Org/Repo_Name-2', { owner: 'Octo-Org', repo: 'Repo_Name-2' }],
    ['o'.repeat(39) + '/r', { owner: 'o'.repeat(39), repo: 'r' }]
  ])('%p', (text, expected) => {
    expect(parseRepo(text)).toEqual(expected)
  })

  test.each(['a', 'a/..', 'a/.', 'a/b/c', '', '/', 'a/', '/b', ' a/b', 'a/b ', '-a/b', 'a_b/c', 'o'.repeat(40) + '/r', 'a/' + 'r'.repeat(101), 'a/b?c', '../a'])('rejects %p', text => {
    expect(parseRepo(text)).toBeUndefined()
  })
})

describe('parseConfig: repository lists and patterns (a fleet)', () => {
  const REPO: RawInputs = { 'target-type': 'repo', token: 't' }

  test('owner/* and owner/prefix-* make a fleet of every repository they match', () => {
    expect(config({ ...REPO, repository: 'acme/*' }).target).toEqual({ type: 'fleet', repositories: [{ kind: 'prefix', owner: 'acme', prefix: '' }] })
    expect(config({ ...REPO, repository: 'acme/web-*, acme/api\nother/*' }).target).toEqual({
      type: 'fleet',
      repositories: [
        { kind: 'prefix', owner: 'acme', prefix: 'web-' },
        { kind: 'repository', owner: 'acme', name: 'api' },
        { kind: 'prefix', owner: 'other', prefix: '' }
      ]
    })
  })

  test('one repository, however written, stays the single-repository target', () => {
    expect(config({ ...REPO, repository: 'acme/api,' }).target).toEqual({ type: 'repo', owner: 'acme', repo: 'api' })
    expect(config({ ...REPO, repository: 'acme/api, ACME/api' }).target).toEqual({ type: 'repo', owner: 'acme', repo: 'api' })
  })

  test('a bad entry of a list is named', () => {
    expect(errors({ ...REPO, repository: 'acme/*, nope' })).toEqual(['Input "repository" must be owner/name, owner/* or owner/prefix-* entries, comma- or newline-separated, got "nope".'])
    expect(errors({ ...REPO, repository: 'acme/we*b*' })).toHaveLength(1)
  })
})

describe('parseConfig: hook-id payload URL prefixes', () => {
  test('a payload URL ending in * matches by prefix', () => {
    expect(config({ ...ORG, 'hook-id': 'https://CI.example.com/*, 42' }).hooks).toEqual([
      { kind: 'url-prefix', prefix: 'https://ci.example.com/' },
      { kind: 'id', id: '42' }
    ])
  })

  test('the * must come after the whole host and a /', () => {
    expect(errors({ ...ORG, 'hook-id': 'https://ci.example.com*' })).toEqual([
      'Input "hook-id" must give the whole host and a / before the * of a payload URL (such as https://ci.example.com/*), got "https://ci.example.com…".'
    ])
  })
})

describe('parseConfig: shard', () => {
  test('i/n, each part of n; empty means all', () => {
    expect(config({ ...ORG, shard: '2/8' }).shard).toEqual({ index: 2, count: 8 })
    expect(config({ ...ORG, shard: '' }).shard).toBeUndefined()
  })

  test.each(['0/3', '4/3', '1', 'a/b', '1/1001', '-1/2'])('rejects %p', shard => {
    expect(errors({ ...ORG, shard })).toEqual([`Input "shard" must be i/n such as 2/8: part i of n, with 1 <= i <= n <= 1000, got "${shard}".`])
  })

  test('is ignored, with a warning, for an app', () => {
    const result = parseConfig({ 'target-type': 'app', 'app-id': '1', 'private-key': keys.pkcs1, shard: '1/2' }, {})
    expect(result.ok && result.config.shard).toBeUndefined()
    expect(result.ok && actionWords(result.warnings)).toEqual(['Input "shard" is ignored for target-type "app": a GitHub App has one webhook.'])
  })
})

describe('secretInputs: what the front ends mask as they take the inputs in', () => {
  test('the token as given and trimmed; nothing for inputs that are not secrets', () => {
    expect(secretInputs({ ...ORG, token: ' ghp_token\n' })).toEqual([' ghp_token\n', 'ghp_token'])
    expect(secretInputs({ 'target-type': 'org', org: 'acme', 'state-variable': 'BOOKMARK' })).toEqual([])
  })

  test('a key given on one line with \\n escapes: as given, as the engine uses it, and each of its lines', () => {
    const oneLine = keys.pkcs1.trim().replace(/\n/g, '\\n')
    const secrets = secretInputs({ 'target-type': 'app', 'app-id': '7', 'private-key': oneLine })
    expect(secrets).toContain(oneLine)
    expect(secrets).toContain(config({ 'target-type': 'app', 'app-id': '7', 'private-key': oneLine }).app?.privateKey)
    for (const line of secretLines(keys.pkcs1)) expect(secrets).toContain(line)
    // The PEM's armour lines are not secret: masking them would hide them in every message.
    expect(secrets).not.toContain('-----BEGIN RSA PRIVATE KEY-----')
  })

  test('a key that is not valid is masked all the same', () => {
    expect(secretInputs({ 'private-key': 'not-a-key-but-secret' })).toContain('not-a-key-but-secret')
  })
})

describe('policyOf: what the plan reads of a configuration', () => {
  test('its settings, and the redelivery window of its GitHub; none of its credentials', () => {
    const dotcom = policyOf(config({ ...ORG, 'max-attempts': '5', 'max-redeliveries': '9', events: 'push', 'max-age': '6h', 'dry-run': 'true' }))
    expect(dotcom).toEqual({ maxAttempts: 5, maxRedeliveries: 9, events: [{ event: 'push' }], maxAgeMs: 6 * 3_600_000, dryRun: true, expiringWithinMs: 12 * 3_600_000, windowMs: 3 * 24 * 3_600_000 })
    expect(policyOf(config({ ...ORG, hostname: 'ghe.example.com' })).windowMs).toBe(7 * 24 * 3_600_000)
  })
})
