// Builds the two bundles with ncc: the action (src/index.ts → dist/) and the CLI (src/cli.ts →
// dist/cli/). `npm run build` and the dist check (check-dist.mjs) both build through here, so
// they cannot build differently.
//   node scripts/build-dist.mjs [DIR]   (default: dist)
import { execFile } from 'node:child_process'
import { mkdirSync, readdirSync, realpathSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { writeLicenses } from './licenses.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const ncc = join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js')

/** Empties `out` (ncc leaves chunks of earlier builds behind) and builds both bundles into it, at the same time. */
export async function buildDist(out) {
  mkdirSync(out, { recursive: true })
  for (const name of readdirSync(out)) rmSync(join(out, name), { recursive: true, force: true })
  const builds = [
    ['src/index.ts', out],
    ['src/cli.ts', join(out, 'cli')]
  ].map(async ([entry, dir]) => {
    // -t: ncc only transpiles (tsconfig.json says how); `npm test`'s typecheck checks the types.
    await promisify(execFile)(process.execPath, [ncc, 'build', entry, '-o', dir, '-t', '--source-map', '--no-source-map-register', '--license', 'licenses.txt', '--quiet', '--no-cache'], { cwd: root })
    writeLicenses(dir)
  })
  const failures = (await Promise.allSettled(builds)).filter(b => b.status === 'rejected')
  for (const { reason } of failures) process.stderr.write(`${reason.stderr || reason.message}\n`)
  if (failures.length > 0) throw new Error('the bundle could not be built')
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  await buildDist(join(root, process.argv[2] ?? 'dist'))
}
