import { idToString, type DeliveryId } from '../core/ids.js'
import { shown } from '../core/shown.js'
import type { HookTarget } from '../core/types.js'
import { ACTION_NAMING, type Naming } from '../core/input-errors.js'
import { UnknownHookError, UserError, type DeliveriesPort, type ListedAttempt, type PageInfo, type PingResult, type RedeliveryResult } from '../engine/ports.js'
import { refusal, type Access } from './access.js'
import type { GitHubClient } from './client.js'
import type { GitHubClock } from './clock.js'
import { describeError, isHttpError, isRateLimit, mayHaveBeenProcessed, notTheApiError, type CredentialKind } from './errors.js'
import type { HookDirectory } from './hooks.js'

interface RawDelivery {
  id: unknown
  guid: string
  delivered_at: string
  redelivery: boolean
  duration: number
  status: string
  status_code: number
  event: string
  action: string | null
}

/** Lists and redelivers hook deliveries through the REST API. */
export class GitHubDeliveries implements DeliveriesPort {
  private readonly firstPages = new Map<string, ReturnType<GitHubClient['request']>>()

  constructor(
    private readonly access: Access,
    private readonly clock: GitHubClock,
    private readonly route: HookRoute,
    /** The owner's hooks, to tell a named hook that does not exist from one the credential cannot read. */
    private readonly directory?: HookDirectory
  ) {}

  now(): number {
    return this.clock.now()
  }

  async listDeliveries(hook: HookTarget, onPage: (attempts: ListedAttempt[], page?: PageInfo) => boolean, from?: string): Promise<void> {
    // Once the hooks were listed, a hook that is not among them costs no request.
    if (this.isUnknown(hook)) throw new UnknownHookError(hook.id!, this.directory!.owner.name)
    // Page by page, following GitHub's cursor links; each page is parsed and let go before the next.
    const prefetched = from === undefined ? this.firstPages.get(hook.key) : undefined
    if (from === undefined) this.firstPages.delete(hook.key)
    try {
      let response = await (prefetched ?? this.firstPage(hook, from))
      for (;;) {
        const next = nextPageUrl(response.headers.link)
        if (!onPage(parseDeliveryPage(String(response.data)), pageInfo(next, response.headers))) break
        if (!next) break
        response = await this.access.client.request({ method: 'GET', url: next, request: AS_TEXT })
      }
    } catch (error) {
      if (error instanceof UserError) throw error
      const elsewhere = notTheApiError(error, this.access.naming)
      if (elsewhere) throw new UserError(`Could not list the deliveries of ${hook.label}: ${elsewhere}`)
      if (isHttpError(error) && error.status === 404 && hook.id !== undefined) {
        const { directory } = this
        if (directory && (await directory.exists(hook.id)) === false) throw new UnknownHookError(hook.id, directory.owner.name)
        const naming = this.access.naming ?? ACTION_NAMING
        throw new UserError(
          `${naming.subject('hook-id')}: GitHub has no webhook ${hook.id} here, or the credential cannot see it (404 while listing the deliveries of ${hook.label}). Check the ID (or leave ${naming.bare('hook-id')} empty to scan every hook); the credential needs ${this.route.permission('read', this.access.credential, this.access.naming)}.`
        )
      }
      throw (
        refusal(this.access, error, { action: `list the deliveries of ${hook.label}`, permission: this.route.permission('read', this.access.credential, this.access.naming) }) ??
        new Error(`listing deliveries failed: ${describeError(error, this.access.naming)}`, { cause: error })
      )
    }
  }

  /** A hook the listed hooks do not include. */
  private isUnknown(hook: HookTarget): boolean {
    return this.directory !== undefined && hook.id !== undefined && this.directory.knows(hook.id) === false
  }

  prefetchFirstPage(hook: HookTarget): void {
    // App credentials sign a JWT with GitHub's clock, learned from the bookmark read: they wait for it.
    if (this.access.credential !== 'token') return
    if (this.isUnknown(hook)) return
    const page = this.firstPage(hook)
    // Its failure is met, and explained, by the listing that takes it.
    page.catch(() => undefined)
    this.firstPages.set(hook.key, page)
  }

  /** The newest page, or the one at a position an earlier listing gave (`from`: its `next`). */
  private firstPage(hook: HookTarget, from?: string): ReturnType<GitHubClient['request']> {
    const { path, params } = this.route.list(hook)
    return this.access.client.request(`GET ${path}`, { ...params, per_page: 100, ...(from !== undefined ? { cursor: from } : {}), request: AS_TEXT })
  }

  /**
   * POSTs are not retried blindly: a retry after GitHub may already have acted would redeliver
   * twice. The client retries only answers that prove nothing happened (503, a connection never
   * made; see request-policy.ts); the ambiguous rest is reported as uncertain.
   */
  async redeliver(hook: HookTarget, id: DeliveryId): Promise<RedeliveryResult> {
    const { path, params } = this.route.redeliver(hook, id)
    try {
      await this.access.client.request(`POST ${path}`, params)
      return { kind: 'accepted', at: this.clock.now() }
    } catch (error) {
      // GitHub cannot be reached at all (the client says which way): the run ends with that one message.
      if (error instanceof UserError) throw error
      if (!isHttpError(error)) return { kind: 'error', message: describeError(error, this.access.naming) }
      if (isRateLimit(error)) return { kind: 'rate-limited', message: describeError(error, this.access.naming) }
      const refused = refusal(
        this.access,
        error,
        { action: `redeliver deliveries of ${hook.label}`, permission: this.route.permission('write', this.access.credential, this.access.naming) },
        [401, 403]
      )
      if (refused) throw refused
      if (error.status >= 400 && error.status < 500) return { kind: 'refused', status: error.status, message: describeError(error, this.access.naming) }
      // (A failure that cannot get better never gets here: the client ends the run with it.)
      const uncertain = mayHaveBeenProcessed(error)
      const message = uncertain
        ? `${describeError(error, this.access.naming)} (GitHub may have made the redelivery before the answer was lost: the next run checks before sending it again)`
        : describeError(error, this.access.naming)
      return { kind: 'error', message, uncertain, at: this.clock.now() }
    }
  }

  canPing(): boolean {
    return this.route.ping !== undefined
  }

  /**
   * A ping is a write like a redelivery (paced, never resent after GitHub may have acted), with
   * the same rights; what GitHub refuses for this hook says nothing of its receiver.
   */
  async ping(hook: HookTarget): Promise<PingResult> {
    const { path, params } = this.route.ping!(hook)
    try {
      await this.access.client.request(`POST ${path}`, params)
      return { kind: 'sent', at: this.clock.now() }
    } catch (error) {
      if (error instanceof UserError) throw error
      if (!isHttpError(error)) return { kind: 'failed', message: describeError(error, this.access.naming) }
      if (isRateLimit(error)) return { kind: 'rate-limited', message: describeError(error, this.access.naming) }
      const refused = refusal(
        this.access,
        error,
        { action: `redeliver deliveries of ${hook.label} or ping it`, permission: this.route.permission('write', this.access.credential, this.access.naming) },
        [401, 403]
      )
      if (refused) throw refused
      return { kind: 'failed', message: describeError(error, this.access.naming) }
    }
  }
}

/** The body as text, read inside the client's retries: the ids in it are quoted before parsing. */
const AS_TEXT = { parseSuccessResponseBody: false }

/**
 * One page of a deliveries listing. Ids exceed 2^53, so they are quoted before JSON.parse
 * reads them: as exact as a bigint-aware parser, at a tenth of its cost per page.
 */
export function parseDeliveryPage(text: string): ListedAttempt[] {
  let items: unknown
  try {
    items = JSON.parse(text.replace(/"id":\s*(\d+)/g, '"id":"$1"'))
  } catch (error) {
    throw new Error(`GitHub's answer was not valid JSON (${(error as Error).message})`, { cause: error })
  }
  if (!Array.isArray(items)) throw new Error(`GitHub answered a deliveries listing with something other than a list: ${shown(text, 80)}`)
  return (items as RawDelivery[]).map(toAttempt)
}

/** The next page's cursor (a position in the listing, kept in the bookmark without the URL around it) and the rate limit left. */
function pageInfo(next: string | undefined, headers: Record<string, string | number | undefined>): PageInfo {
  const cursor = next === undefined ? undefined : (new URL(next).searchParams.get('cursor') ?? undefined)
  const remaining = Number(headers['x-ratelimit-remaining'])
  const limit = Number(headers['x-ratelimit-limit'])
  const rate = headers['x-ratelimit-remaining'] !== undefined && Number.isFinite(remaining) && Number.isFinite(limit) ? { remaining, limit } : undefined
  return { ...(cursor !== undefined ? { next: cursor } : {}), ...(rate ? { rate } : {}) }
}

/** The `rel="next"` link of a paginated answer. */
export function nextPageUrl(link: string | undefined): string | undefined {
  return link ? /<([^>]+)>;\s*rel="next"/.exec(link)?.[1] : undefined
}

function toAttempt(raw: RawDelivery): ListedAttempt {
  return {
    id: idToString(raw.id),
    guid: raw.guid,
    deliveredAt: Date.parse(raw.delivered_at),
    redelivery: raw.redelivery === true,
    status: raw.status,
    statusCode: raw.status_code,
    event: raw.event,
    action: raw.action ?? null,
    durationMs: Math.round((raw.duration ?? 0) * 1000)
  }
}

/** The REST paths of one kind of hook. */
export interface HookRoute {
  list(hook: HookTarget): { path: string; params: Record<string, unknown> }
  redeliver(hook: HookTarget, id: DeliveryId): { path: string; params: Record<string, unknown> }
  /** Organization and repository hooks can be pinged; the app's hook cannot. */
  ping?(hook: HookTarget): { path: string; params: Record<string, unknown> }
  /** `naming`: how the front end names inputs, for a permission asked of what an input names. */
  permission(level: 'read' | 'write', credential: CredentialKind, naming?: Naming): string
}
