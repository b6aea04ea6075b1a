// Public types of the local GitHub REST API. Other suites import these through
// local-api/index.ts: keep the names stable.

export interface LocalApiOptions {
  /** HTTPS with a self-signed certificate committed for tests (valid for 127.0.0.1 and localhost). */
  tls?: boolean
  /** Port to listen on (default: any free port). */
  port?: number
  /** Server clock = Date.now() + offset. Every response carries a `Date` header from it. */
  clockOffsetMs?: number
  /** Delay added to every request (realistic latency for benchmarks). */
  latencyMs?: number
  /** How long a redelivery's receiver takes to answer: the new attempt's duration (default 50). */
  receiverDelayMs?: number
  /**
   * How long after it completed a redelivery's attempt is listed (default 0): GitHub's log
   * can take minutes. The attempt becomes visible at completedAt + listingDelayMs, server clock.
   */
  listingDelayMs?: number
  /** Seed for everything random (faults, flaky receivers, generated guids). */
  seed?: number
  /**
   * A fraction of matching requests is answered 500/502/503 or dropped mid-connection.
   * `dropAfterProcessing`: a dropped write has already taken effect (the ambiguous case
   * a client cannot tell apart from a lost request).
   */
  faults?: { rate: number; methods?: string[]; pathIncludes?: string; dropAfterProcessing?: boolean }
  /** Writes beyond `max` per sliding window -> 403 secondary rate limit with `retry-after`. */
  secondaryWriteLimit?: { max: number; windowMs: number }
  /** Requests in flight beyond this -> 403 secondary rate limit (default 100). */
  maxConcurrent?: number
  /** A write sooner than this after the previous accepted write -> 403 secondary rate limit. */
  minWriteIntervalMs?: number
  /** Requests per credential per hour (default 5000; 60 unauthenticated). */
  primaryLimit?: number
}

export type HookRef = { kind: 'app'; appId: number } | { kind: 'org'; org: string; id: number } | { kind: 'repo'; repo: string; id: number }

export type OrgHookRef = Extract<HookRef, { kind: 'org' }>
export type RepoHookRef = Extract<HookRef, { kind: 'repo' }>

/**
 * What a receiver does with one attempt: `true` answers 200; `false` cannot be reached (GitHub
 * records "failed to connect to host", 502); a number is the HTTP status it answered with, the
 * way a receiver that is up refuses a payload (400, 404, 422, 500…).
 */
export type ReceiverAnswer = boolean | number

/**
 * A hook's receiver. Down and flaky receivers cannot be reached (GitHub records a failed
 * connection); a failing one is up and refuses the named payloads with `status` (default 400).
 */
export type ReceiverModel =
  | { type: 'healthy' }
  | { type: 'down'; from: number; to: number /* server-clock ms */ }
  | { type: 'flaky'; failRate: number }
  | { type: 'failing'; guids: Set<string> | 'all'; status?: number }
  /** A receiver scripted by a test: how it answers an attempt of `guid` made at server time `at`. */
  | { type: 'scripted'; ok(guid: string, at: number): ReceiverAnswer }

export interface DeliveryInput {
  guid?: string
  event: string
  action?: string | null
  /** Start of the attempt, server-clock ms. */
  deliveredAt: number
  ok: boolean
  status?: string
  statusCode?: number
  durationMs?: number
  redelivery?: boolean
  installationId?: number
  repositoryId?: number
}

export interface DeliveryRecord {
  /** Decimal string: ids exceed 2^53. */
  id: string
  guid: string
  event: string
  action: string | null
  deliveredAt: number
  durationMs: number
  /** deliveredAt + durationMs: listings are ordered by it, newest first. */
  completedAt: number
  ok: boolean
  status: string
  statusCode: number
  redelivery: boolean
  installationId: number | null
  repositoryId: number | null
  hook: HookRef
}

export interface RedeliveryRequest {
  hook: HookRef
  deliveryId: string
  guid: string
  /** Server clock, ms. */
  at: number
  accepted: boolean
  /** HTTP status answered (0 when the connection was dropped). */
  status: number
}

export interface PingRequest {
  hook: HookRef
  /** Server clock, ms. */
  at: number
  guid: string
}

export interface RepositoryOptions {
  /** Default true: most fleets are private repositories. */
  private?: boolean
  archived?: boolean
  fork?: boolean
  /** Who owns it when the owner is new (default an organization). */
  ownerType?: 'Organization' | 'User'
}

export interface RepositoryInfo {
  /** owner/name */
  fullName: string
  owner: string
  name: string
  id: number
  private: boolean
  archived: boolean
  fork: boolean
}

/**
 * Where an app is installed: a whole organization (`repository_selection` all), chosen
 * repositories of it (`repositories`: selected), or a single repository (selected).
 */
export type InstallationTarget = { org: string; repositories?: string[] } | { repo: string }

export type AuthKind = 'jwt' | 'installation' | 'token' | 'none'

export interface RequestLogEntry {
  method: string
  /** Path as requested, without the query (includes /api/v3 when used). */
  path: string
  /** Path with any /api/v3 prefix removed. */
  route: string
  query: string
  status: number
  /** Machine clock, ms. */
  start: number
  end: number
  /** Requests in flight when this one started (itself included). */
  concurrency: number
  auth: AuthKind
  dropped?: boolean
  /** Set when the answer was a rate limit, fault or outage rather than the route's own. */
  limited?: 'primary' | 'secondary-concurrency' | 'secondary-write-window' | 'secondary-write-interval' | 'fault' | 'outage'
}

export interface LocalApiStats {
  requests: number
  primary: number
  secondary: { concurrency: number; writeWindow: number; writeInterval: number; total: number }
  faults: { '500': number; '502': number; '503': number; drop: number; total: number }
  outages: number
  maxConcurrency: number
}

export interface AppInfo {
  id: number
  clientId: string
  slug: string
  /** PKCS#1 ("BEGIN RSA PRIVATE KEY"), what GitHub hands out. */
  privateKeyPem: string
  privateKeyPkcs8Pem: string
  hook: HookRef
}

export type Permission = 'read' | 'write'

export interface InstallationPermissions {
  organization_hooks?: Permission
  repository_hooks?: Permission
  actions_variables?: Permission
}

/**
 * What a token reaches: an org (its hooks and every repository of it) or one repository.
 * A grant without `hooks` sees the repository (it is listed) but not its webhooks.
 */
export interface TokenGrant {
  org?: string
  repo?: string
  hooks?: Permission
  variables?: Permission
}

/**
 * `pat`: a fine-grained token (403 "Resource not accessible by personal access token" when
 * a permission is missing); `classic`: a classic token, whose owner needs admin rights on a
 * repository to see its hooks (GitHub answers 404 otherwise); `github_token`: the workflow token.
 */
export type TokenKind = 'pat' | 'classic' | 'github_token'

export interface OutageOptions {
  pathIncludes: string
  methods?: string[]
  durationMs: number
  status?: number
  drop?: boolean
}

export interface LocalApi {
  url: string
  ghesUrl: string
  certPem?: string
  now(): number
  setClockOffset(ms: number): void
  advanceClock(ms: number): void
  createApp(opts?: { id?: number; clientId?: string; slug?: string }): AppInfo
  createInstallation(appId: number, target: InstallationTarget, permissions: InstallationPermissions): { id: number }
  createToken(opts: { grants: TokenGrant[]; kind?: TokenKind }): string
  /** A repository (created private by default); changes the flags of an existing one. */
  addRepository(owner: string, name: string, opts?: RepositoryOptions): RepositoryInfo
  /** Deletes a repository with its hooks and variables, as between two runs. */
  deleteRepository(fullName: string): void
  createOrgHook(org: string, opts?: { url?: string; id?: number; active?: boolean }): OrgHookRef
  createRepoHook(repo: string, opts?: { url?: string; id?: number; active?: boolean }): RepoHookRef
  deleteHook(hook: HookRef): void
  setReceiver(hook: HookRef, model: ReceiverModel): void
  /** Listing delay for redeliveries from now on: of one hook, or the server's default. */
  setListingDelay(ms: number, hook?: HookRef): void
  addDelivery(hook: HookRef, d: DeliveryInput): DeliveryRecord
  deliveries(hook: HookRef): DeliveryRecord[]
  redeliveryRequests(hook?: HookRef): RedeliveryRequest[]
  /** Every accepted `POST …/hooks/{id}/pings`: which hook, when (server clock), and the ping delivery's guid. */
  pingRequests(hook?: HookRef): PingRequest[]
  refuseRedelivery(guid: string, status?: 400 | 404 | 422): void
  getVariable(repo: string, name: string): { value: string; updated_at: string } | undefined
  setVariable(repo: string, name: string, value: string): void
  log: RequestLogEntry[]
  clearLog(): void
  /** Forgets the writes counted by the secondary write limits, as if their window had passed. */
  resetWriteWindow(): void
  outage(opts: OutageOptions): void
  /** Ends every outage at once (the tests' way to let its time pass). */
  endOutages(): void
  stats(): LocalApiStats
  close(): Promise<void>
}
