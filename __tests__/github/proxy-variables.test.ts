/**
 * A proxy variable that cannot be used is one input error naming the variable, never its value
 * (it may hold credentials), before any request: in the command line and in the action.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { startLocalApi, type LocalApi } from '../../local-api/index.js'
import { runActionInProcess, runCliInProcess } from '../support/in-process.js'
import { addFailure, HOUR } from '../support/world.js'

let api: LocalApi
beforeAll(async () => {
  api = await startLocalApi({ seed: 47 })
})
afterAll(async () => {
  await api.close()
})

const UNUSABLE: Array<[string, string, RegExp]> = [
  ['HTTP_PROXY', 'http://[::1', /is not a URL/],
  ['HTTP_PROXY', 'garbage', /is not a URL/],
  ['https_proxy', 'socks5://user:s3cret@proxy.example:1080', /uses socks5, which this action cannot use \(only http and https proxies\)/],
  ['HTTPS_PROXY', 'http://user:s3cret@', /is not a URL/]
]

describe.each(UNUSABLE)('%s=%s', (name, value, why) => {
  test('the command line: one error naming the variable, and no request', async () => {
    const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    const hook = api.createOrgHook('acme')
    addFailure(api, hook, HOUR)
    const before = api.stats().requests
    const run = await runCliInProcess(['--target-type', 'org', '--org', 'acme', '--hostname', api.url, '--json'], { GITHUB_TOKEN: token, [name]: value })
    expect(run.code).toBe(1)
    const errors = run.stderr.split('\n').filter(line => line.startsWith('error: '))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(new RegExp(`^error: The proxy in the ${name} environment variable ${why.source}`))
    expect(run.stderr + run.stdout).not.toContain(value)
    expect(api.stats().requests).toBe(before)
  })

  test('the action: one ::error:: naming the variable, and no request', async () => {
    const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    const hook = api.createOrgHook('acme')
    addFailure(api, hook, HOUR)
    const before = api.stats().requests
    const run = await runActionInProcess({ apiUrl: api.url, inputs: { 'target-type': 'org', org: 'acme', token }, env: { [name]: value } })
    expect(run.exitCode).toBe(1)
    expect(run.commands.errors).toHaveLength(1)
    expect(run.commands.errors[0]).toMatch(new RegExp(`^The proxy in the ${name} environment variable ${why.source}`))
    expect(run.stdout + run.stderr + run.summary).not.toContain(value)
    expect(api.stats().requests).toBe(before)
  })
})
