import { displayPayloadUrl, hookMatches, payloadUrlOrigin, type HookPattern } from '../core/selection.js'
import { noun } from '../core/plural.js'
import type { HookTarget } from '../core/types.js'
import { ACTION_NAMING, type Naming } from '../core/input-errors.js'
import { UserError } from '../engine/ports.js'
import { refusal, type Access } from './access.js'
import { describeError } from './errors.js'

interface RawHook {
  id: number
  name: string
  active: boolean
  config?: { url?: string }
}

/** An organization or repository whose hooks are listed, as its target kind names it. */
export interface HookOwner {
  kind: 'org' | 'repo'
  /** `acme` or `acme/widgets`. */
  name: string
  listPath: string
  params: Record<string, string>
  webSettingsUrl: string
  /** What listing its hooks needs, in GitHub's words. */
  permission: string
}

/** One hook of an organization or repository: keyed by its id, labelled with where its payload URL points. */
export function ownerHook(owner: Pick<HookOwner, 'kind' | 'name' | 'webSettingsUrl'>, id: string, url?: string): HookTarget {
  return {
    key: id,
    kind: owner.kind,
    id,
    url,
    label: `${owner.name} hook ${id}${url ? ` (${payloadUrlOrigin(url) ?? 'invalid URL'})` : ''}`,
    webUrl: `${owner.webSettingsUrl}/${id}?tab=deliveries`
  }
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
    private readonly access: Access,
    readonly owner: HookOwner
  ) {}

  /** How the front end names inputs in messages about these hooks. */
  get naming(): Naming {
    return this.access.naming ?? ACTION_NAMING
  }

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
    const { owner, access } = this
    try {
      const hooks = await access.client.paginate<RawHook>(`GET ${owner.listPath}`, { ...owner.params, per_page: 100 })
      this.ids = new Set(hooks.map(h => String(h.id)))
      return hooks
    } catch (error) {
      throw (
        refusal(access, error, { action: `list the webhooks of ${owner.name}`, permission: owner.permission }) ??
        new Error(`listing the webhooks of ${owner.name} failed: ${describeError(error, access.naming)}`, { cause: error })
      )
    }
  }
}

/**
 * The hooks to scan: the named ids as they are (no request needed: whether they exist
 * shows when their deliveries are listed), payload URLs resolved to ids, or every hook
 * when none is named. `unmatched`: why some payload URLs named no hook, for the run to
 * fail with once the hooks that exist were processed.
 */
export async function resolveHooks(directory: HookDirectory, selectors: HookPattern[]): Promise<{ hooks: HookTarget[]; unmatched?: string }> {
  const { owner } = directory
  const needsList = selectors.length === 0 || selectors.some(s => s.kind !== 'id')
  const listed = needsList ? await directory.list() : []
  if (selectors.length === 0) {
    // An inactive hook was switched off on purpose: GitHub sends it nothing, and neither do we.
    const active = listed.filter(h => h.active !== false)
    if (active.length === 0) throw new UserError(`${owner.name} has no active webhooks to scan.`)
    return { hooks: active.map(h => ownerHook(owner, String(h.id), h.config?.url)) }
  }
  const targets = new Map<string, HookTarget>()
  const unmatched: string[] = []
  for (const selector of selectors) {
    if (selector.kind === 'id') {
      const known = listed.find(h => String(h.id) === selector.id)
      targets.set(selector.id, ownerHook(owner, selector.id, known?.config?.url))
      continue
    }
    const matches = listed.filter(h => hookMatches(selector, { id: h.id, url: h.config?.url }))
    if (matches.length === 0) unmatched.push(selector.kind === 'url' ? displayPayloadUrl(selector.url) : `${displayPayloadUrl(selector.prefix)}/… (as a prefix)`)
    for (const hook of matches) targets.set(String(hook.id), ownerHook(owner, String(hook.id), hook.config?.url))
  }
  if (unmatched.length === 0) return { hooks: [...targets.values()] }
  const urls = `${noun(unmatched.length, 'the payload URL', 'the payload URLs')} ${unmatched.join(', ')}`
  const message = `${directory.naming.subject('hook-id')}: no webhook of ${owner.name} has ${urls}${targets.size > 0 ? '; the other hooks were processed' : ''}. Use the hook's ID, or its exact payload URL.`
  if (targets.size === 0) throw new UserError(message)
  return { hooks: [...targets.values()], unmatched: message }
}
