// Writes DIR/licenses.txt: the license of every package bundled into DIR's chunks, in ncc's format.
//   node scripts/licenses.mjs DIR...
// ncc writes its licenses.txt once per chunk, each over the one before, so with code in chunks
// loaded on demand (@actions/github, the app's auth) it named only the last chunk's packages. The
// source maps list every bundled file, hence every package.
import { readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

/**
 * The package directory of a bundled file, in this checkout's node_modules: the maps' paths are
 * relative to where the bundle was built, so only their part from the first node_modules is used.
 */
function packageDir(source) {
  const match = /(node_modules\/(?:.*\/node_modules\/)?((?:@[^/]+\/)?[^/]+))\//.exec(source)
  return match ? { dir: join(root, match[1]), name: match[2] } : undefined
}

function licenseOf({ dir, name }) {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  const id = typeof manifest.license === 'string' ? manifest.license : (manifest.license?.type ?? manifest.licenses?.[0]?.type ?? '')
  const file = readdirSync(dir)
    .sort()
    .find(f => /^licen[cs]e/i.test(f))
  return { name, id, text: file ? readFileSync(join(dir, file), 'utf8') : '' }
}

export function writeLicenses(out) {
  const packages = new Map()
  for (const map of readdirSync(out).filter(f => f.endsWith('.js.map'))) {
    const { sources } = JSON.parse(readFileSync(join(out, map), 'utf8'))
    for (const source of sources) {
      const found = packageDir(source)
      if (found && !packages.has(found.name)) packages.set(found.name, licenseOf(found))
    }
  }
  const text = [...packages.values()]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map(p => [p.name, p.id, p.text].filter(Boolean).join('\n') + '\n\n')
    .join('')
  writeFileSync(join(out, 'licenses.txt'), text.trim() + '\n')
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) for (const out of process.argv.slice(2)) writeLicenses(out)
