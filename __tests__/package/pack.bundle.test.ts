/**
 * The command line as users get it: `npm pack`, the tarball unpacked into an empty prefix with
 * no network and nothing beside it (its dependencies are listed, but the bundle carries them), and
 * the installed `webhook-redelivery` run against the local GitHub API.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { startLocalApi } from '../../local-api/index.js'
import { read, root } from '../docs/helpers.js'
import { shortenedWaitsEnv } from '../support/runner.js'
import { addFailure, HOUR, redeliveryCounts } from '../support/world.js'
import { machineNode } from '../../tools/runtimes.mjs'

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/** Asynchronous: the local API answers from this process's event loop. */
function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000)
    child.stdout.on('data', chunk => (stdout += chunk))
    child.stderr.on('data', chunk => (stderr += chunk))
    child.on('error', reject)
    child.on('close', code => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

interface Packed {
  filename: string
  size: number
  unpackedSize: number
  files: { path: string }[]
}

let temp: string
let packed: Packed
let installed: string
/** Only node on the PATH (and npm beside the machine's Node): nothing of this checkout leaks into what runs. */
let env: NodeJS.ProcessEnv

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), 'pack-test-'))
  env = {
    PATH: `${dirname(process.execPath)}:${dirname(machineNode())}:/usr/local/bin:/usr/bin:/bin`,
    HOME: temp,
    TMPDIR: temp,
    npm_config_cache: join(temp, 'npm-cache'),
    npm_config_update_notifier: 'false'
  }
  const pack = await run('npm', ['pack', '--json', '--pack-destination', temp], { cwd: root, env })
  // Built once, for every test below: a build that failed fails them all with what npm said.
  if (pack.code !== 0 || /ERR!/.test(pack.stderr)) throw new Error(`npm pack failed (${pack.code}): ${pack.stderr}`)
  packed = (JSON.parse(pack.stdout) as Packed[])[0]
  const prefix = join(temp, 'prefix')
  // Where `npm install -g` puts it, without fetching the listed dependencies: the bundle must run without them.
  mkdirSync(join(prefix, 'lib', 'node_modules'), { recursive: true })
  mkdirSync(join(prefix, 'bin'))
  const unpack = await run('tar', ['-xzf', join(temp, packed.filename), '-C', join(prefix, 'lib', 'node_modules')], { cwd: temp, env })
  if (unpack.code !== 0) throw new Error(`tar could not unpack ${packed.filename}: ${unpack.stderr}`)
  renameSync(join(prefix, 'lib', 'node_modules', 'package'), join(prefix, 'lib', 'node_modules', 'webhook-redelivery'))
  installed = join(prefix, 'bin', 'webhook-redelivery')
  symlinkSync(join('..', 'lib', 'node_modules', 'webhook-redelivery', 'dist', 'cli', 'index.js'), installed)
  // As npm links a bin.
  chmodSync(installed, 0o755)
}, 120_000)

afterAll(() => rmSync(temp, { recursive: true, force: true }))

describe('the npm package', () => {
  test('is publishable, with the toolkit, Octokit and undici as its runtime dependencies (the bundle carries them)', () => {
    const pkg = JSON.parse(read('package.json'))
    expect(pkg.private).toBeUndefined()
    expect(Object.keys(pkg.dependencies ?? {})).toEqual(expect.arrayContaining(['@actions/core', '@actions/github', '@octokit/auth-app', 'undici']))
    expect(pkg.bin).toEqual({ 'webhook-redelivery': 'dist/cli/index.js' })
    expect(readFileSync(join(root, pkg.bin['webhook-redelivery']), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true)
  })

  test('the tarball holds the bundles, action.yml, README and LICENSE, and nothing else', () => {
    const paths = packed.files.map(f => f.path).sort()
    for (const needed of ['LICENSE', 'README.md', 'action.yml', 'package.json', 'dist/cli/index.js', 'dist/cli/package.json', 'dist/index.js']) {
      expect(paths).toContain(needed)
    }
    const extra = paths.filter(p => !['LICENSE', 'README.md', 'action.yml', 'package.json'].includes(p) && !p.startsWith('dist/'))
    expect(extra).toEqual([])
    expect(paths.filter(p => p.endsWith('.map'))).toEqual([])
  })

  test('docs/cli.md states the tarball size (within 15%)', () => {
    const stated = /npm package is about ([\d.]+) (kB|MB)/.exec(read('docs/cli.md'))
    expect(stated).not.toBeNull()
    const bytes = Number(stated![1]) * (stated![2] === 'MB' ? 1_000_000 : 1_000)
    // Failing here after a rebuild: update the size docs/cli.md states.
    expect({ stated: bytes, packed: packed.size, close: Math.abs(bytes - packed.size) / packed.size < 0.15 }).toMatchObject({ close: true })
  })

  test('installs alone: no node_modules beside the installed bundle', () => {
    const home = join(temp, 'prefix', 'lib', 'node_modules', 'webhook-redelivery')
    expect(existsSync(join(home, 'dist', 'cli', 'index.js'))).toBe(true)
    expect(existsSync(join(home, 'node_modules'))).toBe(false)
  })

  test('the installed command prints its help and version', async () => {
    const help = await run(installed, ['--help'], { cwd: temp, env })
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('--metrics-file')
    const version = await run(installed, ['--version'], { cwd: temp, env })
    expect(version.stdout.trim()).toBe(JSON.parse(read('package.json')).version)
  })

  test('the installed command redelivers against the local API', async () => {
    const api = await startLocalApi({ seed: 17 })
    try {
      const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
      const hook = api.createOrgHook('acme')
      const failing = addFailure(api, hook, HOUR)
      const result = await run(installed, ['--target-type', 'org', '--org', 'acme', '--hostname', api.url, '--state-file', join(temp, 'state.json'), '--json'], {
        cwd: temp,
        env: { ...env, GITHUB_TOKEN: token, ...shortenedWaitsEnv(0.01) }
      })
      expect(result.stderr).not.toMatch(/^(error|warning): /m)
      expect(result.code).toBe(0)
      expect(JSON.parse(result.stdout)).toMatchObject({ scanned: 1, failed: 1, redelivered: 1, skipped: 0, errors: 0 })
      expect([...redeliveryCounts(api).keys()]).toEqual([failing])
    } finally {
      await api.close()
    }
  })
})
