/**
 * The committed bundles run on their own, as the runner runs an action from its checkout
 * (no node_modules there) and as a team copies the CLI onto a server.
 */
import { expect, test } from '@jest/globals'
import { spawn } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { root } from '../docs/helpers.js'
import { CLI_ENTRY, DIST, nodeRuntimes } from '../support/runner.js'

function run(node: string, script: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [script, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, cwd: tmpdir() })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', c => (stdout += c))
    child.stderr.on('data', c => (stderr += c))
    child.on('error', reject)
    child.on('close', code => resolve({ code, stdout, stderr }))
  })
}

test.each(nodeRuntimes())('dist/ alone, with no node_modules anywhere above it, runs the action and the CLI on $name', async node => {
  const alone = mkdtempSync(join(tmpdir(), 'bundle-alone-'))
  cpSync(DIST, join(alone, 'dist'), { recursive: true })
  cpSync(join(root, 'action.yml'), join(alone, 'action.yml'))
  try {
    const action = await run(node.path, join(alone, 'dist', 'index.js'), [], { 'INPUT_TARGET-TYPE': 'nope' })
    expect(action.code).toBe(1)
    expect(action.stdout).toContain('::error::Input "target-type" must be app, org or repo, got "nope".')
    expect(action.stderr).not.toMatch(/Cannot find (module|package)/)

    const cli = await run(node.path, join(alone, 'dist', 'cli', 'index.js'), ['--help'], {})
    expect(cli.code).toBe(0)
    expect(cli.stdout).toContain('webhook-redelivery --target-type org --org acme --hook-id 123 --state-file ./state.json')
  } finally {
    rmSync(alone, { recursive: true, force: true })
  }
})

test('the CLI bundle starts with a shebang and package.json names it as the bin', () => {
  expect(readFileSync(CLI_ENTRY, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true)
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  expect(pkg.bin).toEqual({ 'webhook-redelivery': 'dist/cli/index.js' })
  const action = readFileSync(join(root, 'action.yml'), 'utf8')
  expect(action).toMatch(/using: node24\n\s+main: dist\/index\.js/)
})
