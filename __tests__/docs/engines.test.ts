import { describe, expect, it } from '@jest/globals'
import { read } from './helpers.js'

// package.json promises `engines.node`; every package `npm ci` installs must accept the same
// Node versions, or installs warn EBADENGINE (and the promise is not kept). Optional packages
// are left out: npm skips one whose engines do not fit.

const pkg = JSON.parse(read('package.json')) as { engines: { node: string } }
const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { version?: string; optional?: boolean; engines?: { node?: string } | string[] }> }

/** The Node versions the project says it runs on: the lowest its range allows, the dev machines', and the action's runtime. */
const NODE_VERSIONS = ['20.0.0', '20.20.0', '22.0.0', '24.0.0']

/**
 * The lint toolchain (eslint, typescript-eslint) runs only where the project is developed and
 * tested, never in the action or the CLI; its current versions need Node ^20.19 || ^22.13 ||
 * >=24, so it is held to the dev machines' Node and the action's runtime only.
 */
const LINT_TOOLCHAIN = /^(@eslint\/.*|@typescript-eslint\/.*|eslint|eslint-.*|typescript-eslint|espree)$/
const DEVELOPED_ON = ['20.20.0', '24.0.0']

type Version = [number, number, number]

/** `20`, `20.1`, `20.1.2`, `6.*`: the missing parts, and whether any was missing. */
function parseVersion(text: string): { version: Version; parts: number } {
  const parts = text
    .replace(/^v/, '')
    .split('.')
    .filter(p => p !== '*' && p !== 'x' && p !== 'X')
  if (parts.length === 0 || parts.length > 3 || parts.some(p => !/^\d+$/.test(p))) throw new Error(`cannot read version "${text}"`)
  const numbers = parts.map(Number)
  return { version: [numbers[0], numbers[1] ?? 0, numbers[2] ?? 0], parts: parts.length }
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2]
}

function bump(version: Version, part: number): Version {
  return part === 0 ? [version[0] + 1, 0, 0] : part === 1 ? [version[0], version[1] + 1, 0] : [version[0], version[1], version[2] + 1]
}

/** The engines ranges npm packages write: `||` of space-separated comparators (>=, >, <=, <, ^, ~, partial versions). */
function satisfies(versionText: string, range: string): boolean {
  const version = parseVersion(versionText).version
  return range.split('||').some(alternative => {
    const comparators = alternative
      .trim()
      .replace(/(>=|<=|>|<|\^|~)\s+/g, '$1')
      .split(/\s+/)
      .filter(Boolean)
    if (comparators.length === 0 || comparators[0] === '*') return true
    return comparators.every(comparator => {
      const match = /^(>=|<=|>|<|\^|~)?(.+)$/.exec(comparator)!
      const { version: bound, parts } = parseVersion(match[2])
      const c = compare(version, bound)
      switch (match[1]) {
        case '>=':
          return c >= 0
        case '<=':
          return parts === 3 ? c <= 0 : compare(version, bump(bound, parts - 1)) < 0
        case '>':
          return parts === 3 ? c > 0 : compare(version, bump(bound, parts - 1)) >= 0
        case '<':
          return c < 0
        case '^':
          return c >= 0 && compare(version, bump(bound, bound[0] > 0 || parts === 1 ? 0 : 1)) < 0
        case '~':
          return c >= 0 && compare(version, bump(bound, parts === 1 ? 0 : 1)) < 0
        default:
          return parts === 3 ? c === 0 : c >= 0 && compare(version, bump(bound, parts - 1)) < 0
      }
    })
  })
}

describe('engines', () => {
  it('reads the ranges npm packages use', () => {
    expect(satisfies('20.0.0', '>=22')).toBe(false)
    expect(satisfies('24.0.0', '>=22')).toBe(true)
    expect(satisfies('20.5.0', '^18.14.0 || ^20.0.0 || ^22.0.0 || >=24.0.0')).toBe(true)
    expect(satisfies('21.0.0', '^18.14.0 || ^20.0.0 || ^22.0.0 || >=24.0.0')).toBe(false)
    expect(satisfies('20.0.0', '^20.19.0 || ^22.13.0 || >=23.5.0')).toBe(false)
    expect(satisfies('20.3.0', '18 || 20 || >=22')).toBe(true)
    expect(satisfies('20.0.0', '6.* || 8.* || >= 10.*')).toBe(true)
    expect(satisfies('20.0.0', '>=0.6.11 <=0.7.0 || >=0.7.3')).toBe(true)
    expect(satisfies('0.7.1', '>=0.6.11 <=0.7.0 || >=0.7.3')).toBe(false)
    expect(satisfies('15.0.0', '>=16 || 14 >=14.17')).toBe(false)
  })

  it.each(NODE_VERSIONS)('package.json accepts Node %s', version => {
    expect(satisfies(version, pkg.engines.node)).toBe(true)
  })

  it.each(NODE_VERSIONS)('every package npm ci installs accepts Node %s (no EBADENGINE)', version => {
    const refusing = Object.entries(lock.packages)
      .filter(([path, entry]) => path !== '' && !entry.optional)
      .filter(([path]) => DEVELOPED_ON.includes(version) || !LINT_TOOLCHAIN.test(path.replace(/^.*node_modules\//, '')))
      .flatMap(([path, entry]) => {
        const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node
        return range && !satisfies(version, range) ? [`${path.replace(/^.*node_modules\//, '')}@${entry.version} needs Node ${range}`] : []
      })
    expect(refusing).toEqual([])
  })
})
