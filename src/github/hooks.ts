import type { HookSelector } from '../core/config.js'
import { hookMatches } from '../core/fleet.js'
import type { HookTarget } from '../core/types.js'
import { UserError } from '../engine/ports.js'
import type { GitHubClient } from './client.js'
import { describeError, explainHttpError, isHttpError, isRateLimit, type CredentialKind } from './errors.js'

interface RawHook {
  id: number
  name: string
  active: boolean
  config?: { url?: string }
}

/** Keyed by the app, so two apps can keep their bookmarks in one state without reading each other's. */
export function appHook(webBaseUrl: string, appId: string): HookTarget {
  return { key: `app:${appId}`, kind: 'app', label: 'app webhook', webUrl: `${webBaseUrl}/settings/apps` }
}

export interface HookOwner {
  kind: 'org' | 'repo'
  /** `acme` or `acme/widgets`. */
  name: string
  listPath: string
  params: Record<string, string>
  webSettingsUrl: string
  permission: string
}

/**
 * The hooks to scan: the named ids as they are (no request needed), payload URLs
 * resolved to ids, or every hook when none is named.
 */
export async function resolveHooks(
  client: GitHubClient,
  owner: HookOwner,
  selectors: HookSelector[],
  credential: CredentialKind,
  tokenIsInstallationToken: boolean
): Promise<HookTarget[]> {
  const toTarget = (id: string, url?: string): HookTarget => ({
    key: id,
    kind: owner.kind,
    id,
    url,
    label: `${owner.name} hook ${id}${url ? ` (${displayUrl(url)})` : ''}`,
    webUrl: `${owner.webSettingsUrl}/${id}?tab=deliveries`
  })
  const needsList = selectors.length === 0 || selectors.some(s => s.kind !== 'id')
  let listed: RawHook[] = []
  if (needsList) {
    try {
      listed = (await client.paginate(`GET ${owner.listPath}`, { ...owner.params, per_page: 100 })) as RawHook[]
    } catch (error) {
      if (isHttpError(error) && [401, 403, 404].includes(error.status) && !isRateLimit(error)) {
        throw new UserError(
          explainHttpError(error, { action: `list the webhooks of ${owner.name}`, credential, permission: owner.permission, tokenIsInstallationToken })
        )
      }
      throw new Error(`listing the webhooks of ${owner.name} failed: ${describeError(error)}`)
    }
  }
  if (selectors.length === 0) {
    // An inactive hook was switched off on purpose: GitHub sends it nothing, and neither do we.
    const active = listed.filter(h => h.active !== false)
    if (active.length === 0) throw new UserError(`${owner.name} has no active webhooks to scan.`)
    return active.map(h => toTarget(String(h.id), h.config?.url))
  }
  const targets = new Map<string, HookTarget>()
  for (const selector of selectors) {
    if (selector.kind === 'id') {
      const known = listed.find(h => String(h.id) === selector.id)
      targets.set(selector.id, toTarget(selector.id, known?.config?.url))
      continue
    }
    if (selector.kind === 'url-prefix') {
      const matches = listed.filter(h => hookMatches(selector, { id: h.id, url: h.config?.url }))
      if (matches.length === 0) {
        throw new UserError(`Input "hook-id": no webhook of ${owner.name} has a payload URL starting with ${displayUrl(selector.prefix)}/…. Check the prefix, or use the hooks' IDs.`)
      }
      for (const hook of matches) targets.set(String(hook.id), toTarget(String(hook.id), hook.config?.url))
      continue
    }
    const wanted = normalizeUrl(selector.url)
    const matches = listed.filter(h => h.config?.url && normalizeUrl(h.config.url) === wanted)
    if (matches.length === 0) {
      throw new UserError(`Input "hook-id": no webhook of ${owner.name} has the payload URL ${displayUrl(selector.url)}. Use the hook's ID, or its exact payload URL.`)
    }
    for (const hook of matches) targets.set(String(hook.id), toTarget(String(hook.id), hook.config?.url))
  }
  return [...targets.values()]
}

/**
 * Payload URLs often carry a secret (in user info, the query, or the path, as chat
 * webhooks do): show only where they point, the scheme and host.
 */
export function displayUrl(text: string): string {
  try {
    const url = new URL(text)
    return `${url.protocol}//${url.host}`
  } catch {
    return '(invalid URL)'
  }
}

function normalizeUrl(text: string): string {
  try {
    const url = new URL(text)
    return `${url.protocol}//${url.host.toLowerCase()}${url.pathname.replace(/\/+$/, '')}${url.search}`
  } catch {
    return text.trim()
  }
}
