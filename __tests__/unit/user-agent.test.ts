/** The user agent follows the toolkit's convention: the workflow run's orchestration id, when there is one. */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { createClient, loadGitHub, USER_AGENT, userAgent } from '../../src/github/client.js'
import { GitHubClock } from '../../src/github/clock.js'
import { GITHUB_PACING } from '../../src/github/timing.js'

describe('userAgent', () => {
  test("the version is package.json's", () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
    expect(USER_AGENT).toBe(`webhook-redelivery/${version}`)
  })

  test('outside a workflow run: the project and its version', () => {
    expect(userAgent({})).toBe(USER_AGENT)
    expect(userAgent({ ACTIONS_ORCHESTRATION_ID: '  ' })).toBe(USER_AGENT)
  })

  test('inside one: the orchestration id, with anything but [a-z0-9_.-] replaced', () => {
    expect(userAgent({ ACTIONS_ORCHESTRATION_ID: 'abc-123.x_Y' })).toBe(`${USER_AGENT} actions_orchestration_id/abc-123.x_Y`)
    expect(userAgent({ ACTIONS_ORCHESTRATION_ID: 'a b/c"d' })).toBe(`${USER_AGENT} actions_orchestration_id/a_b_c_d`)
  })
})

describe('what the client sends', () => {
  let server: Server
  let url: string
  const agents: string[] = []
  const saved = process.env.ACTIONS_ORCHESTRATION_ID

  beforeAll(async () => {
    server = createServer((req, res) => {
      agents.push(String(req.headers['user-agent']))
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const address = server.address()
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  })

  afterAll(async () => {
    if (saved === undefined) delete process.env.ACTIONS_ORCHESTRATION_ID
    else process.env.ACTIONS_ORCHESTRATION_ID = saved
    await new Promise(resolve => server.close(resolve))
  })

  test('the header starts with the project and carries the orchestration id', async () => {
    process.env.ACTIONS_ORCHESTRATION_ID = 'run-42'
    const context = {
      GitHub: await loadGitHub(),
      baseUrl: url,
      clock: new GitHubClock(),
      log: { debug: () => {}, warning: () => {} },
      mask: () => {},
      requests: { total: 0, writes: 0 },
      pacing: GITHUB_PACING
    }
    await createClient(context, { token: 'test-token' }).request('GET /rate_limit')
    expect(agents).toHaveLength(1)
    expect(agents[0].startsWith(`${USER_AGENT} actions_orchestration_id/run-42`)).toBe(true)
  })
})
