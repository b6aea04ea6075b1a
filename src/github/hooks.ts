import type { HookSelector } from '../core/config.js'
import { noun } from '../core/plural.js'
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
 * The webhooks of one organization or repository, listed once (paginated) when first
 * needed: to resolve payload URLs, to find every hook, or to tell which named ids do not
 * exist. Runs whose named hooks all exist never list them.
 */
export class HookDirectory {
  private listing: Promise<RawHook[]> | undefined
  private ids: Set<string> | undefined

  constructor(
    private readonly client: GitHubClient,
    readonly owner: HookOwner,
    private readonly credential: CredentialKind,
    private readonly tokenIsInstallationToken: boolean
  ) {}

  list(): Promise<RawHook[]> {
    this.listing ??= this.fetch()
    return this.listing
  }

  /** Whether the hook exists, when the list has been read; undefined before. */
  knows(id: string): boolean | undefined {
    return this.ids?.has(id)
  }

  /** Whether the hook exists, listing the hooks if that was not done yet; undefined if they cannot be listed. */
  async exists(id: string): Promise<boolean | undefined> {
    try {
      await this.list()
    } catch {
      return undefined
    }
    return this.knows(id)
  }

  private async fetch(): Promise<RawHook[]> {
    const { owner, client } = this
    try {
      const hooks = (await client.paginate(`GET ${owner.listPath}`, { ...owner.params, per_page: 100 })) as RawHook[]
      this.ids = new Set(hooks.map(h => String(h.id)))
      return hooks
    } catch (error) {
      if (isHttpError(error) && [401, 403, 404].includes(error.status) && !isRateLimit(error)) {
        throw new UserError(
          explainHttpError(error, { action: `list the webhooks of ${owner.name}`, credential: this.credential, permission: owner.permission, tokenIsInstallationToken: this.tokenIsInstallationToken })
        )
      }
      throw new Error(`listing the webhooks of ${owner.name} failed: ${describeError(error)}`)
    }
  }
}

/**
 * The hooks to scan: the named ids as they are (no request needed: whether they exist
 * shows when their deliveries are listed), payload URLs resolved to ids, or every hook
 * when none is named. `unmatched`: why some payload URLs named no hook, for the run to
 * fail with once the hooks that exist were processed.
 */
export async function resolveHooks(directory: HookDirectory, selectors: HookSelector[]): Promise<{ hooks: HookTarget[]; unmatched?: string }> {
  const { owner } = directory
  const toTarget = (id: string, url?: string): HookTarget => ({
    key: id,
    kind: owner.kind,
    id,
    url,
    label: `${owner.name} hook ${id}${url ? ` (${displayUrl(url)})` : ''}`,
    webUrl: `${owner.webSettingsUrl}/${id}?tab=deliveries`
  })
  const needsList = selectors.length === 0 || selectors.some(s => s.kind === 'url')
  const listed = needsList ? await directory.list() : []
  if (selectors.length === 0) {
    // An inactive hook was switched off on purpose: GitHub sends it nothing, and neither do we.
    const active = listed.filter(h => h.active !== false)
    if (active.length === 0) throw new UserError(`${owner.name} has no active webhooks to scan.`)
    return { hooks: active.map(h => toTarget(String(h.id), h.config?.url)) }
  }
  const targets = new Map<string, HookTarget>()
  const unmatched: string[] = []
  for (const selector of selectors) {
    if (selector.kind === 'id') {
      const known = listed.find(h => String(h.id) === selector.id)
      targets.set(selector.id, toTarget(selector.id, known?.config?.url))
      continue
    }
    const wanted = normalizeUrl(selector.url)
    const matches = listed.filter(h => h.config?.url && normalizeUrl(h.config.url) === wanted)
    if (matches.length === 0) unmatched.push(displayUrl(selector.url))
    for (const hook of matches) targets.set(String(hook.id), toTarget(String(hook.id), hook.config?.url))
  }
  if (unmatched.length === 0) return { hooks: [...targets.values()] }
  const urls = `${noun(unmatched.length, 'the payload URL', 'the payload URLs')} ${unmatched.join(', ')}`
  const message = `Input "hook-id": no webhook of ${owner.name} has ${urls}${targets.size > 0 ? '; the other hooks were processed' : ''}. Use the hook's ID, or its exact payload URL.`
  if (targets.size === 0) throw new UserError(message)
  return { hooks: [...targets.values()], unmatched: message }
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
    return 'invalid URL'
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
