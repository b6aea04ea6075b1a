import { mergeBookmarks, parseBookmark, serializeBookmark, type Bookmark, type HookBookmark } from '../core/bookmark.js'
import { formatDuration } from '../core/duration.js'
import { compareIds, type DeliveryId } from '../core/ids.js'
import { DeliveryLedger } from '../core/ledger.js'
import {
  finalReason,
  nextHookBookmark,
  outcomeKey,
  planRun,
  type Decision,
  type HookPlan,
  type HookScan,
  type Outcome,
  type Policy
} from '../core/plan.js'
import type { HookResult, HookTarget, ReportRow, RunResult, Totals } from '../core/types.js'
import { mapConcurrent } from './pool.js'
import { RateLimitedError, UserError, type BookmarkStore, type DeliveriesPort, type Logger, type RedeliveryResult } from './ports.js'

export interface EngineOptions {
  hooks: HookTarget[]
  policy: Policy
  lookbackMs: number
  github: DeliveriesPort
  store?: BookmarkStore
  log: Logger
  /** Hooks scanned at once: far below GitHub's 100 concurrent requests. */
  scanConcurrency?: number
  /** Redeliveries between two checkpoints of the bookmark. */
  checkpointEvery?: number
  /** How long a receiver can take to answer (GitHub gives up after 10 s, 30 s on GHES), and then some. */
  verifyDelayMs?: number
  sleep?: (ms: number) => Promise<void>
}

/** A listing is in completion order; keep paging a little past the start so slow attempts are not cut off. */
const LISTING_SLACK_MS = 60_000
/** Rounds of looking for the attempts of redeliveries whose answer was lost, and resending the rest. */
const VERIFY_ROUNDS = 2

const defaultSleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

function uncertainAt(outcome: Outcome | undefined): number | undefined {
  return outcome?.result === 'error' ? outcome.uncertainAt : undefined
}

/**
 * Which of these deliveries have an attempt newer than the one redelivered: the
 * redelivery went through. Undefined when GitHub could not be asked.
 */
async function redeliveriesMade(github: DeliveriesPort, hook: HookTarget, decisions: Decision[], since: number): Promise<Set<string> | undefined> {
  const redelivered = new Map(decisions.map(d => [d.facts.guid, d.facts.newestId]))
  const made = new Set<string>()
  try {
    await github.listDeliveries(hook, page => {
      for (const attempt of page) {
        const id = redelivered.get(attempt.guid)
        if (id !== undefined && compareIds(attempt.id, id) > 0) made.add(attempt.guid)
      }
      return page.length > 0 && !page.some(a => a.deliveredAt + a.durationMs + LISTING_SLACK_MS < since)
    })
  } catch {
    return undefined
  }
  return made
}

interface ScannedHook {
  hook: HookTarget
  scan?: HookScan
  ledger?: DeliveryLedger
  error?: string
}

export async function runEngine(options: EngineOptions): Promise<RunResult> {
  const { hooks, policy, github, store, log } = options
  const warnings: string[] = []
  const failures: string[] = []
  const warn = (message: string): void => {
    warnings.push(message)
    log.warning(message)
  }

  let lookbackMs = options.lookbackMs
  if (lookbackMs > policy.windowMs) {
    warn(`lookback ${formatDuration(lookbackMs)} is longer than GitHub can redeliver (${formatDuration(policy.windowMs)}); scanning ${formatDuration(policy.windowMs)}.`)
    lookbackMs = policy.windowMs
  }

  let storedText: string | undefined
  let previous: Bookmark = { hooks: new Map() }
  if (store) {
    storedText = await store.read()
    const parsed = parseBookmark(storedText)
    if (parsed.problem) {
      warn(`The ${store.description} does not hold a bookmark this action can read (${parsed.problem}); scanning the last ${formatDuration(lookbackMs)} and replacing it.`)
    }
    previous = parsed.bookmark
    if (previous.legacyFloor !== undefined) {
      log.info(`Taking over the bookmark of GitHub's documented script: scanning from ${new Date(previous.legacyFloor).toISOString()}.`)
    }
  }

  const scanned = await mapConcurrent(hooks, options.scanConcurrency ?? 8, hook =>
    scanHook(hook, previous, lookbackMs, policy.windowMs, github, log, warn)
  )
  const fatal = scanned.find(s => s.error && s.error.startsWith('!'))
  if (fatal) throw new UserError(fatal.error!.slice(1))

  const scans = scanned.filter(s => s.scan).map(s => s.scan!)
  const plan = planRun(scans, policy, github.now())
  const outcomes = new Map<string, Outcome>()

  let lastWritten = storedText
  const writeBookmark = async (bookmark: Bookmark, reread: boolean): Promise<boolean> => {
    if (!store) return false
    let { text, trimmed } = serializeBookmark(bookmark)
    // Nothing changed: no write, and no second read either.
    if (text === lastWritten) return false
    if (reread) {
      const current = await store.read()
      if (current !== lastWritten) {
        log.debug(`The ${store.description} changed during this run; merging, never moving a bookmark back.`)
        ;({ text, trimmed } = serializeBookmark(mergeBookmarks(bookmark, parseBookmark(current).bookmark)))
        lastWritten = current
        if (text === current) return false
      }
    }
    if (trimmed > 0) warn(`The bookmark grew too large for an Actions variable; dropped ${trimmed} of its oldest entries.`)
    await store.write(text)
    lastWritten = text
    return true
  }

  let bookmarkWritten = false
  let stop: Outcome | undefined

  /** Sends one redelivery and records what came of it; sets `stop` when nothing more can be sent this run. */
  const send = async (decision: Decision): Promise<void> => {
    let result: RedeliveryResult
    try {
      result = await github.redeliver(hookOf(hooks, decision.hookKey), decision.facts.newestId)
    } catch (error) {
      if (!(error instanceof UserError)) throw error
      // A credential that cannot redeliver: nothing more can be sent this run.
      if (![...outcomes.values()].some(o => o.result === 'redelivered')) {
        // Nothing was sent: put the bookmark back as it was before the checkpoint.
        if (store && storedText !== undefined && lastWritten !== storedText) await store.write(storedText).catch(() => undefined)
        throw error
      }
      failures.push(error.message)
      stop = { result: 'error', message: error.message }
      outcomes.set(outcomeKey(decision), stop)
      return
    }
    switch (result.kind) {
      case 'accepted':
        outcomes.set(outcomeKey(decision), { result: 'redelivered', at: result.at })
        break
      case 'refused':
        outcomes.set(outcomeKey(decision), { result: 'skipped', reason: 'refused', message: result.message })
        break
      case 'error':
        outcomes.set(outcomeKey(decision), { result: 'error', message: result.message, ...(result.uncertain ? { uncertainAt: result.at ?? github.now() } : {}) })
        break
      case 'rate-limited':
        stop = { result: 'skipped', reason: 'rate-limited', message: result.message }
        outcomes.set(outcomeKey(decision), stop)
        warn(`GitHub's rate limits stopped the redeliveries (${result.message}); the next run continues with the rest.`)
        break
    }
  }

  const every = options.checkpointEvery ?? 40
  for (let start = 0; start < plan.toRedeliver.length; start += every) {
    const batch = plan.toRedeliver.slice(start, start + every)
    if (stop) {
      for (const d of batch) outcomes.set(outcomeKey(d), stop)
      continue
    }
    // Record what is about to be sent before sending it: a run killed mid-batch then never causes a duplicate.
    if (store) {
      const checkpoint = checkpointBookmark(previous, scans, plan, outcomes, batch, github.now())
      try {
        bookmarkWritten = (await writeBookmark(checkpoint, false)) || bookmarkWritten
      } catch (error) {
        throw asUserError(error, `Could not write the bookmark to the ${store.description}, so nothing was redelivered`)
      }
    }
    for (const decision of batch) {
      if (stop) outcomes.set(outcomeKey(decision), stop)
      else await send(decision)
    }
  }

  // A redelivery whose answer was lost may have been made: look before sending it again.
  for (let round = 0; round < VERIFY_ROUNDS && !stop; round++) {
    const uncertain = plan.toRedeliver.filter(d => uncertainAt(outcomes.get(outcomeKey(d))) !== undefined)
    if (uncertain.length === 0) break
    log.info(`${uncertain.length} redelivery request${uncertain.length === 1 ? '' : 's'} got no clear answer; checking with GitHub whether ${uncertain.length === 1 ? 'it' : 'they'} went through.`)
    await (options.sleep ?? defaultSleep)(options.verifyDelayMs ?? 15_000)
    for (const hook of hooks) {
      const mine = uncertain.filter(d => d.hookKey === hook.key)
      if (mine.length === 0) continue
      const made = await redeliveriesMade(github, hook, mine, Math.min(...mine.map(d => uncertainAt(outcomes.get(outcomeKey(d)))!)))
      if (!made) continue
      for (const decision of mine) {
        if (made.has(decision.facts.guid)) outcomes.set(outcomeKey(decision), { result: 'redelivered', at: uncertainAt(outcomes.get(outcomeKey(decision)))! })
        else if (!stop) await send(decision)
      }
    }
  }

  const now = github.now()
  if (store && !policy.dryRun) {
    const next: Bookmark = { hooks: new Map(previous.hooks) }
    for (const scan of scans) {
      const hookPlan = plan.hooks.find(p => p.key === scan.key)!
      next.hooks.set(scan.key, nextHookBookmark(scan, hookPlan, outcomes, now))
    }
    try {
      bookmarkWritten = (await writeBookmark(next, true)) || bookmarkWritten
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      if (error instanceof RateLimitedError) {
        // The checkpoint written before the redeliveries still guards against sending anything twice.
        warn(`Could not save the bookmark (${message}). Nothing is lost: the next run scans again from the previous bookmark.`)
      } else {
        failures.push(`Could not save the bookmark to the ${store.description}: ${message}`)
      }
    }
  }

  const rows: ReportRow[] = []
  const hookResults: HookResult[] = scanned.map(s => {
    const result: HookResult = { hook: s.hook, scanned: s.ledger?.scanned ?? 0, failed: 0, redelivered: 0, skipped: 0, errors: 0, inFlight: 0 }
    if (s.error) {
      result.scanError = s.error
      failures.push(`Could not scan ${s.hook.label}: ${s.error}`)
    }
    const hookPlan = plan.hooks.find(p => p.key === s.hook.key)
    if (hookPlan) {
      result.inFlight = hookPlan.inFlight.length
      for (const decision of hookPlan.decisions) {
        const row = reportRow(s.hook, decision, outcomes.get(outcomeKey(decision)))
        rows.push(row)
        result.failed++
        if (row.result === 'redelivered') result.redelivered++
        else if (row.result === 'error') result.errors++
        else result.skipped++
      }
      logHook(log, result, hookPlan)
    } else {
      log.info(`${s.hook.label}: not scanned (${s.error ?? 'unknown error'})`)
    }
    return result
  })
  const totals: Totals = { scanned: 0, failed: 0, redelivered: 0, skipped: 0, errors: 0 }
  for (const h of hookResults) {
    totals.scanned += h.scanned
    totals.failed += h.failed
    totals.redelivered += h.redelivered
    totals.skipped += h.skipped
    totals.errors += h.errors
  }
  if (totals.errors > 0) {
    failures.push(`${totals.errors} redelivery request${totals.errors === 1 ? '' : 's'} failed after retries; the next run tries again.`)
  }
  return { totals, hooks: hookResults, rows, warnings, failures, dryRun: policy.dryRun, bookmarkWritten, finishedAt: now }
}

async function scanHook(
  hook: HookTarget,
  previous: Bookmark,
  lookbackMs: number,
  windowMs: number,
  github: DeliveriesPort,
  log: Logger,
  warn: (message: string) => void
): Promise<ScannedHook> {
  const prior = previous.hooks.get(hook.key)
  const ledger = new DeliveryLedger()
  let floorBase: number | undefined
  let scanStart = 0
  let lostBefore: number | undefined
  try {
    await github.listDeliveries(hook, page => {
      if (floorBase === undefined) {
        // GitHub's clock is known once the first answer arrived: the runner's clock never decides what is new.
        const now = github.now()
        floorBase = prior?.floor ?? previous.legacyFloor ?? now - lookbackMs
        scanStart = Math.max(floorBase, now - windowMs)
      }
      let more = page.length > 0
      for (const attempt of page) {
        if (attempt.deliveredAt >= scanStart) ledger.add(attempt)
        else if (attempt.deliveredAt >= floorBase) lostBefore = Math.max(lostBefore ?? 0, attempt.deliveredAt)
        if (attempt.deliveredAt + attempt.durationMs + LISTING_SLACK_MS < scanStart) more = false
      }
      return more
    })
  } catch (error) {
    if (error instanceof UserError) return { hook, error: `!${error.message}` }
    return { hook, error: error instanceof Error ? error.message : String(error) }
  }
  ledger.seal()
  if (floorBase === undefined) {
    const now = github.now()
    floorBase = prior?.floor ?? previous.legacyFloor ?? now - lookbackMs
    scanStart = Math.max(floorBase, now - windowMs)
  }
  if (lostBefore !== undefined) {
    warn(
      `${hook.label}: the last run was longer ago than GitHub can redeliver (${formatDuration(windowMs)}); failures delivered between ${new Date(floorBase).toISOString()} and ${new Date(scanStart).toISOString()} can no longer be recovered. Run this more often.`
    )
  }
  log.debug(`${hook.label}: scanned ${ledger.scanned} attempts of ${ledger.size} deliveries since ${new Date(scanStart).toISOString()}`)
  return {
    hook,
    ledger,
    scan: { key: hook.key, facts: ledger.facts(), scanStart, floorBase, newestAt: ledger.newestAt, previous: prior }
  }
}

/** The previous bookmark, plus the batch about to be sent marked in flight. The floor does not move yet. */
function checkpointBookmark(
  previous: Bookmark,
  scans: HookScan[],
  plan: { hooks: HookPlan[] },
  outcomes: ReadonlyMap<string, Outcome>,
  batch: Decision[],
  now: number
): Bookmark {
  const hooks = new Map<string, HookBookmark>(previous.hooks)
  for (const scan of scans) {
    const base = previous.hooks.get(scan.key)
    const pending = new Map<DeliveryId, number>(base?.pending ?? [])
    const hookPlan = plan.hooks.find(p => p.key === scan.key)!
    for (const decision of hookPlan.decisions) {
      const outcome = outcomes.get(outcomeKey(decision))
      if (outcome?.result === 'redelivered') pending.set(decision.facts.newestId, outcome.at)
      else if (outcome?.result === 'error' && outcome.uncertainAt !== undefined) pending.set(decision.facts.newestId, outcome.uncertainAt)
    }
    for (const decision of batch) if (decision.hookKey === scan.key) pending.set(decision.facts.newestId, now)
    hooks.set(scan.key, { floor: base?.floor ?? scan.floorBase, pending, done: base?.done ?? new Map() })
  }
  return { hooks }
}

function hookOf(hooks: HookTarget[], key: string): HookTarget {
  return hooks.find(h => h.key === key)!
}

function reportRow(hook: HookTarget, decision: Decision, outcome: Outcome | undefined): ReportRow {
  const { facts } = decision
  const row: ReportRow = {
    hook: hook.label,
    hookId: hook.id ?? null,
    id: facts.newestId,
    guid: facts.guid,
    event: facts.event,
    action: facts.action,
    status: facts.newestStatus,
    attempts: decision.attempts,
    firstDeliveredAt: new Date(facts.firstAt).toISOString(),
    result: 'skipped'
  }
  if (decision.action === 'redeliver' && outcome?.result === 'redelivered') {
    row.result = 'redelivered'
    row.attempts++
  } else if (decision.action === 'redeliver' && outcome?.result === 'error') {
    row.result = 'error'
    row.message = outcome.message
  } else {
    row.reason = finalReason(decision, outcome)
    if (outcome?.result === 'skipped') row.message = outcome.message
  }
  return row
}

function logHook(log: Logger, result: HookResult, plan: HookPlan): void {
  const parts = [`scanned ${result.scanned} attempts`, `${result.failed} failing`]
  if (result.failed > 0) parts.push(`${result.redelivered} redelivered, ${result.skipped} skipped, ${result.errors} errors`)
  if (result.inFlight > 0) parts.push(`${result.inFlight} redeliveries still in flight`)
  log.info(`${result.hook.label}: ${parts.join('; ')}`)
  for (const decision of plan.decisions) {
    log.debug(`  ${decision.facts.guid} ${decision.facts.event}${decision.facts.action ? '.' + decision.facts.action : ''} id=${decision.facts.newestId} attempts=${decision.attempts} -> ${decision.action}${decision.reason ? ` (${decision.reason})` : ''}`)
  }
}

function asUserError(error: unknown, context: string): UserError {
  const message = error instanceof Error ? error.message : String(error)
  return new UserError(`${context}: ${message}`)
}
