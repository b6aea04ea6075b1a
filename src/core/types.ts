import type { DeliveryId } from './ids.js'
import type { SkipReason } from './decisions.js'

/** One webhook whose deliveries are scanned. */
export interface HookTarget {
  /** Stable key in the bookmark: `app`, or the hook id. */
  key: string
  kind: 'app' | 'org' | 'repo'
  /** Hook id for org and repo hooks; absent for the app's single hook. */
  id?: string
  /** The hook's payload URL when known. */
  url?: string
  /** Human label for logs and the summary. */
  label: string
  /** The hook's page on GitHub, for the summary. */
  webUrl?: string
  /** `owner/name` of a repository hook's repository, when the target names several. */
  repository?: string
  /** The fleet whose hooks it is one of, recorded with its bookmark (see HookBookmark.scope). */
  scope?: string
  /** GitHub reports it has never delivered anything (`last_response` unused): nothing to list. */
  neverDelivered?: boolean
}

export interface Totals {
  scanned: number
  failed: number
  redelivered: number
  skipped: number
  errors: number
  /** Given up this run (attempts used up, or past what GitHub can redeliver); part of `skipped`. */
  givenUp: number
  /** Hooks whose receiver was found down this run: their ping or probe could not reach it. */
  receiversDown: number
  /** Failing deliveries that leave GitHub's redelivery window within `expiring-within` (core/expiring.ts). */
  expiring: number
}

/** Counts of a run that did nothing yet (or, for a replay, no automatic redelivery at all). */
export function noTotals(): Totals {
  return { scanned: 0, failed: 0, redelivered: 0, skipped: 0, errors: 0, givenUp: 0, receiversDown: 0, expiring: 0 }
}

/** A receiver found down, or not known to be up: since when it has been failing, and what waits for it. */
export interface ReceiverDown {
  /** GitHub time of its oldest failure since its last success, when known. */
  since?: number
  /** Failing deliveries waiting for it: those held back (skipped as `receiver-down` or `receiver-unknown`) and the probe. */
  waiting: number
  /** `down`: the ping or probe could not reach it; `unknown`: its answer was not listed in time. */
  verdict: 'down' | 'unknown'
}

/** How this run asked a hook's receiver whether it is up, and what it learnt. */
export interface ReceiverCheckResult {
  /** `ping`: the tool's own ping event (organization and repository hooks); `probe`: one redelivery (the app's hook). */
  check: 'ping' | 'probe'
  /** `up`: it answered (a success or a refusal); `down`: it could not be reached; `unknown`: no answer listed in time. */
  verdict: 'up' | 'down' | 'unknown'
  /** GitHub time the ping or probe was sent. */
  at?: number
}

export interface HookResult extends Omit<Totals, 'receiversDown'> {
  hook: HookTarget
  inFlight: number
  receiverDown?: ReceiverDown
  /** The ping or probe this run sent to learn whether the receiver is up; absent when the listing showed it. */
  receiverCheck?: ReceiverCheckResult
  /** Set when the hook could not be scanned at all. */
  scanError?: string
  /** delivered_at of the newest successful attempt this run listed, if any. */
  lastSuccessAt?: number
}

export interface ReportRow {
  hook: string
  hookId: string | null
  id: DeliveryId
  guid: string
  event: string
  action: string | null
  status: string
  statusCode: number
  attempts: number
  firstDeliveredAt: string
  result: 'redelivered' | 'skipped' | 'error'
  reason?: SkipReason
  message?: string
  /** When GitHub stops redelivering it: the original's time plus the redelivery window. */
  windowEndsAt?: string
  /** Still failing, and leaves GitHub's redelivery window within `expiring-within`. */
  expiring?: true
}

export interface RunResult {
  totals: Totals
  hooks: HookResult[]
  rows: ReportRow[]
  warnings: string[]
  /** Problems that make the run fail (exit 1) after everything else was done. */
  failures: string[]
  dryRun: boolean
  /** GitHub's time when the run finished. */
  finishedAt: number
}
