/** Where GitHub's REST API is, and what kind of GitHub it is. */
export interface GitHubLocation {
  apiBaseUrl: string
  /** The web UI, for links in the job summary. */
  webBaseUrl: string
  /** GHES keeps deliveries redeliverable for 7 days, github.com and GHE.com for 3. */
  kind: 'dotcom' | 'ghe.com' | 'ghes'
}

const DOTCOM: GitHubLocation = {
  apiBaseUrl: 'https://api.github.com',
  webBaseUrl: 'https://github.com',
  kind: 'dotcom'
}

const HOST = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::(\d{1,5}))?$/

/**
 * Resolves the `hostname` input. Empty means the runner's GITHUB_API_URL (so GHES
 * runners work untouched), else github.com. Returns undefined when unusable.
 */
export function resolveGitHubLocation(hostname: string, runnerApiUrl: string | undefined): GitHubLocation | undefined {
  const input = hostname.trim()
  if (input === '') {
    return runnerApiUrl?.trim() ? fromUrl(runnerApiUrl.trim()) : DOTCOM
  }
  if (/^https?:\/\//i.test(input)) return fromUrl(input)
  // :443 is https's own port: github.com:443 is still github.com.
  const host = input.toLowerCase().replace(/\/+$/, '').replace(/:443$/, '')
  const match = HOST.exec(host)
  if (!match || (match[1] !== undefined && !validPort(match[1]))) return undefined
  if (host === 'github.com' || host === 'api.github.com') return DOTCOM
  const gheCom = /^(?:api\.)?([a-z0-9-]+)\.ghe\.com$/.exec(host)
  if (gheCom) {
    return { apiBaseUrl: `https://api.${gheCom[1]}.ghe.com`, webBaseUrl: `https://${gheCom[1]}.ghe.com`, kind: 'ghe.com' }
  }
  return { apiBaseUrl: `https://${host}/api/v3`, webBaseUrl: `https://${host}`, kind: 'ghes' }
}

function validPort(port: string): boolean {
  const n = Number(port)
  return n >= 1 && n <= 65535
}

function fromUrl(text: string): GitHubLocation | undefined {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return undefined
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined
  if (url.username || url.password || url.search || url.hash) return undefined
  const path = url.pathname.replace(/\/+$/, '')
  const apiBaseUrl = `${url.protocol}//${url.host}${path}`
  const host = url.hostname.toLowerCase()
  if (host === 'api.github.com') return DOTCOM
  const gheCom = /^api\.([a-z0-9-]+)\.ghe\.com$/.exec(host)
  if (gheCom) return { apiBaseUrl, webBaseUrl: `https://${gheCom[1]}.ghe.com`, kind: 'ghe.com' }
  if (/\/api\/v3$/i.test(path)) {
    return { apiBaseUrl, webBaseUrl: `${url.protocol}//${url.host}`, kind: 'ghes' }
  }
  // Any other root URL (a proxy, a test server) is treated like github.com.
  return { apiBaseUrl, webBaseUrl: `${url.protocol}//${url.host}${path}`, kind: 'dotcom' }
}

export function redeliveryWindowMs(location: GitHubLocation): number {
  return (location.kind === 'ghes' ? 7 : 3) * 86_400_000
}
