// Builds the two bundles with ncc: the action (src/index.ts → dist/) and the CLI (src/cli.ts →
// dist/cli/). `npm run build` and the dist check (check-dist.mjs) both build through here, so
// they cannot build differently.
//   node scripts/build-dist.mjs [DIR]   (default: dist)
// Both bundles are built in this one process, one after the other, through ncc's own API: the
// second build finds ncc, webpack and TypeScript loaded and compiled, and costs about half the
// first (two `ncc build` processes at once took a third more CPU time on the 2-core machine).
// The files are written as `ncc build` writes them.
import ncc from '@vercel/ncc'
import { mkdirSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { continueOnShippedNode } from '../tools/runtimes.mjs'
import { writeLicenses } from './licenses.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const BUNDLES = [
  { entry: 'src/index.ts', dir: '.' },
  { entry: 'src/cli.ts', dir: 'cli' }
]
/** `ncc build -t --source-map --no-source-map-register --license licenses.txt --quiet --no-cache`. */
const NCC_OPTIONS = {
  // ncc only transpiles (tsconfig.json says how); `npm test`'s typecheck checks the types.
  transpileOnly: true,
  sourceMap: true,
  sourceMapRegister: false,
  license: 'licenses.txt',
  quiet: true,
  cache: false
}

/** Empties `out` (a build leaves no chunk of an earlier one behind) and builds both bundles into it. */
export async function buildDist(out) {
  mkdirSync(out, { recursive: true })
  for (const name of readdirSync(out)) rmSync(join(out, name), { recursive: true, force: true })
  // ncc reads the working directory (where tsconfig.json is looked for, what the source maps'
  // paths are relative to), as `ncc build` did when run from the root.
  const cwd = process.cwd()
  process.chdir(root)
  try {
    for (const { entry, dir } of BUNDLES) await buildBundle(entry, join(out, dir))
  } finally {
    process.chdir(cwd)
  }
}

async function buildBundle(entry, bundleDir) {
  let built
  try {
    built = await ncc(join(root, entry), NCC_OPTIONS)
  } catch (error) {
    throw new Error(`the bundle of ${entry} could not be built: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
  }
  const { code, map, assets, symlinks } = built
  if (Object.keys(symlinks ?? {}).length > 0) throw new Error(`the bundle of ${entry} asks for symbolic links, which this build does not write: ${Object.keys(symlinks).join(', ')}`)
  mkdirSync(bundleDir, { recursive: true })
  // As `ncc build`: an entry with a shebang (the CLI) is written executable.
  writeFileSync(join(bundleDir, 'index.js'), code, { mode: /^#![^\n\r]*[\r\n]/.test(code) ? 0o777 : 0o666 })
  writeFileSync(join(bundleDir, 'index.js.map'), map)
  for (const [name, asset] of Object.entries(assets)) {
    mkdirSync(dirname(join(bundleDir, name)), { recursive: true })
    writeFileSync(join(bundleDir, name), asset.source, { mode: asset.permissions })
  }
  writeLicenses(bundleDir)
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  // On the Node the dist/ check builds on, so that `npm run build` and the check are one build.
  continueOnShippedNode(root, import.meta.url)
  try {
    await buildDist(resolve(root, process.argv[2] ?? 'dist'))
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error))
    process.exitCode = 1
  }
}
