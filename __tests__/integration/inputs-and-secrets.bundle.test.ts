/**
 * 11. Bad input: one clear ::error:: naming the input, exit 1, nothing changed (the action's
 *     run() in process).
 * 12. Secrets: masked before anything could print them, never in logs, report or summary (the
 *     bundle, as the runner runs it: everything the process prints is seen).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { startLocalApi, type LocalApi, type OrgHookRef } from '../../local-api/index.js'
import { runActionInProcess } from '../support/in-process.js'
import { runAction } from '../support/runner.js'
import { addFailure, HOUR, orgToken } from '../support/world.js'

let api: LocalApi
let hook: OrgHookRef
let token: string
let app: ReturnType<LocalApi['createApp']>
const STATE = '{"version":1,"hooks":{}}'

beforeAll(async () => {
  api = await startLocalApi({ seed: 5 })
  hook = api.createOrgHook('acme')
  app = api.createApp()
  token = orgToken(api)
  addFailure(api, hook, HOUR)
  api.setVariable('acme/workflows', 'BOOKMARK', STATE)
})
afterAll(async () => {
  await api.close()
})

const base = (): Record<string, string> => ({ 'target-type': 'org', org: 'acme', token, 'hook-id': String(hook.id), 'state-variable': 'BOOKMARK' })

describe('11. bad input', () => {
  const cases: Array<[string, () => Record<string, string>, RegExp, boolean]> = [
    // [case, inputs, the ::error:: must match, may make read requests]
    ['unknown target-type', () => ({ ...base(), 'target-type': 'organisation' }), /Input "target-type" must be app, org or repo/, false],
    ['app without app-id', () => ({ 'target-type': 'app', 'private-key': app.privateKeyPem }), /Input "app-id" is required/, false],
    ['app without private-key', () => ({ 'target-type': 'app', 'app-id': String(app.id) }), /Input "private-key" is required/, false],
    [
      'a private key that is not a PEM key',
      () => ({ 'target-type': 'app', 'app-id': String(app.id), 'private-key': 'ssh-rsa AAAAB3Nza' }),
      /Input "private-key" must be the GitHub App's PEM private key/,
      false
    ],
    ['org missing', () => ({ ...base(), org: '' }), /Input "org" is required/, false],
    ['org that would reach another endpoint', () => ({ ...base(), org: 'acme/../../app' }), /Input "org" must be an organization login/, false],
    ['repository not owner/name', () => ({ 'target-type': 'repo', token, repository: 'acme/widgets/../x' }), /Input "repository" must be owner\/name/, false],
    ['hook-id neither numeric nor a URL', () => ({ ...base(), 'hook-id': '12/../34' }), /Input "hook-id" must be hook IDs/, false],
    ['state-variable starting with GITHUB_', () => ({ ...base(), 'state-variable': 'GITHUB_STATE' }), /Input "state-variable" must be a variable name/, false],
    ['state-variable starting with a digit', () => ({ ...base(), 'state-variable': '1STATE' }), /Input "state-variable" must be a variable name/, false],
    ['an unusable hostname', () => ({ ...base(), hostname: 'ftp://ghe.example.com' }), /Input "hostname" must be/, false],
    ['lookback not a duration', () => ({ ...base(), lookback: '24' }), /Input "lookback" must be a duration/, false],
    ['max-age not a duration', () => ({ ...base(), 'max-age': 'old' }), /Input "max-age" must be a duration/, false],
    ['max-attempts not a positive integer', () => ({ ...base(), 'max-attempts': '0' }), /Input "max-attempts" must be a positive integer/, false],
    ['max-redeliveries not a positive integer', () => ({ ...base(), 'max-redeliveries': '-5' }), /Input "max-redeliveries" must be a positive integer/, false],
    [
      'the wrong key for the app',
      () => ({ 'target-type': 'app', 'app-id': String(app.id), 'private-key': api.createApp().privateKeyPem }),
      /rejected the app's JSON Web Token.*"app-id".*"private-key"/s,
      true
    ],
    ['a token GitHub rejects', () => ({ ...base(), token: 'ghp_notAValidToken000000000000000000000' }), /rejected the token.*401.*"token"/s, true],
    [
      'a token without the permission',
      () => ({
        ...base(),
        token: api.createToken({
          grants: [
            { org: 'acme', hooks: 'read' },
            { repo: 'acme/workflows', variables: 'write' }
          ]
        })
      }),
      /lacks the permission to redeliver.*Webhooks/s,
      true
    ],
    ["the workflow's GITHUB_TOKEN", () => ({ ...base(), token: api.createToken({ kind: 'github_token', grants: [] }) }), /GITHUB_TOKEN/, true],
    ['a hook that does not exist', () => ({ ...base(), 'hook-id': '999999' }), /Input "hook-id": acme has no webhook 999999 \(deleted, or the credential cannot see it\)\./, true]
  ]

  test.each(cases)('%s', async (_, inputs, message, mayRead) => {
    api.clearLog()
    const before = api.redeliveryRequests().filter(r => r.accepted).length
    const result = await runActionInProcess({ apiUrl: api.url, inputs: inputs() })
    expect(result.exitCode).toBe(1)
    expect(result.commands.errors).toHaveLength(1)
    expect(result.commands.errors[0]).toMatch(message)
    expect(result.stdout + result.stderr).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/) // no stack trace
    if (!mayRead) expect(api.log).toHaveLength(0)
    // No redelivery was accepted and the bookmark reads as before (a checkpoint written before a refused redelivery is put back).
    expect(api.log.filter(e => e.method === 'POST' && e.route.endsWith('/variables'))).toHaveLength(0)
    expect(api.redeliveryRequests().filter(r => r.accepted).length).toBe(before)
    expect(api.getVariable('acme/workflows', 'BOOKMARK')?.value).toBe(STATE)
    // The job summary says it too.
    expect(result.summary).toContain(`**Webhook redelivery** could not run:`)
  })
})

describe('12. secrets', () => {
  const secretsIn = (text: string, secrets: string[]): string[] => secrets.filter(s => s && text.includes(s))

  test('app target, debug logging on: the key, the JWTs and the token are masked before use and never printed', async () => {
    const a = api.createApp()
    addFailure(api, a.hook, HOUR)
    const result = await runAction({
      apiUrl: api.url,
      debug: true,
      env: { ACTIONS_STEP_DEBUG: 'true' },
      inputs: { 'target-type': 'app', 'app-id': String(a.id), 'private-key': a.privateKeyPem.replace(/\n/g, '\\n'), token, 'state-variable': 'APP_BOOKMARK' }
    })
    expect(result.exitCode).toBe(0)
    const masks = result.commands.masks
    expect(masks).toContain(token)
    const jwts = masks.filter(m => /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/.test(m))
    expect(jwts.length).toBeGreaterThan(0)
    const keyLines = a.privateKeyPem.split('\n').filter(l => l && !l.startsWith('-----'))
    for (const line of keyLines) expect(masks).toContain(line)
    // Each once, where the input enters: neither the session nor the client masks them again.
    for (const secret of [token, ...keyLines]) expect(masks.filter(m => m === secret)).toHaveLength(1)
    // And every secret the run makes once too: a JWT remade within the same second is the same string.
    expect(masks.length).toBe(new Set(masks).size)
    // Outside the add-mask commands themselves, nothing secret is printed.
    const printed =
      result.stdout
        .split('\n')
        .filter(l => !l.startsWith('::add-mask::'))
        .join('\n') + result.stderr
    expect(secretsIn(printed, [token, ...jwts, ...keyLines])).toEqual([])
    expect(printed).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}\./)
    const files = JSON.stringify(result.report) + result.summary
    expect(secretsIn(files, [token, ...jwts, ...keyLines])).toEqual([])
    // Each secret is masked before its first use in any other line.
    const firstMask = result.stdout.indexOf(`::add-mask::${token}`)
    expect(firstMask).toBeGreaterThanOrEqual(0)
  })

  test('org through an app installation: the installation token is masked and never printed', async () => {
    const a = api.createApp()
    // One installation on the organization covers its repositories, the state repository included.
    api.createInstallation(a.id, { org: 'acme' }, { organization_hooks: 'write', actions_variables: 'write' })
    const result = await runAction({
      apiUrl: api.url,
      debug: true,
      inputs: { 'target-type': 'org', org: 'acme', 'hook-id': String(hook.id), 'app-id': String(a.id), 'private-key': a.privateKeyPkcs8Pem, 'state-variable': 'INSTALLATION_BOOKMARK' }
    })
    expect(result.commands.errors).toEqual([])
    expect(result.exitCode).toBe(0)
    const installationTokens = result.commands.masks.filter(m => m.startsWith('ghs_'))
    expect(installationTokens.length).toBeGreaterThan(0)
    expect(api.log.some(e => e.auth === 'installation')).toBe(true)
    const printed =
      result.stdout
        .split('\n')
        .filter(l => !l.startsWith('::add-mask::'))
        .join('\n') + result.stderr
    expect(secretsIn(printed + JSON.stringify(result.report) + result.summary, installationTokens)).toEqual([])
    expect(api.getVariable('acme/workflows', 'INSTALLATION_BOOKMARK')).toBeDefined()
  })
})
