// target-type org: an organization's webhooks, with a token of an owner or the app's installation there.

import { shardKey } from '../core/selection.js'
import { rights, type Installation } from '../github/access.js'
import type { HookRoute } from '../github/deliveries.js'
import { resolveOwnerHooks } from './owner.js'
import type { TargetKind } from './target.js'

export function orgHookRoute(org: string): HookRoute {
  return {
    list: hook => ({ path: '/orgs/{org}/hooks/{hook_id}/deliveries', params: { org, hook_id: hook.id } }),
    redeliver: (hook, id) => ({ path: '/orgs/{org}/hooks/{hook_id}/deliveries/{delivery_id}/attempts', params: { org, hook_id: hook.id, delivery_id: id } }),
    ping: hook => ({ path: '/orgs/{org}/hooks/{hook_id}/pings', params: { org, hook_id: hook.id } }),
    permission: (level, credential) =>
      credential === 'installation'
        ? `the "Webhooks" organization permission (${rights(level)}) in the app's installation on ${org}`
        : `the "Webhooks" organization permission (read and write: a run lists and redelivers) in a fine-grained token of an owner of ${org}, or a classic token's admin:org_hook scope`
  }
}

/** The app's installation on an organization (or a user: a fleet's owner). */
export function orgInstallation(org: string): Installation {
  return { name: org, route: 'GET /orgs/{org}/installation', params: { org } }
}

export const orgTarget: TargetKind<'org'> = {
  resolve: ({ org }, context) =>
    resolveOwnerHooks(
      {
        route: orgHookRoute(org),
        installation: orgInstallation(org),
        owner: { kind: 'org', name: org, listPath: '/orgs/{org}/hooks', params: { org }, webSettingsUrl: `${context.config.location.webBaseUrl}/organizations/${org}/settings/hooks` },
        shardKey: id => shardKey({ kind: 'org', org, id })
      },
      context
    )
}
