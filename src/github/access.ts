// How a run reaches GitHub: a client and the credential behind it, made once per credential,
// and the one place GitHub's refusals (401, 403, 404) become a sentence that says what to do.

import type { AppCredentials } from '../core/config.js'
import { ACTION_NAMING, type Naming } from '../core/input-errors.js'
import { UserError } from '../engine/ports.js'
import { createClient, type ClientContext, type GitHubClient } from './client.js'
import { describeError, explainHttpError, isHttpError, isRateLimit, type CredentialKind, type HttpErrorLike } from './errors.js'

/** A client and what GitHub sees it as: what every explanation of a refusal needs. */
export interface Access {
  client: GitHubClient
  credential: CredentialKind
  /** The token is an installation token (ghs_), as the workflow's GITHUB_TOKEN is: it can do less than a person's. */
  tokenIsInstallationToken?: boolean
  /** How the front end names inputs in messages about this access (the action's words when absent). */
  naming?: Naming
}

/** What a request was for, in the user's words, and the permission it needs, in GitHub's (not a delivery's attempt: core/ledger.ts). */
export interface RequestPurpose {
  action: string
  permission: string
}

type RefusalStatus = 401 | 403 | 404
const REFUSALS: readonly RefusalStatus[] = [401, 403, 404]

/**
 * GitHub refused the credential (401), a permission (403) or showed nothing (404): the sentence
 * that names what was refused and what to do, as a UserError. A failure the client already
 * explained (a host that refuses connections, an untrusted certificate) is returned as it is, so
 * no caller wraps it. Undefined for any other failure, rate limits included, and for the statuses
 * a caller reads otherwise (`statuses` lists the rest).
 */
export function refusal(access: Access, error: unknown, purpose: RequestPurpose, statuses: readonly RefusalStatus[] = REFUSALS): UserError | undefined {
  if (error instanceof UserError) return error
  if (!isHttpError(error) || !(statuses as readonly number[]).includes(error.status) || isRateLimit(error)) return undefined
  return new UserError(explain(access, error, purpose))
}

/** GitHub's answer to a request, explained for the credential that made it. */
function explain(access: Access, error: HttpErrorLike, purpose: RequestPurpose): string {
  return explainHttpError(error, { ...purpose, credential: access.credential, tokenIsInstallationToken: access.tokenIsInstallationToken, naming: access.naming })
}

/** A permission's level in GitHub's words: what reading needs, or what writing does. */
export function rights(level: 'read' | 'write'): string {
  return level === 'read' ? 'read' : 'read and write'
}

/** Where GitHub says which installation of an app serves a place, and the place's name for messages. */
export interface Installation {
  name: string
  /** Such as `GET /orgs/{org}/installation`. */
  route: string
  params: Record<string, string>
}

const APP_JWT = "the app's own JSON Web Token"

/**
 * The credentials a run was given, each turned into an Access once: the token, the app's JSON
 * Web Token, and one installation token per installation of the app.
 */
export class Credentials {
  private tokenAccess: Access | undefined
  private appAccess: Access | undefined
  private readonly installations = new Map<number, Access>()
  private readonly places = new Map<string, Promise<Access>>()
  /** Installation tokens asked for: writes (POSTs) to GitHub that no dry run can do without, and that change nothing. */
  tokenRequests = 0

  /** The token and key given were masked by the front end as it took them in (secretInputs); what this makes is masked here. */
  constructor(
    private readonly context: ClientContext,
    private readonly given: { token?: string; app?: AppCredentials }
  ) {}

  /** How the front end names inputs in messages (the action's words when it says nothing). */
  get naming(): Naming {
    return this.context.naming ?? ACTION_NAMING
  }

  /** Whether the run authenticates as a GitHub App (else with a token). */
  get isApp(): boolean {
    return this.given.app !== undefined
  }

  /** The token, with the ghs_ check every 403 explanation needs. */
  token(): Access {
    const token = this.given.token
    if (token === undefined) throw new Error('no token was given')
    this.tokenAccess ??= { client: createClient(this.context, { token }), credential: 'token', tokenIsInstallationToken: token.startsWith('ghs_'), naming: this.naming }
    return this.tokenAccess
  }

  /** The app's own JSON Web Token: what the app's webhook and installation lookups need. */
  app(): Access {
    const app = this.given.app
    if (app === undefined) throw new Error('no app was given')
    this.appAccess ??= { client: createClient(this.context, { app }), credential: 'app-jwt', tokenIsInstallationToken: false, naming: this.naming }
    return this.appAccess
  }

  /** The credential for a place: the app's installation token there, else the token. */
  async at(place: Installation): Promise<Access> {
    return this.isApp ? this.installation(place) : this.token()
  }

  /**
   * An installation token of the app for an organization or repository, found with the app's JWT.
   * Each place is looked up once: the hooks' repository is often the state's too.
   */
  installation(place: Installation): Promise<Access> {
    const key = `${place.route} ${JSON.stringify(place.params).toLowerCase()}`
    let access = this.places.get(key)
    if (!access) this.places.set(key, (access = this.lookUp(place)))
    return access
  }

  private async lookUp(place: Installation): Promise<Access> {
    const app = this.app()
    const { name } = place
    let installationId: number
    try {
      const answer = await app.client.request(place.route, place.params)
      installationId = (answer.data as { id: number }).id
    } catch (error) {
      if (isHttpError(error) && error.status === 404) {
        throw new UserError(
          `The GitHub App given by ${this.naming.quoted('app-id')} is not installed on ${name}. Install it there (with the Webhooks and, for the state variable, Variables permissions), or pass a ${this.naming.quoted('token')} instead.`
        )
      }
      throw (
        refusal(app, error, { action: `find the app's installation on ${name}`, permission: APP_JWT }, [401, 403]) ??
        new Error(`finding the app's installation on ${name} failed: ${describeError(error, this.naming)}`, { cause: error })
      )
    }
    // The state repository is often under the same installation as the hooks: one token serves both.
    const known = this.installations.get(installationId)
    if (known) return known
    let token: string
    try {
      this.tokenRequests++
      const auth = (await app.client.auth({ type: 'installation', installationId })) as { token: string }
      token = auth.token
    } catch (error) {
      if (isHttpError(error)) throw new UserError(explain(app, error, { action: `create an installation token for ${name}`, permission: APP_JWT }))
      throw error
    }
    this.context.mask(token)
    const access: Access = { client: createClient(this.context, { token }), credential: 'installation', tokenIsInstallationToken: false, naming: this.naming }
    this.installations.set(installationId, access)
    return access
  }
}
