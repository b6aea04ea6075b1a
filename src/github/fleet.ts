// The GitHub side of a fleet target: which repositories `repository` names (listing an
// owner's repositories for its patterns) and `shard` keeps, and their hooks `hook-id` selects.
// What to select is decided by core/selection.ts; this file only asks GitHub.

import { inShard, ownersToList, selectHooks, repositoryShardKey, selectRepositories, type HookPattern, type ListedRepository, type RepositoryPattern, type Shard } from '../core/selection.js'
import { mapConcurrent } from '../engine/pool.js'
import { ACTION_NAMING } from '../core/input-errors.js'
import { UserError } from '../engine/ports.js'
import { refusal, type Access } from './access.js'
import { describeError, isHttpError, isRateLimit } from './errors.js'

export interface FleetRequest {
  repositories: RepositoryPattern[]
  hooks: HookPattern[]
  shard?: Shard
  /** Repositories whose hooks are listed at once: far below GitHub's 100 concurrent requests. */
  concurrency?: number
}

/** An active hook of one repository of the fleet. */
export interface FleetHook {
  /** `owner/name` */
  repository: string
  id: string
  url?: string
  /** GitHub reports it has never delivered anything (`last_response` unused). */
  unused: boolean
}

export interface FleetHooks {
  hooks: FleetHook[]
  /** Repositories the credential could not read the hooks of (404 or 403): skipped, named in one warning. */
  unreadable: string[]
  /** Repositories whose hooks could not be listed for another reason (after retries). */
  failed: Array<{ repository: string; message: string }>
  /** Repositories the entries selected, and those of them in this shard. */
  selected: number
  repositories: number
}

interface RawRepository {
  name: string
  full_name?: string
  owner?: { login?: string }
  archived?: boolean
}

interface RawRepoHook {
  id: number | string
  active?: boolean
  config?: { url?: string }
  last_response?: { status?: string | null } | null
}

/**
 * The hooks of every repository the entries name, each once. `accessFor` gives the
 * credential for an owner (an app has one installation per owner).
 */
export async function findFleetHooks(request: FleetRequest, accessFor: (owner: string) => Promise<Access>): Promise<FleetHooks> {
  const listed: ListedRepository[] = []
  for (const owner of ownersToList(request.repositories)) listed.push(...(await listRepositories(await accessFor(owner), owner)))
  // A repository named exactly is looked at even when a listing does not show it (it may be private to the listing).
  for (const p of request.repositories) if (p.kind === 'repository') listed.push({ owner: p.owner, name: p.name })
  const selected = selectRepositories(request.repositories, listed)
  const repositories = selected.filter(repo => inShard(request.shard, repositoryShardKey(repo)))

  const unreadable: string[] = []
  const failed: FleetHooks['failed'] = []
  const found = await mapConcurrent(repositories, request.concurrency ?? 8, async repo => {
    const fullName = `${repo.owner}/${repo.name}`
    const access = await accessFor(repo.owner)
    let raw: RawRepoHook[]
    try {
      raw = await access.client.paginate('GET /repos/{owner}/{repo}/hooks', { owner: repo.owner, repo: repo.name, per_page: 100 })
    } catch (error) {
      // GitHub cannot be reached, or refused the credential: nothing else would go better.
      if (error instanceof UserError) throw error
      // (A 401 names no permission: the credential itself was refused.)
      const refused = refusal(access, error, { action: `list the webhooks of ${fullName}`, permission: '' }, [401])
      if (refused) throw refused
      if (isHttpError(error) && (error.status === 403 || error.status === 404) && !isRateLimit(error)) unreadable.push(fullName)
      else failed.push({ repository: fullName, message: describeError(error, access.naming) })
      return []
    }
    // An inactive hook was switched off on purpose: GitHub sends it nothing, and neither do we.
    const active = raw.filter(h => h.active !== false).map((h): FleetHook => ({ repository: fullName, id: String(h.id), url: h.config?.url, unused: h.last_response?.status === 'unused' }))
    return selectHooks(request.hooks, active)
  })
  return { hooks: found.flat(), unreadable, failed, selected: selected.length, repositories: repositories.length }
}

/**
 * An owner's repositories the credential can see: an installation's own list, else the
 * organization's, else (for a user) the user's public ones.
 */
async function listRepositories(access: Access, owner: string): Promise<ListedRepository[]> {
  const toListed = (r: RawRepository): ListedRepository => ({ owner: r.owner?.login ?? r.full_name?.split('/')[0] ?? owner, name: r.name, archived: r.archived === true })
  try {
    if (access.credential === 'installation') {
      const repos = (await access.client.paginate('GET /installation/repositories', { per_page: 100 })) as RawRepository[]
      return repos.map(toListed).filter(r => r.owner.toLowerCase() === owner.toLowerCase())
    }
    try {
      return ((await access.client.paginate('GET /orgs/{org}/repos', { org: owner, type: 'all', per_page: 100 })) as RawRepository[]).map(toListed)
    } catch (error) {
      if (!isHttpError(error) || error.status !== 404) throw error
      return ((await access.client.paginate('GET /users/{username}/repos', { username: owner, per_page: 100 })) as RawRepository[]).map(toListed)
    }
  } catch (error) {
    if (error instanceof UserError) throw error
    if (isHttpError(error) && error.status === 404) {
      const naming = access.naming ?? ACTION_NAMING
      throw new UserError(
        `${naming.subject('repository')}: GitHub has no organization or user "${owner}" that the credential can see (404 while listing its repositories). Check the owner in ${naming.quoted('repository')}.`
      )
    }
    const permission = access.credential === 'installation' ? "the app's installation on that owner" : `read access to the repositories of ${owner} ("Metadata" read for a fine-grained token)`
    throw (
      refusal(access, error, { action: `list the repositories of ${owner}`, permission }, [401, 403]) ??
      new Error(`listing the repositories of ${owner} failed: ${describeError(error, access.naming)}`, { cause: error })
    )
  }
}
