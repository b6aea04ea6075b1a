import type { DeliveryId } from './ids.js'
import type { SkipReason } from './plan.js'

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
}

export interface Totals {
  scanned: number
  failed: number
  redelivered: number
  skipped: number
  errors: number
}

export interface HookResult extends Totals {
  hook: HookTarget
  inFlight: number
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
