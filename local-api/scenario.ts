// Seeding helpers: a believable day of webhook traffic for the demo and for tests that
// want "production-shaped" data rather than a handful of hand-made deliveries.

import type { AppInfo, DeliveryInput, HookRef, LocalApi, RepoHookRef, RepositoryInfo } from './types.js'
import { makeRng, seededUuid } from './util.js'

export interface RealisticDayOptions {
  org?: string
  /** owner/name; default `${org}/widgets`. */
  repo?: string
  /** Deliveries in the day (first attempts), default 2000. */
  total?: number
  seed?: number
  /** Start of the receiver outage, this long before now (default 4 h). */
  outageAgoMs?: number
  /** Length of the outage (default 30 min). */
  outageMs?: number
  /** Guids per hook whose receiver never accepts them (default 2). */
  stuckPerHook?: number
  /** Random 10-second timeouts outside the outage, over all hooks (default 6). */
  timeouts?: number
  /** Fraction of outage failures someone already redelivered by hand (default 0.3). */
  manuallyRedelivered?: number
}

type HookName = 'app' | 'org' | 'repo'

export interface RealisticDay {
  app: AppInfo
  /** The app's installation on the org (webhooks and variables: write). */
  installationId: number
  org: string
  repo: string
  hooks: Record<HookName, HookRef>
  /** A PAT with hooks:write on the org and the repo, variables:write on the repo. */
  token: string
  /** Server-clock window of the receiver outage. */
  outage: { from: number; to: number }
  /** Attempts listed per hook. */
  deliveries: Record<HookName, number>
  /** Distinct guids per hook with no successful attempt. */
  failing: Record<HookName, number>
  failingGuids: Record<HookName, string[]>
  /** Guids whose receiver keeps refusing them (they fail again when redelivered). */
  stuckGuids: Record<HookName, string[]>
}

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/** Weighted event mix of a busy repository. */
const EVENTS: Array<[string, string | null, number]> = [
  ['push', null, 30],
  ['pull_request', 'opened', 5],
  ['pull_request', 'synchronize', 10],
  ['pull_request', 'closed', 5],
  ['issues', 'opened', 4],
  ['issues', 'closed', 2],
  ['issue_comment', 'created', 6],
  ['check_run', 'created', 6],
  ['check_run', 'completed', 12],
  ['check_suite', 'completed', 5],
  ['workflow_run', 'requested', 4],
  ['workflow_run', 'completed', 4],
  ['workflow_job', 'queued', 3],
  ['workflow_job', 'completed', 3],
  ['status', null, 4],
  ['create', null, 2]
]
const EVENT_WEIGHT = EVENTS.reduce((s, e) => s + e[2], 0)

export function seedRealisticDay(api: LocalApi, opts: RealisticDayOptions = {}): RealisticDay {
  const rng = makeRng(opts.seed ?? 20260101)
  const org = opts.org ?? 'acme'
  const repo = opts.repo ?? `${org}/widgets`
  const total = opts.total ?? 2000
  const now = api.now()
  const outage = { from: now - (opts.outageAgoMs ?? 4 * HOUR), to: 0 }
  outage.to = outage.from + (opts.outageMs ?? 30 * MINUTE)

  const app = api.createApp()
  const installationId = api.createInstallation(
    app.id,
    { org },
    {
      organization_hooks: 'write',
      repository_hooks: 'write',
      actions_variables: 'write'
    }
  ).id
  const hooks: Record<HookName, HookRef> = {
    app: app.hook,
    org: api.createOrgHook(org, { url: `https://hooks.${org}.example.com/github` }),
    repo: api.createRepoHook(repo, { url: `https://ci.${org}.example.com/webhook` })
  }
  const token = api.createToken({
    grants: [
      { org, hooks: 'write' },
      { repo, hooks: 'write', variables: 'write' }
    ]
  })
  const repositoryId = 700_000_000 + Math.floor(rng() * 1_000_000)

  const pickEvent = (): [string, string | null] => {
    let r = rng() * EVENT_WEIGHT
    for (const [event, action, w] of EVENTS) if ((r -= w) < 0) return [event, action]
    return ['push', null]
  }
  const pickHook = (): HookName => {
    const r = rng()
    return r < 0.4 ? 'app' : r < 0.75 ? 'org' : 'repo'
  }
  const between = (lo: number, hi: number) => lo + rng() * (hi - lo)

  type Planned = { hook: HookName; d: DeliveryInput & { guid: string } }
  const plan: Planned[] = []
  const firsts: Planned[] = []
  const okAttempt = () => ({ ok: true, status: 'OK', statusCode: 200, durationMs: Math.round(between(40, 900)) })
  const timedOut = { ok: false, status: 'timed out', statusCode: 0, durationMs: 10_000 }

  const times = Array.from({ length: total }, () => between(now - DAY, now - 11_000)).sort((a, b) => a - b)
  for (const t of times) {
    const hook = pickHook()
    const [event, action] = pickEvent()
    const inOutage = t >= outage.from && t < outage.to
    const result = inOutage ? (rng() < 0.75 ? { ok: false, status: 'Invalid HTTP Response: 503', statusCode: 503, durationMs: Math.round(between(80, 600)) } : timedOut) : okAttempt()
    const p: Planned = {
      hook,
      d: {
        guid: seededUuid(rng),
        event,
        action,
        deliveredAt: Math.round(t),
        ...result,
        installationId: hook === 'app' ? installationId : undefined,
        repositoryId: event === 'create' && hook === 'org' ? undefined : repositoryId
      }
    }
    plan.push(p)
    firsts.push(p)
  }

  const outsideOutage = firsts.filter(p => p.d.ok && (p.d.deliveredAt < outage.from - HOUR || p.d.deliveredAt > outage.to + HOUR))
  const takeRandom = (from: Planned[], filter: (p: Planned) => boolean): Planned | undefined => {
    const candidates = from.filter(p => p.d.ok && filter(p))
    return candidates.length ? candidates[Math.floor(rng() * candidates.length)] : undefined
  }

  // Timeouts: 10 s attempts that complete after deliveries which started later.
  for (let i = 0; i < (opts.timeouts ?? 6); i++) {
    const p = takeRandom(outsideOutage, () => true)
    if (p) Object.assign(p.d, timedOut)
  }

  // Stuck guids: the receiver rejects them every time, including a hand-made redelivery.
  const stuckGuids: Record<HookName, string[]> = { app: [], org: [], repo: [] }
  for (const hook of ['app', 'org', 'repo'] as const) {
    for (let i = 0; i < (opts.stuckPerHook ?? 2); i++) {
      const p = takeRandom(outsideOutage, q => q.hook === hook)
      if (!p) continue
      Object.assign(p.d, { ok: false, status: 'Invalid HTTP Response: 500', statusCode: 500, durationMs: Math.round(between(30, 300)) })
      stuckGuids[hook].push(p.d.guid)
      const retryAt = p.d.deliveredAt + between(10 * MINUTE, 40 * MINUTE)
      if (i % 2 === 0 && retryAt < now - 11_000) {
        plan.push({ hook, d: { ...p.d, deliveredAt: Math.round(retryAt), redelivery: true } })
      }
    }
  }

  // Someone redelivered part of the outage by hand once the receiver was back.
  // A fixed share per hook (at least one when there are two or more), chosen at random.
  const share = opts.manuallyRedelivered ?? 0.3
  for (const hook of ['app', 'org', 'repo'] as const) {
    const failed = firsts.filter(p => p.hook === hook && !p.d.ok && p.d.deliveredAt >= outage.from && p.d.deliveredAt < outage.to)
    const n = failed.length >= 2 && share > 0 ? Math.max(1, Math.round(failed.length * share)) : 0
    for (let i = 0; i < n; i++) {
      const [p] = failed.splice(Math.floor(rng() * failed.length), 1)
      const at = outage.to + between(5 * MINUTE, 60 * MINUTE)
      if (at < now - 11_000) plan.push({ hook, d: { ...p.d, ...okAttempt(), deliveredAt: Math.round(at), redelivery: true } })
    }
  }

  // Ids grow with time on GitHub: add attempts in the order they started.
  plan.sort((a, b) => a.d.deliveredAt - b.d.deliveredAt)
  for (const p of plan) api.addDelivery(hooks[p.hook], p.d)

  const deliveries = { app: 0, org: 0, repo: 0 }
  const failingGuids: Record<HookName, string[]> = { app: [], org: [], repo: [] }
  for (const name of ['app', 'org', 'repo'] as const) {
    api.setReceiver(hooks[name], { type: 'failing', guids: new Set(stuckGuids[name]) })
    const list = api.deliveries(hooks[name])
    deliveries[name] = list.length
    const ok = new Set(list.filter(d => d.ok).map(d => d.guid))
    failingGuids[name] = [...new Set(list.filter(d => !ok.has(d.guid)).map(d => d.guid))]
  }

  return {
    app,
    installationId,
    org,
    repo,
    hooks,
    token,
    outage,
    deliveries,
    failing: { app: failingGuids.app.length, org: failingGuids.org.length, repo: failingGuids.repo.length },
    failingGuids,
    stuckGuids
  }
}

export interface BulkOptions {
  count: number
  /** Newest attempt starts at this server time (default: now - 1 s). */
  endAt?: number
  /** Time covered, oldest to newest (default 2 days: inside github.com's redelivery window). */
  spanMs?: number
  /** Fraction of attempts that fail with 503 (default 0.01). */
  failRate?: number
  seed?: number
  event?: string
  action?: string | null
}

/** Many evenly spaced deliveries on one hook (e.g. 100,000 for the benchmark). Returns the failing guids. */
export function seedDeliveries(api: LocalApi, hook: HookRef, opts: BulkOptions): string[] {
  const rng = makeRng(opts.seed ?? 7)
  const end = opts.endAt ?? api.now() - 1000
  const span = opts.spanMs ?? 2 * DAY
  const step = opts.count > 1 ? span / (opts.count - 1) : 0
  const failing: string[] = []
  for (let i = 0; i < opts.count; i++) {
    const ok = rng() >= (opts.failRate ?? 0.01)
    const d = api.addDelivery(hook, {
      guid: seededUuid(rng),
      event: opts.event ?? 'push',
      action: opts.action ?? null,
      deliveredAt: Math.round(end - span + i * step),
      ok,
      durationMs: ok ? 120 : 300
    })
    if (!ok) failing.push(d.guid)
  }
  return failing
}

export interface FleetOptions {
  /** Organization login (default `acme`). */
  owner?: string
  repositories: number
  /** Repository names: `${namePrefix}${index, 4 digits}` (default `svc-`). */
  namePrefix?: string
  /** Hooks of the i-th repository (default 1; 0 for none). */
  hooks?: (i: number) => number
  archived?: (i: number) => boolean
  /** Payload URL of the j-th hook of the i-th repository (default one receiver, a path per repository). */
  url?: (i: number, j: number) => string
  /** Fraction of hooks, chosen at random, with one failing delivery (default 0). */
  failingHooks?: number
  /** Successful deliveries per hook in the last hour (default 1; 0 leaves hooks `unused`). */
  deliveriesPerHook?: number
  seed?: number
}

export interface FleetHook {
  repo: string
  ref: RepoHookRef
  url: string
  /** Guids of this hook that have no successful attempt. */
  failingGuids: string[]
}

export interface Fleet {
  owner: string
  repositories: RepositoryInfo[]
  hooks: FleetHook[]
}

/**
 * Many repositories of one organization with their hooks, fast: for fleet tests and the
 * benchmark. Credentials are the caller's choice (a token grant or an installation).
 */
export function seedFleet(api: LocalApi, opts: FleetOptions): Fleet {
  const rng = makeRng(opts.seed ?? 12)
  const owner = opts.owner ?? 'acme'
  const prefix = opts.namePrefix ?? 'svc-'
  const perHook = opts.deliveriesPerHook ?? 1
  const now = api.now()
  const repositories: RepositoryInfo[] = []
  const hooks: FleetHook[] = []
  for (let i = 0; i < opts.repositories; i++) {
    const repo = api.addRepository(owner, `${prefix}${String(i).padStart(4, '0')}`, { archived: opts.archived?.(i) ?? false })
    repositories.push(repo)
    const count = opts.hooks?.(i) ?? 1
    for (let j = 0; j < count; j++) {
      const url = opts.url?.(i, j) ?? `https://ci.example.com/hooks/${repo.name}${j ? `/${j}` : ''}`
      const ref = api.createRepoHook(repo.fullName, { url })
      for (let k = 0; k < perHook; k++) {
        api.addDelivery(ref, { event: 'push', deliveredAt: now - HOUR + Math.floor(rng() * (HOUR - 11_000)), ok: true, repositoryId: repo.id })
      }
      hooks.push({ repo: repo.fullName, ref, url, failingGuids: [] })
    }
  }
  const repositoryIds = new Map(repositories.map(r => [r.fullName, r.id]))
  const failing = Math.round(hooks.length * (opts.failingHooks ?? 0))
  const pool = hooks.slice()
  for (let n = 0; n < failing; n++) {
    const [hook] = pool.splice(Math.floor(rng() * pool.length), 1)
    const d = api.addDelivery(hook.ref, { event: 'push', deliveredAt: now - 30 * MINUTE, ok: false, repositoryId: repositoryIds.get(hook.repo) })
    hook.failingGuids.push(d.guid)
  }
  return { owner, repositories, hooks }
}
