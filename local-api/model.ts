// The data GitHub keeps about webhooks: hooks, their delivery attempts, the receivers
// those attempts hit, and repository Actions variables.

import type { DeliveryInput, DeliveryRecord, HookRef, ReceiverAnswer, ReceiverModel, RepositoryInfo, RepositoryOptions } from './types.js'
import { isoSeconds } from './util.js'

/** App delivery ids on github.com are already past 2^53 (early 2026). */
export const FIRST_DELIVERY_ID = 3804004623172239366n

/** The owner part of an org's or repo's hook key (`org:acme:`); an app's hook has none. */
function ownerKey(ref: HookRef): string | undefined {
  return ref.kind === 'app' ? undefined : hookKey(ref).replace(/\d+$/, '')
}

export function hookKey(ref: HookRef): string {
  switch (ref.kind) {
    case 'app':
      return `app:${ref.appId}`
    case 'org':
      return `org:${ref.org.toLowerCase()}:${ref.id}`
    case 'repo':
      return `repo:${ref.repo.toLowerCase()}:${ref.id}`
  }
}

interface Delivery extends DeliveryRecord {
  /** Insertion order: breaks ties between equal completion times. */
  seq: number
}

export interface Page {
  items: DeliveryRecord[]
  /** Opaque cursor of the next (older) item, if any. */
  next?: string
}

/**
 * One hook's attempts, kept ascending by completion time so a newest-first listing walks
 * the array backwards. A cursor names the sort key of the next item, so each page costs
 * O(log n + page) however deep the client is, and stays valid while new attempts arrive.
 */
export class DeliveryStore {
  private items: Delivery[] = []
  private sorted = true
  private readonly byId = new Map<string, Delivery>()
  /** Redelivery attempts the receiver has not answered yet: [visibleAt, delivery]. */
  private pending: Array<[number, Delivery]> = []

  get size(): number {
    return this.items.length
  }

  add(d: Delivery): void {
    const last = this.items[this.items.length - 1]
    if (last && compare(last, d) > 0) this.sorted = false
    this.items.push(d)
    this.byId.set(d.id, d)
  }

  /** An attempt that shows up in listings only once the server clock reaches visibleAt. */
  schedule(d: Delivery, visibleAt: number): void {
    this.pending.push([visibleAt, d])
  }

  /** Moves answered redeliveries into the listing. Called before every read. */
  flush(now: number): void {
    if (this.pending.length === 0) return
    const still: Array<[number, Delivery]> = []
    for (const entry of this.pending) {
      if (entry[0] <= now) this.add(entry[1])
      else still.push(entry)
    }
    this.pending = still
  }

  /**
   * The newest attempt that has completed by `now`, listed or not: GitHub updates a hook's
   * `last_response` when the receiver answers, before the attempt shows in the log.
   */
  newestCompleted(now: number): DeliveryRecord | undefined {
    this.ensureSorted()
    let newest: Delivery | undefined
    for (let i = this.items.length - 1; i >= 0; i--) {
      if (this.items[i].completedAt <= now) {
        newest = this.items[i]
        break
      }
    }
    for (const [, d] of this.pending) if (d.completedAt <= now && (!newest || compare(d, newest) > 0)) newest = d
    return newest
  }

  get(id: string): DeliveryRecord | undefined {
    this.ensureSorted()
    return this.byId.get(id)
  }

  newestFirst(): DeliveryRecord[] {
    this.ensureSorted()
    return this.items.slice().reverse()
  }

  page(cursor: string | undefined, perPage: number, filter?: (d: DeliveryRecord) => boolean): Page | undefined {
    this.ensureSorted()
    let i = this.items.length - 1
    if (cursor !== undefined) {
      const key = decodeCursor(cursor)
      if (!key) return undefined
      i = this.lastAtOrBefore(key)
    }
    const items: DeliveryRecord[] = []
    for (; i >= 0 && items.length < perPage; i--) {
      const d = this.items[i]
      if (!filter || filter(d)) items.push(d)
    }
    if (filter) while (i >= 0 && !filter(this.items[i])) i--
    return { items, next: i >= 0 ? encodeCursor(this.items[i]) : undefined }
  }

  private ensureSorted(): void {
    if (this.sorted) return
    this.items.sort(compare)
    this.sorted = true
  }

  /** Index of the last item whose key is <= key (-1 if none). */
  private lastAtOrBefore(key: { completedAt: number; seq: number }): number {
    let lo = 0
    let hi = this.items.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (compare(this.items[mid], key) <= 0) lo = mid + 1
      else hi = mid
    }
    return lo - 1
  }
}

function compare(a: { completedAt: number; seq: number }, b: { completedAt: number; seq: number }): number {
  return a.completedAt - b.completedAt || a.seq - b.seq
}

function encodeCursor(d: Delivery): string {
  return 'v1_' + Buffer.from(`${d.completedAt}:${d.seq}`).toString('base64url')
}

function decodeCursor(cursor: string): { completedAt: number; seq: number } | undefined {
  if (!cursor.startsWith('v1_')) return undefined
  const m = /^(-?\d+):(\d+)$/.exec(Buffer.from(cursor.slice(3), 'base64url').toString())
  return m ? { completedAt: Number(m[1]), seq: Number(m[2]) } : undefined
}

export interface Hook {
  ref: HookRef
  id: number
  url: string
  createdAt: number
  events: string[]
  /** An inactive hook is switched off in its settings: GitHub sends it nothing. */
  active: boolean
  receiver: ReceiverModel
  /** Overrides the server's `listingDelayMs` for this hook's redeliveries. */
  listingDelayMs?: number
  store: DeliveryStore
}

export interface Outcome {
  ok: boolean
  status: string
  statusCode: number
}

/** What a receiver answers to an attempt of `guid` made at server time `at`. */
export function receiverOutcome(model: ReceiverModel, guid: string, at: number, rng: () => number): Outcome {
  switch (model.type) {
    case 'healthy':
      return answered(true)
    case 'down':
      return answered(!(at >= model.from && at < model.to))
    case 'flaky':
      return answered(rng() >= model.failRate)
    case 'failing':
      return answered(model.guids === 'all' || model.guids.has(guid) ? (model.status ?? 400) : true)
    case 'scripted':
      return answered(model.ok(guid, at))
  }
}

/** What GitHub records of a receiver's answer: OK, a refusal with its status, or a connection that failed. */
export function answered(answer: ReceiverAnswer): Outcome {
  if (answer === true || (typeof answer === 'number' && answer >= 200 && answer < 300)) return { ok: true, status: 'OK', statusCode: typeof answer === 'number' ? answer : 200 }
  if (answer === false) return { ok: false, status: 'failed to connect to host', statusCode: 502 }
  return { ok: false, status: `Invalid HTTP Response: ${answer}`, statusCode: answer }
}

/** Deliveries of every hook, and the id sequence they share. */
export class HookRegistry {
  private readonly hooks = new Map<string, Hook>()
  /** The keys of each org's or repo's hooks (`org:acme:`), so a hook list does not scan every hook. */
  private readonly byOwner = new Map<string, Set<string>>()
  private nextDeliveryId = FIRST_DELIVERY_ID
  private nextSeq = 0
  private nextHookId = 400_000_001

  constructor(private readonly rng: () => number) {}

  create(ref: HookRef, url: string, createdAt: number): Hook {
    const key = hookKey(ref)
    if (this.hooks.has(key)) throw new Error(`hook already exists: ${key}`)
    const hook: Hook = {
      ref,
      id: ref.kind === 'app' ? ref.appId : ref.id,
      url,
      createdAt,
      events: ['*'],
      active: true,
      receiver: { type: 'healthy' },
      store: new DeliveryStore()
    }
    this.hooks.set(key, hook)
    const owner = ownerKey(ref)
    if (owner) this.byOwner.set(owner, (this.byOwner.get(owner) ?? new Set()).add(key))
    return hook
  }

  allocateHookId(requested?: number): number {
    if (requested !== undefined) {
      this.nextHookId = Math.max(this.nextHookId, requested + 1)
      return requested
    }
    return this.nextHookId++
  }

  get(ref: HookRef): Hook | undefined {
    return this.hooks.get(hookKey(ref))
  }

  require(ref: HookRef): Hook {
    const hook = this.get(ref)
    if (!hook) throw new Error(`no such hook: ${hookKey(ref)}`)
    return hook
  }

  /** Hooks of one org or repo, by ascending id (GitHub's list order). */
  list(kind: 'org' | 'repo', owner: string): Hook[] {
    const out: Hook[] = []
    for (const key of this.byOwner.get(`${kind}:${owner.toLowerCase()}:`) ?? []) out.push(this.hooks.get(key)!)
    return out.sort((a, b) => a.id - b.id)
  }

  /** Ids grow with creation order and skip a little, like GitHub's. */
  private newId(): string {
    this.nextDeliveryId += BigInt(1 + Math.floor(this.rng() * 7))
    return this.nextDeliveryId.toString()
  }

  private record(hook: Hook, d: DeliveryInput & { guid: string }): Delivery {
    const durationMs = Math.max(0, Math.round(d.durationMs ?? (d.ok ? 120 : 300)))
    const statusCode = d.statusCode ?? (d.ok ? 200 : 503)
    const delivery: Delivery = {
      id: this.newId(),
      seq: this.nextSeq++,
      guid: d.guid,
      event: d.event,
      action: d.action ?? null,
      deliveredAt: d.deliveredAt,
      durationMs,
      completedAt: d.deliveredAt + durationMs,
      ok: d.ok,
      status: d.status ?? (d.ok ? 'OK' : statusCode === 0 ? 'timed out' : `Invalid HTTP Response: ${statusCode}`),
      statusCode,
      redelivery: d.redelivery ?? false,
      installationId: d.installationId ?? null,
      repositoryId: d.repositoryId ?? null,
      hook: hook.ref
    }
    return delivery
  }

  add(hook: Hook, d: DeliveryInput & { guid: string }): DeliveryRecord {
    const delivery = this.record(hook, d)
    hook.store.add(delivery)
    return delivery
  }

  /**
   * A redelivery: the attempt is made now, completes once the receiver has answered, and
   * is listed `listingDelayMs` after that (GitHub's log can lag by minutes).
   */
  redeliver(hook: Hook, original: DeliveryRecord, now: number, receiverDelayMs: number, listingDelayMs: number): DeliveryRecord {
    const outcome = receiverOutcome(hook.receiver, original.guid, now, this.rng)
    const delivery = this.record(hook, {
      guid: original.guid,
      event: original.event,
      action: original.action,
      deliveredAt: now,
      durationMs: receiverDelayMs,
      ok: outcome.ok,
      status: outcome.status,
      statusCode: outcome.statusCode,
      redelivery: true,
      installationId: original.installationId ?? undefined,
      repositoryId: original.repositoryId ?? undefined
    })
    hook.store.schedule(delivery, delivery.completedAt + (hook.listingDelayMs ?? listingDelayMs))
    return delivery
  }

  /**
   * A ping: GitHub sends the hook a `ping` event now, a delivery like any other, answered by
   * its receiver and listed once that answer is in (and the listing delay has passed).
   */
  ping(hook: Hook, now: number, receiverDelayMs: number, listingDelayMs: number, guid: string): DeliveryRecord {
    const outcome = receiverOutcome(hook.receiver, guid, now, this.rng)
    const delivery = this.record(hook, { guid, event: 'ping', action: null, deliveredAt: now, durationMs: receiverDelayMs, ok: outcome.ok, status: outcome.status, statusCode: outcome.statusCode })
    hook.store.schedule(delivery, delivery.completedAt + (hook.listingDelayMs ?? listingDelayMs))
    return delivery
  }

  delete(ref: HookRef): boolean {
    this.byOwner.get(ownerKey(ref) ?? '')?.delete(hookKey(ref))
    return this.hooks.delete(hookKey(ref))
  }

  all(): Hook[] {
    return [...this.hooks.values()]
  }
}

export interface Variable {
  name: string
  value: string
  createdAt: number
  updatedAt: number
}

export const VARIABLE_VALUE_MAX_BYTES = 48 * 1024

/** GitHub: letters, digits and underscores, not starting with a digit or GITHUB_. */
export function variableNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'name is required'
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return 'Variable names can only contain alphanumeric characters or underscores and must not start with a number.'
  if (/^GITHUB_/i.test(name)) return "Variable names must not start with the 'GITHUB_' prefix."
  return undefined
}

/** Repository Actions variables. Names are case-insensitive and stored upper-case, as on GitHub. */
export class VariableStore {
  private readonly repos = new Map<string, Map<string, Variable>>()

  private repoMap(repo: string): Map<string, Variable> {
    const key = repo.toLowerCase()
    let m = this.repos.get(key)
    if (!m) this.repos.set(key, (m = new Map<string, Variable>()))
    return m
  }

  get(repo: string, name: string): Variable | undefined {
    return this.repos.get(repo.toLowerCase())?.get(name.toUpperCase())
  }

  list(repo: string): Variable[] {
    return [...(this.repos.get(repo.toLowerCase())?.values() ?? [])].sort((a, b) => (a.name < b.name ? -1 : 1))
  }

  set(repo: string, name: string, value: string, now: number): Variable {
    const m = this.repoMap(repo)
    const existing = m.get(name.toUpperCase())
    if (existing) {
      existing.value = value
      existing.updatedAt = now
      return existing
    }
    const v: Variable = { name: name.toUpperCase(), value, createdAt: now, updatedAt: now }
    m.set(v.name, v)
    return v
  }

  rename(repo: string, from: string, to: string, now: number): void {
    const m = this.repoMap(repo)
    const v = m.get(from.toUpperCase())
    if (!v) return
    m.delete(v.name)
    v.name = to.toUpperCase()
    v.updatedAt = now
    m.set(v.name, v)
  }

  delete(repo: string, name: string): boolean {
    return this.repos.get(repo.toLowerCase())?.delete(name.toUpperCase()) ?? false
  }
}

export function variableJson(v: Variable): Record<string, unknown> {
  return { name: v.name, value: v.value, created_at: isoSeconds(v.createdAt), updated_at: isoSeconds(v.updatedAt) }
}

/** An account that owns repositories: organizations by default, users when asked for. */
export interface Account {
  login: string
  id: number
  type: 'Organization' | 'User'
}

/** What tests see of a repository (`fullName` keeps the case it was created with), and when it was made. */
export interface Repository extends RepositoryInfo {
  createdAt: number
}

/** Organizations, users and repositories the server knows; anything else is 404 as on GitHub. */
export class Directory {
  private readonly accounts = new Map<string, Account>()
  private readonly repos = new Map<string, Repository>()
  private nextId = 9_000_001

  constructor(private readonly now: () => number = Date.now) {}

  /** The account, created as an organization if it is new. */
  org(login: string): Account {
    return this.account(login, 'Organization')
  }

  account(login: string, type: Account['type']): Account {
    const key = login.toLowerCase()
    let a = this.accounts.get(key)
    if (!a) this.accounts.set(key, (a = { login, id: this.nextId++, type }))
    return a
  }

  /** The repository, created (private, not archived) if it is new. */
  repo(fullName: string, opts: RepositoryOptions = {}): Repository {
    if (!/^[^/\s]+\/[^/\s]+$/.test(fullName)) throw new Error(`repository must be owner/name: ${fullName}`)
    const key = fullName.toLowerCase()
    let r = this.repos.get(key)
    if (!r) {
      const [owner, name] = fullName.split('/')
      const account = this.account(owner, opts.ownerType ?? 'Organization')
      r = { fullName, owner: account.login, name, id: this.nextId++, private: true, archived: false, fork: false, createdAt: this.now() }
      this.repos.set(key, r)
    }
    if (opts.private !== undefined) r.private = opts.private
    if (opts.archived !== undefined) r.archived = opts.archived
    if (opts.fork !== undefined) r.fork = opts.fork
    return r
  }

  deleteRepo(fullName: string): boolean {
    return this.repos.delete(fullName.toLowerCase())
  }

  hasOrg(login: string): boolean {
    return this.accounts.get(login.toLowerCase())?.type === 'Organization'
  }

  hasRepo(fullName: string): boolean {
    return this.repos.has(fullName.toLowerCase())
  }

  findAccount(login: string): Account | undefined {
    return this.accounts.get(login.toLowerCase())
  }

  findRepo(fullName: string): Repository | undefined {
    return this.repos.get(fullName.toLowerCase())
  }

  /** Repositories of one owner, in creation order. */
  reposOf(owner: string): Repository[] {
    const prefix = owner.toLowerCase() + '/'
    const out: Repository[] = []
    for (const [key, r] of this.repos) if (key.startsWith(prefix)) out.push(r)
    return out
  }
}
