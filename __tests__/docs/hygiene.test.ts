import { describe, expect, it } from '@jest/globals'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { markdownPages, read, root } from './helpers.js'

// Files users read must not point at one machine's file system.
const docs = ['README.md', 'SECURITY.md', 'CHANGELOG.md', 'LICENSE', '.env.example']

function walk(dir: string): string[] {
  if (!existsSync(join(root, dir))) return []
  return readdirSync(join(root, dir)).flatMap(f => {
    const rel = join(dir, f)
    return statSync(join(root, rel)).isDirectory() ? walk(rel) : [rel]
  })
}

const files = [...docs, ...walk('examples'), ...walk('docs'), ...walk(join('.github', 'workflows'))]

describe('documentation hygiene', () => {
  it.each(files)('%s has no machine-specific absolute path', file => {
    expect(read(file)).not.toMatch(/(^|[\s"'`(])(\/work\/|\/home\/|\/Users\/|\/root\/|\/tmp\/|[A-Z]:\\)/m)
  })

  it('LICENSE is MIT for the contributors', () => {
    const license = read('LICENSE')
    expect(license).toMatch(/^MIT License/)
    expect(license).toContain('Copyright (c) 2026 webhook-redelivery contributors')
  })

  it('README and docs/ pin the major version tag in their examples', () => {
    const pages = markdownPages().map(read).join('\n')
    const uses = [...pages.matchAll(/uses:\s*([^\s`]*webhook-redelivery[^\s`]*)/g)].map(m => m[1])
    expect(uses.length).toBeGreaterThan(0)
    for (const u of uses) expect(u).toBe('your-org/webhook-redelivery@v1')
  })
})
