/** The one parser of the runner's `::command::` output that tests, demo and bench share. */
import { describe, expect, test } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { root } from '../docs/helpers.js'
import { maskedLog, parseOutputs, runnerEnvironment, type ActionRun } from '../../tools/runner.js'
import { mask, parseCommandLine, parseCommands, readableLog } from '../../tools/workflow-commands.js'

const stdout = [
  '::add-mask::s3cret-token',
  '::add-mask::line one of a key%0Aline two of a key',
  '::debug::using s3cret-token',
  'scanning org acme with s3cret-token',
  '::warning file=x,line=1::lookback clamped to 100%25%0Asecond line',
  '::error::Input "target-type" must be app, org or repo, got "nope".',
  '::notice::done',
  '::set-output name=x::1',
  'line two of a key'
].join('\n')

describe('workflow commands', () => {
  test('a command line: name and unescaped value, properties dropped; a plain line is none', () => {
    expect(parseCommandLine('::warning file=x,line=1::a%0Ab%0D%25')).toEqual({ name: 'warning', value: 'a\nb\r%' })
    expect(parseCommandLine('plain: text')).toBeUndefined()
  })

  test('errors, warnings, masks and debug lines are collected in order', () => {
    expect(parseCommands(stdout)).toEqual({
      errors: ['Input "target-type" must be app, org or repo, got "nope".'],
      warnings: ['lookback clamped to 100%\nsecond line'],
      masks: ['s3cret-token', 'line one of a key\nline two of a key'],
      debug: ['using s3cret-token']
    })
  })

  test('masking replaces the longest secret first', () => {
    expect(mask('abc abcdef', ['abc', 'abcdef'])).toBe('*** ***')
  })

  test('the readable log: runner-only commands hidden, secrets and each line of a multi-line one masked', () => {
    expect(readableLog(stdout)).toEqual([
      { kind: 'info', text: 'scanning org acme with ***' },
      { kind: 'warning', text: 'lookback clamped to 100%\nsecond line' },
      { kind: 'error', text: 'Input "target-type" must be app, org or repo, got "nope".' },
      { kind: 'notice', text: 'done' },
      { kind: 'info', text: '***' }
    ])
  })

  test('maskedLog hides whole registered values only, so a stray line of a key still shows', () => {
    const run = { stdout, stderr: '', commands: parseCommands(stdout) } as ActionRun
    expect(maskedLog(run)).not.toContain('s3cret-token')
    expect(maskedLog(run)).toContain('line two of a key')
  })
})

describe('the runner environment', () => {
  test('outputs: name=value lines and heredocs', () => {
    expect(parseOutputs('a=1\nreport<<EOF_1\nx\ny\nEOF_1\nb=c=d\n')).toEqual({ a: '1', report: 'x\ny', b: 'c=d' })
  })

  test('one INPUT_* per declared input with its default; no time scale when waits are real', () => {
    const { env, temp } = runnerEnvironment({ inputs: { 'target-type': 'org' }, apiUrl: 'http://127.0.0.1:1', timeScale: 1 })
    rmSync(temp, { recursive: true, force: true })
    expect(env['INPUT_TARGET-TYPE']).toBe('org')
    expect(env['INPUT_MAX-ATTEMPTS']).toBe('3')
    expect(env.NODE_OPTIONS).toBeUndefined()
    expect(env.SHORTEN_WAITS).toBeUndefined()
    expect(() => runnerEnvironment({ inputs: { nope: 'x' }, apiUrl: 'http://127.0.0.1:1' })).toThrow(/not declared/)
  })

  test('shortened waits: a spawned node preloads what hands the bundle a shorter sleep', () => {
    const { env, temp } = runnerEnvironment({ inputs: { 'target-type': 'org' }, apiUrl: 'http://127.0.0.1:1', timeScale: 0.01 })
    rmSync(temp, { recursive: true, force: true })
    expect(env.NODE_OPTIONS).toMatch(/^--import=file:.*\/tools\/shorten-waits-preload\.mjs$/)
    expect(env.SHORTEN_WAITS).toBe('0.01')
  })

  test('the preload hands the bundle a sleep through its documented hook: waits of half a second or more scaled, shorter ones real, a stop ends one', () => {
    const preload = pathToFileURL(join(root, 'tools', 'shorten-waits-preload.mjs')).href
    const script = [
      `const pacing = globalThis[Symbol.for('webhook-redelivery.pacing')]`,
      `const took = async (ms, signal) => { const t = performance.now(); await pacing.sleep(ms, signal); return Math.round(performance.now() - t) }`,
      `const stopped = new AbortController(); setTimeout(() => stopped.abort(), 50)`,
      `console.log(JSON.stringify([await took(2000), await took(200), await took(60000, stopped.signal)]))`
    ].join('\n')
    const run = spawnSync(process.execPath, ['--import', preload, '--input-type=module', '-e', script], { env: { ...process.env, NODE_OPTIONS: '', SHORTEN_WAITS: '0.01' }, encoding: 'utf8' })
    expect(run.stderr).toBe('')
    const [long, short, aborted] = JSON.parse(run.stdout) as number[]
    expect(long).toBeLessThan(200)
    expect(short).toBeGreaterThanOrEqual(190)
    expect(aborted).toBeLessThan(1000)
    // Without a scale, nothing is handed over: the bundle keeps GitHub's waits.
    const plain = spawnSync(process.execPath, ['--import', preload, '--input-type=module', '-e', `console.log(String(globalThis[Symbol.for('webhook-redelivery.pacing')]))`], {
      env: { ...process.env, NODE_OPTIONS: '', SHORTEN_WAITS: '' },
      encoding: 'utf8'
    })
    expect(plain.stdout.trim()).toBe('undefined')
  })
})
