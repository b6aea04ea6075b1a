// What an organization's and a repository's hooks have in common: listed from the owner,
// selected by `hook-id`, kept by `shard`, reached with the owner's credential.

import { inShard } from '../core/selection.js'
import type { Installation } from '../github/access.js'
import { GitHubDeliveries, type HookRoute } from '../github/deliveries.js'
import { HookDirectory, resolveHooks, type HookOwner } from '../github/hooks.js'
import type { ResolvedTarget, TargetContext } from './target.js'

interface OwnerTarget {
  route: HookRoute
  /** Where an app's installation on the owner is looked up. */
  installation: Installation
  owner: Omit<HookOwner, 'permission'>
  /** A hook's identity for sharding (core/selection.ts shardKey). */
  shardKey(hookId: string): string
}

export async function resolveOwnerHooks(target: OwnerTarget, { config, credentials, clock }: TargetContext): Promise<ResolvedTarget> {
  const access = await credentials.at(target.installation)
  const directory = new HookDirectory(access, { ...target.owner, permission: target.route.permission('read', access.credential) })
  const resolved = await resolveHooks(directory, config.hooks)
  return {
    hooks: resolved.hooks.filter(hook => inShard(config.shard, target.shardKey(hook.id!))),
    deliveries: new GitHubDeliveries(access, clock, target.route, directory),
    unmatched: resolved.unmatched,
    warnings: []
  }
}
