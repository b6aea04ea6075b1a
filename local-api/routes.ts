// The REST routes this server answers, each shaped after GitHub's OpenAPI description
// (node_modules/@octokit/openapi/generated/api.github.com.json).

import type { Credential, Identities, Installation, Resource } from './auth.js'
import { canSee, downscope, installationReaches, repositorySelection } from './auth.js'
import type { Account, Directory, Hook, HookRegistry, Repository, VariableStore } from './model.js'
import { VARIABLE_VALUE_MAX_BYTES, variableJson, variableNameProblem } from './model.js'
import type { DeliveryRecord, HookRef, Permission } from './types.js'
import { isoSeconds, RawInt } from './util.js'

export const DOCS = 'https://docs.github.com/rest'
const DAY_MS = 86400_000

/** What the routes need from the server. */
export interface World {
  hooks: HookRegistry
  identities: Identities
  directory: Directory
  variables: VariableStore
  refusals: Map<string, 400 | 404 | 422>
  /** Records a ping the hook was sent; returns the ping delivery's guid. */
  recordPing(hook: Hook): string
  receiverDelayMs: number
  listingDelayMs: number
  now(): number
}

export interface Ctx {
  world: World
  params: Record<string, string>
  query: URLSearchParams
  body: unknown
  cred: Credential
  ghes: boolean
  /** Absolute API base the client used (with /api/v3 on GHES), for links and `url` fields. */
  base: string
  /** Route path without prefix or query, for Link headers. */
  route: string
  /** Filled by the redelivery routes so the server can log the request. */
  redelivery?: { hook: HookRef; deliveryId: string; guid: string; accepted: boolean }
}

export interface Reply {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

export interface RouteDef {
  method: string
  pattern: RegExp
  /**
   * 'jwt': /app routes and installation lookups; 'installation': an installation token only;
   * 'anyone': every caller, anonymous too (the handler shows what the caller may see);
   * otherwise the resource and permission needed.
   */
  auth: 'jwt' | 'installation' | 'anyone' | { resource: (p: Record<string, string>) => Resource; area: 'hooks' | 'variables'; need: Permission }
  /** Marks POST .../attempts so every such request is recorded. */
  redelivery?: (ctx: Ctx) => { hook: HookRef; deliveryId: string } | undefined
  handler: (ctx: Ctx) => Reply
}

export function error(status: number, message: string, docs = DOCS, extra: Record<string, unknown> = {}): Reply {
  return { status, body: { message, documentation_url: docs, status: String(status), ...extra } }
}

export const notFound = (): Reply => error(404, 'Not Found')

function validationFailed(message: string, field: string, docs = DOCS): Reply {
  return error(422, 'Validation Failed', docs, { errors: [{ resource: 'Variable', code: 'custom', field, message }] })
}

// ---------- serialization ----------

function deliveryItem(d: DeliveryRecord): Record<string, unknown> {
  return {
    id: new RawInt(d.id),
    guid: d.guid,
    delivered_at: isoSeconds(d.deliveredAt),
    redelivery: d.redelivery,
    duration: d.durationMs / 1000,
    status: d.status,
    status_code: d.statusCode,
    event: d.event,
    action: d.action,
    installation_id: d.installationId,
    repository_id: d.repositoryId,
    throttled_at: null
  }
}

function deliveryFull(d: DeliveryRecord, hook: Hook): Record<string, unknown> {
  return {
    ...deliveryItem(d),
    url: hook.url,
    request: {
      headers: {
        Accept: '*/*',
        'Content-Type': 'application/json',
        'User-Agent': 'GitHub-Hookshot/local',
        'X-GitHub-Delivery': d.guid,
        'X-GitHub-Event': d.event,
        'X-GitHub-Hook-ID': String(hook.id),
        'X-GitHub-Hook-Installation-Target-Type': hook.ref.kind === 'app' ? 'integration' : hook.ref.kind === 'org' ? 'organization' : 'repository'
      },
      payload: { action: d.action ?? undefined, installation: d.installationId === null ? undefined : { id: d.installationId } }
    },
    response: {
      headers: d.statusCode ? { 'Content-Type': 'text/plain' } : null,
      payload: d.statusCode ? (d.ok ? 'ok' : `receiver answered ${d.statusCode}`) : null
    }
  }
}

const LAST_RESPONSE_DAYS = 30

/**
 * A repository hook's `last_response`: `unused` before its first delivery; null fields when
 * nothing was delivered in the last 30 days (as the docs warn); else the newest attempt's
 * answer, in the shapes seen from GitHub ("active"/"OK", or the status text of a failure).
 */
function lastResponse(hook: Hook, now: number): Record<string, unknown> {
  const newest = hook.store.newestCompleted(now)
  if (!newest) return { code: null, status: 'unused', message: null }
  if (newest.completedAt < now - LAST_RESPONSE_DAYS * DAY_MS) return { code: null, status: null, message: null }
  if (newest.ok) return { code: newest.statusCode, status: 'active', message: 'OK' }
  return { code: newest.statusCode || null, status: null, message: newest.status }
}

function hookJson(hook: Hook, base: string, now: number): Record<string, unknown> {
  const common = {
    id: hook.id,
    name: 'web',
    active: hook.active,
    events: hook.events,
    config: { url: hook.url, content_type: 'json', insecure_ssl: '0', secret: '********' },
    updated_at: isoSeconds(hook.createdAt),
    created_at: isoSeconds(hook.createdAt)
  }
  if (hook.ref.kind === 'org') {
    const self = `${base}/orgs/${hook.ref.org}/hooks/${hook.id}`
    return { type: 'Organization', ...common, url: self, ping_url: `${self}/pings`, deliveries_url: `${self}/deliveries` }
  }
  const self = `${base}/repos/${(hook.ref as { repo: string }).repo}/hooks/${hook.id}`
  return {
    type: 'Repository',
    ...common,
    url: self,
    test_url: `${self}/test`,
    ping_url: `${self}/pings`,
    deliveries_url: `${self}/deliveries`,
    last_response: lastResponse(hook, now)
  }
}

function simpleUser(login: string, id: number, type: 'Organization' | 'User', base: string): Record<string, unknown> {
  const api = `${base}/users/${login}`
  return {
    login,
    id,
    node_id: Buffer.from(`04:${type}${id}`).toString('base64'),
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: '',
    url: api,
    html_url: `https://github.com/${login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type,
    site_admin: false
  }
}

function installationJson(inst: Installation, world: World, base: string): Record<string, unknown> {
  const app = world.identities.app(inst.appId)!
  const login = 'org' in inst.target ? inst.target.org : inst.target.repo.split('/')[0]
  const account = world.directory.org(login)
  return {
    id: inst.id,
    account: simpleUser(account.login, account.id, 'Organization', base),
    repository_selection: repositorySelection(inst),
    access_tokens_url: `${base}/app/installations/${inst.id}/access_tokens`,
    repositories_url: `${base}/installation/repositories`,
    html_url: `https://github.com/organizations/${account.login}/settings/installations/${inst.id}`,
    app_id: app.id,
    client_id: app.clientId,
    app_slug: app.slug,
    target_id: account.id,
    target_type: 'Organization',
    permissions: { metadata: 'read', ...inst.permissions },
    events: ['push', 'pull_request', 'issues', 'check_run', 'workflow_run'],
    created_at: isoSeconds(inst.createdAt),
    updated_at: isoSeconds(inst.createdAt),
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: null
  }
}

// ---------- pagination ----------

function intParam(q: URLSearchParams, name: string, dflt: number, max: number): number {
  const raw = q.get(name)
  const n = raw === null ? NaN : Number(raw)
  if (!Number.isInteger(n) || n < 1) return dflt
  return Math.min(n, max)
}

/** page/per_page pagination with GitHub's Link relations; links keep the other query parameters. */
function paged<T>(ctx: Ctx, all: T[], dfltPerPage: number, maxPerPage: number): { items: T[]; headers: Record<string, string> } {
  const perPage = intParam(ctx.query, 'per_page', dfltPerPage, maxPerPage)
  const page = intParam(ctx.query, 'page', 1, Number.MAX_SAFE_INTEGER)
  const last = Math.max(1, Math.ceil(all.length / perPage))
  const kept = new URLSearchParams([...ctx.query].filter(([k]) => k !== 'page' && k !== 'per_page'))
  const rest = kept.toString() ? `&${kept.toString()}` : ''
  const link = (p: number, rel: string) => `<${ctx.base}${ctx.route}?per_page=${perPage}${rest}&page=${p}>; rel="${rel}"`
  const rels: string[] = []
  if (page > 1) rels.push(link(page - 1, 'prev'), link(1, 'first'))
  if (page < last) rels.push(link(page + 1, 'next'), link(last, 'last'))
  return { items: all.slice((page - 1) * perPage, page * perPage), headers: rels.length ? { link: rels.join(', ') } : {} }
}

// ---------- hooks and deliveries ----------

function hookFromParams(ctx: Ctx): Hook | undefined {
  const { params, world, cred } = ctx
  if (params.org !== undefined) return world.hooks.get({ kind: 'org', org: params.org, id: Number(params.hook_id) })
  if (params.owner !== undefined) return world.hooks.get({ kind: 'repo', repo: `${params.owner}/${params.repo}`, id: Number(params.hook_id) })
  return cred.kind === 'jwt' ? world.hooks.get({ kind: 'app', appId: cred.app.id }) : undefined
}

function deliveryDocs(ctx: Ctx, what: 'list' | 'get' | 'redeliver'): string {
  const area = ctx.params.org !== undefined ? 'orgs/webhooks' : ctx.params.owner !== undefined ? 'webhooks/repo-deliveries' : 'apps/webhooks'
  const anchor = { list: 'list-deliveries-for-a-webhook', get: 'get-a-delivery-for-a-webhook', redeliver: 'redeliver-a-delivery-for-a-webhook' }[what]
  return `${DOCS}/${area}#${anchor}`
}

function listDeliveries(ctx: Ctx): Reply {
  const hook = hookFromParams(ctx)
  if (!hook) return notFound()
  hook.store.flush(ctx.world.now())
  const perPage = intParam(ctx.query, 'per_page', 30, 100)
  const status = ctx.query.get('status')
  if (status !== null && status !== 'success' && status !== 'failure') {
    return error(422, 'Validation Failed', deliveryDocs(ctx, 'list'), { errors: [{ resource: 'HookDelivery', field: 'status', code: 'invalid' }] })
  }
  // GitHub's filter classifies by status_code range, so connection failures (code 0) are in neither.
  const filter =
    status === 'success' ? (d: DeliveryRecord) => d.statusCode >= 200 && d.statusCode <= 399 : status === 'failure' ? (d: DeliveryRecord) => d.statusCode >= 400 && d.statusCode <= 599 : undefined
  const page = hook.store.page(ctx.query.get('cursor') ?? undefined, perPage, filter)
  if (!page) return error(400, 'Invalid cursor', deliveryDocs(ctx, 'list'))
  const headers: Record<string, string> = {}
  if (page.next) {
    const statusParam = status ? `&status=${status}` : ''
    headers.link = `<${ctx.base}${ctx.route}?per_page=${perPage}${statusParam}&cursor=${page.next}>; rel="next"`
  }
  return { status: 200, body: page.items.map(deliveryItem), headers }
}

function getDelivery(ctx: Ctx): Reply {
  const hook = hookFromParams(ctx)
  if (!hook) return notFound()
  hook.store.flush(ctx.world.now())
  const d = /^\d+$/.test(ctx.params.delivery_id) ? hook.store.get(ctx.params.delivery_id) : undefined
  return d ? { status: 200, body: deliveryFull(d, hook) } : notFound()
}

function redeliver(ctx: Ctx): Reply {
  const { world } = ctx
  const hook = hookFromParams(ctx)
  if (!hook) return notFound()
  const now = world.now()
  hook.store.flush(now)
  const d = /^\d+$/.test(ctx.params.delivery_id) ? hook.store.get(ctx.params.delivery_id) : undefined
  if (!d) return notFound()
  const note = (accepted: boolean) => (ctx.redelivery = { hook: hook.ref, deliveryId: d.id, guid: d.guid, accepted })
  const refusal = world.refusals.get(d.guid)
  if (refusal !== undefined) {
    note(false)
    if (refusal === 404) return notFound()
    if (refusal === 400) return error(400, 'Bad request', deliveryDocs(ctx, 'redeliver'))
    return error(422, 'Validation Failed', deliveryDocs(ctx, 'redeliver'), {
      errors: [{ resource: 'HookDelivery', code: 'custom', message: 'This delivery cannot be redelivered.' }]
    })
  }
  // GitHub keeps deliveries redeliverable for 3 days (7 on Enterprise Server).
  const days = ctx.ghes ? 7 : 3
  if (d.deliveredAt < now - days * DAY_MS) {
    note(false)
    return error(422, 'Validation Failed', deliveryDocs(ctx, 'redeliver'), {
      errors: [{ resource: 'HookDelivery', code: 'custom', field: 'delivered_at', message: `Deliveries older than ${days} days cannot be redelivered.` }]
    })
  }
  world.hooks.redeliver(hook, d, now, world.receiverDelayMs, world.listingDelayMs)
  note(true)
  return { status: 202, body: {} }
}

/** `POST …/hooks/{hook_id}/pings`: GitHub sends the hook a `ping` event, listed like any delivery; 204. */
function ping(ctx: Ctx): Reply {
  const { world } = ctx
  const hook = hookFromParams(ctx)
  if (!hook) return notFound()
  const now = world.now()
  hook.store.flush(now)
  world.hooks.ping(hook, now, world.receiverDelayMs, world.listingDelayMs, world.recordPing(hook))
  return { status: 204 }
}

function redeliveryTarget(ctx: Ctx): { hook: HookRef; deliveryId: string } | undefined {
  const hook = hookFromParams(ctx)
  return hook ? { hook: hook.ref, deliveryId: ctx.params.delivery_id } : undefined
}

function listHooks(ctx: Ctx): Reply {
  const hooks = ctx.params.org !== undefined ? ctx.world.hooks.list('org', ctx.params.org) : ctx.world.hooks.list('repo', `${ctx.params.owner}/${ctx.params.repo}`)
  const { items, headers } = paged(ctx, hooks, 30, 100)
  const now = ctx.world.now()
  return { status: 200, body: items.map(h => hookJson(h, ctx.base, now)), headers }
}

function getHook(ctx: Ctx): Reply {
  const hook = hookFromParams(ctx)
  return hook ? { status: 200, body: hookJson(hook, ctx.base, ctx.world.now()) } : notFound()
}

// ---------- installations ----------

function appOf(ctx: Ctx) {
  if (ctx.cred.kind !== 'jwt') throw new Error('jwt route without jwt')
  return ctx.cred.app
}

function getOrgInstallation(ctx: Ctx): Reply {
  const inst = ctx.world.identities.findInstallation(appOf(ctx).id, { kind: 'org', org: ctx.params.org })
  return inst ? { status: 200, body: installationJson(inst, ctx.world, ctx.base) } : notFound()
}

function getRepoInstallation(ctx: Ctx): Reply {
  const inst = ctx.world.identities.findInstallation(appOf(ctx).id, { kind: 'repo', repo: `${ctx.params.owner}/${ctx.params.repo}` })
  return inst ? { status: 200, body: installationJson(inst, ctx.world, ctx.base) } : notFound()
}

function installationOfApp(ctx: Ctx): Installation | undefined {
  const inst = ctx.world.identities.installation(Number(ctx.params.installation_id))
  return inst && inst.appId === appOf(ctx).id ? inst : undefined
}

function getInstallation(ctx: Ctx): Reply {
  const inst = installationOfApp(ctx)
  return inst ? { status: 200, body: installationJson(inst, ctx.world, ctx.base) } : notFound()
}

function createAccessToken(ctx: Ctx): Reply {
  const inst = installationOfApp(ctx)
  if (!inst) return notFound()
  const requested = ctx.body && typeof ctx.body === 'object' ? (ctx.body as { permissions?: unknown }).permissions : undefined
  const permissions = downscope(inst, requested)
  if (!permissions) return error(422, 'The permissions requested are not granted to this installation.', `${DOCS}/apps/apps#create-an-installation-access-token-for-an-app`)
  const { token, expiresAt } = ctx.world.identities.issueInstallationToken(inst, permissions, ctx.world.now())
  return {
    status: 201,
    body: { token, expires_at: isoSeconds(expiresAt), permissions, repository_selection: repositorySelection(inst) }
  }
}

// ---------- repositories ----------

/** The full `repository` shape; list endpoints documented as `minimal-repository` take it too. */
function repositoryJson(repo: Repository, owner: Account, base: string): Record<string, unknown> {
  const api = `${base}/repos/${repo.fullName}`
  const html = `https://github.com/${repo.fullName}`
  const at = isoSeconds(repo.createdAt)
  return {
    id: repo.id,
    node_id: Buffer.from(`010:Repository${repo.id}`).toString('base64'),
    name: repo.name,
    full_name: repo.fullName,
    private: repo.private,
    owner: simpleUser(owner.login, owner.id, owner.type, base),
    html_url: html,
    description: null,
    fork: repo.fork,
    url: api,
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`,
    contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_url: `git://github.com/${repo.fullName}.git`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    issues_url: `${api}/issues{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    pulls_url: `${api}/pulls{/number}`,
    releases_url: `${api}/releases{/id}`,
    ssh_url: `git@github.com:${repo.fullName}.git`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`,
    clone_url: `${html}.git`,
    mirror_url: null,
    hooks_url: `${api}/hooks`,
    svn_url: html,
    homepage: null,
    language: null,
    forks_count: 0,
    forks: 0,
    stargazers_count: 0,
    watchers_count: 0,
    watchers: 0,
    size: 0,
    default_branch: 'main',
    open_issues_count: 0,
    open_issues: 0,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: true,
    has_wiki: true,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: repo.archived,
    disabled: false,
    visibility: repo.private ? 'private' : 'public',
    license: null,
    pushed_at: at,
    created_at: at,
    updated_at: at
  }
}

const ORG_REPO_TYPES = ['all', 'public', 'private', 'forks', 'sources', 'member']
const USER_REPO_TYPES = ['all', 'owner', 'member']

/** GitHub's `sort`/`direction`: creation time (here: id order) newest first, or full_name A-Z. */
function sortRepos(ctx: Ctx, repos: Repository[], dfltSort: 'created' | 'full_name', docs: string): Repository[] | Reply {
  const sort = ctx.query.get('sort') ?? dfltSort
  if (!['created', 'updated', 'pushed', 'full_name'].includes(sort)) return invalidParam('sort', docs)
  const direction = ctx.query.get('direction') ?? (sort === 'full_name' ? 'asc' : 'desc')
  if (direction !== 'asc' && direction !== 'desc') return invalidParam('direction', docs)
  const byName = (a: Repository, b: Repository) => (a.fullName.toLowerCase() < b.fullName.toLowerCase() ? -1 : 1)
  const sorted = repos.slice().sort(sort === 'full_name' ? byName : (a, b) => a.id - b.id)
  return direction === 'desc' ? sorted.reverse() : sorted
}

function invalidParam(field: string, docs: string): Reply {
  return error(422, 'Validation Failed', docs, { errors: [{ resource: 'Repository', field, code: 'invalid' }] })
}

function repoList(ctx: Ctx, owner: Account, repos: Repository[], dfltSort: 'created' | 'full_name', docs: string): Reply {
  const visible = repos.filter(r => canSee(ctx.cred, r))
  const sorted = sortRepos(ctx, visible, dfltSort, docs)
  if (!Array.isArray(sorted)) return sorted
  const { items, headers } = paged(ctx, sorted, 30, 100)
  return { status: 200, body: items.map(r => repositoryJson(r, owner, ctx.base)), headers }
}

/** GET /orgs/{org}/repos: private repositories only to callers that can see them. */
function listOrgRepos(ctx: Ctx): Reply {
  const docs = `${DOCS}/repos/repos#list-organization-repositories`
  const org = ctx.world.directory.findAccount(ctx.params.org)
  if (!org || org.type !== 'Organization') return notFound()
  const type = ctx.query.get('type') ?? 'all'
  if (!ORG_REPO_TYPES.includes(type)) return invalidParam('type', docs)
  const keep = (r: Repository) => (type === 'public' ? !r.private : type === 'private' ? r.private : type === 'forks' ? r.fork : type === 'sources' ? !r.fork : true)
  return repoList(ctx, org, ctx.world.directory.reposOf(org.login).filter(keep), 'created', docs)
}

/** GET /users/{username}/repos: public repositories only, as documented (orgs answer too). */
function listUserRepos(ctx: Ctx): Reply {
  const docs = `${DOCS}/repos/repos#list-repositories-for-a-user`
  const account = ctx.world.directory.findAccount(ctx.params.username)
  if (!account) return notFound()
  const type = ctx.query.get('type') ?? 'owner'
  if (!USER_REPO_TYPES.includes(type)) return invalidParam('type', docs)
  // No collaborators in this model: `member` repositories are none.
  const repos = type === 'member' ? [] : ctx.world.directory.reposOf(account.login).filter(r => !r.private)
  return repoList(ctx, account, repos, 'full_name', docs)
}

/** GET /installation/repositories: what the installation was given, archived ones included. */
function listInstallationRepos(ctx: Ctx): Reply {
  if (ctx.cred.kind !== 'installation') throw new Error('installation route without an installation token')
  const inst = ctx.cred.installation
  const login = 'org' in inst.target ? inst.target.org : inst.target.repo.split('/')[0]
  const owner = ctx.world.directory.findAccount(login)
  const repos = owner ? ctx.world.directory.reposOf(owner.login).filter(r => installationReaches(inst, r.fullName)) : []
  const { items, headers } = paged(ctx, repos, 30, 100)
  return {
    status: 200,
    body: { total_count: repos.length, repositories: items.map(r => repositoryJson(r, owner!, ctx.base)), repository_selection: repositorySelection(inst) },
    headers
  }
}

// ---------- variables ----------

const VARIABLES_DOCS = `${DOCS}/actions/variables`

function repoOf(ctx: Ctx): string {
  return `${ctx.params.owner}/${ctx.params.repo}`
}

function valueProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'value is required and must be a string'
  if (Buffer.byteLength(value, 'utf8') > VARIABLE_VALUE_MAX_BYTES) return `Variable value exceeds the maximum size of ${VARIABLE_VALUE_MAX_BYTES / 1024} KB.`
  return undefined
}

function bodyObject(ctx: Ctx): Record<string, unknown> {
  return ctx.body && typeof ctx.body === 'object' && !Array.isArray(ctx.body) ? (ctx.body as Record<string, unknown>) : {}
}

function listVariables(ctx: Ctx): Reply {
  const all = ctx.world.variables.list(repoOf(ctx))
  const { items, headers } = paged(ctx, all, 10, 30)
  return { status: 200, body: { total_count: all.length, variables: items.map(variableJson) }, headers }
}

function getVariable(ctx: Ctx): Reply {
  const v = ctx.world.variables.get(repoOf(ctx), ctx.params.name)
  return v ? { status: 200, body: variableJson(v) } : error(404, 'Not Found', `${VARIABLES_DOCS}#get-a-repository-variable`)
}

function createVariable(ctx: Ctx): Reply {
  const { name, value } = bodyObject(ctx)
  const docs = `${VARIABLES_DOCS}#create-a-repository-variable`
  const nameProblem = variableNameProblem(name)
  if (nameProblem) return validationFailed(nameProblem, 'name', docs)
  const vp = valueProblem(value)
  if (vp) return validationFailed(vp, 'value', docs)
  if (ctx.world.variables.get(repoOf(ctx), name as string)) return error(409, 'Already exists - Variable already exists', docs)
  ctx.world.variables.set(repoOf(ctx), name as string, value as string, ctx.world.now())
  return { status: 201, body: {} }
}

function updateVariable(ctx: Ctx): Reply {
  const docs = `${VARIABLES_DOCS}#update-a-repository-variable`
  const repo = repoOf(ctx)
  if (!ctx.world.variables.get(repo, ctx.params.name)) return error(404, 'Not Found', docs)
  const { name, value } = bodyObject(ctx)
  if (value !== undefined) {
    const vp = valueProblem(value)
    if (vp) return validationFailed(vp, 'value', docs)
  }
  if (name !== undefined && (typeof name === 'string' ? name : JSON.stringify(name)).toUpperCase() !== ctx.params.name.toUpperCase()) {
    const nameProblem = variableNameProblem(name)
    if (nameProblem) return validationFailed(nameProblem, 'name', docs)
    if (ctx.world.variables.get(repo, name as string)) return error(409, 'Already exists - Variable already exists', docs)
  }
  const now = ctx.world.now()
  if (value !== undefined) ctx.world.variables.set(repo, ctx.params.name, value as string, now)
  if (name !== undefined) ctx.world.variables.rename(repo, ctx.params.name, name as string, now)
  return { status: 204 }
}

function deleteVariable(ctx: Ctx): Reply {
  return ctx.world.variables.delete(repoOf(ctx), ctx.params.name) ? { status: 204 } : error(404, 'Not Found', `${VARIABLES_DOCS}#delete-a-repository-variable`)
}

// ---------- table ----------

const SEG = '([^/]+)'
const ORG_HOOK = `/orgs/${SEG}/hooks/(\\d+)`
const REPO = `/repos/${SEG}/${SEG}`
const REPO_HOOK = `${REPO}/hooks/(\\d+)`

function route(method: string, path: string, names: string[], auth: RouteDef['auth'], handler: RouteDef['handler'], extra: Partial<RouteDef> = {}): RouteDef & { names: string[] } {
  return { method, pattern: new RegExp(`^${path}$`), names, auth, handler, ...extra }
}

const orgHooks = (need: Permission) => ({ resource: (p: Record<string, string>): Resource => ({ kind: 'org', org: p.org }), area: 'hooks' as const, need })
const repoHooks = (need: Permission) => ({ resource: (p: Record<string, string>): Resource => ({ kind: 'repo', repo: `${p.owner}/${p.repo}` }), area: 'hooks' as const, need })
const repoVars = (need: Permission) => ({ resource: (p: Record<string, string>): Resource => ({ kind: 'repo', repo: `${p.owner}/${p.repo}` }), area: 'variables' as const, need })

export const ROUTES = [
  route('GET', '/app/hook/deliveries', [], 'jwt', listDeliveries),
  route('GET', '/app/hook/deliveries/([^/]+)', ['delivery_id'], 'jwt', getDelivery),
  route('POST', '/app/hook/deliveries/([^/]+)/attempts', ['delivery_id'], 'jwt', redeliver, { redelivery: redeliveryTarget }),
  route('GET', '/app/installations/(\\d+)', ['installation_id'], 'jwt', getInstallation),
  route('POST', '/app/installations/(\\d+)/access_tokens', ['installation_id'], 'jwt', createAccessToken),
  route('GET', `/orgs/${SEG}/installation`, ['org'], 'jwt', getOrgInstallation),
  route('GET', `${REPO}/installation`, ['owner', 'repo'], 'jwt', getRepoInstallation),

  route('GET', '/installation/repositories', [], 'installation', listInstallationRepos),
  route('GET', `/orgs/${SEG}/repos`, ['org'], 'anyone', listOrgRepos),
  route('GET', `/users/${SEG}/repos`, ['username'], 'anyone', listUserRepos),

  route('GET', `/orgs/${SEG}/hooks`, ['org'], orgHooks('read'), listHooks),
  route('GET', ORG_HOOK, ['org', 'hook_id'], orgHooks('read'), getHook),
  route('GET', `${ORG_HOOK}/deliveries`, ['org', 'hook_id'], orgHooks('read'), listDeliveries),
  route('GET', `${ORG_HOOK}/deliveries/([^/]+)`, ['org', 'hook_id', 'delivery_id'], orgHooks('read'), getDelivery),
  route('POST', `${ORG_HOOK}/deliveries/([^/]+)/attempts`, ['org', 'hook_id', 'delivery_id'], orgHooks('write'), redeliver, { redelivery: redeliveryTarget }),
  route('POST', `${ORG_HOOK}/pings`, ['org', 'hook_id'], orgHooks('write'), ping),

  route('GET', `${REPO}/hooks`, ['owner', 'repo'], repoHooks('read'), listHooks),
  route('GET', REPO_HOOK, ['owner', 'repo', 'hook_id'], repoHooks('read'), getHook),
  route('GET', `${REPO_HOOK}/deliveries`, ['owner', 'repo', 'hook_id'], repoHooks('read'), listDeliveries),
  route('GET', `${REPO_HOOK}/deliveries/([^/]+)`, ['owner', 'repo', 'hook_id', 'delivery_id'], repoHooks('read'), getDelivery),
  route('POST', `${REPO_HOOK}/deliveries/([^/]+)/attempts`, ['owner', 'repo', 'hook_id', 'delivery_id'], repoHooks('write'), redeliver, { redelivery: redeliveryTarget }),
  route('POST', `${REPO_HOOK}/pings`, ['owner', 'repo', 'hook_id'], repoHooks('write'), ping),

  route('GET', `${REPO}/actions/variables`, ['owner', 'repo'], repoVars('read'), listVariables),
  route('POST', `${REPO}/actions/variables`, ['owner', 'repo'], repoVars('write'), createVariable),
  route('GET', `${REPO}/actions/variables/${SEG}`, ['owner', 'repo', 'name'], repoVars('read'), getVariable),
  route('PATCH', `${REPO}/actions/variables/${SEG}`, ['owner', 'repo', 'name'], repoVars('write'), updateVariable),
  route('DELETE', `${REPO}/actions/variables/${SEG}`, ['owner', 'repo', 'name'], repoVars('write'), deleteVariable)
]

/** Finds the route for a method and path; `pathMatched` tells 404 from a wrong method. */
export function matchRoute(method: string, path: string): { def: RouteDef; params: Record<string, string> } | undefined {
  for (const def of ROUTES) {
    if (def.method !== method) continue
    const m = def.pattern.exec(path)
    if (!m) continue
    const params: Record<string, string> = {}
    def.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1])))
    return { def, params }
  }
  return undefined
}
