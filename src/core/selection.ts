// Which hooks a target selects: which repositories the `repository`
// input names, which hooks the `hook-id` input names, and which part of them a `shard`
// looks after. Pure: no I/O, nothing here decides when to call GitHub.

import { createHash } from 'node:crypto'
import { inputError, type InputError } from './input-errors.js'
import { HOOK_ID } from './ids.js'
import { shown } from './shown.js'

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: InputError[] }

// ---------- repositories ----------

/** GitHub logins: letters, digits and hyphens, not starting with a hyphen, at most 39. */
const OWNER = /^[a-z0-9][a-z0-9-]{0,38}$/i
/** Repository names: letters, digits, `.`, `_` and `-`, at most 100 (never `.` or `..`). */
const NAME = /^[a-z0-9._-]{1,100}$/i
/** A name prefix before `*`: the same characters, possibly none (`owner/*`). */
const PREFIX = /^[a-z0-9._-]{0,99}$/i

/**
 * One entry of the `repository` input: a repository by name, or every repository of an
 * owner whose name starts with `prefix` (`owner/*` is the empty prefix).
 */
export type RepositoryPattern = { kind: 'repository'; owner: string; name: string } | { kind: 'prefix'; owner: string; prefix: string }

export interface NamedRepository {
  owner: string
  name: string
}

export interface ListedRepository extends NamedRepository {
  archived?: boolean
}

/**
 * Parses `owner/name`, `owner/*` and `owner/prefix-*` entries, comma- or newline-separated.
 * Only characters GitHub allows in logins and names get through, so nothing an entry holds
 * can change the shape of an API path. Repeated entries (any case) are kept once.
 */
export function parseRepositoryPatterns(text: string): Parsed<RepositoryPattern[]> {
  const patterns: RepositoryPattern[] = []
  const errors: InputError[] = []
  const seen = new Set<string>()
  for (const entry of splitEntries(text)) {
    const pattern = parseRepositoryPattern(entry)
    if (!pattern) {
      errors.push(inputError('repository', 'must be owner/name, owner/* or owner/prefix-* entries, comma- or newline-separated', echo(entry)))
      continue
    }
    const key = repositoryPatternText(pattern).toLowerCase()
    if (seen.has(key)) continue
    seen.add(key)
    patterns.push(pattern)
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: patterns }
}

function parseRepositoryPattern(entry: string): RepositoryPattern | undefined {
  const slash = entry.indexOf('/')
  if (slash < 0) return undefined
  const owner = entry.slice(0, slash)
  const rest = entry.slice(slash + 1)
  if (!OWNER.test(owner)) return undefined
  if (rest.endsWith('*')) {
    const prefix = rest.slice(0, -1)
    return PREFIX.test(prefix) ? { kind: 'prefix', owner, prefix } : undefined
  }
  if (!NAME.test(rest) || rest === '.' || rest === '..') return undefined
  return { kind: 'repository', owner, name: rest }
}

/** How an entry is written: `owner/name`, `owner/*`, `owner/prefix*`. */
export function repositoryPatternText(pattern: RepositoryPattern): string {
  return pattern.kind === 'repository' ? `${pattern.owner}/${pattern.name}` : `${pattern.owner}/${pattern.prefix}*`
}

/** Whether an entry names a repository. Logins and names compare without case, as on GitHub. */
export function repositoryMatches(pattern: RepositoryPattern, repo: NamedRepository): boolean {
  if (!sameText(pattern.owner, repo.owner)) return false
  if (pattern.kind === 'repository') return sameText(pattern.name, repo.name)
  return repo.name.toLowerCase().startsWith(pattern.prefix.toLowerCase())
}

/** Owners whose repositories must be listed: those named with a `*` pattern. */
export function ownersToList(patterns: RepositoryPattern[]): string[] {
  const owners = new Map<string, string>()
  for (const p of patterns) if (p.kind === 'prefix' && !owners.has(p.owner.toLowerCase())) owners.set(p.owner.toLowerCase(), p.owner)
  return [...owners.values()]
}

/**
 * The repositories of a listing that the entries select, each once, in listing order. A
 * pattern skips archived repositories (nothing happens in them); a repository named
 * exactly is kept even when archived, since someone asked for it.
 */
export function selectRepositories<T extends ListedRepository>(patterns: RepositoryPattern[], listed: T[]): T[] {
  const selected: T[] = []
  const seen = new Set<string>()
  for (const repo of listed) {
    const key = `${repo.owner}/${repo.name}`.toLowerCase()
    if (seen.has(key)) continue
    const wanted = patterns.some(p => repositoryMatches(p, repo) && (p.kind === 'repository' || !repo.archived))
    if (!wanted) continue
    seen.add(key)
    selected.push(repo)
  }
  return selected
}

// ---------- hooks ----------

/**
 * One entry of the `hook-id` input: a hook id, a payload URL, or a payload URL prefix
 * (written with a trailing `*`, kept normalized). A whole URL may be kept as written:
 * hookMatches normalizes it, and fleetScope digests the entries as they are kept.
 */
export type HookPattern = { kind: 'id'; id: string } | { kind: 'url'; url: string } | { kind: 'url-prefix'; prefix: string }

export interface NamedHook {
  id: string | number
  /** The hook's payload URL (`config.url`), when known. */
  url?: string
}

/** Parses hook ids, payload URLs and `https://host/path*` prefixes, comma- or newline-separated. */
export function parseHookPatterns(text: string): Parsed<HookPattern[]> {
  const patterns: HookPattern[] = []
  const errors: InputError[] = []
  const seen = new Set<string>()
  const expected = 'must be hook IDs (numbers) or payload URLs, a URL ending in * matching by prefix (such as https://ci.example.com/*), comma- or newline-separated'
  for (const entry of splitEntries(text)) {
    const pattern = parseHookPattern(entry)
    if (typeof pattern === 'string') {
      errors.push(inputError('hook-id', pattern, echo(entry)))
      continue
    }
    if (!pattern) {
      errors.push(inputError('hook-id', expected, echo(entry)))
      continue
    }
    const key = pattern.kind === 'id' ? `id:${pattern.id}` : pattern.kind === 'url' ? `url:${pattern.url}` : `prefix:${pattern.prefix}`
    if (seen.has(key)) continue
    seen.add(key)
    patterns.push(pattern)
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: patterns }
}

/** A pattern, nothing when the entry is no hook id or URL, or the problem with a URL prefix. */
function parseHookPattern(entry: string): HookPattern | string | undefined {
  if (HOOK_ID.test(entry)) return { kind: 'id', id: entry }
  if (!/^https?:\/\//i.test(entry)) return undefined
  const star = entry.indexOf('*')
  if (star < 0) {
    const url = normalizePayloadUrl(entry)
    return url === undefined ? undefined : { kind: 'url', url }
  }
  if (star !== entry.length - 1) return 'may hold * only at the end of a payload URL'
  const head = entry.slice(0, -1)
  // The whole host and a `/` must come before the *: `https://ci.example.com*` would also
  // match https://ci.example.com.evil.example/.
  if (!/^https?:\/\/[^/?#]+\//i.test(head)) return 'must give the whole host and a / before the * of a payload URL (such as https://ci.example.com/*)'
  const prefix = normalizePrefix(head)
  return prefix === undefined ? undefined : { kind: 'url-prefix', prefix }
}

/**
 * The form payload URLs are compared in: lower-case scheme and host, no default port, no
 * user info, no fragment, no trailing slashes. Undefined for anything but http(s) URLs.
 */
export function normalizePayloadUrl(text: string): string | undefined {
  const url = parseHttpUrl(text)
  return url && `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}${url.search}`
}

function normalizePrefix(text: string): string | undefined {
  const url = parseHttpUrl(text)
  if (!url) return undefined
  // URL drops an empty query: keep a trailing `?` the user wrote, so it still narrows the match.
  const query = url.search || (text.endsWith('?') ? '?' : '')
  return `${url.protocol}//${url.host}${url.pathname}${query}`
}

export function parseHttpUrl(text: string): URL | undefined {
  try {
    const url = new URL(text.trim())
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined
  } catch {
    return undefined
  }
}

/** Whether an entry names a hook. Ids compare as text: they are opaque. */
export function hookMatches(pattern: HookPattern, hook: NamedHook): boolean {
  if (pattern.kind === 'id') return String(hook.id) === pattern.id
  const url = hook.url === undefined ? undefined : normalizePayloadUrl(hook.url)
  if (url === undefined) return false
  if (pattern.kind === 'url') return url === (normalizePayloadUrl(pattern.url) ?? pattern.url)
  // Trailing slashes never tell URLs apart: https://ci.example.com matches https://ci.example.com/*.
  return url.startsWith(pattern.prefix) || `${url}/`.startsWith(pattern.prefix)
}

/** The hooks any entry names (every hook when there are no entries), in their order. */
export function selectHooks<T extends NamedHook>(patterns: HookPattern[], hooks: T[]): T[] {
  return patterns.length === 0 ? hooks.slice() : hooks.filter(h => patterns.some(p => hookMatches(p, h)))
}

/**
 * How a payload URL may be shown: scheme and host only. The rest often carries a secret
 * (user info, a token in the path or query, as chat webhooks do).
 */
export function displayPayloadUrl(text: string): string {
  return payloadUrlOrigin(text) ?? '(invalid URL)'
}

/** Where a payload URL points, scheme and host; undefined for anything but an http(s) URL. */
export function payloadUrlOrigin(text: string): string | undefined {
  const url = parseHttpUrl(text)
  return url && `${url.protocol}//${url.host}`
}

// ---------- shards ----------

export const MAX_SHARDS = 1000

/** The `index`-th (1-based) of `count` parts. */
export interface Shard {
  index: number
  count: number
}

/** Parses `i/n` (such as `2/8`); empty means no sharding (undefined). */
export function parseShard(text: string): Parsed<Shard | undefined> {
  const trimmed = text.trim()
  if (trimmed === '') return { ok: true, value: undefined }
  const match = /^(\d{1,4})\s*\/\s*(\d{1,4})$/.exec(trimmed)
  const index = match ? Number(match[1]) : NaN
  const count = match ? Number(match[2]) : NaN
  if (!match || index < 1 || count < index || count > MAX_SHARDS) {
    return { ok: false, errors: [inputError('shard', `must be i/n such as 2/8: part i of n, with 1 <= i <= n <= ${MAX_SHARDS}`, echo(trimmed))] }
  }
  return { ok: true, value: { index, count } }
}

export type ShardableHook = { kind: 'app' } | { kind: 'org'; org: string; id: string | number } | { kind: 'repo'; repo: string; id: string | number }

/**
 * A hook's identity for sharding: `owner/repo#id`, `org#id` or `app`, lower-case because
 * GitHub names are case-insensitive. It depends on nothing else, so adding or removing
 * other hooks never moves a hook to another shard.
 */
export function shardKey(hook: ShardableHook): string {
  if (hook.kind === 'app') return 'app'
  return hook.kind === 'repo' ? `${hook.repo.toLowerCase()}#${hook.id}` : `${hook.org.toLowerCase()}#${hook.id}`
}

/**
 * A fleet is split by repository, `owner/name` in lower case: a shard then lists the hooks of
 * its own repositories only, so n shards together read each hook list once, not n times.
 * Adding repositories or hooks moves no other repository to another shard.
 */
export function repositoryShardKey(repo: NamedRepository): string {
  return `${repo.owner}/${repo.name}`.toLowerCase()
}

/**
 * The shard (1..count) a key belongs to: the first 48 bits of the key's SHA-256, modulo
 * count. Any tool can recompute it, and it is the same on every machine and Node version.
 */
export function shardOf(key: string, count: number): number {
  if (!Number.isInteger(count) || count < 1 || count > MAX_SHARDS) throw new RangeError(`shard count must be 1..${MAX_SHARDS}`)
  const digest = createHash('sha256').update(key, 'utf8').digest()
  return (digest.readUIntBE(0, 6) % count) + 1
}

/** Whether a shard looks after a key; no shard means everything. */
export function inShard(shard: Shard | undefined, key: string): boolean {
  return shard === undefined || shardOf(key, shard.count) === shard.index
}

// ---------- scope ----------

/**
 * The name a fleet's hooks carry in the bookmark: its `repository` entries, a digest of its
 * `hook-id` entries (payload URLs may hold secrets, and the state variable is readable), and
 * its shard. Another shard of the same fleet has the same name up to ` shard `.
 */
export function fleetScope(repositories: RepositoryPattern[], hooks: HookPattern[], shard: Shard | undefined): string {
  const names = repositories
    .map(p => repositoryPatternText(p).toLowerCase())
    .sort()
    .join(',')
  const selected = hooks
    .map(h => (h.kind === 'id' ? h.id : h.kind === 'url' ? h.url : `${h.prefix}*`))
    .sort()
    .join('\n')
  const digest = selected ? ` #${createHash('sha256').update(selected, 'utf8').digest('hex').slice(0, 8)}` : ''
  return `repo ${names}${digest}${shard ? ` shard ${shard.index}/${shard.count}` : ''}`
}

/**
 * Another part (`i/n`) of the same fleet split the same way, when `other` is one: its
 * bookmark belongs in its own state variable. A different `n` is a fleet being re-split.
 */
export function otherShardOf(scope: string, other: string): string | undefined {
  const split = (s: string): { fleet: string; index?: string; count?: string } => {
    const m = / shard (\d+)\/(\d+)$/.exec(s)
    return m ? { fleet: s.slice(0, m.index), index: m[1], count: m[2] } : { fleet: s }
  }
  const a = split(scope)
  const b = split(other)
  if (a.fleet !== b.fleet || a.count === undefined || a.count !== b.count || a.index === b.index) return undefined
  return `${b.index}/${b.count}`
}

// ---------- shared ----------

/** Entries of a list input: comma- or newline-separated, trimmed, empty ones dropped. */
export function splitEntries(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map(s => s.trim())
    .filter(Boolean)
}

function sameText(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase()
}

/**
 * An input value as it may appear in an error: URLs as scheme and host only (the rest may
 * be a secret), anything else cut to 80 characters.
 */
function echo(value: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(value)
  if (scheme) {
    const authority = value.slice(scheme[0].length).split(/[/?#]/)[0]
    const host = authority.slice(authority.lastIndexOf('@') + 1).split('*')[0]
    return `${scheme[0]}${host}…`
  }
  if (value.includes('@')) return '(not shown: it may hold credentials)'
  return shown(value, 80)
}
