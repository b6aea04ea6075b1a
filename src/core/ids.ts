/**
 * Delivery ids exceed 2^53 on github.com, so they are kept as decimal strings
 * and compared without ever passing through a JS number.
 */
export type DeliveryId = string

export function isDeliveryId(value: string): boolean {
  return /^[1-9]\d{0,19}$/.test(value)
}

export function compareIds(a: DeliveryId, b: DeliveryId): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1
  return a < b ? -1 : a > b ? 1 : 0
}

/** Octokit parses large integers as bigint and small ones as number. */
export function idToString(value: unknown): DeliveryId {
  const text = typeof value === 'bigint' ? value.toString() : typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value
  if (typeof text === 'string' && isDeliveryId(text)) return text
  throw new TypeError(`unexpected delivery id ${String(value)}`)
}

/** A hook's id as GitHub gives it: a positive integer of up to 20 digits (written as text, as ids above 2^53 must be). */
export const HOOK_ID = /^[1-9]\d{0,19}$/
