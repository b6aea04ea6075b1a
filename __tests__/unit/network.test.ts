import { describe, expect, test } from '@jest/globals'
import { requestHost, unreachableMessage, unreachableReason } from '../../src/github/network.js'

/** What @octokit/request throws when fetch fails: the code sits two causes down. */
function fetchFailure(code: string, message = code): Error {
  const socket = Object.assign(new Error(message), { code })
  const fetchError = new TypeError('fetch failed', { cause: socket })
  return Object.assign(new Error(message), { status: 500, cause: fetchError, request: { url: 'https://ghe.example.com/api/v3/orgs/acme/hooks' } })
}

describe('unreachableReason', () => {
  test.each([
    ['ENOTFOUND', 'its name does not resolve'],
    ['ECONNREFUSED', 'the connection was refused'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'its TLS certificate is not trusted (a self-signed certificate authority)'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'its TLS certificate is not trusted (unknown certificate authority)'],
    ['CERT_HAS_EXPIRED', 'its TLS certificate has expired']
  ])('%s: the host cannot be reached', (code, reason) => {
    expect(unreachableReason(fetchFailure(code))).toBe(reason)
  })

  test('failures that may pass are not "unreachable": they are retried as before', () => {
    for (const code of ['ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'UND_ERR_SOCKET']) expect(unreachableReason(fetchFailure(code))).toBeUndefined()
    expect(unreachableReason(Object.assign(new Error('Bad Gateway'), { status: 502 }))).toBeUndefined()
    expect(unreachableReason(undefined)).toBeUndefined()
    expect(unreachableReason('ENOTFOUND')).toBeUndefined()
  })

  test('a cause chain that loops is not followed forever', () => {
    const a: { code?: string; cause?: unknown } = {}
    a.cause = a
    expect(unreachableReason(a)).toBeUndefined()
  })
})

describe('unreachableMessage', () => {
  test('names the host and what to check', () => {
    const error = fetchFailure('ENOTFOUND', 'getaddrinfo ENOTFOUND ghe.example.com')
    expect(requestHost(error)).toBe('ghe.example.com')
    expect(unreachableMessage(error, requestHost(error))).toBe(
      `Cannot reach GitHub's API at ghe.example.com: its name does not resolve. Check "hostname" (empty: GITHUB_API_URL, else api.github.com), the network, and the proxy (HTTPS_PROXY, NO_PROXY) if there is one.`
    )
  })

  test('an untrusted certificate points at NODE_EXTRA_CA_CERTS', () => {
    expect(unreachableMessage(fetchFailure('SELF_SIGNED_CERT_IN_CHAIN'), 'ghe.example.com')).toContain('point NODE_EXTRA_CA_CERTS at its certificate')
  })

  test('undefined for anything else', () => {
    expect(unreachableMessage(fetchFailure('ECONNRESET'), 'x')).toBeUndefined()
  })
})
