import { explainDelivery, type Explanation } from '../core/explain.js'
import type { Attempt } from '../core/ledger.js'
import { planRun, type Policy } from '../core/plan.js'
import type { HookTarget } from '../core/types.js'
import { BookmarkKeeper } from './bookmark-keeper.js'
import { mapConcurrent } from './pool.js'
import { ACTION_NAMING, type Naming } from '../core/input-errors.js'
import { UserError, type BookmarkStore, type DeliveriesPort, type ListedAttempt, type Logger } from './ports.js'
import { scanHook } from './scan.js'

export interface ExplainOptions {
  guid: string
  hooks: HookTarget[]
  policy: Policy
  lookbackMs: number
  github: DeliveriesPort
  /** Read, never written: explaining changes nothing. */
  store?: BookmarkStore
  fleet?: { scope: string; complete: boolean }
  log: Logger
  /** How the front end names inputs in its messages: the action's words when absent. */
  naming?: Naming
}

export interface HookExplanation {
  hook: HookTarget
  explanation: Explanation
}

/** Past the scan, how far back the guid's first attempt is looked for: GitHub's window and a day. */
const SEARCH_GRACE_MS = 24 * 60 * 60_000

/**
 * Scans every hook as the next run would (from the bookmark, read only), collecting the
 * attempts of one guid on the way, and plans the next run: per hook that lists the guid,
 * its attempts, what the bookmark records and the planner's decision. Reads only.
 */
export async function explainGuid(options: ExplainOptions): Promise<{ hooks: HookExplanation[]; now: number }> {
  const { hooks, policy, github, log, guid } = options
  const warnings: string[] = []
  const warn = (message: string): void => {
    if (warnings.includes(message)) return
    warnings.push(message)
    log.warning(message)
  }
  const keeper = new BookmarkKeeper({ store: options.store, hooks, fleet: options.fleet, policy, now: () => github.now(), log, warn })
  const lookbackMs = Math.min(options.lookbackMs, policy.windowMs)
  const previous = await keeper.read(lookbackMs)

  const found = new Map<string, Attempt[]>()
  // The scan stops at the bookmark; the guid's own attempts are followed to its first, within GitHub's window.
  const collecting: DeliveriesPort = {
    now: () => github.now(),
    redeliver: () => Promise.reject(new Error('explain sends nothing')),
    listDeliveries: (hook, onPage) => {
      const mine: Attempt[] = []
      found.set(hook.key, mine)
      let scanning = true
      let original = false
      return github.listDeliveries(hook, (page: ListedAttempt[]) => {
        for (const attempt of page) {
          // A page boundary that shifts while deliveries arrive lists an attempt twice.
          if (attempt.guid !== guid || mine.some(a => a.id === attempt.id)) continue
          mine.push(attempt)
          if (!attempt.redelivery) original = true
        }
        if (scanning) scanning = onPage(page)
        const oldest = page.at(-1)?.deliveredAt
        const searching = !original && oldest !== undefined && oldest > github.now() - policy.windowMs - SEARCH_GRACE_MS
        return page.length > 0 && (scanning || searching)
      })
    }
  }
  const context = { previous, lookbackMs, windowMs: policy.windowMs, github: collecting, log, warn }
  const scanned = await mapConcurrent(hooks, 8, hook => scanHook(hook, context))
  const fatal = scanned.find(s => s.fatal)?.fatal
  if (fatal) throw fatal
  for (const s of scanned) if (s.error) warn(`Could not scan ${s.hook.label}: ${s.error}`)
  if (scanned.every(s => s.unknown)) throw new UserError(`${(options.naming ?? ACTION_NAMING).subject('hook-id')}: ${scanned.map(s => s.unknown!.message).join('; ')}.`)
  const scans = scanned.flatMap(s => (s.scan ? [s.scan] : []))
  const now = github.now()
  const plan = planRun(scans, policy, now)
  const explanations: HookExplanation[] = []
  for (const s of scanned) {
    const attempts = found.get(s.hook.key) ?? []
    if (!s.scan || attempts.length === 0) continue
    explanations.push({ hook: s.hook, explanation: explainDelivery({ guid, hookKey: s.hook.key, attempts, scan: s.scan, plan, policy, now }) })
  }
  return { hooks: explanations, now }
}
