// The HTTP(S) server and the control surface tests use to shape what it serves.
// One request goes: outage -> fault -> authentication -> primary limit -> secondary
// limits -> route -> permission -> handler, like the layers in front of GitHub's API.

import http from 'node:http'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import { Identities, JWT_MESSAGES, permissionFor, type Credential } from './auth.js'
import { testCertificate } from './cert.js'
import { isWrite, Limits, PRIMARY_DOCS, SECONDARY_DOCS, SECONDARY_MESSAGE } from './limits.js'
import { Directory, HookRegistry, VariableStore, type Hook } from './model.js'
import { DOCS, error, matchRoute, notFound, type Ctx, type Reply, type World } from './routes.js'
import type {
  AppInfo,
  DeliveryInput,
  DeliveryRecord,
  HookRef,
  OrgHookRef,
  RepoHookRef,
  InstallationPermissions,
  InstallationTarget,
  LocalApi,
  LocalApiOptions,
  LocalApiStats,
  OutageOptions,
  ReceiverModel,
  PingRequest,
  RedeliveryRequest,
  RepositoryInfo,
  RepositoryOptions,
  RequestLogEntry,
  TokenGrant,
  TokenKind
} from './types.js'
import { isoSeconds, makeRng, seededUuid, sleep, toJsonText } from './util.js'

const GHES_PREFIX = '/api/v3'
const MAX_BODY_BYTES = 1024 * 1024

type Outcome = { reply: Reply; drop?: 'before' | 'after' }

class LocalApiServer implements LocalApi, World {
  url = ''
  ghesUrl = ''
  certPem?: string
  readonly log: RequestLogEntry[] = []

  readonly hooks: HookRegistry
  readonly identities = new Identities()
  readonly directory = new Directory(() => this.now())
  readonly variables = new VariableStore()
  readonly refusals = new Map<string, 400 | 404 | 422>()
  readonly receiverDelayMs: number
  listingDelayMs: number
  private readonly rng: () => number
  private readonly limits: Limits
  private readonly redeliveries: RedeliveryRequest[] = []
  private readonly pings: PingRequest[] = []
  private clockOffsetMs: number
  private server!: http.Server

  constructor(private readonly opts: LocalApiOptions) {
    this.rng = makeRng(opts.seed ?? 1)
    this.hooks = new HookRegistry(this.rng)
    this.limits = new Limits(opts, makeRng((opts.seed ?? 1) ^ 0x5eed))
    this.clockOffsetMs = opts.clockOffsetMs ?? 0
    this.receiverDelayMs = opts.receiverDelayMs ?? 50
    this.listingDelayMs = opts.listingDelayMs ?? 0
  }

  async listen(): Promise<void> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => void this.handle(req, res)
    if (this.opts.tls) {
      const { certPem, keyPem } = testCertificate()
      this.certPem = certPem
      this.server = https.createServer({ cert: certPem, key: keyPem }, handler)
    } else {
      this.server = http.createServer(handler)
    }
    // Benchmarks open many sockets; keep them alive like api.github.com does.
    // Long enough that a test seeding 100,000 deliveries (the event loop busy for seconds) does not
    // close a connection its client is about to reuse.
    this.server.keepAliveTimeout = 65_000
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(this.opts.port ?? 0, '127.0.0.1', () => resolve())
    })
    const { port } = this.server.address() as AddressInfo
    this.url = `${this.opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`
    this.ghesUrl = this.url + GHES_PREFIX
  }

  // ---------- clock ----------

  now(): number {
    return Date.now() + this.clockOffsetMs
  }

  // Whole milliseconds, as GitHub's times are: a fractional clock would leak into cursors.
  setClockOffset(ms: number): void {
    this.clockOffsetMs = Math.round(ms)
  }

  advanceClock(ms: number): void {
    this.clockOffsetMs += Math.round(ms)
  }

  // ---------- identities ----------

  createApp(opts: { id?: number; clientId?: string; slug?: string } = {}): AppInfo {
    const app = this.identities.createApp(opts)
    const hook = this.hooks.create({ kind: 'app', appId: app.id }, 'https://receiver.example.com/github/app', this.now()).ref
    return { id: app.id, clientId: app.clientId, slug: app.slug, privateKeyPem: app.privateKeyPem, privateKeyPkcs8Pem: app.privateKeyPkcs8Pem, hook }
  }

  createInstallation(appId: number, target: InstallationTarget, permissions: InstallationPermissions): { id: number } {
    if ('org' in target) {
      this.directory.org(target.org)
      for (const repo of target.repositories ?? []) this.directory.repo(repo)
    } else this.directory.repo(target.repo)
    return { id: this.identities.createInstallation(appId, target, permissions, this.now()).id }
  }

  createToken(opts: { grants: TokenGrant[]; kind?: TokenKind }): string {
    for (const g of opts.grants) {
      if (g.org) this.directory.org(g.org)
      if (g.repo) this.directory.repo(g.repo)
    }
    return this.identities.createToken(opts.grants, opts.kind ?? 'pat')
  }

  // ---------- repositories ----------

  addRepository(owner: string, name: string, opts: RepositoryOptions = {}): RepositoryInfo {
    const r = this.directory.repo(`${owner}/${name}`, opts)
    return { fullName: r.fullName, owner: r.owner, name: r.name, id: r.id, private: r.private, archived: r.archived, fork: r.fork }
  }

  deleteRepository(fullName: string): void {
    for (const hook of this.hooks.list('repo', fullName)) this.hooks.delete(hook.ref)
    for (const v of this.variables.list(fullName)) this.variables.delete(fullName, v.name)
    this.directory.deleteRepo(fullName)
  }

  // ---------- hooks and deliveries ----------

  createOrgHook(org: string, opts: { url?: string; id?: number; active?: boolean } = {}): OrgHookRef {
    this.directory.org(org)
    return this.createHook(id => ({ kind: 'org', org, id }), org, opts) as OrgHookRef
  }

  createRepoHook(repo: string, opts: { url?: string; id?: number; active?: boolean } = {}): RepoHookRef {
    this.directory.repo(repo)
    return this.createHook(id => ({ kind: 'repo', repo, id }), repo, opts) as RepoHookRef
  }

  private createHook(ref: (id: number) => HookRef, owner: string, opts: { url?: string; id?: number; active?: boolean }): HookRef {
    const id = this.hooks.allocateHookId(opts.id)
    const hook = this.hooks.create(ref(id), opts.url ?? `https://receiver.example.com/github/${owner}/${id}`, this.now())
    hook.active = opts.active ?? true
    return hook.ref
  }

  deleteHook(hook: HookRef): void {
    this.hooks.require(hook)
    this.hooks.delete(hook)
  }

  setListingDelay(ms: number, hook?: HookRef): void {
    if (hook) this.hooks.require(hook).listingDelayMs = ms
    else this.listingDelayMs = ms
  }

  setReceiver(hook: HookRef, model: ReceiverModel): void {
    this.hooks.require(hook).receiver = model
  }

  addDelivery(hook: HookRef, d: DeliveryInput): DeliveryRecord {
    return this.hooks.add(this.hooks.require(hook), { ...d, guid: d.guid ?? seededUuid(this.rng) })
  }

  deliveries(hook: HookRef): DeliveryRecord[] {
    const h = this.hooks.require(hook)
    h.store.flush(this.now())
    return h.store.newestFirst()
  }

  redeliveryRequests(hook?: HookRef): RedeliveryRequest[] {
    if (!hook) return this.redeliveries.slice()
    const key = JSON.stringify(normalizeRef(hook))
    return this.redeliveries.filter(r => JSON.stringify(normalizeRef(r.hook)) === key)
  }

  pingRequests(hook?: HookRef): PingRequest[] {
    if (!hook) return this.pings.slice()
    const key = JSON.stringify(normalizeRef(hook))
    return this.pings.filter(p => JSON.stringify(normalizeRef(p.hook)) === key)
  }

  recordPing(hook: Hook): string {
    const guid = seededUuid(this.rng)
    this.pings.push({ hook: hook.ref, at: this.now(), guid })
    return guid
  }

  refuseRedelivery(guid: string, status: 400 | 404 | 422 = 422): void {
    this.refusals.set(guid, status)
  }

  // ---------- variables ----------

  getVariable(repo: string, name: string): { value: string; updated_at: string } | undefined {
    const v = this.variables.get(repo, name)
    return v ? { value: v.value, updated_at: isoSeconds(v.updatedAt) } : undefined
  }

  setVariable(repo: string, name: string, value: string): void {
    this.directory.repo(repo)
    this.variables.set(repo, name, value, this.now())
  }

  // ---------- observation and trouble ----------

  clearLog(): void {
    this.log.length = 0
  }

  resetWriteWindow(): void {
    this.limits.resetWriteWindow()
  }

  outage(opts: OutageOptions): void {
    this.limits.addOutage(opts, Date.now())
  }

  endOutages(): void {
    this.limits.endOutages()
  }

  stats(): LocalApiStats {
    return structuredClone(this.limits.counts)
  }

  async close(): Promise<void> {
    await new Promise<void>(resolve => {
      this.server.close(() => resolve())
      // Keep-alive sockets would otherwise hold the server (and a test run) open.
      this.server.closeAllConnections()
    })
  }

  // ---------- request pipeline ----------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const start = Date.now()
    const concurrency = ++this.limits.inFlight
    const counts = this.limits.counts
    counts.requests++
    counts.maxConcurrency = Math.max(counts.maxConcurrency, concurrency)
    const url = new URL(req.url ?? '/', 'http://local')
    const ghes = url.pathname === GHES_PREFIX || url.pathname.startsWith(GHES_PREFIX + '/')
    const route = ghes ? url.pathname.slice(GHES_PREFIX.length) || '/' : url.pathname
    const method = (req.method ?? 'GET').toUpperCase()
    const entry: RequestLogEntry = { method, path: url.pathname, route, query: url.search.replace(/^\?/, ''), status: 0, start, end: start, concurrency, auth: 'none' }
    this.log.push(entry)
    let done = false
    const finish = () => {
      if (done) return
      done = true
      this.limits.inFlight--
      entry.end = Date.now()
    }
    res.on('close', finish)

    try {
      const raw = await readBody(req)
      if (this.opts.latencyMs) await sleep(this.opts.latencyMs)
      const base = `${this.opts.tls ? 'https' : 'http'}://${req.headers.host ?? this.url.replace(/^https?:\/\//, '')}${ghes ? GHES_PREFIX : ''}`
      const outcome = this.process(method, route, url.searchParams, raw, req.headers.authorization, { ghes, base, entry, concurrency })
      if (outcome.drop) {
        entry.dropped = true
        entry.status = 0
        req.socket.destroy()
        finish()
        return
      }
      this.send(res, outcome.reply, entry)
    } catch (e) {
      this.send(res, error(500, `local API error: ${(e as Error).message}`), entry)
    }
  }

  private process(
    method: string,
    route: string,
    query: URLSearchParams,
    raw: string,
    authorization: string | undefined,
    r: { ghes: boolean; base: string; entry: RequestLogEntry; concurrency: number }
  ): Outcome {
    const { entry } = r
    const machineNow = Date.now()

    const outage = this.limits.outage(method, route, machineNow)
    if (outage) {
      entry.limited = 'outage'
      return outage.drop ? { reply: { status: 0 }, drop: 'before' } : { reply: serverError(outage.status) }
    }
    const fault = this.limits.fault(method, route)
    let dropAfter = false
    if (fault !== undefined) {
      entry.limited = 'fault'
      if (fault !== 'drop') return { reply: serverError(fault) }
      if (!(this.opts.faults?.dropAfterProcessing && isWrite(method))) return { reply: { status: 0 }, drop: 'before' }
      dropAfter = true
    }

    const auth = this.identities.authenticate(authorization, this.now())
    if ('status' in auth) {
      const { headers } = this.limits.primary('anonymous', false, this.now(), false)
      return { reply: { ...error(auth.status, auth.message), headers } }
    }
    const cred: Credential = auth
    entry.auth = cred.kind === 'jwt' ? 'jwt' : cred.kind === 'installation' ? 'installation' : cred.kind === 'token' ? 'token' : 'none'

    const primary = this.limits.primary(cred.key, cred.kind !== 'none', this.now())
    const withRate = (reply: Reply): Outcome => ({ reply: { ...reply, headers: { ...primary.headers, ...reply.headers } }, drop: dropAfter ? 'after' : undefined })
    if (primary.exceeded) {
      entry.limited = 'primary'
      const who = cred.kind === 'installation' ? `installation ID ${cred.installation.id}` : cred.kind === 'none' ? '127.0.0.1' : 'user ID 1'
      return withRate(error(403, `API rate limit exceeded for ${who}. If you reach out to GitHub Support for help, please include the request ID ${requestId()}.`, PRIMARY_DOCS))
    }

    const match = matchRoute(method, route)
    let parsed: unknown
    const ctx: Ctx | undefined = match && {
      world: this,
      params: match.params,
      query,
      body: undefined,
      cred,
      ghes: r.ghes,
      base: r.base,
      route
    }
    const recordRedelivery = (status: number) => {
      if (!match?.def.redelivery || !ctx) return
      const noted =
        ctx.redelivery ??
        (() => {
          const t = match.def.redelivery(ctx)
          if (!t) return undefined
          const guid = this.hooks.get(t.hook)?.store.get(t.deliveryId)?.guid ?? ''
          return { ...t, guid, accepted: false }
        })()
      if (noted) this.redeliveries.push({ ...noted, at: this.now(), status: dropAfter ? 0 : status })
    }

    const secondary = this.limits.secondary(method, r.concurrency, machineNow)
    if (secondary) {
      entry.limited = secondary.kind
      recordRedelivery(403)
      const reply = error(403, SECONDARY_MESSAGE + requestId() + '.', SECONDARY_DOCS)
      return withRate({ ...reply, headers: { 'retry-after': String(secondary.retryAfter) } })
    }

    if (!match || !ctx) return withRate(notFound())
    const { def } = match

    // Authorization for the route.
    let accepted: string | undefined
    if (def.auth === 'jwt') {
      if (cred.kind !== 'jwt') {
        recordRedelivery(401)
        return withRate(error(401, JWT_MESSAGES.undecodable))
      }
    } else if (def.auth === 'installation') {
      if (cred.kind === 'none') return withRate(error(401, 'Requires authentication'))
      if (cred.kind !== 'installation') {
        return withRate(error(403, 'You must authenticate with an installation access token in order to list repositories for an installation.'))
      }
    } else if (def.auth === 'anyone') {
      if (cred.kind === 'jwt') return withRate(error(403, 'Resource not accessible by integration'))
    } else {
      if (cred.kind === 'none') return withRate(error(401, 'Requires authentication'))
      const resource = def.auth.resource(match.params)
      const known = resource.kind === 'org' ? this.directory.hasOrg(resource.org) : this.directory.hasRepo(resource.repo)
      if (!known) return withRate(notFound())
      const refusal = this.identities.authorize(cred, resource, def.auth.area, def.auth.need)
      accepted = `${permissionFor(resource, def.auth.area)}=${def.auth.need}`
      if (refusal) {
        recordRedelivery(refusal.status)
        const reply = refusal.status === 404 ? notFound() : error(403, refusal.message)
        return withRate({ ...reply, headers: { 'x-accepted-github-permissions': accepted } })
      }
    }

    if (raw.length > 0) {
      try {
        parsed = JSON.parse(raw)
      } catch {
        return withRate(error(400, 'Problems parsing JSON'))
      }
    }
    ctx.body = parsed
    const reply = def.handler(ctx)
    recordRedelivery(reply.status)
    if (accepted) reply.headers = { ...reply.headers, 'x-accepted-github-permissions': accepted }
    return withRate(reply)
  }

  private send(res: http.ServerResponse, reply: Reply, entry: RequestLogEntry): void {
    const headers: Record<string, string> = {
      date: new Date(this.now()).toUTCString(),
      'x-github-api-version-selected': '2022-11-28',
      'x-github-media-type': 'github.v3; format=json',
      'x-github-request-id': requestId(),
      ...reply.headers
    }
    let text: string | undefined
    if (reply.status !== 204 && reply.body !== undefined) {
      text = toJsonText(reply.body)
      headers['content-type'] = 'application/json; charset=utf-8'
      headers['content-length'] = String(Buffer.byteLength(text))
    }
    entry.status = reply.status
    res.writeHead(reply.status, headers)
    res.end(text)
  }
}

function normalizeRef(ref: HookRef): HookRef {
  if (ref.kind === 'org') return { kind: 'org', org: ref.org.toLowerCase(), id: ref.id }
  if (ref.kind === 'repo') return { kind: 'repo', repo: ref.repo.toLowerCase(), id: ref.id }
  return { kind: 'app', appId: ref.appId }
}

function serverError(status: number): Reply {
  const messages: Record<number, string> = { 500: 'Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' }
  return error(status, messages[status] ?? 'Server Error', DOCS)
}

/** X-GitHub-Request-Id's shape; any value will do, so Math.random rather than the crypto pool (one per answer). */
function requestId(): string {
  const part = (): string =>
    Math.floor(Math.random() * 0x10000)
      .toString(16)
      .toUpperCase()
      .padStart(4, '0')
  return `${part()}:${part()}:${part()}:${part()}`
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size <= MAX_BODY_BYTES) chunks.push(c)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

export async function startLocalApi(opts: LocalApiOptions = {}): Promise<LocalApi> {
  const server = new LocalApiServer(opts)
  await server.listen()
  return server
}
