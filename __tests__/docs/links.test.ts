/**
 * The README stays a page people finish, and every relative link of the README and docs/
 * leads somewhere: to a file that exists and, for a Markdown file, to a heading it has.
 */
import { describe, expect, it } from '@jest/globals'
import { existsSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import { markdownPages, read, root } from './helpers.js'

/** The README's length, workflows and tables included; the reference lives in docs/. */
const README_MAX_LINES = 400

/** The text outside fenced code blocks, line by line. */
function prose(markdown: string): string[] {
  let fenced = false
  return markdown.split('\n').filter(line => {
    if (/^\s*```/.test(line)) fenced = !fenced
    return !fenced && !/^\s*```/.test(line)
  })
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens; repeats get -1, -2, ... */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>()
  const out = new Set<string>()
  for (const line of prose(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1]
    if (heading === undefined) continue
    const base = heading
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M}\p{Pc} -]/gu, '')
      .replace(/ /g, '-')
    const n = seen.get(base) ?? 0
    seen.set(base, n + 1)
    out.add(n === 0 ? base : `${base}-${n}`)
  }
  return out
}

/** Relative link targets of a page, outside code: `path`, `path#anchor` or `#anchor`. */
function relativeLinks(markdown: string): string[] {
  const links: string[] = []
  for (const line of prose(markdown)) {
    const text = line.replace(/`[^`]*`/g, '')
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (!/^[a-z][a-z+.-]*:/i.test(m[1])) links.push(m[1])
    }
  }
  return links
}

describe('the README', () => {
  it(`stays under ${README_MAX_LINES} lines`, () => {
    expect(read('README.md').split('\n').length).toBeLessThan(README_MAX_LINES)
  })
})

describe('relative links', () => {
  const pages = markdownPages()

  it('are found', () => {
    expect(relativeLinks(read('README.md')).length).toBeGreaterThan(10)
  })

  it.each(pages)('of %s lead to files and headings that exist', page => {
    const broken: string[] = []
    for (const link of relativeLinks(read(page))) {
      const [path, anchor] = link.split('#')
      const target = path === '' ? page : normalize(join(dirname(page), decodeURI(path)))
      if (target.startsWith('..') || !existsSync(join(root, target))) {
        broken.push(`${link}: no file ${target}`)
        continue
      }
      if (anchor !== undefined && target.endsWith('.md') && !anchors(read(target)).has(anchor)) broken.push(`${link}: no heading #${anchor} in ${target}`)
    }
    expect(broken).toEqual([])
  })
})

describe('anchors', () => {
  it("are GitHub's", () => {
    const page = "# Title\n## GitHub Enterprise Server and GHE.com\n## Migrating from GitHub's script\n```sh\n# not a heading\n```\n## `fail-on` and more\n## Title"
    expect([...anchors(page)]).toEqual(['title', 'github-enterprise-server-and-ghecom', 'migrating-from-githubs-script', 'fail-on-and-more', 'title-1'])
  })
})
