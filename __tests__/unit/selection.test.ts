import { describe, expect, test } from '@jest/globals'
import { createHash } from 'node:crypto'
import { Prng } from '../fixtures/prng.js'
import { ACTION_NAMING, renderInputError } from '../../src/core/input-errors.js'
import {
  displayPayloadUrl,
  hookMatches,
  inShard,
  MAX_SHARDS,
  normalizePayloadUrl,
  ownersToList,
  parseHookPatterns,
  parseRepositoryPatterns,
  parseShard,
  repositoryMatches,
  repositoryPatternText,
  selectHooks,
  selectRepositories,
  shardKey,
  shardOf,
  type HookPattern,
  type Parsed
} from '../../src/core/selection.js'

function ok<T>(result: Parsed<T>): T {
  if (!result.ok) throw new Error(`expected a value, got errors: ${result.errors.map(error => renderInputError(error, ACTION_NAMING)).join(' | ')}`)
  return result.value
}

function errors<T>(result: Parsed<T>): string[] {
  if (result.ok) throw new Error(`expected errors, got ${JSON.stringify(result.value)}`)
  return result.errors.map(error => renderInputError(error, ACTION_NAMING))
}

describe('parseRepositoryPatterns', () => {
  test('reads names, owner/* and prefixes, comma- or newline-separated, trimmed', () => {
    expect(ok(parseRepositoryPatterns(' acme/api , acme/*\n\n  octo-org/web-* ,\r\nacme/.github'))).toEqual([
      { kind: 'repository', owner: 'acme', name: 'api' },
      { kind: 'prefix', owner: 'acme', prefix: '' },
      { kind: 'prefix', owner: 'octo-org', prefix: 'web-' },
      { kind: 'repository', owner: 'acme', name: '.github' }
    ])
  })

  test('empty input is no entries (the caller picks the default)', () => {
    expect(ok(parseRepositoryPatterns(''))).toEqual([])
    expect(ok(parseRepositoryPatterns(' ,\n '))).toEqual([])
  })

  test('keeps a repeated entry once, whatever its case', () => {
    expect(ok(parseRepositoryPatterns('acme/API, Acme/api, acme/*, ACME/*'))).toEqual([
      { kind: 'repository', owner: 'acme', name: 'API' },
      { kind: 'prefix', owner: 'acme', prefix: '' }
    ])
  })

  test('accepts the longest names GitHub allows', () => {
    const owner = 'a'.repeat(39)
    expect(ok(parseRepositoryPatterns(`${owner}/${'b'.repeat(100)}`))).toHaveLength(1)
    expect(ok(parseRepositoryPatterns(`${owner}/${'b'.repeat(99)}*`))).toHaveLength(1)
  })

  test.each([
    ['acme', 'no slash'],
    ['acme/', 'no name'],
    ['/api', 'no owner'],
    ['*/api', 'owner pattern'],
    ['acme*/api', 'owner pattern'],
    ['-acme/api', 'owner starting with a hyphen'],
    ['acme_corp/api', 'underscore in owner'],
    [`${'a'.repeat(40)}/api`, 'owner too long'],
    [`acme/${'b'.repeat(101)}`, 'name too long'],
    [`acme/${'b'.repeat(100)}*`, 'prefix too long'],
    ['acme/api/hooks', 'extra segment'],
    ['acme/..', 'dot-dot'],
    ['acme/.', 'dot'],
    ['acme/a*b', 'star inside'],
    ['acme/**', 'two stars'],
    ['acme/*/x', 'star then segment'],
    ['acme/api?x=1', 'query'],
    ['acme/api#1', 'fragment'],
    ['acme/a%2Fb', 'percent-encoding'],
    ['acme/a b', 'space'],
    ['acme/ä', 'non-ASCII'],
    ['acme/api\\x', 'backslash']
  ])('rejects %j (%s), naming the input', entry => {
    const [message] = errors(parseRepositoryPatterns(`acme/ok, ${entry}`))
    expect(message).toMatch(/^Input "repository" must be owner\/name, owner\/\* or owner\/prefix-\* entries, comma- or newline-separated, got ".*"\.$/)
  })

  test('reports every bad entry, not only the first', () => {
    expect(errors(parseRepositoryPatterns('bad, acme/ok, also bad'))).toHaveLength(2)
  })

  test('never echoes credentials pasted as an entry', () => {
    const [url] = errors(parseRepositoryPatterns('https://x-access-token:ghp_secret123@github.com/acme/api'))
    expect(url).not.toContain('ghp_secret123')
    expect(url).toContain('https://github.com…')
    const [ssh] = errors(parseRepositoryPatterns('user:hunter2@github.com/acme'))
    expect(ssh).not.toContain('hunter2')
  })

  test('cuts long values in errors', () => {
    const [message] = errors(parseRepositoryPatterns('x'.repeat(500)))
    expect(message.length).toBeLessThan(250)
  })

  test('writes entries back as the user would', () => {
    const patterns = ok(parseRepositoryPatterns('acme/api, acme/*, acme/web-*'))
    expect(patterns.map(repositoryPatternText)).toEqual(['acme/api', 'acme/*', 'acme/web-*'])
  })
})

describe('matching repositories', () => {
  const [exact, all, prefix] = ok(parseRepositoryPatterns('acme/api, acme/*, octo/web-*'))

  test('an exact entry matches that repository only, in any case', () => {
    expect(repositoryMatches(exact, { owner: 'ACME', name: 'Api' })).toBe(true)
    expect(repositoryMatches(exact, { owner: 'acme', name: 'api2' })).toBe(false)
    expect(repositoryMatches(exact, { owner: 'acme-x', name: 'api' })).toBe(false)
  })

  test('owner/* matches every repository of that owner only', () => {
    expect(repositoryMatches(all, { owner: 'acme', name: 'anything' })).toBe(true)
    expect(repositoryMatches(all, { owner: 'Acme', name: '.github' })).toBe(true)
    expect(repositoryMatches(all, { owner: 'acme2', name: 'anything' })).toBe(false)
    expect(repositoryMatches(all, { owner: 'acm', name: 'e' })).toBe(false)
  })

  test('a prefix matches names starting with it, in any case', () => {
    expect(repositoryMatches(prefix, { owner: 'octo', name: 'web-' })).toBe(true)
    expect(repositoryMatches(prefix, { owner: 'octo', name: 'WEB-shop' })).toBe(true)
    expect(repositoryMatches(prefix, { owner: 'octo', name: 'website' })).toBe(false)
    expect(repositoryMatches(prefix, { owner: 'octo', name: 'my-web-shop' })).toBe(false)
    expect(repositoryMatches(prefix, { owner: 'acme', name: 'web-shop' })).toBe(false)
  })

  test('lists each owner named by a pattern once; exact names need no listing', () => {
    expect(ownersToList(ok(parseRepositoryPatterns('acme/api, acme/*, Acme/web-*, octo/x-*, beta/one')))).toEqual(['acme', 'octo'])
    expect(ownersToList(ok(parseRepositoryPatterns('acme/api')))).toEqual([])
  })

  test('selects from a listing: patterns skip archived repositories, exact names keep them', () => {
    const listed = [
      { owner: 'acme', name: 'web-a', archived: false },
      { owner: 'acme', name: 'web-old', archived: true },
      { owner: 'acme', name: 'api', archived: true },
      { owner: 'acme', name: 'tools' },
      { owner: 'acme', name: 'WEB-b', archived: false }
    ]
    const names = (p: string) => selectRepositories(ok(parseRepositoryPatterns(p)), listed).map(r => r.name)
    expect(names('acme/web-*')).toEqual(['web-a', 'WEB-b'])
    expect(names('acme/web-*, acme/api')).toEqual(['web-a', 'api', 'WEB-b'])
    expect(names('acme/*')).toEqual(['web-a', 'tools', 'WEB-b'])
    expect(names('acme/web-old, acme/web-*')).toEqual(['web-a', 'web-old', 'WEB-b'])
    expect(names('octo/*')).toEqual([])
  })

  test('selects a repository listed twice (pages shifted by a new repository) once', () => {
    const listed = [
      { owner: 'acme', name: 'a' },
      { owner: 'acme', name: 'b' },
      { owner: 'Acme', name: 'B' }
    ]
    expect(selectRepositories(ok(parseRepositoryPatterns('acme/*')), listed)).toHaveLength(2)
  })
})

describe('parseHookPatterns', () => {
  test('reads ids, payload URLs and URL prefixes', () => {
    expect(ok(parseHookPatterns('123, https://ci.example.com/hook\nhttps://ci.example.com/*'))).toEqual([
      { kind: 'id', id: '123' },
      { kind: 'url', url: 'https://ci.example.com/hook' },
      { kind: 'url-prefix', prefix: 'https://ci.example.com/' }
    ])
  })

  test('keeps ids as text, however large', () => {
    expect(ok(parseHookPatterns('98765432109876543210'))).toEqual([{ kind: 'id', id: '98765432109876543210' }])
  })

  test('normalizes URLs: scheme and host case, default port, user info, trailing slash, fragment', () => {
    expect(ok(parseHookPatterns('HTTPS://user:pw@CI.Example.COM:443/Hook/?a=1#frag'))).toEqual([{ kind: 'url', url: 'https://ci.example.com/Hook?a=1' }])
    expect(ok(parseHookPatterns('http://ci.example.com:8080/x'))).toEqual([{ kind: 'url', url: 'http://ci.example.com:8080/x' }])
  })

  test('keeps a repeated entry once', () => {
    expect(ok(parseHookPatterns('1, 1, https://a.example/x, https://A.example/x/, https://a.example/*, https://a.example/*'))).toHaveLength(3)
  })

  test.each([
    ['0', 'zero'],
    ['-1', 'negative'],
    ['12a', 'not a number'],
    ['123456789012345678901', 'too long'],
    ['ftp://ci.example.com/hook', 'not http'],
    ['ci.example.com/hook', 'no scheme'],
    ['https://', 'no host']
  ])('rejects %j (%s), naming the input', entry => {
    const [message] = errors(parseHookPatterns(entry))
    expect(message).toMatch(/^Input "hook-id" must be hook IDs \(numbers\) or payload URLs, a URL ending in \* matching by prefix/)
  })

  test('wants the whole host and a / before the *', () => {
    for (const entry of ['https://ci.example.com*', 'https://ci.*', 'https://*']) {
      const [message] = errors(parseHookPatterns(entry))
      expect(message).toContain('must give the whole host and a / before the *')
    }
  })

  test('takes * only at the end', () => {
    const [message] = errors(parseHookPatterns('https://ci.example.com/*/hook'))
    expect(message).toContain('may hold * only at the end')
  })

  test('never echoes user info, paths or queries of a URL', () => {
    const all = errors(parseHookPatterns('ftp://bot:s3cret@ci.example.com/T000/B000/XXXX, https://bot:s3cret@ci.example.com*, https://u@x:s3cret@ci.example.com/a*/b'))
    expect(all).toHaveLength(3)
    for (const message of all) {
      expect(message).not.toMatch(/s3cret|T000|bot/)
      expect(message).toContain('ci.example.com…')
    }
  })
})

describe('matching hooks', () => {
  const [id, url, prefix] = ok(parseHookPatterns('42, https://ci.example.com/hook, https://ci.example.com/team-*'))

  test('an id matches that hook, number or text', () => {
    expect(hookMatches(id, { id: 42 })).toBe(true)
    expect(hookMatches(id, { id: '42', url: 'https://elsewhere.example/' })).toBe(true)
    expect(hookMatches(id, { id: 420 })).toBe(false)
  })

  test('a URL matches the same URL however it is written', () => {
    for (const u of ['https://ci.example.com/hook', 'https://CI.EXAMPLE.com/hook/', 'https://ci.example.com:443/hook', 'https://token:x@ci.example.com/hook']) {
      expect([u, hookMatches(url, { id: 1, url: u })]).toEqual([u, true])
    }
    for (const u of ['http://ci.example.com/hook', 'https://ci.example.com/Hook', 'https://ci.example.com/hook2', 'https://ci.example.com/hook?x=1', undefined, 'not a url']) {
      expect([u, hookMatches(url, { id: 1, url: u })]).toEqual([u, false])
    }
  })

  test('a prefix matches URLs starting with it, and nothing on a look-alike host', () => {
    expect(hookMatches(prefix, { id: 1, url: 'https://ci.example.com/team-a/hook' })).toBe(true)
    expect(hookMatches(prefix, { id: 1, url: 'https://ci.example.com/team-' })).toBe(true)
    expect(hookMatches(prefix, { id: 1, url: 'https://ci.example.com/teams' })).toBe(false)
    expect(hookMatches(prefix, { id: 1, url: 'https://ci.example.com.evil.example/team-a' })).toBe(false)
    const [host] = ok(parseHookPatterns('https://ci.example.com/*'))
    expect(hookMatches(host, { id: 1, url: 'https://ci.example.com' })).toBe(true)
    expect(hookMatches(host, { id: 1, url: 'https://ci.example.com:443/x?y=1' })).toBe(true)
    expect(hookMatches(host, { id: 1, url: 'https://ci.example.com:8443/x' })).toBe(false)
    expect(hookMatches(host, { id: 1, url: 'http://ci.example.com/x' })).toBe(false)
    expect(hookMatches(host, { id: 1, url: 'https://ci.example.com.evil.example/' })).toBe(false)
  })

  test('a prefix may stop inside a query; a trailing ? still narrows it', () => {
    const [query, bare] = ok(parseHookPatterns('https://ci.example.com/hook?team=*, https://ci.example.com/hook?*'))
    expect(hookMatches(query, { id: 1, url: 'https://ci.example.com/hook?team=a' })).toBe(true)
    expect(hookMatches(query, { id: 1, url: 'https://ci.example.com/hook?other=a' })).toBe(false)
    expect(hookMatches(bare, { id: 1, url: 'https://ci.example.com/hook?a' })).toBe(true)
    expect(hookMatches(bare, { id: 1, url: 'https://ci.example.com/hooks' })).toBe(false)
  })

  test('selects the hooks any entry names, or all without entries', () => {
    const hooks = [
      { id: 1, url: 'https://ci.example.com/team-a' },
      { id: 42, url: 'https://chat.example.com/x' },
      { id: 3, url: 'https://ci.example.com/hook/' },
      { id: 4, url: 'https://other.example.com/' }
    ]
    expect(selectHooks([id, url, prefix] as HookPattern[], hooks).map(h => h.id)).toEqual([1, 42, 3])
    expect(selectHooks([], hooks)).toEqual(hooks)
  })

  test('normalizes and displays payload URLs without their secrets', () => {
    expect(normalizePayloadUrl('https://a:b@Host.example:443/p/?q=1#f')).toBe('https://host.example/p?q=1')
    expect(normalizePayloadUrl('mailto:x@example.com')).toBeUndefined()
    expect(displayPayloadUrl('https://a:b@hooks.slack.com/services/T0/B0/XYZ')).toBe('https://hooks.slack.com')
    expect(displayPayloadUrl('nope')).toBe('(invalid URL)')
  })
})

describe('parseShard', () => {
  test('reads i/n, with spaces around the slash', () => {
    expect(ok(parseShard('2/8'))).toEqual({ index: 2, count: 8 })
    expect(ok(parseShard(' 1 / 1 '))).toEqual({ index: 1, count: 1 })
    expect(ok(parseShard(`${MAX_SHARDS}/${MAX_SHARDS}`))).toEqual({ index: 1000, count: 1000 })
  })

  test('empty means no sharding', () => {
    expect(ok(parseShard(''))).toBeUndefined()
    expect(ok(parseShard('  '))).toBeUndefined()
  })

  test.each(['0/8', '9/8', '1/0', '0/0', '1/1001', '2', '2/', '/8', '2/8/1', '-1/8', '1.5/8', '2of8', 'a/b', '+2/8', '1e1/20', '10000/10000'])('rejects %j, naming the input and the range', text => {
    expect(errors(parseShard(text))).toEqual([`Input "shard" must be i/n such as 2/8: part i of n, with 1 <= i <= n <= 1000, got "${text}".`])
  })
})

describe('shards', () => {
  const keys = (n: number, seed: number): string[] => {
    const prng = new Prng(seed)
    const next = (): number => prng.next()
    return Array.from({ length: n }, (_, i) => shardKey({ kind: 'repo', repo: `org${Math.floor(next() * 20)}/repo-${i}`, id: 1 + Math.floor(next() * 1e9) }))
  }

  test('keys name the hook, without case; org and repo keys never collide', () => {
    expect(shardKey({ kind: 'repo', repo: 'Acme/API', id: 12 })).toBe('acme/api#12')
    expect(shardKey({ kind: 'repo', repo: 'acme/api', id: '12' })).toBe('acme/api#12')
    expect(shardKey({ kind: 'org', org: 'Acme', id: 12 })).toBe('acme#12')
    expect(shardKey({ kind: 'app' })).toBe('app')
  })

  test('is the documented hash: first 48 bits of SHA-256, modulo n, plus one', () => {
    const key = 'acme/api#12'
    const expected = Number(BigInt('0x' + createHash('sha256').update(key).digest('hex').slice(0, 12)) % 7n) + 1
    expect(shardOf(key, 7)).toBe(expected)
  })

  test('is deterministic and within 1..n', () => {
    for (const key of keys(200, 1)) {
      for (const n of [1, 2, 3, 8, 1000]) {
        const s = shardOf(key, n)
        expect(s).toBe(shardOf(key, n))
        expect(s).toBeGreaterThanOrEqual(1)
        expect(s).toBeLessThanOrEqual(n)
      }
    }
  })

  test.each([1, 2, 3, 7, 16, 100])('shards 1..%i partition any set: every key in exactly one', n => {
    for (const seed of [1, 2, 3]) {
      const set = keys(500, seed * 31 + n)
      const owners = set.map(key => Array.from({ length: n }, (_, i) => i + 1).filter(index => inShard({ index, count: n }, key)))
      for (const o of owners) expect(o).toHaveLength(1)
    }
  })

  test('adding (or removing) keys moves none of the others', () => {
    const before = keys(300, 9)
    const after = [...keys(50, 10), ...before.slice(0, 200), ...keys(400, 11)]
    for (const n of [2, 3, 8, 50]) {
      const shardsBefore = new Map(before.map(k => [k, shardOf(k, n)]))
      for (const k of after) if (shardsBefore.has(k)) expect(shardOf(k, n)).toBe(shardsBefore.get(k))
    }
  })

  test('spreads a fleet evenly enough: no shard of 8 holds more than twice its share of 1,000 hooks', () => {
    const counts = new Array(8).fill(0)
    for (const key of keys(1000, 5)) counts[shardOf(key, 8) - 1]++
    expect(Math.min(...counts)).toBeGreaterThan(60)
    expect(Math.max(...counts)).toBeLessThan(250)
  })

  test('no shard means everything', () => {
    expect(keys(20, 3).every(k => inShard(undefined, k))).toBe(true)
  })

  test('refuses a count outside 1..1000', () => {
    for (const n of [0, 1001, 1.5, NaN]) expect(() => shardOf('k', n)).toThrow(RangeError)
  })
})
