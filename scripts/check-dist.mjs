// Fails when the committed dist/ is not what `npm run build` makes from the sources.
//   node scripts/check-dist.mjs [--keep DIR]
// --keep DIR builds into DIR and leaves the fresh build there, so `npm test` builds once and
// its tests run that build (see DIST_UNDER_TEST in tools/runner.ts).
import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs, promisify } from 'node:util'
import { writeLicenses } from './licenses.mjs'

const root = new URL('..', import.meta.url).pathname
const { values } = parseArgs({ options: { keep: { type: 'string' } } })
const out = values.keep ?? mkdtempSync(join(tmpdir(), 'dist-check-'))
const ncc = join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js')
try {
  // The two bundles are built at the same time: each build is one busy process.
  const builds = [
    ['src/index.ts', ''],
    ['src/cli.ts', 'cli']
  ].map(async ([entry, dir]) => {
    await promisify(execFile)(process.execPath, [ncc, 'build', entry, '-o', join(out, dir), '-t', '--source-map', '--no-source-map-register', '--license', 'licenses.txt', '--quiet'], { cwd: root })
    writeLicenses(join(out, dir))
  })
  const failures = (await Promise.allSettled(builds)).filter(b => b.status === 'rejected')
  for (const { reason } of failures) process.stderr.write(`${reason.stderr || reason.message}\n`)
  if (failures.length > 0) throw new Error('the bundle could not be built')
  const list = dir =>
    readdirSync(dir, { recursive: true })
      .filter(f => statSync(join(dir, f)).isFile())
      .map(String)
      .sort()
  const built = list(out)
  const committed = list(join(root, 'dist'))
  const stale = []
  for (const file of new Set([...built, ...committed])) {
    const a = built.includes(file) ? readFileSync(join(out, file)) : undefined
    const b = committed.includes(file) ? readFileSync(join(root, 'dist', file)) : undefined
    if (!a || !b || !a.equals(b)) stale.push(file)
  }
  if (stale.length > 0) {
    console.error(`dist/ is stale: ${stale.join(', ')} differ from a fresh build. Run \`npm run build\` and commit dist/.`)
    process.exitCode = 1
  } else {
    console.log(`dist/ is current (${built.length} files match a fresh build).`)
  }
} finally {
  if (!values.keep) rmSync(out, { recursive: true, force: true })
}
