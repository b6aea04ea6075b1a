// Fails when the committed dist/ is not what `npm run build` makes from the sources.
//   node scripts/check-dist.mjs [--keep DIR]
// --keep DIR builds into DIR and leaves the fresh build there, so `npm test` builds once and
// its tests run that build (see DIST_UNDER_TEST in tools/runner.ts).
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { continueOnShippedNode } from '../tools/runtimes.mjs'
import { buildDist } from './build-dist.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
// On the Node `npm run build` builds on (Node 24 where it runs): the same build, compared.
continueOnShippedNode(root, import.meta.url)
const { values } = parseArgs({ options: { keep: { type: 'string' } } })
const out = values.keep ?? mkdtempSync(join(tmpdir(), 'dist-check-'))
try {
  await buildDist(out)
  const list = dir =>
    new Set(
      readdirSync(dir, { recursive: true })
        .filter(f => statSync(join(dir, f)).isFile())
        .map(String)
        .sort()
    )
  const built = list(out)
  const committed = list(join(root, 'dist'))
  const stale = []
  for (const file of new Set([...built, ...committed])) {
    const a = built.has(file) ? readFileSync(join(out, file)) : undefined
    const b = committed.has(file) ? readFileSync(join(root, 'dist', file)) : undefined
    if (!a || !b || !a.equals(b)) stale.push(file)
  }
  if (stale.length > 0) {
    console.error(`dist/ is stale: ${stale.join(', ')} differ from a fresh build. Run \`npm run build\` and commit dist/.`)
    process.exitCode = 1
  } else {
    console.log(`dist/ is current (${built.size} files match a fresh build).`)
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error))
  process.exitCode = 1
} finally {
  if (!values.keep) rmSync(out, { recursive: true, force: true })
}
