/**
 * The bundles ship the licenses of what they carry. @actions/github (loaded once the proxy
 * variables were checked) and the app's auth are chunks of their own; ncc's licenses.txt named
 * only the last chunk's packages, so the build writes it again from the source maps (scripts/licenses.mjs).
 */
import { describe, expect, test } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { DIST } from '../../tools/runner.js'

/** Every package a bundle directory carries, from its source maps. */
function bundledPackages(dir: string): Set<string> {
  const names = new Set<string>()
  for (const map of readdirSync(dir).filter(f => f.endsWith('.js.map'))) {
    for (const source of JSON.parse(readFileSync(join(dir, map), 'utf8')).sources as string[]) {
      const name = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(source)?.[1]
      if (name) names.add(name)
    }
  }
  return names
}

describe.each([
  ['the action', DIST],
  ['the command line', join(DIST, 'cli')]
])('%s', (_what, dir) => {
  test('is split in chunks: @actions/github is not in the entry file (it is imported after the proxy check)', () => {
    expect(readdirSync(dir).filter(f => /^\d+\.index\.js$/.test(f)).length).toBeGreaterThan(0)
    const entry = JSON.parse(readFileSync(join(dir, 'index.js.map'), 'utf8')).sources as string[]
    expect(entry.filter(source => source.includes('/node_modules/@actions/github/'))).toEqual([])
  })

  test('licenses.txt names every bundled package, in every chunk', () => {
    const licenses = readFileSync(join(dir, 'licenses.txt'), 'utf8')
    // Each package's entry starts on a line of its own name, after a blank line.
    const named = (name: string): boolean => licenses.startsWith(`${name}\n`) || licenses.includes(`\n\n${name}\n`)
    const packages = bundledPackages(dir)
    expect(packages).toContain('@octokit/core')
    expect(packages).toContain('undici')
    expect([...packages].filter(name => !named(name))).toEqual([])
  })
})

// The action speaks to the runner through @actions/core, whose HTTP client brings undici into its
// entry file; the command line does not use the toolkit's runner module.
test('the command line is split in chunks: @actions/github is not in its entry file (it is imported after the proxy check)', () => {
  const entry = JSON.parse(readFileSync(join(DIST, 'cli', 'index.js.map'), 'utf8')).sources as string[]
  expect(entry.filter(source => source.includes('/node_modules/@actions/github/'))).toEqual([])
})
