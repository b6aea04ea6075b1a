// Reading the local API's request log: what the action asked for, and when.

import type { RequestLogEntry } from '../../local-api/index.js'

const WRITE_METHODS = new Set(['POST', 'PATCH', 'PUT', 'DELETE'])

export function isListDeliveries(e: RequestLogEntry): boolean {
  return e.method === 'GET' && /\/hooks?\/(?:\d+\/)?deliveries$/.test(e.route)
}

export function isRedelivery(e: RequestLogEntry): boolean {
  return e.method === 'POST' && /\/deliveries\/\d+\/attempts$/.test(e.route)
}

export function isVariable(e: RequestLogEntry): boolean {
  return /\/actions\/variables(?:\/|$)/.test(e.route)
}

export function isWrite(e: RequestLogEntry): boolean {
  return WRITE_METHODS.has(e.method)
}

export interface LogSummary {
  requests: number
  listRequests: number
  /** List requests per hook path. */
  listByHook: Map<string, number>
  /** Same path and query (cursor included) asked for more than once. */
  repeatedPages: number
  /** Cursors, other than the first page's none, requested more than once. */
  repeatedCursors: number
  variableReads: number
  variableWrites: number
  redeliveryPosts: number
  acceptedRedeliveries: RequestLogEntry[]
  writes: RequestLogEntry[]
  otherRequests: string[]
  /** First list request start to last list request end (machine clock), ms. */
  scanSpanMs?: number
  /** Requests answered with a limit (primary/secondary) or fault. */
  limited: number
}

export function summarize(log: readonly RequestLogEntry[]): LogSummary {
  const lists = log.filter(isListDeliveries)
  const listByHook = new Map<string, number>()
  const pages = new Map<string, number>()
  const cursors = new Map<string, number>()
  for (const e of lists) {
    listByHook.set(e.path, (listByHook.get(e.path) ?? 0) + 1)
    const key = `${e.path}?${e.query}`
    pages.set(key, (pages.get(key) ?? 0) + 1)
    const cursor = new URLSearchParams(e.query).get('cursor')
    if (cursor !== null) cursors.set(`${e.path}#${cursor}`, (cursors.get(`${e.path}#${cursor}`) ?? 0) + 1)
  }
  const repeated = (m: Map<string, number>) => [...m.values()].reduce((s, n) => s + Math.max(0, n - 1), 0)
  const writes = log.filter(isWrite)
  const redeliveries = log.filter(isRedelivery)
  const known = (e: RequestLogEntry) => isListDeliveries(e) || isRedelivery(e) || isVariable(e)
  return {
    requests: log.length,
    listRequests: lists.length,
    listByHook,
    repeatedPages: repeated(pages),
    repeatedCursors: repeated(cursors),
    variableReads: log.filter(e => isVariable(e) && e.method === 'GET').length,
    variableWrites: log.filter(e => isVariable(e) && isWrite(e)).length,
    redeliveryPosts: redeliveries.length,
    acceptedRedeliveries: redeliveries.filter(e => e.status === 202),
    writes,
    otherRequests: log.filter(e => !known(e)).map(e => `${e.method} ${e.route} -> ${e.status}`),
    scanSpanMs: lists.length ? Math.max(...lists.map(e => e.end)) - Math.min(...lists.map(e => e.start)) : undefined,
    limited: log.filter(e => e.limited !== undefined).length
  }
}

/** Events per minute over first..last (n events span n-1 intervals). */
export function perMinute(times: number[]): number | undefined {
  if (times.length < 2) return undefined
  const sorted = [...times].sort((a, b) => a - b)
  const span = sorted[sorted.length - 1] - sorted[0]
  return span > 0 ? ((sorted.length - 1) * 60_000) / span : undefined
}

/** The most events inside any sliding window of `windowMs`. */
export function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b)
  let best = 0
  let lo = 0
  for (let hi = 0; hi < sorted.length; hi++) {
    while (sorted[hi] - sorted[lo] >= windowMs) lo++
    best = Math.max(best, hi - lo + 1)
  }
  return best
}

/** Smallest gap between consecutive events, ms. */
export function minGap(times: number[]): number | undefined {
  const sorted = [...times].sort((a, b) => a - b)
  let best: number | undefined
  for (let i = 1; i < sorted.length; i++) best = Math.min(best ?? Infinity, sorted[i] - sorted[i - 1])
  return best
}
