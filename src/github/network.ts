/**
 * Requests that got no answer because GitHub's host cannot be reached at all: a host name
 * that does not resolve, a connection refused, a certificate that is not trusted. Retrying
 * them only makes a mistyped host or a missing CA take longer to report, and every other
 * request of the run would fail the same way.
 */

const UNREACHABLE: Record<string, string> = {
  ENOTFOUND: 'its name does not resolve',
  ECONNREFUSED: 'the connection was refused',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is not trusted (self-signed)',
  SELF_SIGNED_CERT_IN_CHAIN: 'its TLS certificate is not trusted (a self-signed certificate authority)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate is not trusted (unknown certificate authority)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its TLS certificate is not trusted (unknown certificate authority)',
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  ERR_TLS_CERT_ALTNAME_INVALID: "its TLS certificate does not name this host"
}

/** The error codes on an error and its causes, outermost first. */
function codes(error: unknown): string[] {
  const found: string[] = []
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string') found.push(code)
    current = (current as { cause?: unknown }).cause
  }
  return found
}

/** Why the host cannot be reached, in words, or undefined when the failure may pass (a reset, a timeout, an HTTP answer). */
export function unreachableReason(error: unknown): string | undefined {
  for (const code of codes(error)) if (UNREACHABLE[code]) return UNREACHABLE[code]
  return undefined
}

/** The host a failed Octokit request went to, when the error says. */
export function requestHost(error: unknown): string | undefined {
  const url = (error as { request?: { url?: unknown } })?.request?.url
  if (typeof url !== 'string') return undefined
  try {
    return new URL(url).host
  } catch {
    return undefined
  }
}

/** One sentence for the user: which host, what happened, what to check. */
export function unreachableMessage(error: unknown, host: string | undefined): string | undefined {
  const reason = unreachableReason(error)
  if (!reason) return undefined
  const where = host ? `GitHub's API at ${host}` : "GitHub's API"
  const certificate = reason.includes('certificate')
  const check = certificate
    ? 'For a GitHub Enterprise Server with a private certificate authority, point NODE_EXTRA_CA_CERTS at its certificate; otherwise check "hostname".'
    : 'Check "hostname" (empty: GITHUB_API_URL, else api.github.com), the network, and the proxy (HTTPS_PROXY, NO_PROXY) if there is one.'
  return `Cannot reach ${where}: ${reason}. ${check}`
}
