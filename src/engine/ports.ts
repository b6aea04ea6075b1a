import type { RateReading } from '../core/budget.js'
import { ACTION_NAMING, type Naming } from '../core/input-errors.js'
import type { DeliveryId } from '../core/ids.js'
import type { Attempt } from '../core/ledger.js'
import type { HookTarget } from '../core/types.js'

/** An attempt as listed, with its duration: listing order follows completion, not start. */
export interface ListedAttempt extends Attempt {
  durationMs: number
}

export type RedeliveryResult =
  | { kind: 'accepted'; at: number }
  /** GitHub answered 4xx for this delivery: it will not redeliver it. */
  | { kind: 'refused'; status: number; message: string }
  /** GitHub's limits stop this run; the rest waits for the next. */
  | { kind: 'rate-limited'; message: string }
  /**
   * Failed after retries; the next run tries again. `uncertain`: GitHub may have made the
   * redelivery before the answer was lost (a 500 or 502, a connection dropped mid-request),
   * so the next run first waits to see whether its attempt appears.
   */
  | { kind: 'error'; message: string; uncertain?: boolean; at?: number }

/** What came of asking GitHub to ping a hook: sent (its `ping` delivery is listed later), or why not. */
export type PingResult = { kind: 'sent'; at: number } | { kind: 'failed' | 'rate-limited'; message: string }

/** What came with a page of a listing besides its attempts. */
export interface PageInfo {
  /** The position of the next (older) page, to continue the listing from in a later run; none on the last page. */
  next?: string
  /** The credential's rate limit after this page. */
  rate?: RateReading
}

/** What the engine needs from GitHub. */
export interface DeliveriesPort {
  /** GitHub's clock: the latest `Date` header plus the time elapsed since. */
  now(): number
  /** Pages newest first, or from `from` (a page's `next`); stops when `onPage` returns false. */
  listDeliveries(hook: HookTarget, onPage: (attempts: ListedAttempt[], page?: PageInfo) => boolean, from?: string): Promise<void>
  /** Starts reading a hook's newest page, which its next listing begins with, so that it travels while the bookmark is read. */
  prefetchFirstPage?(hook: HookTarget): void
  redeliver(hook: HookTarget, id: DeliveryId): Promise<RedeliveryResult>
  /** Whether GitHub can ping this hook (organization and repository hooks; the app's has no ping). */
  canPing?(hook: HookTarget): boolean
  /** Asks GitHub to send the hook a `ping` event: the receiver's answer is listed like any delivery. */
  ping?(hook: HookTarget): Promise<PingResult>
}

/** Where the bookmark lives: an Actions variable, or a file for the CLI. */
export interface BookmarkStore {
  /** For messages: `variable X in owner/repo`, `file ./state.json`. */
  readonly description: string
  /** The longest value the store holds (an Actions variable's limit); none for a file. */
  readonly maxChars?: number
  /** How the user names a store, for advice (its input or flag, and names to give): the action's state-variable when absent. */
  readonly naming?: StoreNaming
  read(): Promise<string | undefined>
  write(text: string): Promise<void>
}

/** An Actions variable per shard, named by state-variable as the front end names it. */
export function variableStoreNaming(naming: Naming): StoreNaming {
  return { name: naming.quoted('state-variable'), examples: 'WEBHOOK_STATE_1, WEBHOOK_STATE_2, … from the matrix' }
}

/** The action's store, an Actions variable per shard. */
export const VARIABLE_NAMING: StoreNaming = variableStoreNaming(ACTION_NAMING)

export interface StoreNaming {
  /** The input or flag that names the store, in the front end's words: `"state-variable"`, `--state-file`. */
  name: string
  /** Names to give, one per shard. */
  examples: string
}

export interface Logger {
  info(message: string): void
  warning(message: string): void
  debug(message: string): void
}

/**
 * A run's warnings: each said once, however many hooks or checkpoints run into it, and kept
 * (in `said`) for the run's result.
 */
export function warningsOnce(log: Logger): { said: string[]; warn: (message: string) => void } {
  const said: string[] = []
  return {
    said,
    warn: message => {
      if (said.includes(message)) return
      said.push(message)
      log.warning(message)
    }
  }
}

/**
 * A failure the user can act on (bad credentials, a missing permission): the
 * message says what to do; it ends the run.
 */
export class UserError extends Error {
  override readonly name = 'UserError'
}

/** What ended a run early, as the step's error or the CLI's says it: the user's own words for a UserError. */
export function stoppedBecause(error: unknown): string {
  return error instanceof UserError ? error.message : `webhook-redelivery failed: ${error instanceof Error ? error.message : String(error)}`
}

/** GitHub's rate limits refused a request and asked for a longer wait than a run should take. */
export class RateLimitedError extends Error {
  override readonly name = 'RateLimitedError'
}

/** A named hook that does not exist (or the credential cannot see it): the run goes on with the others. */
export class UnknownHookError extends Error {
  override readonly name = 'UnknownHookError'
  constructor(
    readonly hookId: string,
    /** `acme` or `acme/widgets`. */
    readonly owner: string
  ) {
    super(`${owner} has no webhook ${hookId}`)
  }
}
