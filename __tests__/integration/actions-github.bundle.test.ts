/**
 * The client is @actions/github's `GitHub` class (Octokit with the REST routes and pagination),
 * with the project's request policy as a plugin and @octokit/auth-app for app credentials. Its
 * module builds proxy defaults from the environment as it is imported, and an HTTPS_PROXY that is
 * not a URL throws there: the proxy variables are checked first and the module loaded after, so
 * the user gets one error that names the variable.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startLocalApi, type LocalApi } from '../../local-api/index.js'
import { root } from '../docs/helpers.js'
import { DIST, runAction } from '../support/runner.js'
import { addFailure, HOUR, redeliveryCounts } from '../support/world.js'

const BAD_PROXY = '::not-a-proxy-url'

let api: LocalApi
beforeAll(async () => {
  api = await startLocalApi({ seed: 23 })
})
afterAll(async () => {
  await api.close()
})

describe('@actions/github, loaded after the proxy variables are checked', () => {
  test('importing it with an HTTPS_PROXY that is not a URL throws at import', () => {
    const imported = spawnSync(process.execPath, ['--input-type=module', '-e', "await import('@actions/github')"], {
      cwd: root,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HTTPS_PROXY: BAD_PROXY, GITHUB_API_URL: 'https://api.github.com' }
    })
    expect(imported.status).not.toBe(0)
    expect(imported.stderr).toContain('Invalid URL')
  })

  test('the action with the same environment: one ::error:: naming the variable, before any request', async () => {
    const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    const hook = api.createOrgHook('acme')
    const failing = addFailure(api, hook, HOUR)
    const run = await runAction({
      apiUrl: 'https://api.github.com',
      inputs: { 'target-type': 'org', org: 'acme', token, hostname: api.url },
      env: { HTTPS_PROXY: BAD_PROXY, HTTP_PROXY: BAD_PROXY }
    })
    expect(run.exitCode).toBe(1)
    expect(run.commands.errors).toHaveLength(1)
    expect(run.commands.errors[0]).toMatch(/^The proxy in the HTTPS?_PROXY environment variable is not a URL/)
    expect(run.stdout + run.stderr).not.toContain(BAD_PROXY)
    expect(redeliveryCounts(api).get(failing)).toBeUndefined()
    expect(api.stats().requests).toBe(0)
  })

  test('and when that proxy is needed: one ::error:: naming the variable, not its value, and no stack trace', async () => {
    // Unparseable even with http:// put in front, which is how the toolkit reads a bare host:port.
    const proxy = '::s3cret'
    const run = await runAction({
      apiUrl: 'https://api.github.com',
      inputs: { 'target-type': 'org', org: 'acme', token: 'ghp_notused', hostname: 'ghe.example.test' },
      env: { HTTPS_PROXY: proxy }
    })
    expect(run.exitCode).toBe(1)
    expect(run.commands.errors).toHaveLength(1)
    expect(run.commands.errors[0]).toContain('HTTPS_PROXY environment variable is not a URL')
    expect(run.stdout + run.stderr).not.toContain('s3cret')
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/)
  })

  test('the bundles carry @actions/github and @octokit/auth-app, and one undici', () => {
    for (const bundle of [DIST, join(DIST, 'cli')]) {
      const licenses = readFileSync(join(bundle, 'licenses.txt'), 'utf8')
      expect({ bundle, github: licenses.includes('@actions/github'), auth: licenses.includes('@octokit/auth-app') }).toEqual({ bundle, github: true, auth: true })
      expect({ bundle, undici: licenses.split(/^undici$/m).length - 1 }).toEqual({ bundle, undici: 1 })
    }
  })
})
