/** The credential a request was made with, to say which one GitHub refused. */
export type CredentialKind = 'token' | 'app-jwt' | 'installation'

export interface RequestContext {
  /** What was being done, e.g. `list deliveries of org hook 123`. */
  action: string
  credential: CredentialKind
  /** The permission this needs, in GitHub's words, for 403 messages. */
  permission: string
  /** Whether the token looks like an installation token (ghs_), as GITHUB_TOKEN is. */
  tokenIsInstallationToken?: boolean
}

export interface HttpErrorLike {
  status: number
  message: string
  response?: { headers?: Record<string, string | undefined>; data?: unknown }
}

export function isHttpError(error: unknown): error is HttpErrorLike {
  return typeof error === 'object' && error !== null && typeof (error as { status?: unknown }).status === 'number'
}

export function githubMessage(error: HttpErrorLike): string {
  const data = error.response?.data as { message?: unknown } | undefined
  const message = typeof data?.message === 'string' ? data.message : error.message
  return message.replace(/\s+-\s+https:\/\/docs\.github\.com\S*/, '').trim()
}

export function isRateLimit(error: HttpErrorLike): boolean {
  if (error.status === 429) return true
  if (error.status !== 403) return false
  return /rate limit/i.test(githubMessage(error)) || error.response?.headers?.['x-ratelimit-remaining'] === '0'
}

/** Turns GitHub's 401/403/404 into a sentence that says which credential or permission is missing. */
export function explainHttpError(error: HttpErrorLike, context: RequestContext): string {
  const said = githubMessage(error)
  const who = credentialName(context.credential)
  if (error.status === 401) {
    if (context.credential === 'app-jwt') {
      return `GitHub rejected the app's JSON Web Token while trying to ${context.action} (401: ${said}). Check that "app-id" is the GitHub App's ID or client ID and that "private-key" is a current private key of that same app.`
    }
    return `GitHub rejected ${who} while trying to ${context.action} (401: ${said}). Check that the secret passed as "token" is current: it may be expired, revoked or mistyped.`
  }
  if (error.status === 403) {
    if (context.credential === 'token' && context.tokenIsInstallationToken) {
      return `GitHub refused to ${context.action} (403: ${said}). The token is an installation token (ghs_): if it is the workflow's GITHUB_TOKEN, it can neither redeliver webhooks nor write Actions variables; pass a fine-grained or classic personal access token, or app-id and private-key, instead. Whatever the token, it needs ${context.permission}.`
    }
    const accepted = error.response?.headers?.['x-accepted-github-permissions']
    const hint = accepted ? ` (GitHub accepts: ${accepted})` : ''
    return `${capitalize(who)} lacks the permission to ${context.action} (403: ${said}). It needs ${context.permission}${hint}.`
  }
  if (error.status === 404) {
    return `GitHub answered 404 while trying to ${context.action}: it does not exist, or ${who} cannot see it. Check the inputs and that the credential has ${context.permission}.`
  }
  return `GitHub answered ${error.status} while trying to ${context.action}: ${said}`
}

function credentialName(kind: CredentialKind): string {
  switch (kind) {
    case 'token':
      return 'the token'
    case 'app-jwt':
      return "the app's JSON Web Token"
    case 'installation':
      return "the app's installation token"
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

export function describeError(error: unknown): string {
  if (isHttpError(error)) return `${error.status} ${githubMessage(error)}`
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message
  }
  return String(error)
}
