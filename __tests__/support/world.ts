/** Small helpers to set up deliveries on the local GitHub API and read back what it saw. */
import { createServer } from 'node:net'
import { redeliveryCounts, type HookRef, type LocalApi } from '../../local-api/index.js'

export const MINUTE = 60_000
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR

/** A token for acme's organization hooks that keeps the bookmark in acme/workflows: most tests' credential. */
export function orgToken(api: LocalApi): string {
  return api.createToken({
    grants: [
      { org: 'acme', hooks: 'write' },
      { repo: 'acme/workflows', variables: 'write' }
    ]
  })
}

let counter = 0
/** A guid that says what it is, so a failing assertion is readable. */
export function guid(label: string): string {
  counter++
  const hex = Buffer.from(`${label}-${counter}`).toString('hex').padEnd(32, '0').slice(0, 32)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`
}

/** One delivery that failed at `agoMs` before the server's now, with optional earlier/later attempts. */
export function addFailure(api: LocalApi, hook: HookRef, agoMs: number, opts: { event?: string; action?: string | null; label?: string; guid?: string; attempts?: number } = {}): string {
  const id = opts.guid ?? guid(opts.label ?? 'fail')
  const at = api.now() - agoMs
  for (let i = 0; i < (opts.attempts ?? 1); i++) {
    api.addDelivery(hook, {
      guid: id,
      event: opts.event ?? 'push',
      action: opts.action ?? null,
      deliveredAt: at + i * 1000,
      ok: false,
      status: 'Invalid HTTP Response: 503',
      statusCode: 503,
      redelivery: i > 0
    })
  }
  return id
}

export function addSuccess(api: LocalApi, hook: HookRef, agoMs: number, opts: { event?: string; action?: string | null; guid?: string } = {}): string {
  const id = opts.guid ?? guid('ok')
  api.addDelivery(hook, { guid: id, event: opts.event ?? 'push', action: opts.action ?? null, deliveredAt: api.now() - agoMs, ok: true, status: 'OK', statusCode: 200 })
  return id
}

/** Accepted redelivery requests, as guid -> count (the local API's own reading). */
export { redeliveryCounts }

export function acceptedIds(api: LocalApi, hook?: HookRef): string[] {
  return api
    .redeliveryRequests(hook)
    .filter(r => r.accepted)
    .map(r => r.deliveryId)
}

/** Waits (machine time) until the receiver has answered every accepted redelivery. */
export async function settle(ms = 150): Promise<void> {
  await new Promise(resolve => setTimeout(resolve, ms))
}

export function sorted(values: Iterable<string>): string[] {
  return [...values].sort()
}

/**
 * A poll for the runner harness's `killWhen`: does `act` once, as soon as `n` redeliveries
 * have been accepted, and never kills. `done()` tells whether it happened.
 */
export function onceRedelivered(api: LocalApi, n: number, act: () => void): { killWhen: () => boolean; done: () => boolean } {
  let happened = false
  return {
    killWhen: () => {
      if (!happened && redeliveryCounts(api).size >= n) {
        happened = true
        act()
      }
      return false
    },
    done: () => happened
  }
}

/** A local port nothing listens on: connections to it are refused at once. */
export async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>(resolve => server.close(() => resolve()))
  return port
}
