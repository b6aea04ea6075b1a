import { compareIds, type DeliveryId } from './ids.js'

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

/** What is known of one delivery (one guid) after a scan: compact, no payloads. */
export interface GuidFacts {
  guid: string
  event: string
  action: string | null
  /** delivered_at of the earliest attempt seen. */
  firstAt: number
  /** Whether the original attempt (not a redelivery) was in the scanned window. */
  hasOriginal: boolean
  ok: boolean
  /** Redelivery attempts listed so far. */
  redeliveries: number
  /** Of those, failed ones sent while the receiver was not known to be up (probes): they cost no attempt. */
  freeRedeliveries: number
  newestId: DeliveryId
  newestAt: number
  newestStatus: string
  newestStatusCode: number
}

export function isSuccess(attempt: Pick<Attempt, 'status' | 'statusCode'>): boolean {
  return attempt.status === 'OK' || (attempt.statusCode >= 200 && attempt.statusCode < 300)
}

/**
 * Groups attempts by guid as pages arrive. Keeps one small record per guid, so
 * memory grows with distinct deliveries, not with the size of what GitHub sends.
 */
export class DeliveryLedger {
  private readonly byGuid = new Map<string, GuidFacts>()
  private seenIds = new Set<DeliveryId>()

  /** `isProbeTime`: whether a failed redelivery at this time went into a receiver not known to be up. */
  constructor(private readonly isProbeTime: (deliveredAt: number) => boolean = () => false) {}
  scanned = 0
  newestAt: number | undefined
  /** Whether the newest attempt listed (any delivery, original or redelivery) succeeded. */
  newestOk: boolean | undefined
  /** The newest successful attempt: the receiver answered then. */
  lastOkAt: number | undefined

  add(attempt: Attempt): void {
    // A page boundary can shift while deliveries arrive; never count an attempt twice.
    if (this.seenIds.has(attempt.id)) return
    this.seenIds.add(attempt.id)
    this.scanned++
    const ok = isSuccess(attempt)
    if (this.newestAt === undefined || attempt.deliveredAt > this.newestAt || (attempt.deliveredAt === this.newestAt && ok)) {
      this.newestAt = attempt.deliveredAt
      this.newestOk = ok
    }
    if (ok && (this.lastOkAt === undefined || attempt.deliveredAt > this.lastOkAt)) this.lastOkAt = attempt.deliveredAt
    const facts = this.byGuid.get(attempt.guid)
    if (!facts) {
      this.byGuid.set(attempt.guid, {
        guid: attempt.guid,
        event: attempt.event,
        action: attempt.action,
        firstAt: attempt.deliveredAt,
        hasOriginal: !attempt.redelivery,
        ok,
        redeliveries: attempt.redelivery ? 1 : 0,
        freeRedeliveries: this.isFree(attempt, ok) ? 1 : 0,
        newestId: attempt.id,
        newestAt: attempt.deliveredAt,
        newestStatus: attempt.status,
        newestStatusCode: attempt.statusCode
      })
      return
    }
    facts.ok ||= ok
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

  private isFree(attempt: Attempt, ok: boolean): boolean {
    return attempt.redelivery && !ok && this.isProbeTime(attempt.deliveredAt)
  }

  /** Releases the id set once the scan is over: only per-guid facts are needed after. */
  seal(): void {
    this.seenIds = new Set()
  }

  get size(): number {
    return this.byGuid.size
  }

  facts(): IterableIterator<GuidFacts> {
    return this.byGuid.values()
  }
}
