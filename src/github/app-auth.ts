/**
 * Octokit's auth strategy for a GitHub App: JSON Web Tokens signed with GitHub's clock and
 * masked before use, installation tokens made from them. Loaded (a chunk of its own) by the
 * first request of an app's client: a run with a token never evaluates @octokit/auth-app, its
 * OAuth packages or the JWT signer.
 */
import { createAppAuth } from '@octokit/auth-app'
import githubAppJwt from 'universal-github-app-jwt'
import type { AppCredentials } from '../core/config.js'
import type { GitHubClock } from './clock.js'

export interface AppAuthContext {
  clock: GitHubClock
  /** Registers a secret with the runner before anything could print it. */
  mask(secret: string): void
}

/** `createAppAuth` for the app, given Octokit's own strategy options (its request and log). */
export function appAuth(octokitOptions: object, app: AppCredentials, context: AppAuthContext): ReturnType<typeof createAppAuth> {
  return createAppAuth({
    ...octokitOptions,
    appId: /^\d+$/.test(app.appId) ? Number(app.appId) : app.appId,
    // Sign with GitHub's clock, not the runner's, and mask every JWT before it is used.
    createJwt: async (appId: string | number, timeDifference?: number) => {
      const now = context.clock.known ? Math.floor(context.clock.now() / 1000) : Math.floor(Date.now() / 1000) + (timeDifference ?? 0)
      const jwt = await githubAppJwt({ id: appId, privateKey: app.privateKey, now })
      context.mask(jwt.token)
      return { jwt: jwt.token, expiresAt: new Date(jwt.expiration * 1000).toISOString() }
    }
  })
}
