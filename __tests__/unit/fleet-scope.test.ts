import { describe, expect, test } from '@jest/globals'
import { fleetScope, otherShardOf, parseHookPatterns, parseRepositoryPatterns } from '../../src/core/selection.js'

const repos = (text: string) => {
  const parsed = parseRepositoryPatterns(text)
  if (!parsed.ok) throw new Error(parsed.errors.join(' '))
  return parsed.value
}
const hooks = (text: string) => {
  const parsed = parseHookPatterns(text)
  if (!parsed.ok) throw new Error(parsed.errors.join(' '))
  return parsed.value
}

describe('fleetScope', () => {
  test('names the repositories in any order or case, and the shard', () => {
    expect(fleetScope(repos('acme/*, Acme/api'), [], undefined)).toBe('repo acme/*,acme/api')
    expect(fleetScope(repos('acme/api,acme/*'), [], { index: 2, count: 8 })).toBe('repo acme/*,acme/api shard 2/8')
  })

  test('hook-id is a digest: payload URLs may hold secrets, and the state variable can be read by others', () => {
    const scope = fleetScope(repos('acme/*'), hooks('https://ci.example.com/token-abc/*'), undefined)
    expect(scope).toMatch(/^repo acme\/\* #[0-9a-f]{8}$/)
    expect(scope).not.toContain('token-abc')
    expect(fleetScope(repos('acme/*'), hooks('https://ci.example.com/other/*'), undefined)).not.toBe(scope)
  })
})

describe('otherShardOf', () => {
  const fleet = 'repo acme/*'
  test('another part of the same split is named', () => {
    expect(otherShardOf(`${fleet} shard 2/3`, `${fleet} shard 1/3`)).toBe('1/3')
  })

  test('the same part, another fleet, or a fleet being split differently is not', () => {
    expect(otherShardOf(`${fleet} shard 2/3`, `${fleet} shard 2/3`)).toBeUndefined()
    expect(otherShardOf(`${fleet} shard 2/3`, 'repo other/* shard 1/3')).toBeUndefined()
    expect(otherShardOf(`${fleet} shard 2/4`, `${fleet} shard 1/3`)).toBeUndefined()
    expect(otherShardOf(`${fleet} shard 2/4`, fleet)).toBeUndefined()
    expect(otherShardOf(fleet, `${fleet} shard 1/3`)).toBeUndefined()
  })
})

describe('repositoryShardKey', () => {
  test('a repository, in lower case: its hooks share a shard, and the shard of a name never changes', async () => {
    const { repositoryShardKey, shardOf } = await import('../../src/core/selection.js')
    expect(repositoryShardKey({ owner: 'Acme', name: 'Web.JS' })).toBe('acme/web.js')
    const before = ['a', 'b', 'c'].map(name => shardOf(repositoryShardKey({ owner: 'acme', name }), 8))
    expect(before).toEqual(['a', 'b', 'c'].map(name => shardOf(`acme/${name}`, 8)))
  })
})
