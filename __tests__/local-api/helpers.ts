// Shared helpers for the local API suites: raw HTTP calls and hand-made JWTs (so tests can
// put any claim in them, which a JWT library would refuse to do).

import { createPrivateKey, sign } from 'node:crypto'

export interface Res {
  status: number
  headers: Headers
  text: string
  json: any
}

export async function call(url: string, opts: { method?: string; auth?: string; body?: unknown } = {}): Promise<Res> {
  const headers: Record<string, string> = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' }
  if (opts.auth) headers.authorization = opts.auth
  if (opts.body !== undefined) headers['content-type'] = 'application/json'
  const r = await fetch(url, { method: opts.method ?? 'GET', headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) })
  const text = await r.text()
  let json: unknown
  try {
    json = text ? JSON.parse(text) : undefined
  } catch {
    json = undefined
  }
  return { status: r.status, headers: r.headers, text, json }
}

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')

/** An RS256 JWT with exactly these claims. */
export function makeJwt(privateKeyPem: string, claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'RS256', typ: 'JWT' }): string {
  const data = `${b64url(header)}.${b64url(claims)}`
  const sig = sign('RSA-SHA256', Buffer.from(data), createPrivateKey(privateKeyPem)).toString('base64url')
  return `${data}.${sig}`
}

/** What @octokit/auth-app sends: iat 30 s back, exp 10 minutes after iat, both from `nowMs`. */
export function appJwt(app: { id: number | string; privateKeyPem: string }, nowMs = Date.now()): string {
  const iat = Math.floor(nowMs / 1000) - 30
  return makeJwt(app.privateKeyPem, { iat, exp: iat + 600, iss: app.id })
}

/** Ids as written in the JSON text, before any JSON.parse rounding. */
export function rawIds(text: string): string[] {
  return [...text.matchAll(/"id":(\d+)/g)].map(m => m[1])
}

/** The URL of a response's Link rel="next", if it has one. */
export function nextLink(r: Res): string | undefined {
  return /<([^>]+)>;\s*rel="next"/.exec(r.headers.get('link') ?? '')?.[1]
}
