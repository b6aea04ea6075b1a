// `npm test`: every check. The static ones (types and lint, format, the dist/ build) start at
// the same time; jest starts once the build is there, and each check is printed whole after it.
// Ends with one "tests: N passed, N failed" line so CI can read the outcome.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { shippedNode } from '../tools/runtimes.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const startedAt = Date.now()
// Jest and the static checks run on Node 24, the runtime action.yml declares, which runs them
// faster than Node 20 (measured on the 2-core machine: jest 67 → 58 s, types and lint 25 → 18 s);
// the bundle's suites run it on Node 24 too, as the runner does, and the smoke, fleet and
// standalone ones also on the machine's Node (tools/runner.ts). The dist/ check builds on Node 24
// as well, as `npm run build` does (scripts/build-dist.mjs), with less CPU than Node 20.
const node = shippedNode(root) ?? process.execPath

/** A step in the background: its output kept (stdout and stderr interleaved) for printing later. */
const backgroundStep = (title, command, args) =>
  new Promise(resolve => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: process.stdout.isTTY ? '1' : '0' } })
    let output = ''
    child.stdout.on('data', chunk => (output += chunk))
    child.stderr.on('data', chunk => (output += chunk))
    const startedAt = Date.now()
    child.on('error', error => resolve({ title, code: -1, output: `${output}${error.message}\n`, seconds: 0 }))
    child.on('close', code => resolve({ title, code, output, seconds: (Date.now() - startedAt) / 1000 }))
  })

let passed = 0
let failed = 0
const record = ok => (ok ? passed++ : failed++)

// dist/ is built once: the check's fresh build is the bundle the tests then run, so they
// test the sources even before dist/ is rebuilt (and the check says it is stale).
const resultsDir = mkdtempSync(join(tmpdir(), 'jest-results-'))
const freshDist = join(resultsDir, 'dist')
// Jest starts as soon as that build is there, while the other checks finish beside it: the
// suites that wait on real time leave the cores room for them.
const distStep = backgroundStep('dist/ is current', node, ['scripts/check-dist.mjs', '--keep', freshDist])
// Types and typed lint share one TypeScript program (scripts/typecheck-and-lint.mjs): two
// checks, told apart by the exit code's bits.
const TYPES_AND_LINT = 'typecheck and lint'
const otherSteps = [
  backgroundStep(TYPES_AND_LINT, node, ['scripts/typecheck-and-lint.mjs']),
  backgroundStep('format', node, [join(root, 'node_modules', 'prettier', 'bin', 'prettier.cjs'), '--check', '.'])
]
await distStep
const built = existsSync(join(freshDist, 'index.js')) && existsSync(join(freshDist, 'cli', 'index.js'))

const resultsFile = join(resultsDir, 'results.json')
// The tests get a temporary directory of their own, which must be empty when they end:
// whatever a test, the action or the CLI leaves behind is named and fails the run.
// Jest's cache stays where it always is, so the run is not slower for it.
const testsTemp = mkdtempSync(join(tmpdir(), 'webhook-redelivery-tests-'))
const jestCache = join(realpathSync(tmpdir()), typeof process.getuid === 'function' ? `jest_${process.getuid().toString(36)}` : 'jest')
// Three workers, where jest's default on two cores is one: the suites that wait on real time
// (rate-limit windows, outages) leave a core idle otherwise (measured on the 2-core machine:
// npm test took 84 s with three workers, 98 s with two and 90 s with four).
// `npm test -- ARGS` hands ARGS to jest (a path pattern, a flag); a worker count given there
// replaces the three, since jest reads only the first of two.
const extra = process.argv.slice(2)
const workers = extra.some(arg => /^(--maxWorkers|--max-workers|-w|--runInBand|--run-in-band|-i)(=|$)/.test(arg)) ? [] : ['--maxWorkers=3']
console.log('\n> jest')
const jestOk = await new Promise(resolve => {
  const child = spawn(node, [join(root, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci', ...workers, '--json', `--outputFile=${resultsFile}`, `--cacheDirectory=${jestCache}`, ...extra], {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      // Jest's ESM support is the experimental VM modules; the warning that says so is known.
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules --disable-warning=ExperimentalWarning`.trim(),
      TMPDIR: testsTemp,
      ...(built ? { DIST_UNDER_TEST: freshDist } : {}),
      // The machine's Node, for the bundle's suites (tools/runtimes.mjs), also when this script
      // is run without npm.
      npm_node_execpath: process.env.npm_node_execpath || process.execPath
    }
  })
  child.on('error', () => resolve(false))
  child.on('close', code => resolve(code === 0))
})
// The static checks, each printed whole, in this order, once jest is done.
const staticSteps = [...(await Promise.all(otherSteps)), await distStep]
const checks = []
for (const { title, code, output, seconds } of staticSteps) {
  console.log(`\n> ${title} (${seconds.toFixed(1)} s)`)
  process.stdout.write(output)
  if (title === TYPES_AND_LINT) {
    // 1: the types failed, 2: lint found errors; anything else (a crash) fails both.
    const crashed = typeof code !== 'number' || code < 0 || code > 3
    checks.push('typecheck', 'lint')
    record(!crashed && (code & 1) === 0)
    record(!crashed && (code & 2) === 0)
  } else {
    checks.push(title)
    record(code === 0)
  }
}
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

console.log(`\nnpm test took ${Math.round((Date.now() - startedAt) / 1000)} s`)
console.log(`\ncounted: jest's tests, and ${checks.length + 1} checks (${checks.join(', ')}, the temporary directory)`)
console.log(`\ntests: ${passed} passed, ${failed} failed`)
process.exitCode = failed > 0 ? 1 : 0
