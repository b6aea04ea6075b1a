import { describe, expect, test } from '@jest/globals'
import { redeliveryWindowMs, resolveGitHubLocation, type GitHubLocation } from '../../src/core/hostname.js'

const DOTCOM: GitHubLocation = { apiBaseUrl: 'https://api.github.com', webBaseUrl: 'https://github.com', kind: 'dotcom' }
const ghes = (base: string): GitHubLocation => ({ apiBaseUrl: `${base}/api/v3`, webBaseUrl: base, kind: 'ghes' })
const gheCom = (sub: string): GitHubLocation => ({ apiBaseUrl: `https://api.${sub}.ghe.com`, webBaseUrl: `https://${sub}.ghe.com`, kind: 'ghe.com' })

describe('resolveGitHubLocation: empty hostname', () => {
  test('without GITHUB_API_URL is github.com', () => {
    expect(resolveGitHubLocation('', undefined)).toEqual(DOTCOM)
    expect(resolveGitHubLocation('   ', undefined)).toEqual(DOTCOM)
    expect(resolveGitHubLocation('', '')).toEqual(DOTCOM)
    expect(resolveGitHubLocation('', '  ')).toEqual(DOTCOM)
  })

  test('uses GITHUB_API_URL: github.com runners', () => {
    expect(resolveGitHubLocation('', 'https://api.github.com')).toEqual(DOTCOM)
  })

  test('uses GITHUB_API_URL: GHES runners work untouched', () => {
    expect(resolveGitHubLocation('', 'https://ghes.corp.example/api/v3')).toEqual(ghes('https://ghes.corp.example'))
    expect(resolveGitHubLocation('', ' https://ghes.corp.example/api/v3 ')).toEqual(ghes('https://ghes.corp.example'))
  })

  test('uses GITHUB_API_URL: GHE.com runners', () => {
    expect(resolveGitHubLocation('', 'https://api.octo.ghe.com')).toEqual(gheCom('octo'))
  })

  test('an unusable GITHUB_API_URL is rejected', () => {
    expect(resolveGitHubLocation('', 'ftp://x')).toBeUndefined()
    expect(resolveGitHubLocation('', 'not a url')).toBeUndefined()
  })
})

describe('resolveGitHubLocation: host names', () => {
  test.each([
    ['github.com', DOTCOM],
    ['GitHub.com', DOTCOM],
    ['api.github.com', DOTCOM],
    ['github.com/', DOTCOM],
    ['octo.ghe.com', gheCom('octo')],
    ['OCTO.GHE.COM', gheCom('octo')],
    ['api.octo.ghe.com', gheCom('octo')],
    ['my-corp.ghe.com', gheCom('my-corp')],
    ['ghe.example.com', ghes('https://ghe.example.com')],
    ['GHE.Example.com', ghes('https://ghe.example.com')],
    ['ghe.example.com/', ghes('https://ghe.example.com')],
    ['ghe.example.com:8443', ghes('https://ghe.example.com:8443')],
    ['localhost', ghes('https://localhost')],
    ['localhost:3000', ghes('https://localhost:3000')],
    ['10.0.0.5', ghes('https://10.0.0.5')],
    ['ghe.example.com:1', ghes('https://ghe.example.com:1')],
    ['ghe.example.com:65535', ghes('https://ghe.example.com:65535')]
  ])('%p', (input, expected) => {
    expect(resolveGitHubLocation(input, undefined)).toEqual(expected)
  })

  test('an explicit hostname wins over GITHUB_API_URL', () => {
    expect(resolveGitHubLocation('ghe.example.com', 'https://api.github.com')).toEqual(ghes('https://ghe.example.com'))
    expect(resolveGitHubLocation('github.com', 'https://ghes.corp/api/v3')).toEqual(DOTCOM)
  })
})

describe('resolveGitHubLocation: full URLs', () => {
  test.each([
    ['https://api.github.com', DOTCOM],
    ['https://api.github.com/', DOTCOM],
    ['HTTPS://API.GITHUB.COM', DOTCOM],
    ['https://ghe.example.com/api/v3', ghes('https://ghe.example.com')],
    ['https://ghe.example.com/api/v3/', ghes('https://ghe.example.com')],
    ['https://ghe.example.com/api/v3//', ghes('https://ghe.example.com')],
    ['https://ghe.example.com:8443/api/v3', ghes('https://ghe.example.com:8443')],
    ['http://ghe.internal/api/v3', { apiBaseUrl: 'http://ghe.internal/api/v3', webBaseUrl: 'http://ghe.internal', kind: 'ghes' }],
    ['https://api.octo.ghe.com', gheCom('octo')],
    ['https://api.octo.ghe.com/', gheCom('octo')],
    ['http://127.0.0.1:3000', { apiBaseUrl: 'http://127.0.0.1:3000', webBaseUrl: 'http://127.0.0.1:3000', kind: 'dotcom' }],
    ['http://localhost:3000/', { apiBaseUrl: 'http://localhost:3000', webBaseUrl: 'http://localhost:3000', kind: 'dotcom' }],
    ['https://proxy.example/github/', { apiBaseUrl: 'https://proxy.example/github', webBaseUrl: 'https://proxy.example/github', kind: 'dotcom' }]
  ])('%p', (input, expected) => {
    expect(resolveGitHubLocation(input, undefined)).toEqual(expected)
  })
})

describe('resolveGitHubLocation: invalid', () => {
  test.each([
    'ftp://x',
    'ftp://ghe.example.com/api/v3',
    'http://user:pw@x',
    'https://user@ghe.example.com/api/v3',
    'https://:pw@ghe.example.com',
    'x y',
    'a/b',
    'ghe.example.com/api/v3',
    'host:99999',
    'host:65536',
    'host:0',
    'host:',
    'host:port',
    'https://ghe.example.com/api/v3?x=1',
    'https://ghe.example.com/#top',
    'https://',
    'https://ghe.example.com:99999',
    '-bad.example.com',
    'bad-.example.com',
    'a..b',
    '.example.com',
    'exa_mple.com',
    'user@ghe.example.com',
    '//ghe.example.com',
    'a'.repeat(64) + '.com'
  ])('%p', input => {
    expect(resolveGitHubLocation(input, undefined)).toBeUndefined()
  })
})

describe('redeliveryWindowMs', () => {
  test('3 days on github.com and GHE.com, 7 on GHES', () => {
    expect(redeliveryWindowMs(DOTCOM)).toBe(3 * 86_400_000)
    expect(redeliveryWindowMs(gheCom('octo'))).toBe(3 * 86_400_000)
    expect(redeliveryWindowMs(ghes('https://ghe.example.com'))).toBe(7 * 86_400_000)
  })

  test('follows the resolved location', () => {
    expect(redeliveryWindowMs(resolveGitHubLocation('ghe.example.com', undefined)!)).toBe(604_800_000)
    expect(redeliveryWindowMs(resolveGitHubLocation('', 'https://ghes.corp/api/v3')!)).toBe(604_800_000)
    expect(redeliveryWindowMs(resolveGitHubLocation('octo.ghe.com', undefined)!)).toBe(259_200_000)
    expect(redeliveryWindowMs(resolveGitHubLocation('', undefined)!)).toBe(259_200_000)
  })
})

test('an explicit :443 is https\'s own port', () => {
  expect(resolveGitHubLocation('github.com:443', undefined)?.apiBaseUrl).toBe('https://api.github.com')
  expect(resolveGitHubLocation('acme.ghe.com:443', undefined)).toMatchObject({ apiBaseUrl: 'https://api.acme.ghe.com', kind: 'ghe.com' })
  expect(resolveGitHubLocation('ghe.example.com:443', undefined)?.apiBaseUrl).toBe('https://ghe.example.com/api/v3')
})
