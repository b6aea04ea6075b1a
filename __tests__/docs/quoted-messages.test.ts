/**
 * Every error or warning text the README and docs/ quote is one the code can print.
 *
 * The convention (stated above the troubleshooting table, docs/troubleshooting.md): in that
 * table's first column, `Error:` or `Warning:` is followed by the quoted texts, in backticks,
 * with `...` where a value varies; GitHub's own answers are in double quotes and not checked.
 * Lines of the README's and docs' ```text blocks that start with `Error:` or `Warning:` are
 * quoted messages too.
 */
import { describe, expect, test } from '@jest/globals'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { parseSync, type StringLiteral, type TemplateLiteral } from '@swc/core'
import { ACTION_NAMING } from '../../src/core/input-errors.js'
import { INPUTS } from '../../src/core/inputs.generated.js'
import { markdownPages, read, root } from './helpers.js'

/** The texts the troubleshooting page and every page quote as messages, each split into the parts between `...`. */
function quotedMessages(troubleshooting: string, pages: string): string[] {
  const quoted: string[] = []
  for (const line of troubleshooting.split('\n')) {
    const first = /^\| (Error|Warning): (.*?) \| /.exec(line)?.[2]
    if (first) for (const span of first.matchAll(/`([^`]+)`/g)) quoted.push(span[1])
  }
  for (const block of pages.matchAll(/```text\n([\s\S]*?)```/g)) {
    for (const line of block[1].split('\n')) {
      const message = /^(?:Error|Warning|error|warning): (.+)$/.exec(line)?.[1]
      if (message) quoted.push(message)
    }
  }
  return quoted
}

/** The literal text of every string and template in these TypeScript sources (a template's `${...}` cut out). */
function sourcePieces(files: string[]): string[] {
  const pieces: string[] = []
  // swc's parser (the one the tests are compiled with) rather than TypeScript's, which this test would load whole.
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit)
    if (node === null || typeof node !== 'object') return
    const { type } = node as { type?: string }
    if (type === 'StringLiteral') pieces.push((node as StringLiteral).value)
    else if (type === 'TemplateLiteral') for (const quasi of (node as TemplateLiteral).quasis) pieces.push(quasi.cooked ?? quasi.raw)
    for (const [key, child] of Object.entries(node)) if (key !== 'span') visit(child)
  }
  for (const file of files) visit(parseSync(read(file), { syntax: 'typescript' }))
  return pieces.filter(piece => piece.length > 0)
}

/** Pieces of the code shorter than this do not count as quoting it ("the ", "which "). */
const MIN_PIECE = 8
/** Longest run of text the code does not hold that a quote may contain (a value, like "7d"). */
const MAX_GAP = 8

const isWordChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_]/.test(c)
/** A piece of a quote starts and ends between words, never inside one. */
const boundary = (text: string, at: number): boolean => at === 0 || at === text.length || !isWordChar(text[at - 1]) || !isWordChar(text[at])

/**
 * Whether `fragment` can be printed by the code: read left to right, it must be made of
 * whole-word pieces of the code's strings, with at most short values between them.
 */
function printable(fragment: string, corpus: string): boolean {
  let gap = 0
  for (let p = 0; p < fragment.length;) {
    let longest = 0
    if (boundary(fragment, p)) {
      for (let end = fragment.length; end > p; end--) {
        if (boundary(fragment, end) && corpus.includes(fragment.slice(p, end))) {
          longest = end - p
          break
        }
      }
    }
    // The end of a quote may be a short piece (the full stop after a value).
    if (longest >= MIN_PIECE || (longest > 0 && p + longest === fragment.length)) {
      p += longest
      gap = 0
    } else {
      p++
      if (++gap > MAX_GAP) return false
    }
  }
  return true
}

const sources = readdirSync(join(root, 'src'), { recursive: true })
  .map(String)
  .filter(f => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .map(f => join('src', f))
/** Inputs as the action's messages name them: the code holds them as parts of messages (src/core/input-errors.ts), not as text. */
const inputNames = INPUTS.flatMap(input => [ACTION_NAMING.subject(input.name), ACTION_NAMING.quoted(input.name)])
const corpus = [...sourcePieces(sources), ...inputNames].join('\u0000')

describe('the README and docs/ quote only messages the code prints', () => {
  const quoted = quotedMessages(read('docs/troubleshooting.md'), markdownPages().map(read).join('\n'))

  test('the convention finds the quoted messages', () => {
    expect(quoted.length).toBeGreaterThan(15)
    expect(quoted).toContain('Input "max-attempts" must be a positive integer, got "0".')
  })

  test.each(quoted.map(q => [q]))('%s', message => {
    const fragments = message
      .split('...')
      .map(f => f.trim())
      .filter(f => f.length >= MIN_PIECE)
    expect(fragments.length).toBeGreaterThan(0)
    for (const fragment of fragments) expect({ fragment, printable: printable(fragment, corpus) }).toEqual({ fragment, printable: true })
  })
})

describe('the matcher', () => {
  const code = [...sourcePieces(['src/engine/run.ts']), ...inputNames].join('\u0000')

  test('a message with values in its holes is printable', () => {
    expect(printable('Input "lookback" is 7d, longer than GitHub can redeliver (3d); scanning 3d.', code)).toBe(true)
  })

  test('a text the code never prints is not, even when it shares words with one', () => {
    expect(printable('Webhooks are redelivered by elves, every hour on the hour, whatever the receiver says', corpus)).toBe(false)
    expect(printable('Input "lookback" is 7d, much longer than GitHub allows (3d); scanning 3d.', code)).toBe(false)
  })
})
