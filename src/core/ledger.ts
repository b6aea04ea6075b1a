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

/** What a scan stopped part-way hands on (see `DeliveryLedger.carryOver`). */
export interface Carry {
  /** Guids with a successful attempt whose original was not listed yet. */
  settled: string[]
  /** Failing guids not finished, with what was counted of them. */
  facts: GuidFacts[]
}

/** Two pages of 100: more than a page boundary can shift between two requests. */
const RECENT_IDS = 200

/**
 * Groups attempts by guid as pages arrive, newest first. Only failures and what may still
 * settle them are kept, so memory grows with failures, not with what GitHub lists:
 *
 * - A guid's original attempt is the last of its attempts listed (every redelivery is made
 *   after it completed). A successful original therefore needs nothing remembered.
 * - A successful redelivery settles the failed attempts of its guid listed after it: its guid
 *   is kept until the original arrives, then let go.
 * - A failing guid keeps a small record (`GuidFacts`), and its failed attempts' ids, so a
 *   repeated listing never counts a redelivery twice.
 *
 * Should GitHub list an attempt of a guid after its original (out of order), the guid is
 * treated as one whose original was not listed: never redelivered by this run.
 */
export class DeliveryLedger {
  private readonly failing = new Map<string, GuidFacts>()
  /**
   * Guids with a successful attempt, until their original is listed: whether that original
   * was already listed (only when GitHub lists out of order; kept to the end then).
   */
  private settled = new Map<string, boolean>()
  /** Original attempts listed: each is one delivery. */
  private originals = 0
  /** Settled guids whose original was not listed, counted when the scan was sealed. */
  private settledListed = 0
  /** Every failed attempt's id: their redeliveries count against max-attempts, so none may count twice. */
  private failedIds = new Set<DeliveryId>()
  /**
   * The last ids added, whatever their status: a page boundary that shifts while deliveries
   * arrive lists the previous page's tail again. Bounded, so 100,000 successes cost no id set.
   */
  private recentIds = new Set<DeliveryId>()
  private recentRing: DeliveryId[] = []
  private recentNext = 0
  /** Failing guids carried over from a run that stopped part-way: the span of their attempts it already counted. */
  private carried = new Map<string, readonly [number, number]>()

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
    const counted = this.carried.get(attempt.guid)
    // Attempts of a carried guid are in time order: those inside the span carried are counted already.
    if (!ok && counted && attempt.deliveredAt >= counted[0] && attempt.deliveredAt <= counted[1]) return
    if (!attempt.redelivery) this.originals++
    const settledAfterOriginal = this.settled.get(attempt.guid)
    if (settledAfterOriginal !== undefined) {
      // Its original is the last attempt of it listed: nothing more of it will come.
      if (!attempt.redelivery && !settledAfterOriginal) this.settled.delete(attempt.guid)
      return
    }
    if (ok) {
      const facts = this.failing.get(attempt.guid)
      this.failing.delete(attempt.guid)
      // A successful original is its guid's last attempt listed; a redelivery waits for its original.
      if (attempt.redelivery) this.settled.set(attempt.guid, facts?.hasOriginal === true)
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

  /** Guids with a successful attempt whose original was not listed yet: what a scan stopped part-way carries over. Read before `seal`. */
  awaitingOriginal(): string[] {
    return [...this.settled].flatMap(([guid, afterOriginal]) => (afterOriginal ? [] : [guid]))
  }

  /** Failing guids: what the engine weighs its request budget against. */
  get failingCount(): number {
    return this.failing.size
  }

  /**
   * Continues from where a scan stopped part-way: before any attempt is added, what it carried
   * over is known, as if the attempts it listed were listed again.
   */
  resume(carry: Carry): void {
    for (const guid of carry.settled) this.settled.set(guid, false)
    for (const facts of carry.facts) {
      this.failing.set(facts.guid, { ...facts })
      this.carried.set(facts.guid, [facts.firstAt, facts.newestAt])
    }
  }

  /** Releases the id sets once the scan is over: only per-guid facts are needed after. */
  seal(): void {
    this.settledListed = this.listedWithoutOriginal()
    this.settled = new Map()
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

  private listedWithoutOriginal(): number {
    let n = 0
    for (const afterOriginal of this.settled.values()) if (!afterOriginal) n++
    return n
  }

  /** Distinct deliveries (guids) listed: one per original, and those listed without theirs. */
  get size(): number {
    let withoutOriginal = this.settledListed + this.listedWithoutOriginal()
    for (const facts of this.failing.values()) if (!facts.hasOriginal) withoutOriginal++
    return this.originals + withoutOriginal
  }

  /** Successful guids held until their original is listed: bounded by the redeliveries listed, not by deliveries. */
  get guidsHeld(): number {
    return this.settled.size
  }

  /** Ids held to tell repeated attempts apart: bounded by the failed ones plus two pages. */
  get idsHeld(): number {
    return this.failedIds.size + this.recentIds.size
  }

  /**
   * Whether a failed attempt of this delivery listed now would be settled by a success already
   * listed: true until its original is listed, after which nothing more of it comes.
   */
  settles(guid: string): boolean {
    return this.settled.has(guid)
  }

  /** What is known of each delivery no attempt of which succeeded (`ok` is false in every one). */
  facts(): IterableIterator<GuidFacts> {
    return this.failing.values()
  }
}
