// target-type app: the one webhook of a GitHub App, reached with the app's own JSON Web Token.

import type { HookTarget } from '../core/types.js'
import { GitHubDeliveries, type HookRoute } from '../github/deliveries.js'
import type { TargetKind } from './target.js'

const appHookRoute: HookRoute = {
  list: () => ({ path: '/app/hook/deliveries', params: {} }),
  redeliver: (_hook, id) => ({ path: '/app/hook/deliveries/{delivery_id}/attempts', params: { delivery_id: id } }),
  permission: () => "the app's own JSON Web Token (app-id and private-key of the app that owns the webhook)"
}

/** Keyed by the app, so two apps can keep their bookmarks in one state without reading each other's. */
function appHook(webBaseUrl: string, appId: string): HookTarget {
  return { key: `app:${appId}`, kind: 'app', label: 'app webhook', webUrl: `${webBaseUrl}/settings/apps` }
}

export const appTarget: TargetKind<'app'> = {
  async resolve(_target, { config, credentials, clock }) {
    return {
      hooks: [appHook(config.location.webBaseUrl, config.app!.appId)],
      deliveries: new GitHubDeliveries(credentials.app(), clock, appHookRoute),
      warnings: []
    }
  }
}
