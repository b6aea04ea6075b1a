import { createPrivateKey } from 'node:crypto'
import { parseDuration } from './duration.js'
import { parseHookPatterns, parseHttpUrl, parseRepositoryPatterns, parseShard, splitEntries, type HookPattern, type RepositoryPattern, type Shard } from './selection.js'
import { HOOK_ID } from './ids.js'
import { hostnameForPage, isLoopbackHost, resolveGitHubLocation, type GitHubLocation } from './hostname.js'
import { bare, inputError, quoted, subject, type InputError, type InputName, type Text } from './input-errors.js'
import { INPUTS } from './inputs.generated.js'
import { shown } from './shown.js'
import { parseReplayTime, REPLAY_OUTCOMES, type ReplayOutcome } from './replay.js'

export type { InputName }
export type RawInputs = Partial<Record<InputName, string>>

/** Every input of action.yml, in its order; the CLI takes the same names as --flags. */
export const INPUT_NAMES: readonly InputName[] = INPUTS.map(input => input.name)

/** Inputs that hold secrets: masked as they are taken in, never flags of the command line. */
export const SECRET_INPUTS: ReadonlySet<InputName> = new Set(['token', 'private-key'])

/** What the runner passes for an input left empty; the CLI applies them the same way. */
const DEFAULTS: Partial<Record<InputName, string>> = Object.fromEntries(INPUTS.filter(input => input.default !== '').map(input => [input.name, input.default]))

/** What can fail the step, as the `fail-on` input names them. */
export type FailCondition = 'errors' | 'given-up' | 'receiver-down' | 'expiring'
const FAIL_CONDITIONS: readonly FailCondition[] = ['errors', 'given-up', 'receiver-down', 'expiring']

export interface Repo {
  owner: string
  repo: string
}

/**
 * `repo` is one repository named by `repository`; `fleet` is what several entries or a
 * pattern (`owner/*`, `owner/prefix-*`) name there: the hooks of many repositories.
 */
export type Target = { type: 'app' } | { type: 'org'; org: string } | { type: 'repo'; owner: string; repo: string } | { type: 'fleet'; repositories: RepositoryPattern[] }

export interface EventFilter {
  event: string
  action?: string
}

export interface AppCredentials {
  appId: string
  privateKey: string
}

export interface Config {
  target: Target
  /** Whole payload URLs as written: the fleet's scope digests them so (see fleetScope). */
  hooks: HookPattern[]
  token?: string
  app?: AppCredentials
  location: GitHubLocation
  state?: { variable: string; repository: Repo }
  lookbackMs: number
  maxAttempts: number
  maxRedeliveries: number
  events: EventFilter[]
  maxAgeMs?: number
  dryRun: boolean
  /** The part of the hooks found that this job looks after (`shard: i/n`); none: all of them. */
  shard?: Shard
  /** Failing deliveries that leave GitHub's redelivery window within this are reported as expiring. */
  expiringWithinMs: number
  /** A replay of a time range instead of the redelivery of failures (`replay-since`); times as given, resolved when it runs. */
  replay?: { since: string; until: string; outcome: ReplayOutcome; send: boolean }
  /** Empty: the step never fails once outputs are written (`fail-on: never`). */
  failOn: ReadonlySet<FailCondition>
}

export interface Environment {
  GITHUB_API_URL?: string
  GITHUB_REPOSITORY?: string
}

/** `errors`: one per bad input, as values each front end renders; `warnings`: inputs given that have no effect, for the log. */
export type ConfigResult = { ok: true; config: Config; warnings: Text[] } | { ok: false; errors: InputError[] }

const ORG = /^[a-z0-9](?:[a-z0-9-]{0,38})$/i
const REPO = /^([a-z0-9](?:[a-z0-9-]{0,38}))\/([a-z0-9._-]{1,100})$/i
const VARIABLE = /^[a-z_][a-z0-9_]*$/i
const EVENT = /^[a-z_]+(?:\.[a-z_]+)?$/
const APP_ID = /^(?:\d{1,12}|Iv[0-9a-z.]{4,40})$/i
/** What an HTTP header value can carry: printable ASCII, no spaces. Every GitHub token is. */
const HEADER_SAFE = /^[\x21-\x7e]+$/

/**
 * Turns raw input strings into a validated Config, or into one message per bad
 * input that names it and says what is expected. No I/O: runs before any request.
 */
export function parseConfig(raw: RawInputs, env: Environment): ConfigResult {
  const errors: InputError[] = []
  const warnings: Text[] = []
  const input = (name: InputName): string => (raw[name] ?? '').trim() || DEFAULTS[name] || ''
  const bad = (name: InputName, expected: Text | string, value?: string): void => {
    // A secret pasted into the wrong input is not masked there: never repeat it.
    errors.push(inputError(name, expected, value === undefined ? undefined : looksLikeSecret(value) ? { secret: true } : shown(value, 80)))
  }

  const targetType = input('target-type')
  let target: Target | undefined
  if (targetType === 'app') target = { type: 'app' }
  else if (targetType === 'org') {
    const org = input('org')
    if (!org) bad('org', ['is required when ', bare('target-type'), ' is "org": the organization login'])
    else if (!ORG.test(org)) bad('org', 'must be an organization login (letters, digits and hyphens)', org)
    else target = { type: 'org', org }
  } else if (targetType === 'repo') {
    const repository = input('repository') || env.GITHUB_REPOSITORY?.trim() || ''
    const repo = parseRepo(repository)
    if (!repository) bad('repository', ['is required when ', bare('target-type'), ' is "repo" outside GitHub Actions: use owner/name'])
    else if (repo) target = { type: 'repo', ...repo }
    else if (!/[,\n*]/.test(repository)) bad('repository', 'must be owner/name', repository)
    else {
      const patterns = parseRepositoryPatterns(repository)
      if (!patterns.ok) errors.push(...patterns.errors)
      else {
        const [only] = patterns.value
        target = patterns.value.length === 1 && only.kind === 'repository' ? { type: 'repo', owner: only.owner, repo: only.name } : { type: 'fleet', repositories: patterns.value }
      }
    }
  } else if (!targetType) {
    bad('target-type', 'is required: use app, org or repo')
  } else {
    bad('target-type', 'must be app, org or repo', targetType)
  }

  const hooks: HookPattern[] = []
  if (targetType === 'app' && input('hook-id')) {
    warnings.push([subject('hook-id'), ' is ignored for ', bare('target-type'), ' "app": a GitHub App has one webhook.'])
  }
  // Given, not defaulted: the app's own webhook is the target, wherever it is installed.
  for (const name of ['org', 'repository'] as const) {
    if (targetType === 'app' && raw[name]?.trim())
      warnings.push([subject(name), ' is ignored for ', bare('target-type'), ' "app": the app\'s own webhook is scanned, whichever accounts installed it.'])
  }
  if (targetType !== 'app') {
    for (const item of splitEntries(input('hook-id'))) {
      if (HOOK_ID.test(item)) hooks.push({ kind: 'id', id: item })
      else if (item.includes('*') && parseHttpUrl(item)) {
        const parsed = parseHookPatterns(item)
        if (!parsed.ok) errors.push(...parsed.errors)
        else for (const pattern of parsed.value) if (pattern.kind === 'url-prefix') hooks.push(pattern)
      } else if (parseHttpUrl(item)) hooks.push({ kind: 'url', url: item })
      else bad('hook-id', 'must be hook IDs (numbers) or payload URLs, comma- or newline-separated', item)
    }
  }

  const token = input('token') || undefined
  if (token && !HEADER_SAFE.test(token)) {
    // It goes into the Authorization header, which cannot carry it; and it is never echoed.
    bad('token', 'holds a line break, a space or a character outside ASCII, which cannot be sent to GitHub: store the token alone in the secret, with nothing around it')
  }
  const appId = input('app-id')
  const rawKey = raw['private-key'] ?? ''
  let app: AppCredentials | undefined
  if (appId && !APP_ID.test(appId)) bad('app-id', 'must be a GitHub App ID (a number) or client ID (Iv…)', appId)
  if (rawKey.trim()) {
    const privateKey = normalizePrivateKey(rawKey)
    if (!privateKey && isEncryptedKey(rawKey)) {
      bad(
        'private-key',
        "is an encrypted key: a passphrase protects it, and none can be given. Export the GitHub App's key without a passphrase (such as with openssl pkey -in key.pem -out plain.pem), or use the key as downloaded from the app's settings"
      )
    } else if (!privateKey) {
      bad('private-key', "must be the GitHub App's PEM private key (-----BEGIN RSA PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----), as downloaded from the app's settings")
    } else if (!appId) {
      if (targetType !== 'app') bad('app-id', ['is required with ', bare('private-key'), ': the GitHub App ID or client ID'])
    } else if (APP_ID.test(appId)) {
      app = { appId, privateKey }
    }
  } else if (appId && targetType !== 'app' && !token) {
    bad('private-key', ['is required with ', bare('app-id'), ": the GitHub App's PEM private key"])
  } else if (appId && targetType !== 'app') {
    warnings.push([subject('app-id'), ' is ignored without ', quoted('private-key'), ': the app cannot sign in without its key, so ', quoted('token'), ' is used.'])
  }
  if (targetType === 'app') {
    if (!appId) bad('app-id', ['is required when ', bare('target-type'), ' is "app": the GitHub App ID or client ID'])
    if (!rawKey.trim()) bad('private-key', ['is required when ', bare('target-type'), ' is "app": the GitHub App\'s PEM private key'])
  } else if ((targetType === 'org' || targetType === 'repo') && !token && !rawKey.trim() && !appId) {
    bad('token', ['is required when ', bare('target-type'), ` is "${targetType}" (or give `, bare('app-id'), ' and ', bare('private-key'), ' of an app installed there)'])
  }

  const location = resolveGitHubLocation(input('hostname'), env.GITHUB_API_URL)
  if (!location && !input('hostname')) {
    bad('hostname', [`is empty and the runner's GITHUB_API_URL ("${shown(withoutUserInfo(env.GITHUB_API_URL ?? ''), 80)}") is not an http(s) API URL: set `, quoted('hostname')])
  } else if (!location && hostnameForPage(input('hostname'))) {
    bad('hostname', `must be where GitHub is, not a page on it: use ${hostnameForPage(input('hostname'))}`, withoutUserInfo(input('hostname')))
  } else if (!location) {
    bad('hostname', 'must be github.com, SUBDOMAIN.ghe.com, a GitHub Enterprise Server host (host or host:port) or an https:// API URL', withoutUserInfo(input('hostname')))
  } else if (/^http:\/\//i.test(location.apiBaseUrl) && !isLoopback(location.apiBaseUrl)) {
    warnings.push([`The GitHub API URL ${location.apiBaseUrl} is plain http: tokens and keys would travel unencrypted. Use https.`])
  }

  let state: Config['state']
  const variable = input('state-variable')
  if (variable) {
    if (!VARIABLE.test(variable) || /^github_/i.test(variable)) {
      bad('state-variable', 'must be a variable name: letters, digits and _, not starting with a digit or GITHUB_', variable)
    }
    const stateRepository = input('state-repository') || env.GITHUB_REPOSITORY?.trim() || ''
    const repo = parseRepo(stateRepository)
    if (!stateRepository) bad('state-repository', ['is required with ', bare('state-variable'), ' outside GitHub Actions: use owner/name'])
    else if (!repo) bad('state-repository', 'must be owner/name', stateRepository)
    if (!token && !rawKey.trim()) {
      bad('token', [
        'is required with ',
        bare('state-variable'),
        ' to read and write the variable (or give ',
        bare('app-id'),
        ' and ',
        bare('private-key'),
        ' of an app installed on the state repository)'
      ])
    }
    if (repo && VARIABLE.test(variable)) state = { variable, repository: repo }
  } else if (raw['state-repository']?.trim() && !parseRepo(raw['state-repository'].trim())) {
    bad('state-repository', 'must be owner/name', raw['state-repository'].trim())
  }

  const lookbackMs = parseDuration(input('lookback'))
  if (lookbackMs === undefined) bad('lookback', 'must be a duration such as 90m, 6h or 3d', input('lookback'))

  let maxAgeMs: number | undefined
  if (input('max-age')) {
    maxAgeMs = parseDuration(input('max-age'))
    if (maxAgeMs === undefined) bad('max-age', 'must be a duration such as 90m, 6h or 3d', input('max-age'))
  }

  const expiringWithinMs = parseDuration(input('expiring-within'))
  if (expiringWithinMs === undefined) bad('expiring-within', 'must be a duration such as 12h or 1d', input('expiring-within'))

  const maxAttempts = positiveInteger(input('max-attempts'))
  if (maxAttempts === undefined) bad('max-attempts', 'must be a positive integer', input('max-attempts'))
  const maxRedeliveries = positiveInteger(input('max-redeliveries'))
  if (maxRedeliveries === undefined) bad('max-redeliveries', 'must be a positive integer', input('max-redeliveries'))

  const events: EventFilter[] = []
  for (const item of splitEntries(input('events'))) {
    if (!EVENT.test(item)) {
      bad('events', 'must be event names such as push, pull_request or pull_request.opened, comma-separated', item)
      continue
    }
    const [event, action] = item.split('.')
    events.push(action ? { event, action } : { event })
  }

  const dryRunText = input('dry-run')
  const dryRun = parseBoolean(dryRunText)
  if (dryRun === undefined) bad('dry-run', 'must be true or false', dryRunText)

  const shardText = input('shard')
  const shardParsed = parseShard(shardText)
  if (!shardParsed.ok) errors.push(...shardParsed.errors)
  const shard = shardParsed.ok ? shardParsed.value : undefined
  if (shard && targetType === 'app') warnings.push([subject('shard'), ' is ignored for ', bare('target-type'), ' "app": a GitHub App has one webhook.'])

  let replay: Config['replay']
  const replaySince = input('replay-since')
  if (replaySince) {
    const until = input('replay-until')
    const outcome = (input('replay-outcome') || 'all') as ReplayOutcome
    const send = parseBoolean(input('replay-send'))
    const timeForm = 'must be an ISO 8601 time with its zone (2026-12-07T06:00:00Z) or a duration ago such as 6h'
    if (!parseReplayTime(replaySince, 0)) bad('replay-since', timeForm, replaySince)
    if (until && !parseReplayTime(until, 0)) bad('replay-until', timeForm, until)
    if (!REPLAY_OUTCOMES.includes(outcome)) bad('replay-outcome', 'must be failed or succeeded (empty: both)', outcome)
    if (send === undefined) bad('replay-send', 'must be true or false', input('replay-send'))
    replay = { since: replaySince, until, outcome, send: send ?? false }
  } else {
    for (const name of ['replay-until', 'replay-outcome'] as const) if (input(name)) warnings.push([subject(name), ' is ignored without ', quoted('replay-since'), '.'])
    if (parseBoolean(input('replay-send'))) warnings.push([subject('replay-send'), ' is ignored without ', quoted('replay-since'), ': this run redelivers failures as scheduled.'])
  }

  const failOn = new Set<FailCondition>()
  const failOnItems = splitEntries(input('fail-on'))
  for (const item of failOnItems) {
    if (item === 'never' && failOnItems.length === 1) continue
    if (item === 'never') {
      bad('fail-on', 'cannot combine never with other conditions')
      continue
    }
    if ((FAIL_CONDITIONS as readonly string[]).includes(item)) failOn.add(item as FailCondition)
    else bad('fail-on', 'must be errors, given-up, receiver-down or expiring (comma-separated), or never', item)
  }

  if (errors.length > 0 || !target || !location || lookbackMs === undefined || expiringWithinMs === undefined || !maxAttempts || !maxRedeliveries) {
    return { ok: false, errors }
  }
  return {
    ok: true,
    warnings,
    config: {
      target,
      hooks,
      token,
      app,
      location,
      state,
      lookbackMs,
      maxAttempts,
      maxRedeliveries,
      events,
      maxAgeMs,
      dryRun: dryRun ?? false,
      ...(shard && targetType !== 'app' ? { shard } : {}),
      expiringWithinMs,
      ...(replay ? { replay } : {}),
      failOn
    }
  }
}

export function parseRepo(text: string): Repo | undefined {
  const match = REPO.exec(text)
  if (!match || match[2] === '.' || match[2] === '..') return undefined
  return { owner: match[1], repo: match[2] }
}

/** Accepts PKCS#1 and PKCS#8 PEM keys, with real or `\n`-escaped newlines. */
export function normalizePrivateKey(text: string): string | undefined {
  const pem = pemText(text)
  if (!/^-----BEGIN (RSA )?PRIVATE KEY-----/.test(pem)) return undefined
  try {
    // GitHub App keys are RSA; anything else would only fail later, at GitHub.
    if (createPrivateKey(pem).asymmetricKeyType !== 'rsa') return undefined
  } catch {
    return undefined
  }
  return pem
}

/** A PEM key protected by a passphrase: PKCS#8's ENCRYPTED PRIVATE KEY, or PKCS#1 with OpenSSL's Proc-Type header. */
function isEncryptedKey(text: string): boolean {
  const pem = pemText(text)
  return /^-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(pem) || /^-----BEGIN RSA PRIVATE KEY-----\nProc-Type: *4, *ENCRYPTED/.test(pem)
}

/** A key's text with `\n` escapes turned into line breaks, blank lines dropped. */
function pemText(text: string): string {
  return (
    text
      .replace(/\\r/g, '')
      .replace(/\\n/g, '\n')
      .replace(/\r\n/g, '\n')
      .trim()
      .replace(/\n{2,}/g, '\n') + '\n'
  )
}

/**
 * Every form in which the secret inputs can reach a message, for the front ends to mask as
 * they take the inputs in, before anything else runs: each as given and trimmed, and the
 * private key as the engine uses it, whole and line by line. The runner masks a multi-line
 * secret line by line, but a key given on one line with `\n` escapes is several lines once
 * unescaped.
 */
export function secretInputs(raw: RawInputs): string[] {
  const secrets = new Set<string>()
  for (const name of SECRET_INPUTS) {
    const value = raw[name]
    if (value?.trim()) secrets.add(value).add(value.trim())
  }
  const key = raw['private-key']?.trim()
  if (key) {
    const pem = pemText(key)
    secrets.add(pem)
    for (const line of pem.split('\n')) if (line.trim() && !line.startsWith('-----')) secrets.add(line.trim())
  }
  return [...secrets]
}

function positiveInteger(text: string): number | undefined {
  if (!/^\d{1,9}$/.test(text)) return undefined
  const n = Number(text)
  return n >= 1 ? n : undefined
}

function parseBoolean(text: string): boolean | undefined {
  if (/^(true|yes|1)$/i.test(text)) return true
  if (/^(false|no|0|)$/i.test(text)) return false
  return undefined
}

/** Never echo credentials a URL may carry. */
function withoutUserInfo(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1***@')
}

function isLoopback(url: string): boolean {
  return isLoopbackHost(new URL(url).hostname)
}

/** Tokens (ghp_, github_pat_, ghs_ ...), JWTs and PEM keys. */
function looksLikeSecret(text: string): boolean {
  return /\b(?:gh[pousr]_|github_pat_)[A-Za-z0-9_]{8,}|-----BEGIN [A-Z ]*PRIVATE KEY-----|\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/.test(text)
}
