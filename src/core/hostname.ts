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
  if (/^https?:\/\//i.test(input)) return fromWebOrApiUrl(input)
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

/**
 * A URL in `hostname`. People paste the address they see in the browser: a URL with no
 * path is GitHub's web address, mapped to its API as the bare host would be
 * (`https://github.com` -> `https://api.github.com`, `https://SUB.ghe.com` ->
 * `https://api.SUB.ghe.com`, `https://HOST` -> `https://HOST/api/v3`). An API host
 * (`api.…`), a loopback address (a local test server) or a URL with a path is the API
 * base as given. A github.com or GHE.com page (a path) is refused: it is no API.
 */
function fromWebOrApiUrl(text: string): GitHubLocation | undefined {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return undefined
  }
  const host = url.hostname.toLowerCase()
  const path = url.pathname.replace(/\/+$/, '')
  const webHost = host === 'github.com' || host === 'www.github.com' || /^(?!api\.)[a-z0-9-]+\.ghe\.com$/.test(host)
  if (webHost && (url.port === '' || url.port === '443')) {
    if (path !== '' || url.username || url.password || url.search || url.hash) return undefined
    return resolveGitHubLocation(host.replace(/^www\./, ''), undefined)
  }
  const apiAsGiven = path !== '' || host.startsWith('api.') || isLoopbackHost(host)
  if (apiAsGiven) return fromUrl(text)
  const location = fromUrl(`${url.protocol}//${url.host}/api/v3`)
  return location && !url.username && !url.password && !url.search && !url.hash ? location : undefined
}

/** For a page of github.com or GHE.com given as `hostname`: the value that was meant. */
export function hostnameForPage(text: string): string | undefined {
  const value = text.trim()
  try {
    const host = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`).hostname.toLowerCase()
    if (host === 'github.com' || host === 'www.github.com') return 'github.com'
    return /^(?!api\.)[a-z0-9-]+\.ghe\.com$/.test(host) ? host : undefined
  } catch {
    return undefined
  }
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host.startsWith('127.') || host === '[::1]'
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
