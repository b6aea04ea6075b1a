// The fleet: the hooks of every repository `repository` names (several entries, or patterns such
// as owner/*), each reached with its owner's credential. github/fleet.ts asks GitHub which
// repositories and hooks there are; this file names them and wires their deliveries.

import type { Config } from '../core/config.js'
import { fleetScope } from '../core/selection.js'
import { ACTION_NAMING, type Naming } from '../core/input-errors.js'
import { noun, plural } from '../core/plural.js'
import type { HookTarget } from '../core/types.js'
import type { DeliveriesPort } from '../engine/ports.js'
import { rights, type Access } from '../github/access.js'
import { GitHubDeliveries, type HookRoute } from '../github/deliveries.js'
import { findFleetHooks, type FleetHooks } from '../github/fleet.js'
import { ownerHook } from '../github/hooks.js'
import { orgInstallation } from './org.js'
import { repoHookOwner, repoHookRoute } from './repo.js'
import type { TargetKind } from './target.js'

/** The paths of one repository's hooks (HookTarget.repository names it), and the permission asked of every repository. */
const repoFleetHookRoute: HookRoute = {
  list: hook => repoHookRoute(...fleetRepository(hook)).list(hook),
  redeliver: (hook, id) => repoHookRoute(...fleetRepository(hook)).redeliver(hook, id),
  ping: hook => repoHookRoute(...fleetRepository(hook)).ping!(hook),
  permission: (level, credential, naming = ACTION_NAMING) =>
    credential === 'installation'
      ? `the "Webhooks" repository permission (${rights(level)}) in the app's installation on every repository of ${naming.quoted('repository')}`
      : `admin access to every repository of ${naming.quoted('repository')}, with a fine-grained token's "Webhooks" repository permission (${rights(level)}) or a classic token's repo scope`
}

function fleetRepository(hook: HookTarget): [owner: string, repo: string] {
  const [owner, repo] = (hook.repository ?? '').split('/')
  if (!owner || !repo) throw new Error(`${hook.label} has no repository`)
  return [owner, repo]
}

export const fleetTarget: TargetKind<'fleet'> = {
  async resolve({ repositories }, { config, credentials, clock, log }) {
    // One credential per owner: an app is installed once on each.
    const accesses = new Map<string, Promise<Access>>()
    const accessFor = (owner: string): Promise<Access> => {
      const key = owner.toLowerCase()
      let access = accesses.get(key)
      if (!access) accesses.set(key, (access = credentials.at(orgInstallation(owner))))
      return access
    }
    const scope = fleetScope(repositories, config.hooks, config.shard)
    const found = await findFleetHooks({ repositories, hooks: config.hooks, shard: config.shard }, accessFor)
    const web = config.location.webBaseUrl
    const hooks = found.hooks.map((h): HookTarget => ({
      ...ownerHook(repoHookOwner(web, ...(h.repository.split('/') as [string, string])), h.id, h.url),
      repository: h.repository,
      scope,
      ...(h.unused ? { neverDelivered: true } : {})
    }))
    const shardText = config.shard ? `, ${found.repositories} of them in shard ${config.shard.index}/${config.shard.count}` : ''
    log.info(`${plural(found.selected, 'repository', 'repositories')} selected${shardText}; ${plural(hooks.length, 'hook')} to scan.`)

    const ports = new Map<string, GitHubDeliveries>()
    for (const [owner, access] of accesses) ports.set(owner, new GitHubDeliveries(await access, clock, repoFleetHookRoute))
    const portOf = (hook: HookTarget): GitHubDeliveries => ports.get(fleetRepository(hook)[0].toLowerCase())!
    const deliveries: DeliveriesPort = {
      now: () => clock.now(),
      listDeliveries: (hook, onPage, from) => portOf(hook).listDeliveries(hook, onPage, from),
      redeliver: (hook, id) => portOf(hook).redeliver(hook, id),
      canPing: () => true,
      ping: hook => portOf(hook).ping(hook)
    }
    return {
      hooks,
      deliveries,
      fleet: { scope, complete: found.unreadable.length === 0 && found.failed.length === 0 },
      warnings: fleetWarnings(found, config, credentials.naming)
    }
  }
}

/** One warning naming every repository left out, and what the credential needs. */
function fleetWarnings(found: FleetHooks, config: Config, naming: Naming): string[] {
  const warnings: string[] = []
  const [Credential, credential] = config.app ? ["The app's installation", "the app's installation"] : ['The token', 'the token']
  if (found.unreadable.length > 0) {
    const n = found.unreadable.length
    warnings.push(
      `${Credential} cannot read the webhooks of ${plural(n, 'repository', 'repositories')} (404 or 403), skipped: ${found.unreadable.join(', ')}. ` +
        `The others were scanned. To include ${noun(n, 'it', 'them')}, ${credential} needs ${repoFleetHookRoute.permission('write', config.app ? 'installation' : 'token', naming)}.`
    )
  }
  for (const { repository, message } of found.failed) warnings.push(`Could not list the webhooks of ${repository} (${message}): skipped this run.`)
  if (found.hooks.length === 0 && found.unreadable.length === 0 && found.failed.length === 0) {
    const shard = config.shard ? `shard ${config.shard.index}/${config.shard.count}` : ''
    const selected = `${naming.quoted('repository')} selected ${plural(found.selected, 'repository', 'repositories')}`
    warnings.push(
      shard && found.repositories === 0 && found.selected > 0
        ? `No webhook matched: ${selected}, and none of them is in ${shard}. Use fewer shards than repositories, or give this shard more of them.`
        : `No webhook matched: ${selected}${shard ? `, ${found.repositories} of them in ${shard}` : ''}, ${config.hooks.length > 0 ? `and ${naming.quoted('hook-id')} matched none of their active hooks` : 'with no active hooks'}.`
    )
  }
  return warnings
}
