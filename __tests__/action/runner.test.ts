/**
 * The action speaks to the runner through its own small module, not `@actions/core` (whose HTTP
 * client loaded undici on every start). Differential tests: the same values, random and hostile,
 * go to the library and to ours, and the bytes written to stdout and to the runner's files must
 * be the same (the random heredoc delimiters aside).
 */
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals'
import * as core from '@actions/core'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as runner from '../../src/action/runner.js'
import { Prng } from '../fixtures/prng.js'

const PIECES = [
  '%',
  '%25',
  '%0A',
  '\r',
  '\n',
  '\r\n',
  ':',
  '::',
  ',',
  '=',
  '<<',
  ' ',
  '\t',
  'a',
  'Z',
  '9',
  '_',
  '-',
  'é',
  'ß',
  '日本',
  '😀',
  '\u2028',
  '\u0000',
  'ghadelimiter_',
  '::error::',
  '"',
  "'",
  '\\',
  '$'
]

function randomText(prng: Prng, max = 40): string {
  let text = ''
  for (let i = prng.int(0, max); i > 0; i--) text += prng.pick(PIECES)
  return text
}

/** Samples for every test: fixed edge cases, then seeded random strings. */
function samples(seed: number, count = 400): string[] {
  const prng = new Prng(seed)
  const fixed = ['', ' ', '\n', 'line one\nline two\r\nline three', '100% done: a, b', '  padded  ', 'ünïcødé 😀', '%0A is not a newline']
  return [...fixed, ...Array.from({ length: count }, () => randomText(prng))]
}

let stdout: string
let temp: string
const savedEnv = { ...process.env }

beforeEach(() => {
  stdout = ''
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
    return true
  })
  temp = mkdtempSync(join(tmpdir(), 'runner-test-'))
})

afterEach(() => {
  jest.restoreAllMocks()
  process.env = { ...savedEnv }
  process.exitCode = undefined
  rmSync(temp, { recursive: true, force: true })
})

/** What one call writes to stdout. */
function printed(call: () => void): string {
  stdout = ''
  call()
  return stdout
}

const withoutDelimiters = (text: string): string => text.replace(/ghadelimiter_[0-9a-f-]{36}/g, 'DELIMITER')

describe('workflow commands on stdout: the same bytes as @actions/core', () => {
  const messages = samples(1)

  test.each([
    ['debug', core.debug, runner.debug],
    ['warning', core.warning, runner.warning],
    ['error', core.error, runner.error],
    ['setSecret (::add-mask::)', core.setSecret, runner.setSecret],
    ['info', core.info, runner.info]
  ] as const)('%s', (_name, theirs, ours) => {
    for (const message of messages) expect(printed(() => ours(message))).toBe(printed(() => theirs(message)))
  })

  test('setFailed prints the error and sets exit code 1, without exiting', () => {
    for (const message of messages) {
      process.exitCode = undefined
      const expected = printed(() => core.setFailed(message))
      expect(process.exitCode).toBe(1)
      process.exitCode = undefined
      expect(printed(() => runner.setFailed(message))).toBe(expected)
      expect(process.exitCode).toBe(1)
    }
  })

  test('setOutput without GITHUB_OUTPUT: the ::set-output:: command, the name escaped as a property', () => {
    delete process.env.GITHUB_OUTPUT
    const names = samples(2, 200)
    const values = samples(3, 200)
    names.forEach((name, i) => expect(printed(() => runner.setOutput(name, values[i]))).toBe(printed(() => core.setOutput(name, values[i]))))
    expect(printed(() => runner.setOutput('scanned', 42))).toBe(printed(() => core.setOutput('scanned', 42)))
  })
})

describe('GITHUB_OUTPUT: the same heredocs as @actions/core', () => {
  test('random names and values, multi-line and empty ones, numbers', () => {
    const theirs = join(temp, 'theirs')
    const ours = join(temp, 'ours')
    writeFileSync(theirs, '')
    writeFileSync(ours, '')
    const values: Array<string | number> = [...samples(4), 0, 100_000, 7]
    values.forEach((value, i) => {
      process.env.GITHUB_OUTPUT = theirs
      core.setOutput(`output-${i}`, value)
      process.env.GITHUB_OUTPUT = ours
      runner.setOutput(`output-${i}`, value)
    })
    const written = readFileSync(ours, 'utf8')
    expect(withoutDelimiters(written)).toBe(withoutDelimiters(readFileSync(theirs, 'utf8')))
    // Each output has a delimiter of its own.
    const delimiters = written.match(/ghadelimiter_[0-9a-f-]{36}/g) ?? []
    expect(new Set(delimiters).size).toBe(values.length)
    expect(stdout).toBe('')
  })

  test('a delimiter that occurs in the value is not used: another one is drawn', () => {
    const file = join(temp, 'output')
    writeFileSync(file, '')
    process.env.GITHUB_OUTPUT = file
    const candidates = ['EOF', 'EOF2']
    runner.setOutput('report', 'text\nEOF\nmore', () => candidates.shift()!)
    expect(readFileSync(file, 'utf8')).toBe('report<<EOF2\ntext\nEOF\nmore\nEOF2\n')
  })
})

describe('GITHUB_STEP_SUMMARY: the same file as @actions/core', () => {
  test('appended Markdown, several times, random text', async () => {
    const theirs = join(temp, 'theirs')
    const ours = join(temp, 'ours')
    writeFileSync(theirs, 'before\n')
    writeFileSync(ours, 'before\n')
    for (const markdown of samples(5, 100)) {
      process.env.GITHUB_STEP_SUMMARY = theirs
      await core.summary.addRaw(markdown).write()
      process.env.GITHUB_STEP_SUMMARY = ours
      runner.appendSummary(markdown)
    }
    expect(readFileSync(ours, 'utf8')).toBe(readFileSync(theirs, 'utf8'))
  })

  test('a summary file that does not exist is an error, as it is for @actions/core, and nothing is created', async () => {
    const missing = join(temp, 'missing', 'summary')
    process.env.GITHUB_STEP_SUMMARY = missing
    await expect(core.summary.addRaw('x').write()).rejects.toThrow()
    core.summary.emptyBuffer()
    expect(() => runner.appendSummary('x')).toThrow(missing)
    delete process.env.GITHUB_STEP_SUMMARY
    expect(() => runner.appendSummary('x')).toThrow(/GITHUB_STEP_SUMMARY/)
  })
})

describe('inputs: the same values as @actions/core getInput', () => {
  test('INPUT_ + name with spaces as _, upper case; values trimmed; unset is empty', () => {
    const prng = new Prng(6)
    const names = ['token', 'hook-id', 'target-type', 'private key', 'Mixed Case name', 'a  b', ...Array.from({ length: 100 }, () => `n ${randomText(prng, 6).replace(/[\0=]/g, '')}`)]
    for (const name of names) {
      const variable = `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
      delete process.env[variable]
      expect(runner.getInput(name)).toBe(core.getInput(name))
      expect(runner.getInput(name)).toBe('')
      for (const value of samples(7, 20)) {
        const padded = value.replace(/\0/g, '')
        process.env[variable] = `${prng.pick(['', ' ', '\n', '\t '])}${padded}${prng.pick(['', ' ', '\r\n', '  '])}`
        expect(runner.getInput(name)).toBe(core.getInput(name))
      }
    }
  })
})
