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

describe('resolveGitHubLocation: web addresses pasted from the browser', () => {
  test.each([
    ['https://github.com', DOTCOM],
    ['https://github.com/', DOTCOM],
    ['https://www.github.com', DOTCOM],
    ['http://github.com', DOTCOM],
    ['https://GitHub.com:443', DOTCOM],
    ['https://octocorp.ghe.com', gheCom('octocorp')],
    ['https://octocorp.ghe.com/', gheCom('octocorp')],
    ['https://OctoCorp.GHE.com', gheCom('octocorp')],
    ['https://ghe.example.com', ghes('https://ghe.example.com')],
    ['https://ghe.example.com/', ghes('https://ghe.example.com')],
    ['https://GHE.Example.com', ghes('https://ghe.example.com')],
    ['https://ghe.example.com:8443', ghes('https://ghe.example.com:8443')],
    ['https://10.0.0.5', ghes('https://10.0.0.5')],
    ['http://ghe.internal', { apiBaseUrl: 'http://ghe.internal/api/v3', webBaseUrl: 'http://ghe.internal', kind: 'ghes' }]
  ])('%p is mapped to its API', (input, expected) => {
    expect(resolveGitHubLocation(input, undefined)).toEqual(expected)
  })

  test("GHE.com and GHES web addresses get their own redelivery window, not github.com's", () => {
    expect(redeliveryWindowMs(resolveGitHubLocation('https://ghe.example.com', undefined)!)).toBe(7 * 86_400_000)
    expect(resolveGitHubLocation('https://octocorp.ghe.com', undefined)?.kind).toBe('ghe.com')
  })

  test.each([
    // API hosts, local servers and URLs with a path are API bases as given.
    ['https://api.github.com', DOTCOM],
    ['https://api.octocorp.ghe.com', gheCom('octocorp')],
    ['https://ghe.example.com/api/v3', ghes('https://ghe.example.com')],
    ['http://127.0.0.1:3000', { apiBaseUrl: 'http://127.0.0.1:3000', webBaseUrl: 'http://127.0.0.1:3000', kind: 'dotcom' }],
    ['https://localhost:8443', { apiBaseUrl: 'https://localhost:8443', webBaseUrl: 'https://localhost:8443', kind: 'dotcom' }],
    ['https://api.github-proxy.corp.example', { apiBaseUrl: 'https://api.github-proxy.corp.example', webBaseUrl: 'https://api.github-proxy.corp.example', kind: 'dotcom' }]
  ])('%p stays an API base', (input, expected) => {
    expect(resolveGitHubLocation(input, undefined)).toEqual(expected)
  })

  test.each(['https://github.com/acme', 'https://github.com/orgs/acme/settings/hooks', 'https://octocorp.ghe.com/acme', 'https://github.com/?tab=x', 'https://user:pw@ghe.example.com'])(
    'a github.com or GHE.com page, or a web address with credentials, is refused: %p',
    input => {
      expect(resolveGitHubLocation(input, undefined)).toBeUndefined()
    }
  )

  test("the runner's GITHUB_API_URL is always taken as the API base it is", () => {
    expect(resolveGitHubLocation('', 'https://ghe.example.com')).toEqual({ apiBaseUrl: 'https://ghe.example.com', webBaseUrl: 'https://ghe.example.com', kind: 'dotcom' })
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

test("an explicit :443 is https's own port", () => {
  expect(resolveGitHubLocation('github.com:443', undefined)?.apiBaseUrl).toBe('https://api.github.com')
  expect(resolveGitHubLocation('acme.ghe.com:443', undefined)).toMatchObject({ apiBaseUrl: 'https://api.acme.ghe.com', kind: 'ghe.com' })
  expect(resolveGitHubLocation('ghe.example.com:443', undefined)?.apiBaseUrl).toBe('https://ghe.example.com/api/v3')
})
