/**
 * action.yml declares the inputs and outputs; src/core/inputs.generated.ts (the engine's input
 * names and defaults, the CLI's flags and help, the output names, the version) and .env.example
 * are generated from it and committed.
 * Like the dist check: they must be what the generator makes now.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { INPUTS, OUTPUTS, VERSION } from '../../src/core/inputs.generated.js'
import { loadAction, read, root } from './helpers.js'

const GENERATED = ['src/core/inputs.generated.ts', '.env.example']

function check(repository?: string): { status: number | null; output: string } {
  const args = [join(root, 'scripts', 'generate-inputs.mjs'), '--check', ...(repository ? ['--root', repository] : [])]
  const run = spawnSync(process.execPath, args, { encoding: 'utf8' })
  return { status: run.status, output: run.stdout + run.stderr }
}

test('the committed generated files are what action.yml and package.json make (else: npm run generate)', () => {
  const { status, output } = check()
  expect(output).toBe('src/core/inputs.generated.ts and .env.example are current.\n')
  expect(status).toBe(0)
})

describe('the check, on a copy of the repository', () => {
  let copy: string
  beforeAll(() => {
    copy = mkdtempSync(join(tmpdir(), 'generated-check-'))
    mkdirSync(join(copy, 'src', 'core'), { recursive: true })
    for (const file of ['action.yml', 'package.json', '.prettierrc', ...GENERATED]) copyFileSync(join(root, file), join(copy, file))
  })
  afterAll(() => rmSync(copy, { recursive: true, force: true }))

  test('a changed default in action.yml makes both files stale, and the message names the command', () => {
    writeFileSync(join(copy, 'action.yml'), read('action.yml').replace("default: '24h'", "default: '12h'"))
    const { status, output } = check(copy)
    expect(status).toBe(1)
    expect(output).toBe('src/core/inputs.generated.ts and .env.example are not what action.yml and package.json make: run `npm run generate` and commit the result.\n')
  })

  test('a new version in package.json makes the module stale', () => {
    copyFileSync(join(root, 'action.yml'), join(copy, 'action.yml'))
    writeFileSync(join(copy, 'package.json'), read('package.json').replace(`"version": "${VERSION}"`, '"version": "9.9.9"'))
    expect(check(copy)).toEqual({ status: 1, output: expect.stringMatching(/^src\/core\/inputs\.generated\.ts is not what .* run `npm run generate`/) })
  })

  test('a new output in action.yml makes the module stale', () => {
    copyFileSync(join(root, 'package.json'), join(copy, 'package.json'))
    copyFileSync(join(root, 'action.yml'), join(copy, 'action.yml'))
    expect(check(copy).status).toBe(0)
    writeFileSync(join(copy, 'action.yml'), read('action.yml').replace(/^outputs:\n/m, "outputs:\n  expiring-soon:\n    description: 'Failing deliveries about to leave the window.'\n"))
    expect(check(copy)).toEqual({ status: 1, output: expect.stringMatching(/^src\/core\/inputs\.generated\.ts is not what .* run `npm run generate`/) })
  })
})

test('the module holds every input of action.yml, in order, with its default, and package.json version', () => {
  expect(INPUTS.map(i => ({ name: i.name, required: i.required, default: i.default, flag: i.flag }))).toEqual(
    loadAction().inputs.map(i => ({ name: i.name, required: i.required, default: i.default, flag: `--${i.name}` }))
  )
  expect(VERSION).toBe(JSON.parse(read('package.json')).version)
})

test('the module holds every output of action.yml, in order, with its description', () => {
  const outputs = parse(read('action.yml')).outputs as Record<string, { description: string }>
  expect(OUTPUTS).toEqual(Object.entries(outputs).map(([name, spec]) => ({ name, description: spec.description.trim() })))
})

test('.env.example holds no secret values', () => {
  const text = readFileSync(join(root, '.env.example'), 'utf8')
  expect(text).not.toMatch(/-----BEGIN|ghp_[A-Za-z0-9]{20}|github_pat_[A-Za-z0-9_]{20}/)
  expect(text).toMatch(/^INPUT_TOKEN=$/m)
  expect(text).toMatch(/^INPUT_PRIVATE-KEY=$/m)
})
