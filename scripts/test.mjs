// `npm test`: every check, in the order that fails fastest. Ends with one
// "tests: N passed, N failed" line so CI can read the outcome.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const bin = name => join(root, 'node_modules', '.bin', name)
const step = (title, command, args, env = {}) => {
  console.log(`\n> ${title}`)
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } })
  return result.status === 0
}

let passed = 0
let failed = 0
const record = ok => (ok ? passed++ : failed++)

record(step('typecheck', bin('tsc'), ['--noEmit', '-p', 'tsconfig.all.json']))
record(step('dist/ is current', process.execPath, ['scripts/check-dist.mjs']))

const resultsDir = mkdtempSync(join(tmpdir(), 'jest-results-'))
const resultsFile = join(resultsDir, 'results.json')
const extra = process.argv.slice(2)
// The tests get a temporary directory of their own, which must be empty when they end:
// whatever a test, the action or the CLI leaves behind is named and fails the run.
// Jest's cache stays where it always is, so the run is not slower for it.
const testsTemp = mkdtempSync(join(tmpdir(), 'webhook-redelivery-tests-'))
const jestCache = join(realpathSync(tmpdir()), typeof process.getuid === 'function' ? `jest_${process.getuid().toString(36)}` : 'jest')
const jestOk = step('jest', process.execPath, [join(root, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci', '--json', `--outputFile=${resultsFile}`, `--cacheDirectory=${jestCache}`, ...extra], {
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules`.trim(),
  TMPDIR: testsTemp
})
try {
  const results = JSON.parse(readFileSync(resultsFile, 'utf8'))
  passed += results.numPassedTests
  failed += results.numFailedTests + results.numRuntimeErrorTestSuites
  if (!jestOk && results.numFailedTests === 0 && results.numRuntimeErrorTestSuites === 0) failed++
} catch {
  failed++
}
rmSync(resultsDir, { recursive: true, force: true })

const leftovers = readdirSync(testsTemp)
console.log(`\n> the tests left nothing in the temporary directory`)
if (leftovers.length > 0) console.error(`left behind: ${leftovers.join(', ')}`)
record(leftovers.length === 0)
rmSync(testsTemp, { recursive: true, force: true })

console.log(`\ntests: ${passed} passed, ${failed} failed`)
process.exitCode = failed > 0 ? 1 : 0
