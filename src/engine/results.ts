import { isExpiring, windowEndsAt } from '../core/expiring.js'
import { downSinceOf } from '../core/bookmark/moves.js'
import { GIVE_UP_SKIPS, resultOf, waitsForReceiver, type Decision, type HookPlan, type ReceiverState, type RunPlan } from '../core/decisions.js'
import { noTotals, type HookResult, type HookTarget, type ReportRow, type Totals } from '../core/types.js'
import { noun, plural } from '../core/plural.js'
import type { Logger } from './ports.js'
import type { ScanResult } from './scan.js'

/** What the warning before loss needs: GitHub's redelivery window, the margin of `expiring-within`, the run's end. */
export interface Expiry {
  windowMs: number
  marginMs: number
  now: number
}

/** Per-hook counts and one report row per failing delivery, from the plan and what came of it. */
export function tally(scanned: ScanResult[], plan: RunPlan, receivers: ReadonlyMap<string, ReceiverState>, log: Logger, expiry: Expiry): { hooks: HookResult[]; rows: ReportRow[]; totals: Totals } {
  const rows: ReportRow[] = []
  const hooks = scanned.map(s => {
    const result: HookResult = { hook: s.hook, scanned: s.ledger?.scanned ?? 0, failed: 0, redelivered: 0, skipped: 0, errors: 0, givenUp: 0, expiring: 0, inFlight: 0 }
    if (s.error) result.scanError = s.error
    if (s.ledger?.lastOkAt !== undefined) result.lastSuccessAt = s.ledger.lastOkAt
    const hookPlan = plan.hooks.get(s.hook.key)
    if (!hookPlan) {
      log.info(`${s.hook.label}: not scanned (${s.error ?? 'unknown error'})`)
      return result
    }
    result.inFlight = hookPlan.inFlight.length
    const receiver = receivers.get(s.hook.key)
    const verdict = receiver?.verdict
    const receiverNotUp = verdict === 'down' || verdict === 'unknown'
    for (const decision of hookPlan.decisions) {
      const row = reportRow(s.hook, decision, verdict === 'up')
      row.windowEndsAt = new Date(windowEndsAt(decision.facts.firstAt, expiry.windowMs)).toISOString()
      const afterRun = { firstAt: decision.facts.firstAt, result: row.result, reason: row.reason, probeOfDownReceiver: decision.probe === true && receiverNotUp }
      if (isExpiring(afterRun, expiry.windowMs, expiry.marginMs, expiry.now)) {
        row.expiring = true
        result.expiring++
      }
      rows.push(row)
      result.failed++
      if (row.result === 'redelivered') result.redelivered++
      else if (row.result === 'error') result.errors++
      else result.skipped++
      if (row.reason && GIVE_UP_SKIPS.has(row.reason)) result.givenUp++
    }
    if (receiver?.check !== undefined && verdict !== undefined) {
      result.receiverCheck = { check: receiver.check, verdict, ...(receiver.probedAt !== undefined ? { at: receiver.probedAt } : {}) }
    }
    if ((verdict === 'down' || verdict === 'unknown') && s.scan) {
      const since = downSinceOf(s.scan, hookPlan, receiver)
      // The held deliveries, and a probe that went out and did not get through (or is not listed yet).
      const waiting = hookPlan.decisions.filter(waitsForReceiver).length
      result.receiverDown = { verdict, waiting, ...(since !== undefined ? { since } : {}) }
    }
    logHook(log, result, hookPlan)
    return result
  })
  const totals = noTotals()
  for (const h of hooks) {
    totals.scanned += h.scanned
    totals.failed += h.failed
    totals.redelivered += h.redelivered
    totals.skipped += h.skipped
    totals.errors += h.errors
    totals.givenUp += h.givenUp
    totals.expiring += h.expiring
    // Confirmed down only: a probe whose answer is not listed yet is no alert.
    if (h.receiverDown?.verdict === 'down') totals.receiversDown++
  }
  return { hooks, rows, totals }
}

function reportRow(hook: HookTarget, decision: Decision, receiverAnswered: boolean): ReportRow {
  const { facts } = decision
  const row: ReportRow = {
    hook: hook.label,
    hookId: hook.id ?? null,
    id: facts.newestId,
    guid: facts.guid,
    event: facts.event,
    action: facts.action,
    status: facts.newestStatus,
    statusCode: facts.newestStatusCode,
    attempts: decision.attempts,
    firstDeliveredAt: new Date(facts.firstAt).toISOString(),
    result: 'skipped'
  }
  const result = resultOf(decision)
  if (result.result === 'redelivered') {
    row.result = 'redelivered'
    // A probe costs an attempt only when the receiver answered it (a refusal); one that could not reach it is free.
    if (!decision.probe || receiverAnswered) row.attempts++
  } else if (result.result === 'error') {
    row.result = 'error'
    row.message = result.message
  } else {
    row.reason = result.reason
    if (result.message !== undefined) row.message = result.message
  }
  return row
}

/** One line per hook; each decision in debug logging. */
function logHook(log: Logger, result: HookResult, plan: HookPlan): void {
  const parts = [`scanned ${plural(result.scanned, 'attempt')}`, `${result.failed} failing`]
  if (result.failed > 0) parts.push(`${result.redelivered} redelivered, ${result.skipped} skipped, ${plural(result.errors, 'error')}`)
  if (result.givenUp > 0) parts.push(`${result.givenUp} given up`)
  if (result.expiring > 0) parts.push(`${result.expiring} leaving GitHub's redelivery window soon`)
  if (result.inFlight > 0) parts.push(`${plural(result.inFlight, 'redelivery', 'redeliveries')} still in flight`)
  const check = result.receiverCheck
  const asked = check?.check === 'ping' ? 'ping' : 'probe'
  if (result.receiverDown?.verdict === 'down') {
    const since = result.receiverDown.since !== undefined ? ` (failing since ${new Date(result.receiverDown.since).toISOString()})` : ''
    parts.push(`receiver down: the ${asked} could not reach it${since}; ${result.receiverDown.waiting} waiting for it`)
  } else if (result.receiverDown?.verdict === 'unknown') {
    parts.push(`receiver not known to be up: no answer to the ${asked} listed yet; ${result.receiverDown.waiting} waiting for the next run`)
  }
  log.info(`${result.hook.label}: ${parts.join('; ')}`)
  if (plan.outsideScan > 0) log.debug(`  ${plural(plan.outsideScan, 'failing delivery', 'failing deliveries')} began before the scanned window: earlier runs decided them`)
  if (plan.alreadyDone > 0)
    log.debug(`  ${plural(plan.alreadyDone, 'failing delivery', 'failing deliveries')} ${noun(plan.alreadyDone, 'was', 'were')} already given up or skipped for good by an earlier run`)
  for (const d of plan.decisions) {
    const event = d.facts.action ? `${d.facts.event}.${d.facts.action}` : d.facts.event
    log.debug(`  ${d.facts.guid} ${event} id=${d.facts.newestId} attempts=${d.attempts} -> ${d.action}${d.probe ? ' (probe)' : ''}${d.reason ? ` (${d.reason})` : ''}`)
  }
}
