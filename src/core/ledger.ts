import { compareIds, type DeliveryId } from './ids.js'
import { answerOf, type Answer } from './receiver.js'

/** One delivery attempt, as listed by GitHub, reduced to what the decision needs. */
export interface Attempt {
  id: DeliveryId
  guid: string
  deliveredAt: number
  redelivery: boolean
  status: string
  statusCode: number
  event: string
  action: string | null
}

/** What is known of one failing delivery (a guid with no successful attempt) after a scan: compact, no payloads. */
export interface GuidFacts {
  guid: string
  event: string
  action: string | null
  /** delivered_at of the earliest attempt seen. */
  firstAt: number
  /** Whether the original attempt (not a redelivery) was in the scanned window. */
  hasOriginal: boolean
  /** Redelivery attempts listed so far. */
  redeliveries: number
  /** Of those, probes that could not reach a receiver not known to be up: they cost no attempt. */
  freeRedeliveries: number
  newestId: DeliveryId
  newestAt: number
  newestStatus: string
  newestStatusCode: number
}

export function isSuccess(attempt: Pick<Attempt, 'status' | 'statusCode'>): boolean {
  return answerOf(attempt) === 'ok'
}

/**
 * GitHub's `ping` event: sent when a hook is created, and by this tool to learn whether a
 * receiver is up. Never a delivery to redeliver; its answer is evidence of the receiver.
 */
export const PING_EVENT = 'ping'

/** Two pages of 100: more than a page boundary can shift between two requests. */
const RECENT_IDS = 200

/**
 * Groups attempts by guid as pages arrive. A delivery with a successful attempt needs no
 * more than its guid (it is never redelivered, and later-listed failed attempts of it must
 * not make it look failing); only deliveries still failing keep a small record. So memory
 * grows with failures, not with everything GitHub lists: 100,000 deliveries fit in a few MB.
 */
export class DeliveryLedger {
  private readonly failing = new Map<string, GuidFacts>()
  private readonly succeeded = new Set<string>()
  /** Every failed attempt's id: their redeliveries count against max-attempts, so none may count twice. */
  private failedIds = new Set<DeliveryId>()
  /**
   * The last ids added, whatever their status: a page boundary that shifts while deliveries
   * arrive lists the previous page's tail again. Bounded, so 100,000 successes cost no id set.
   */
  private recentIds = new Set<DeliveryId>()
  private recentRing: DeliveryId[] = []
  private recentNext = 0

  /** `isFreeRedelivery`: whether a failed redelivery at this time, answered so, costs no attempt (a probe into a receiver not known to be up, a replay's). */
  constructor(private readonly isFreeRedelivery: (deliveredAt: number, answer: Answer) => boolean = () => false) {}
  scanned = 0
  newestAt: number | undefined
  /** Whether the newest attempt listed (any delivery, original or redelivery) succeeded. */
  newestOk: boolean | undefined
  /** Whether the receiver answered the newest attempt listed (a success or a refusal). */
  newestAnswered: boolean | undefined
  /** The newest successful attempt: the receiver answered then. */
  lastOkAt: number | undefined
  /** The newest attempt the receiver answered, a success or a refusal: it was up then. */
  lastAnswerAt: number | undefined

  add(attempt: Attempt): void {
    // A page boundary can shift while deliveries arrive; never count an attempt twice.
    if (this.recentIds.has(attempt.id) || this.failedIds.has(attempt.id)) return
    this.remember(attempt.id)
    this.scanned++
    const answer = answerOf(attempt)
    const ok = answer === 'ok'
    if (!ok) this.failedIds.add(attempt.id)
    if (this.newestAt === undefined || attempt.deliveredAt > this.newestAt || (attempt.deliveredAt === this.newestAt && ok)) {
      this.newestAt = attempt.deliveredAt
      this.newestOk = ok
      this.newestAnswered = answer !== 'unreachable'
    }
    if (ok && (this.lastOkAt === undefined || attempt.deliveredAt > this.lastOkAt)) this.lastOkAt = attempt.deliveredAt
    if (answer !== 'unreachable' && (this.lastAnswerAt === undefined || attempt.deliveredAt > this.lastAnswerAt)) this.lastAnswerAt = attempt.deliveredAt
    // A ping is evidence of the receiver, never a delivery to redeliver.
    if (attempt.event === PING_EVENT) return
    if (this.succeeded.has(attempt.guid)) return
    if (ok) {
      this.failing.delete(attempt.guid)
      this.succeeded.add(attempt.guid)
      return
    }
    const facts = this.failing.get(attempt.guid)
    if (!facts) {
      this.failing.set(attempt.guid, {
        guid: attempt.guid,
        event: attempt.event,
        action: attempt.action,
        firstAt: attempt.deliveredAt,
        hasOriginal: !attempt.redelivery,
        redeliveries: attempt.redelivery ? 1 : 0,
        freeRedeliveries: this.isFree(attempt, ok) ? 1 : 0,
        newestId: attempt.id,
        newestAt: attempt.deliveredAt,
        newestStatus: attempt.status,
        newestStatusCode: attempt.statusCode
      })
      return
    }
    if (attempt.redelivery) facts.redeliveries++
    else facts.hasOriginal = true
    if (this.isFree(attempt, ok)) facts.freeRedeliveries++
    if (attempt.deliveredAt < facts.firstAt) facts.firstAt = attempt.deliveredAt
    if (attempt.deliveredAt > facts.newestAt || (attempt.deliveredAt === facts.newestAt && compareIds(attempt.id, facts.newestId) > 0)) {
      facts.newestId = attempt.id
      facts.newestAt = attempt.deliveredAt
      facts.newestStatus = attempt.status
      facts.newestStatusCode = attempt.statusCode
    }
  }

  /** A probe that could not reach the receiver costs nothing (one it refused is charged like any other), nor does a replay's redelivery. */
  private isFree(attempt: Attempt, ok: boolean): boolean {
    return attempt.redelivery && !ok && this.isFreeRedelivery(attempt.deliveredAt, answerOf(attempt))
  }

  /** Releases the id sets once the scan is over: only per-guid facts are needed after. */
  seal(): void {
    this.failedIds = new Set()
    this.recentIds = new Set()
    this.recentRing = []
  }

  private remember(id: DeliveryId): void {
    const dropped = this.recentRing[this.recentNext]
    if (dropped !== undefined) this.recentIds.delete(dropped)
    this.recentRing[this.recentNext] = id
    this.recentIds.add(id)
    this.recentNext = (this.recentNext + 1) % RECENT_IDS
  }

  /** Distinct deliveries (guids) listed. */
  get size(): number {
    return this.failing.size + this.succeeded.size
  }

  /** Ids held to tell repeated attempts apart: bounded by the failed ones plus two pages. */
  get idsHeld(): number {
    return this.failedIds.size + this.recentIds.size
  }

  /** Whether an attempt of this delivery succeeded. */
  succeededGuid(guid: string): boolean {
    return this.succeeded.has(guid)
  }

  /** What is known of each delivery no attempt of which succeeded (`ok` is false in every one). */
  facts(): IterableIterator<GuidFacts> {
    return this.failing.values()
  }
}
