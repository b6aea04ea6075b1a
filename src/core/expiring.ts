import { FINAL_SKIPS, type SkipReason } from './decisions.js'

/**
 * The warning before loss: a failing delivery this run leaves failing, whose original
 * will leave GitHub's redelivery window (3 days, 7 on GHES) within the margin of
 * `expiring-within`. Past the window nothing can recover it; before, fixing the receiver does.
 */

/** When GitHub stops redelivering a delivery first attempted at `firstAt`. */
export function windowEndsAt(firstAt: number, windowMs: number): number {
  return firstAt + windowMs
}

/** What a run did with a failing delivery, as far as the warning needs to know. */
export interface AfterRun {
  firstAt: number
  result: 'redelivered' | 'skipped' | 'error'
  reason?: SkipReason
  /** It went out as the probe of a receiver this run did not find up: it did not get through. */
  probeOfDownReceiver?: boolean
}

/**
 * Whether the delivery is still failing once the run is over and will still be retried: not
 * redelivered (a redelivery GitHub accepted is in flight, and says nothing yet), and not
 * finished for good (given up, filtered, refused: those are reported as such). A probe that
 * went into a receiver found down did not get through: still failing.
 */
export function stillFailing(delivery: AfterRun): boolean {
  if (delivery.result === 'redelivered') return delivery.probeOfDownReceiver === true
  if (delivery.result === 'error') return true
  return delivery.reason === undefined || !FINAL_SKIPS.has(delivery.reason)
}

/** Whether a delivery still failing leaves GitHub's window within `marginMs` of `now` (and has not left it yet). */
export function isExpiring(delivery: AfterRun, windowMs: number, marginMs: number, now: number): boolean {
  if (!stillFailing(delivery)) return false
  const endsAt = windowEndsAt(delivery.firstAt, windowMs)
  return endsAt > now && endsAt - now <= marginMs
}
