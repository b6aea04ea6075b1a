/**
 * The order of the suites (tools/test-sequencer.mjs): on a fresh clone, with no timings, the
 * known-long suites start first; jest's own timings (written by its public cacheResults, as after
 * a run) keep their order, and suites without one are reordered only among themselves.
 */
import { afterAll, expect, test } from '@jest/globals'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import LongestFirst from '../../tools/test-sequencer.mjs'

const cacheDirectory = mkdtempSync(join(tmpdir(), 'sequencer-'))
afterAll(() => rmSync(cacheDirectory, { recursive: true, force: true }))

const SIZES: Record<string, number> = {
  '/r/__tests__/unit/config.test.ts': 40_000,
  '/r/__tests__/unit/plan.test.ts': 30_000,
  '/r/__tests__/integration/resilience.bundle.test.ts': 9_000,
  '/r/__tests__/fleet/fleet.test.ts': 3_000,
  '/r/__tests__/unit/plural.test.ts': 500
}

/** Jest's Test objects for these files, in a context of their own (its cache file is keyed by the id). */
function suites(id: string) {
  const context = { config: { cache: true, cacheDirectory, id, haste: {} }, hasteFS: { getSize: (path: string) => SIZES[path] } }
  return Object.keys(SIZES).map(path => ({ path, context }))
}

const names = (sorted: Array<{ path: string }>) => sorted.map(t => t.path.replace(/.*__tests__\//, ''))
// The sequencer takes jest's Test objects; these carry only what ordering reads.
const sort = (tests: ReturnType<typeof suites>) => new LongestFirst({} as never).sort(tests as never) as unknown as Array<{ path: string }>

/** Timings as jest records them after a run: runtime in ms per file, none failed. */
function recordTimings(tests: ReturnType<typeof suites>, runtimes: Record<string, number>): void {
  const testResults = Object.entries(runtimes).map(([testFilePath, runtime]) => ({ testFilePath, numFailingTests: 0, perfStats: { runtime } }))
  new LongestFirst({} as never).cacheResults(tests as never, { testResults } as never)
}

test('without timings, the known-long suites first, then by file size', () => {
  expect(names(sort(suites('none')))).toEqual(['integration/resilience.bundle.test.ts', 'fleet/fleet.test.ts', 'unit/config.test.ts', 'unit/plan.test.ts', 'unit/plural.test.ts'])
})

test("with jest's timings for every suite, jest's order: longest first", () => {
  const tests = suites('all')
  recordTimings(tests, {
    '/r/__tests__/unit/plural.test.ts': 900,
    '/r/__tests__/unit/config.test.ts': 100,
    '/r/__tests__/unit/plan.test.ts': 50,
    '/r/__tests__/integration/resilience.bundle.test.ts': 30,
    '/r/__tests__/fleet/fleet.test.ts': 20
  })
  expect(names(sort(suites('all')))).toEqual(['unit/plural.test.ts', 'unit/config.test.ts', 'unit/plan.test.ts', 'integration/resilience.bundle.test.ts', 'fleet/fleet.test.ts'])
})

test('with timings for some, the others are reordered among themselves, known-long first', () => {
  const tests = suites('some')
  recordTimings(tests, { '/r/__tests__/unit/plural.test.ts': 900 })
  expect(names(sort(suites('some')))).toEqual(['integration/resilience.bundle.test.ts', 'fleet/fleet.test.ts', 'unit/config.test.ts', 'unit/plan.test.ts', 'unit/plural.test.ts'])
})
