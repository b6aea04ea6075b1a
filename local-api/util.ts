// Small helpers shared by the local API modules.

import type { HookRef, LocalApi } from './types.js'

// Marks where a bare integer goes: a private-use character and a random tag no payload carries.
const RAW_MARK = `\uE000${Math.random().toString(36).slice(2)}:`
const RAW_MARKED = new RegExp(`"${RAW_MARK}(-?\\d+)"`, 'g')

/** A JSON integer written verbatim: delivery ids exceed 2^53 and must never pass through a JS number. */
export class RawInt {
  constructor(readonly digits: string) {
    if (!/^-?\d+$/.test(digits)) throw new Error(`not an integer: ${digits}`)
  }

  /**
   * JSON.stringify's own hook (no replacer function, which would be called for every value): a
   * marked string that only toJsonText turns back into a bare integer, so write replies with it.
   */
  toJSON(): string {
    return RAW_MARK + this.digits
  }
}

/** JSON text like JSON.stringify, but RawInt and bigint become bare integers. */
export function toJsonText(value: unknown): string {
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch (error) {
    // A bigint (JSON.stringify refuses them): the slower way, a replacer that sees every value.
    if (!(error instanceof TypeError)) throw error
    text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? RAW_MARK + v.toString() : v))
  }
  if (text === undefined) return 'null'
  return text.includes(RAW_MARK) ? text.replace(RAW_MARKED, '$1') : text
}

/** Seeded PRNG (mulberry32): deterministic faults, receivers and generated data. */
export function makeRng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const HEX_DIGITS = '0123456789abcdef'

/** A v4-shaped UUID from a seeded generator (GitHub guids look like uuids). */
export function seededUuid(rng: () => number): string {
  // A digit by lookup, not Number#toString(16): the same uuids a third faster, and seeding a window
  // of many thousand deliveries is mostly this.
  let hex = ''
  for (let i = 0; i < 32; i++) hex += HEX_DIGITS[Math.floor(rng() * 16)]
  const variant = '89ab'[Math.floor(rng() * 4)]
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20)}`
}

/** GitHub's timestamp style: ISO 8601 in UTC without milliseconds. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z')
}

export function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}

/** Accepted redelivery requests per guid, of one hook or of all: what the receivers were sent again. */
export function redeliveryCounts(api: Pick<LocalApi, 'redeliveryRequests'>, hook?: HookRef): Map<string, number> {
  const counts = new Map<string, number>()
  for (const r of api.redeliveryRequests(hook)) if (r.accepted) counts.set(r.guid, (counts.get(r.guid) ?? 0) + 1)
  return counts
}
