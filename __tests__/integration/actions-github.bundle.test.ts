/**
 * Why the client is composed from @octokit/core and the toolkit's http-client rather than
 * @actions/github 9.1.1 (the design named it; measured in the engineering notes):
 *
 * - importing it builds its proxy defaults from the environment at import time, so an
 *   HTTPS_PROXY that is not a URL throws before any code of ours runs: a stack trace in
 *   place of an ::error:: that names the variable;
 * - it depends on @actions/http-client 3 beside the 4 this project uses, and on
 *   plugin-rest-endpoint-methods, which this project never calls: the bundle grows by a
 *   second HTTP client and ~100 kB of route tables (+142 kB, +10%, measured).
 *
 * What it would give is kept without it: the toolkit's user agent convention (the run's
 * orchestration id, see user-agent.test.ts), GITHUB_REPOSITORY as the workflow's repository,
 * and a proxy per destination from the same http-client. These tests fail when either
 * drawback stops being true, which is the time to adopt it.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { startLocalApi, type LocalApi } from '../../local-api/index.js'
import { root } from '../docs/helpers.js'
import { runAction } from '../support/runner.js'
import { addFailure, HOUR, redeliveryCounts } from '../support/world.js'

const BAD_PROXY = '::not-a-proxy-url'

let api: LocalApi
beforeAll(async () => {
  api = await startLocalApi({ seed: 23 })
})
afterAll(async () => {
  await api.close()
})

const version = (path: string): string => (JSON.parse(readFileSync(join(root, 'node_modules', path, 'package.json'), 'utf8')) as { version: string }).version

describe('@actions/github 9.1.1, measured against what ships', () => {
  test('importing it with an HTTPS_PROXY that is not a URL throws at import', () => {
    const imported = spawnSync(process.execPath, ['--input-type=module', '-e', "await import('@actions/github')"], {
      cwd: root,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HTTPS_PROXY: BAD_PROXY, GITHUB_API_URL: 'https://api.github.com' }
    })
    expect(imported.status).not.toBe(0)
    expect(imported.stderr).toContain('Invalid URL')
  })

  test('the action with the same environment: the proxy is chosen for the API it talks to, so a loopback API is reached', async () => {
    const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
    const hook = api.createOrgHook('acme')
    const failing = addFailure(api, hook, HOUR)
    const run = await runAction({
      apiUrl: 'https://api.github.com',
      inputs: { 'target-type': 'org', org: 'acme', token, hostname: api.url },
      env: { HTTPS_PROXY: BAD_PROXY, HTTP_PROXY: BAD_PROXY }
    })
    expect(run.commands.errors).toEqual([])
    expect(run.exitCode).toBe(0)
    expect(redeliveryCounts(api).get(failing)).toBe(1)
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

  test('it would bring a second @actions/http-client and route tables this project never calls', () => {
    const ours = version('@actions/http-client')
    const theirs = version('@actions/github/node_modules/@actions/http-client')
    expect(theirs.split('.')[0]).not.toBe(ours.split('.')[0])
    const pkg = JSON.parse(readFileSync(join(root, 'node_modules', '@actions', 'github', 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
    expect(Object.keys(pkg.dependencies)).toContain('@octokit/plugin-rest-endpoint-methods')
  })

  test('the bundles carry one HTTP client and no REST route tables', () => {
    for (const bundle of ['dist/index.js', 'dist/cli/index.js']) {
      // A bundle is its entry and the chunks it loads on demand (the proxy agent, when a proxy applies).
      const dir = join(root, dirname(bundle))
      const text = readdirSync(dir)
        .filter(f => f.endsWith('.js'))
        .map(f => readFileSync(join(dir, f), 'utf8'))
        .join('\n')
      expect({ bundle, dispatchers: text.split('getAgentDispatcher(serverUrl) {').length - 1 }).toEqual({ bundle, dispatchers: 1 })
      expect(readFileSync(join(root, bundle.replace('index.js', 'licenses.txt')), 'utf8')).not.toContain('@octokit/plugin-rest-endpoint-methods')
    }
  })
})
