// Identities and what they may do: GitHub Apps (RS256 JWTs), their installations and
// installation tokens, personal access tokens and the workflow GITHUB_TOKEN.

import { generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto'
import type { InstallationPermissions, InstallationTarget, Permission, TokenGrant, TokenKind } from './types.js'

export interface App {
  id: number
  clientId: string
  slug: string
  publicKey: KeyObject
  privateKeyPem: string
  privateKeyPkcs8Pem: string
}

export interface Installation {
  id: number
  appId: number
  target: InstallationTarget
  permissions: InstallationPermissions
  createdAt: number
}

interface InstallationToken {
  installation: Installation
  permissions: InstallationPermissions
  expiresAt: number
}

interface PersonalToken {
  kind: TokenKind
  grants: TokenGrant[]
}

export type Credential =
  | { kind: 'none'; key: string }
  | { kind: 'jwt'; key: string; app: App }
  | { kind: 'installation'; key: string; installation: Installation; permissions: InstallationPermissions }
  | { kind: 'token'; key: string; token: PersonalToken }

export type AuthFailure = { status: number; message: string }

export type Resource = { kind: 'org'; org: string } | { kind: 'repo'; repo: string }

export type Refusal = { status: 403 | 404; message: string; accepted?: string }

/** GitHub's wording, matched by @octokit/auth-app to detect clock skew and retry. */
export const JWT_MESSAGES = {
  undecodable: 'A JSON web token could not be decoded',
  iat: "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued.",
  expPast: "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires.",
  expTooFar: "'Expiration time' claim ('exp') is too far in the future",
  iss: "'Issuer' claim ('iss') must be an Integer",
  integrationNotFound: 'Integration not found'
} as const

/** How far in the future `iat` may be before GitHub calls it skewed. */
const IAT_TOLERANCE_S = 5
const JWT_MAX_LIFETIME_S = 600
const INSTALLATION_TOKEN_LIFETIME_MS = 3600_000

const LEVEL: Record<Permission, number> = { read: 1, write: 2 }

function covers(have: Permission | undefined, need: Permission): boolean {
  return have !== undefined && LEVEL[have] >= LEVEL[need]
}

function ownerOf(repo: string): string {
  return repo.split('/')[0].toLowerCase()
}

/**
 * Whether an installation target (or a token grant) reaches a resource. An installation on
 * selected repositories still holds its organization permissions (org hooks).
 */
function reaches(target: { org?: string; repo?: string; repositories?: string[] }, resource: Resource): boolean {
  if (resource.kind === 'org') return target.org !== undefined && target.org.toLowerCase() === resource.org.toLowerCase()
  const wanted = resource.repo.toLowerCase()
  if (target.repo !== undefined) return target.repo.toLowerCase() === wanted
  if (target.org === undefined || target.org.toLowerCase() !== ownerOf(resource.repo)) return false
  return target.repositories === undefined || target.repositories.some(r => r.toLowerCase() === wanted)
}

/** GitHub's `repository_selection` of an installation. */
export function repositorySelection(inst: Installation): 'all' | 'selected' {
  return 'org' in inst.target && inst.target.repositories === undefined ? 'all' : 'selected'
}

/** Whether an installation can see a repository (GET /installation/repositories). */
export function installationReaches(inst: Installation, repo: string): boolean {
  return reaches(inst.target, { kind: 'repo', repo })
}

function b64urlJson(part: string): unknown {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))
}

/**
 * The key of a world's n-th app. Each app of a world has its own key, as on GitHub; worlds in one
 * process share them by position, since making a 2,048-bit RSA key costs a tenth of a second
 * (the test suite creates hundreds of worlds, most with an app).
 */
type AppKey = Pick<App, 'publicKey' | 'privateKeyPem' | 'privateKeyPkcs8Pem'>
const appKeys: AppKey[] = []
function appKey(position: number): AppKey {
  while (appKeys.length <= position) {
    // 2048 bits as GitHub issues; the PKCS#1 form is what the app settings page downloads.
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    appKeys.push({
      publicKey,
      privateKeyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
      privateKeyPkcs8Pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
    })
  }
  return appKeys[position]
}

export class Identities {
  private readonly apps = new Map<number, App>()
  private readonly installations = new Map<number, Installation>()
  private readonly installationTokens = new Map<string, InstallationToken>()
  private readonly tokens = new Map<string, PersonalToken>()
  private nextAppId = 100001
  private nextInstallationId = 50000001

  createApp(opts: { id?: number; clientId?: string; slug?: string } = {}): App {
    const id = opts.id ?? this.nextAppId++
    if (this.apps.has(id)) throw new Error(`app ${id} already exists`)
    const app: App = {
      id,
      clientId: opts.clientId ?? `Iv23li${randomBytes(7).toString('hex')}`,
      slug: opts.slug ?? `redelivery-app-${id}`,
      ...appKey(this.apps.size)
    }
    this.apps.set(id, app)
    return app
  }

  app(id: number): App | undefined {
    return this.apps.get(id)
  }

  createInstallation(appId: number, target: InstallationTarget, permissions: InstallationPermissions, now: number): Installation {
    if (!this.apps.has(appId)) throw new Error(`no app ${appId}`)
    const copy: InstallationTarget = 'org' in target && target.repositories ? { org: target.org, repositories: [...target.repositories] } : { ...target }
    const inst: Installation = { id: this.nextInstallationId++, appId, target: copy, permissions: { ...permissions }, createdAt: now }
    this.installations.set(inst.id, inst)
    return inst
  }

  installation(id: number): Installation | undefined {
    return this.installations.get(id)
  }

  /** The app's installation that reaches an org or repo (GET /orgs/{org}/installation etc.). */
  findInstallation(appId: number, resource: Resource): Installation | undefined {
    for (const inst of this.installations.values()) {
      if (inst.appId !== appId) continue
      if (resource.kind === 'org' ? 'org' in inst.target && reaches(inst.target, resource) : reaches(inst.target, resource)) return inst
    }
    return undefined
  }

  issueInstallationToken(inst: Installation, permissions: InstallationPermissions, now: number): { token: string; expiresAt: number } {
    const token = `ghs_${randomBytes(18).toString('base64url').replace(/[-_]/g, 'x')}`
    const expiresAt = now + INSTALLATION_TOKEN_LIFETIME_MS
    this.installationTokens.set(token, { installation: inst, permissions, expiresAt })
    return { token, expiresAt }
  }

  createToken(grants: TokenGrant[], kind: TokenKind): string {
    // GITHUB_TOKEN is an installation token of the Actions app, hence ghs_.
    const prefix = kind === 'github_token' ? 'ghs_' : 'ghp_'
    const token = `${prefix}${randomBytes(18).toString('base64url').replace(/[-_]/g, 'x')}`
    this.tokens.set(token, { kind, grants: grants.map(g => ({ ...g })) })
    return token
  }

  /**
   * Who is calling. `nowMs` is the server clock: JWT times and token expiry are judged by
   * GitHub's clock, not the client's.
   */
  authenticate(header: string | undefined, nowMs: number): Credential | AuthFailure {
    if (!header) return { kind: 'none', key: 'anonymous' }
    const m = /^(?:bearer|token)\s+(\S+)\s*$/i.exec(header)
    if (!m) return { status: 401, message: 'Bad credentials' }
    const value = m[1]
    if (/^[\w-]+\.[\w-]+\.[\w-]*$/.test(value) && value.startsWith('eyJ')) return this.verifyJwt(value, Math.floor(nowMs / 1000))
    const inst = this.installationTokens.get(value)
    if (inst) {
      if (inst.expiresAt <= nowMs) return { status: 401, message: 'Bad credentials' }
      return { kind: 'installation', key: `installation:${inst.installation.id}`, installation: inst.installation, permissions: inst.permissions }
    }
    const token = this.tokens.get(value)
    if (token) return { kind: 'token', key: `token:${value}`, token }
    return { status: 401, message: 'Bad credentials' }
  }

  private verifyJwt(jwt: string, nowS: number): Credential | AuthFailure {
    const undecodable = { status: 401, message: JWT_MESSAGES.undecodable }
    const [h, p, s] = jwt.split('.')
    let header: { alg?: unknown }
    let claims: { iat?: unknown; exp?: unknown; iss?: unknown }
    try {
      header = b64urlJson(h) as typeof header
      claims = b64urlJson(p) as typeof claims
    } catch {
      return undecodable
    }
    if (header.alg !== 'RS256' || typeof claims !== 'object' || claims === null) return undecodable
    const app = this.appForIssuer(claims.iss)
    if (app === 'bad-iss') return { status: 401, message: JWT_MESSAGES.iss }
    if (!app) return { status: 404, message: JWT_MESSAGES.integrationNotFound }
    const signed = verify('RSA-SHA256', Buffer.from(`${h}.${p}`), app.publicKey, Buffer.from(s, 'base64url'))
    if (!signed) return undecodable
    const { iat, exp } = claims
    // The order GitHub reports them in: a client whose clock runs ahead gets the iat message.
    if (typeof iat !== 'number' || !Number.isInteger(iat) || iat > nowS + IAT_TOLERANCE_S) return { status: 401, message: JWT_MESSAGES.iat }
    if (typeof exp !== 'number' || exp <= nowS) return { status: 401, message: JWT_MESSAGES.expPast }
    if (exp - iat > JWT_MAX_LIFETIME_S || exp - nowS > JWT_MAX_LIFETIME_S) return { status: 401, message: JWT_MESSAGES.expTooFar }
    return { kind: 'jwt', key: `app:${app.id}`, app }
  }

  private appForIssuer(iss: unknown): App | undefined | 'bad-iss' {
    if (typeof iss === 'number' && Number.isInteger(iss)) return this.apps.get(iss)
    if (typeof iss === 'string') {
      if (/^\d+$/.test(iss)) return this.apps.get(Number(iss))
      for (const app of this.apps.values()) if (app.clientId === iss) return app
      return undefined
    }
    return 'bad-iss'
  }

  /** May this credential use an org/repo route? 404 when it cannot see the resource at all. */
  authorize(cred: Credential, resource: Resource, area: 'hooks' | 'variables', need: Permission): Refusal | undefined {
    const permission = permissionFor(resource, area)
    const accepted = `${permission}=${need}`
    const integration = { status: 403 as const, message: 'Resource not accessible by integration', accepted }
    switch (cred.kind) {
      case 'none':
        // Anonymous callers cannot see hooks or variables, and GitHub does not say they exist.
        return { status: 404, message: 'Not Found' }
      case 'jwt':
        return integration
      case 'installation': {
        if (!reaches(cred.installation.target, resource)) return { status: 404, message: 'Not Found' }
        return covers(cred.permissions[permission], need) ? undefined : integration
      }
      case 'token': {
        // The workflow token has no webhook or variables permission at all.
        if (cred.token.kind === 'github_token') return integration
        const matching = cred.token.grants.filter(g => reaches(g, resource))
        if (matching.length === 0) return { status: 404, message: 'Not Found' }
        const ok = matching.some(g => covers(area === 'hooks' ? g.hooks : g.variables, need))
        if (ok) return undefined
        if (cred.token.kind === 'classic') {
          // Hooks are repository settings: GitHub hides them from users without admin rights.
          return area === 'hooks' ? { status: 404, message: 'Not Found' } : { status: 403, message: 'Must have admin rights to Repository.' }
        }
        return { status: 403, message: 'Resource not accessible by personal access token', accepted }
      }
    }
  }
}

/**
 * Whether a caller sees a repository in listings: public ones are seen by everyone; a
 * private one only through a grant or installation that reaches it (else it stays hidden).
 */
export function canSee(cred: Credential, repo: { fullName: string; private: boolean }): boolean {
  if (!repo.private) return true
  const resource: Resource = { kind: 'repo', repo: repo.fullName }
  switch (cred.kind) {
    case 'installation':
      return reaches(cred.installation.target, resource)
    case 'token':
      return cred.token.grants.some(g => reaches(g, resource))
    default:
      return false
  }
}

/** The installation permission a route needs (also what `x-accepted-github-permissions` names). */
export function permissionFor(resource: Resource, area: 'hooks' | 'variables'): keyof InstallationPermissions {
  return area === 'variables' ? 'actions_variables' : resource.kind === 'org' ? 'organization_hooks' : 'repository_hooks'
}

/** Requested permissions must be a subset of the installation's. */
export function downscope(inst: Installation, requested: unknown): InstallationPermissions | undefined {
  if (requested === undefined || requested === null) return { ...inst.permissions }
  if (typeof requested !== 'object') return undefined
  const out: InstallationPermissions = {}
  for (const [k, v] of Object.entries(requested as Record<string, unknown>)) {
    const have = inst.permissions[k as keyof InstallationPermissions]
    if ((v !== 'read' && v !== 'write') || !covers(have, v)) return undefined
    out[k as keyof InstallationPermissions] = v
  }
  return out
}
