// target-type repo: one repository's webhooks, with a token of an admin or the app's installation there.

import { shardKey } from '../core/selection.js'
import { rights, type Installation } from '../github/access.js'
import type { HookRoute } from '../github/deliveries.js'
import type { HookOwner } from '../github/hooks.js'
import { resolveOwnerHooks } from './owner.js'
import type { TargetKind } from './target.js'

export function repoHookRoute(owner: string, repo: string): HookRoute {
  return {
    list: hook => ({ path: '/repos/{owner}/{repo}/hooks/{hook_id}/deliveries', params: { owner, repo, hook_id: hook.id } }),
    redeliver: (hook, id) => ({
      path: '/repos/{owner}/{repo}/hooks/{hook_id}/deliveries/{delivery_id}/attempts',
      params: { owner, repo, hook_id: hook.id, delivery_id: id }
    }),
    ping: hook => ({ path: '/repos/{owner}/{repo}/hooks/{hook_id}/pings', params: { owner, repo, hook_id: hook.id } }),
    permission: (level, credential) =>
      credential === 'installation'
        ? `the "Webhooks" repository permission (${rights(level)}) in the app's installation on ${owner}/${repo}`
        : `admin access to ${owner}/${repo} with a fine-grained token's "Webhooks" repository permission (${rights(level)}) or a classic token's repo scope`
  }
}

/** The app's installation on a repository (the state variable's repository, too). */
export function repoInstallation(owner: string, repo: string): Installation {
  return { name: `${owner}/${repo}`, route: 'GET /repos/{owner}/{repo}/installation', params: { owner, repo } }
}

/** A repository as the owner of hooks: where they are listed, and their pages on GitHub. */
export function repoHookOwner(webBaseUrl: string, owner: string, repo: string): Omit<HookOwner, 'permission'> {
  return { kind: 'repo', name: `${owner}/${repo}`, listPath: '/repos/{owner}/{repo}/hooks', params: { owner, repo }, webSettingsUrl: `${webBaseUrl}/${owner}/${repo}/settings/hooks` }
}

export const repoTarget: TargetKind<'repo'> = {
  resolve: ({ owner, repo }, context) =>
    resolveOwnerHooks(
      {
        route: repoHookRoute(owner, repo),
        installation: repoInstallation(owner, repo),
        owner: repoHookOwner(context.config.location.webBaseUrl, owner, repo),
        shardKey: id => shardKey({ kind: 'repo', repo: `${owner}/${repo}`, id })
      },
      context
    )
}
