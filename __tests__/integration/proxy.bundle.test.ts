/**
 * Self-hosted runners often reach GitHub only through HTTPS_PROXY / HTTP_PROXY: every
 * request goes through it, and NO_PROXY is honoured, as the toolkit's own clients do.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals'
import { createServer, type Server } from 'node:http'
import { connect } from 'node:net'
import { startLocalApi, type LocalApi } from '../../local-api/index.js'
import { runAction } from '../support/runner.js'
import { addFailure, HOUR, redeliveryCounts } from '../support/world.js'

/** A name that only the proxy knows how to reach: a request that bypasses the proxy fails. */
const GITHUB_HOST = 'api.github.test'

let api: LocalApi
let proxy: Server
let proxyUrl: string
const tunnels: string[] = []

beforeAll(async () => {
  api = await startLocalApi({ seed: 9 })
  const apiPort = Number(new URL(api.url).port)
  proxy = createServer((_, res) => res.writeHead(405).end())
  // CONNECT tunnels, which is how undici's proxy agent reaches any host.
  proxy.on('connect', (req, client, head) => {
    tunnels.push(req.url ?? '')
    const upstream = connect(apiPort, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  })
  await new Promise<void>(resolve => proxy.listen(0, '127.0.0.1', resolve))
  const address = proxy.address()
  proxyUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
})

afterAll(async () => {
  proxy.closeAllConnections()
  await new Promise(resolve => proxy.close(resolve))
  await api.close()
})

test('every request goes through HTTP_PROXY, and NO_PROXY bypasses it', async () => {
  const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write' }] })
  const hook = api.createOrgHook('acme')
  const failing = addFailure(api, hook, HOUR)
  const apiPort = new URL(api.url).port
  const inputs = { 'target-type': 'org', org: 'acme', token, hostname: `http://${GITHUB_HOST}:${apiPort}` }

  const proxied = await runAction({ apiUrl: api.url, inputs, env: { HTTP_PROXY: proxyUrl, HTTPS_PROXY: proxyUrl } })
  expect(proxied.commands.errors).toEqual([])
  expect(proxied.exitCode).toBe(0)
  expect(redeliveryCounts(api).get(failing)).toBe(1)
  expect(tunnels.length).toBeGreaterThan(0)
  for (const target of tunnels) expect(target).toBe(`${GITHUB_HOST}:${apiPort}`)

  const before = tunnels.length
  const bypassed = await runAction({ apiUrl: api.url, inputs, env: { HTTP_PROXY: proxyUrl, NO_PROXY: GITHUB_HOST } })
  expect(tunnels.length).toBe(before)
  // Without the proxy the made-up host cannot be reached: the run says so, and fails.
  expect(bypassed.exitCode).toBe(1)
  expect(bypassed.commands.errors.join('\n')).toMatch(/ENOTFOUND|EAI_AGAIN|fetch failed|its name does not resolve/)
})
