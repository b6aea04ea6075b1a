/**
 * A fleet of repository hooks as one target (issue 12): `repository: acme/*` over more than a page of
 * repositories, a payload URL prefix in `hook-id`, repositories coming and going between runs,
 * a token that sees only part of the fleet, and shards. In process, against the local API.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { seedFleet, startLocalApi, type Fleet, type LocalApi } from '../../local-api/index.js'
import { main as cliMain } from '../../src/cli/main.js'
import { MAX_STATE_CHARS, parseBookmark } from '../../src/core/bookmark/format.js'
import { shardOf } from '../../src/core/selection.js'
import { runInProcess } from '../support/in-process.js'
import { addFailure, HOUR, MINUTE, orgToken, redeliveryCounts, settle, sorted } from '../support/world.js'

let api: LocalApi
let fleet: Fleet
let token: string

const CI = 'https://ci.example.com/*'

beforeEach(async () => {
  api = await startLocalApi({ seed: 21 })
  fleet = seedFleet(api, {
    owner: 'acme',
    repositories: 150,
    // Some without hooks, some with three: two at the CI (matched by the prefix), one elsewhere.
    hooks: i => (i % 10 === 0 ? 0 : i % 25 === 3 ? 3 : 1),
    archived: i => i % 50 === 7,
    url: (i, j) => (j === 2 ? `https://chat.example.net/hooks/${i}` : `https://ci.example.com/hooks/svc-${i}${j ? `/${j}` : ''}`),
    failingHooks: 0.2
  })
  token = orgToken(api)
})
afterEach(async () => {
  await api.close()
})

const inputs = (extra: Record<string, string> = {}): Record<string, string> => ({
  'target-type': 'repo',
  repository: 'acme/*',
  'hook-id': CI,
  token,
  'state-variable': 'FLEET_STATE',
  ...extra
})

const archived = (repo: string): boolean => Number(repo.slice(-4)) % 50 === 7
const matched = (f: Fleet) => f.hooks.filter(h => h.url.startsWith('https://ci.example.com/') && !archived(h.repo))
const bookmark = (name = 'FLEET_STATE') => parseBookmark(api.getVariable('acme/workflows', name)?.value).bookmark

describe('repository: acme/* with a payload URL prefix', () => {
  test('redelivers exactly the failures of the matched hooks, once, across runs; an idle run then writes nothing and reads only what it must', async () => {
    const expected = matched(fleet).flatMap(h => h.failingGuids)
    const elsewhere = fleet.hooks.filter(h => !matched(fleet).includes(h)).flatMap(h => h.failingGuids)
    expect(expected.length).toBeGreaterThan(20)
    expect(elsewhere.length).toBeGreaterThan(0)

    const first = await runInProcess(api, inputs())
    expect(first.error).toBeUndefined()
    await settle()
    expect(first.result!.totals.redelivered).toBe(expected.length)
    expect(sorted(redeliveryCounts(api).keys())).toEqual(sorted(expected))
    expect([...redeliveryCounts(api).values()].every(n => n === 1)).toBe(true)
    expect(first.result!.hooks).toHaveLength(matched(fleet).length)
    // Quiet hooks share one compact line of the bookmark.
    const state = api.getVariable('acme/workflows', 'FLEET_STATE')!.value
    expect(JSON.parse(state).quiet).toBeDefined()
    expect(bookmark().hooks.size).toBe(matched(fleet).length)

    api.advanceClock(15 * MINUTE)
    const second = await runInProcess(api, inputs())
    expect(second.error).toBeUndefined()
    expect(second.result!.totals.redelivered).toBe(0)
    expect([...redeliveryCounts(api).values()].every(n => n === 1)).toBe(true)

    // Nothing new: the same bookmark, so the variable is not written again.
    const quiet = api.getVariable('acme/workflows', 'FLEET_STATE')!.value
    expect(parseBookmark(quiet).bookmark.hooks.size).toBe(matched(fleet).length)
    // What the bookmark costs a fleet, as measured here: at these rates, 1,000 quiet hooks fit in 16 KB,
    // and with 20 redeliveries in flight in the variable. `npm run bench` (scenario 7) saves both for
    // 1,000 hooks, in the built action.
    const perQuietHook = quiet.length / matched(fleet).length
    const perRedeliveryInFlight = (state.length - quiet.length) / expected.length
    expect(1000 * perQuietHook).toBeLessThan(16 * 1024)
    expect(1000 * perQuietHook + 20 * perRedeliveryInFlight).toBeLessThan(MAX_STATE_CHARS)
    api.advanceClock(15 * MINUTE)
    api.clearLog()
    const idle = await runInProcess(api, inputs())
    expect(idle.error).toBeUndefined()
    expect(api.log.filter(e => e.method !== 'GET')).toEqual([])
    expect(api.getVariable('acme/workflows', 'FLEET_STATE')!.value).toBe(quiet)
    // Reads: the repository pages, one hook list per repository not archived, one delivery page
    // per matched hook, the variable. (acme/workflows, which holds the variable, is in acme/* too.)
    const repositoryPages = Math.ceil((fleet.repositories.length + 1) / 100)
    const listed = fleet.repositories.filter(r => !r.archived).length + 1
    expect(api.log.filter(e => e.route === '/orgs/acme/repos')).toHaveLength(repositoryPages)
    expect(api.log.filter(e => /^\/repos\/acme\/[^/]+\/hooks$/.test(e.route))).toHaveLength(listed)
    expect(api.log.filter(e => e.route.endsWith('/deliveries'))).toHaveLength(matched(fleet).length)
    expect(api.log.filter(e => e.route.endsWith('/actions/variables/FLEET_STATE'))).toHaveLength(1)
    expect(api.log).toHaveLength(repositoryPages + listed + matched(fleet).length + 1)
  })

  test('hooks GitHub reports as never delivered cost no delivery listing', async () => {
    const quiet = seedFleet(api, { owner: 'acme', namePrefix: 'new-', repositories: 5, deliveriesPerHook: 0 })
    api.clearLog()
    const run = await runInProcess(api, inputs({ repository: 'acme/new-*' }))
    expect(run.error).toBeUndefined()
    expect(run.result!.hooks).toHaveLength(5)
    expect(api.log.filter(e => e.route.endsWith('/deliveries'))).toEqual([])
    expect(bookmark().hooks.size).toBe(quiet.hooks.length)
  })
})

describe('a fleet that changes between runs', () => {
  test('a deleted repository leaves the bookmark; an added one is scanned back to the lookback', async () => {
    await runInProcess(api, inputs())
    const gone = matched(fleet)[0]
    expect(bookmark().hooks.has(String(gone.ref.id))).toBe(true)

    api.deleteRepository(gone.repo)
    api.addRepository('acme', 'svc-added')
    const added = api.createRepoHook('acme/svc-added', { url: 'https://ci.example.com/hooks/added' })
    // Failed before the first run, when no run could see it: the lookback finds it.
    const failed = addFailure(api, added, 2 * HOUR)
    api.advanceClock(15 * MINUTE)

    const run = await runInProcess(api, inputs())
    expect(run.error).toBeUndefined()
    await settle()
    expect(redeliveryCounts(api, added).get(failed)).toBe(1)
    const after = bookmark()
    expect(after.hooks.has(String(gone.ref.id))).toBe(false)
    expect(after.hooks.has(String(added.id))).toBe(true)
  })
})

describe('a token that sees part of the fleet', () => {
  test('one warning names every repository it cannot read; the rest proceed, and their entries stay', async () => {
    const named = ['acme/svc-0001', 'acme/svc-0002', 'acme/svc-0003', 'acme/svc-0004']
    const partial = api.createToken({
      kind: 'classic',
      grants: [{ repo: 'acme/svc-0001', hooks: 'write' }, { repo: 'acme/svc-0004', hooks: 'write' }, { repo: 'acme/svc-0002' }, { repo: 'acme/workflows', variables: 'write' }]
    })
    const all = inputs({ repository: named.join(','), 'hook-id': '' })
    expect((await runInProcess(api, all)).error).toBeUndefined()
    const before = bookmark()
    const run = await runInProcess(api, { ...all, token: partial })
    expect(run.error).toBeUndefined()
    // Part of the fleet could not be read: nothing says its hooks are gone.
    for (const h of fleet.hooks.filter(h => named.includes(h.repo))) expect(bookmark().hooks.get(String(h.ref.id))?.floor).toBe(before.hooks.get(String(h.ref.id))?.floor)
    const warnings = run.warnings.filter(w => w.includes('cannot read the webhooks'))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('2 repositories')
    expect(warnings[0]).toContain('acme/svc-0002, acme/svc-0003')
    expect(run.result!.warnings).toContain(warnings[0])
    expect(sorted(run.result!.hooks.map(h => h.hook.repository!))).toEqual(['acme/svc-0001', 'acme/svc-0004'])
    await settle()
    // The first run, which saw all four, redelivered their failures; nothing went twice.
    expect(sorted(redeliveryCounts(api).keys())).toEqual(sorted(fleet.hooks.filter(h => named.includes(h.repo)).flatMap(h => h.failingGuids)))
    expect([...redeliveryCounts(api).values()].every(n => n === 1)).toBe(true)
  })
})

describe('shards', () => {
  test('a run that matches no webhook says why: no repository in its shard, or no hook that hook-id matches', async () => {
    // A pattern makes it a fleet (split by repository) even when it selects one repository.
    const one = { ...inputs({ repository: 'acme/svc-0001*' }), 'state-variable': '' }
    const halves = await Promise.all(['1/2', '2/2'].map(shard => runInProcess(api, { ...one, shard })))
    const empty = halves.find(run => run.result?.hooks.length === 0)!
    expect(empty.warnings).toContainEqual(expect.stringMatching(/^No webhook matched: "repository" selected 1 repository, and none of them is in shard [12]\/2\. Use fewer shards/))
    const elsewhere = await runInProcess(api, { ...one, 'hook-id': 'https://nowhere.example.com/*' })
    expect(elsewhere.warnings).toContain('No webhook matched: "repository" selected 1 repository, and "hook-id" matched none of their active hooks.')
  })

  test('1/3, 2/3 and 3/3 together cover every matched hook exactly once, each with its own state', async () => {
    const seen: string[] = []
    for (const index of [1, 2, 3]) {
      const run = await runInProcess(api, inputs({ shard: `${index}/3`, 'state-variable': `FLEET_STATE_${index}` }))
      expect(run.error).toBeUndefined()
      seen.push(...run.result!.hooks.map(h => h.hook.key))
      expect(run.result!.hooks.length).toBeGreaterThan(matched(fleet).length / 6)
    }
    expect(sorted(seen)).toEqual(sorted(matched(fleet).map(h => String(h.ref.id))))
    // Split by repository: each hook list was read by one shard only.
    const hookLists = api.log.filter(e => /^\/repos\/acme\/[^/]+\/hooks$/.test(e.route)).map(e => e.route)
    expect(new Set(hookLists).size).toBe(hookLists.length)
    await settle()
    expect(sorted(redeliveryCounts(api).keys())).toEqual(sorted(matched(fleet).flatMap(h => h.failingGuids)))
  })

  test("a shard given another shard's state variable stops with what to do", async () => {
    await runInProcess(api, inputs({ shard: '1/3' }))
    const run = await runInProcess(api, inputs({ shard: '2/3' }))
    expect(run.error).toMatch(/holds the bookmark of shard 1\/3 of these hooks\. Give each shard its own "state-variable"/)
  })
})

describe('the command line', () => {
  test("--repository 'acme/*' --shard 2/3 looks at the same hooks as the action", async () => {
    let stdout = ''
    // The report goes to the temporary directory the command line is given: one of this test's own.
    const temp = mkdtempSync(join(tmpdir(), 'fleet-cli-'))
    const code = await cliMain(
      ['--target-type', 'repo', '--repository', 'acme/*', '--hook-id', CI, '--shard', '2/3', '--dry-run', '--json'],
      { GITHUB_TOKEN: token, GITHUB_API_URL: api.url, TMPDIR: temp },
      { stdout: t => (stdout += t), stderr: () => {}, stderrIsTerminal: false }
    )
    rmSync(temp, { recursive: true, force: true })
    expect(code).toBe(0)
    const inShard = matched(fleet).filter(h => shardOf(h.repo.toLowerCase(), 3) === 2)
    expect(JSON.parse(stdout)).toMatchObject({ failed: inShard.flatMap(h => h.failingGuids).length, redelivered: 0 })
    expect(api.redeliveryRequests()).toEqual([])
  })

  test("a shard given another shard's --state-file is told to give each its own --state-file", async () => {
    const temp = mkdtempSync(join(tmpdir(), 'fleet-cli-'))
    try {
      // Shard 1/3's bookmark (written by the action, with the waits shortened), now in a state file.
      await runInProcess(api, inputs({ shard: '1/3' }))
      const state = join(temp, 'state.json')
      writeFileSync(state, api.getVariable('acme/workflows', 'FLEET_STATE')!.value)
      let stderr = ''
      const args = ['--target-type', 'repo', '--repository', 'acme/*', '--hook-id', CI, '--shard', '2/3', '--state-file', state]
      const code = await cliMain(args, { GITHUB_TOKEN: token, GITHUB_API_URL: api.url, TMPDIR: temp }, { stdout: () => {}, stderr: t => (stderr += t), stderrIsTerminal: false })
      const second = { code, stderr }
      expect(second.code).toBe(1)
      expect(second.stderr).toMatch(/holds the bookmark of shard 1\/3 of these hooks\. Give each shard its own --state-file \(such as state-1\.json, state-2\.json, …\), so/)
      expect(second.stderr).not.toMatch(/variable/)
    } finally {
      rmSync(temp, { recursive: true, force: true })
    }
  })
})

describe('app credentials', () => {
  test("acme/* is the repositories of the app's installation on acme (archived skipped)", async () => {
    const app = api.createApp()
    const chosen = ['acme/svc-0001', 'acme/svc-0002', 'acme/svc-0007', 'acme/svc-0003']
    api.createInstallation(app.id, { org: 'acme', repositories: chosen }, { repository_hooks: 'write' })
    const run = await runInProcess(api, { 'target-type': 'repo', repository: 'acme/*', 'hook-id': CI, 'app-id': String(app.id), 'private-key': app.privateKeyPem })
    expect(run.error).toBeUndefined()
    expect(sorted(new Set(run.result!.hooks.map(h => h.hook.repository!)))).toEqual(['acme/svc-0001', 'acme/svc-0002', 'acme/svc-0003'])
    expect(api.log.some(e => e.route === '/installation/repositories')).toBe(true)
    await settle()
    const expected = matched(fleet)
      .filter(h => chosen.includes(h.repo))
      .flatMap(h => h.failingGuids)
    expect(sorted(redeliveryCounts(api).keys())).toEqual(sorted(expected))
  })
})

describe('an organization', () => {
  test('hook-id with a URL prefix picks the hooks at the receiver; shards 1/2 and 2/2 split them', async () => {
    const ci = [1, 2, 3, 4].map(i => api.createOrgHook('acme', { url: `https://ci.example.com/org/${i}` }))
    api.createOrgHook('acme', { url: 'https://chat.example.net/org' })
    const orgInputs = { 'target-type': 'org', org: 'acme', 'hook-id': CI, token }
    const all = await runInProcess(api, orgInputs)
    expect(all.error).toBeUndefined()
    expect(sorted(all.result!.hooks.map(h => h.hook.key))).toEqual(sorted(ci.map(h => String(h.id))))
    const halves = await Promise.all(['1/2', '2/2'].map(shard => runInProcess(api, { ...orgInputs, shard })))
    expect(sorted(halves.flatMap(r => r.result!.hooks.map(h => h.hook.key)))).toEqual(sorted(ci.map(h => String(h.id))))
  })
})

describe('a user as owner', () => {
  test("owner/* lists a user's repositories when the owner is no organization", async () => {
    api.addRepository('octo-user', 'tool', { private: false, ownerType: 'User' })
    const hook = api.createRepoHook('octo-user/tool', { url: 'https://ci.example.com/tool' })
    const failed = addFailure(api, hook, HOUR)
    const userToken = api.createToken({ grants: [{ repo: 'octo-user/tool', hooks: 'write' }] })
    const run = await runInProcess(api, { 'target-type': 'repo', repository: 'octo-user/*', token: userToken })
    expect(run.error).toBeUndefined()
    expect(run.result!.hooks.map(h => h.hook.repository)).toEqual(['octo-user/tool'])
    expect(api.log.some(e => e.route === '/users/octo-user/repos')).toBe(true)
    await settle()
    expect(redeliveryCounts(api, hook).get(failed)).toBe(1)
  })

  test('an owner GitHub does not know is named', async () => {
    const run = await runInProcess(api, { 'target-type': 'repo', repository: 'nobody-here/*', token })
    expect(run.error).toBe('Input "repository": GitHub has no organization or user "nobody-here" that the credential can see (404 while listing its repositories). Check the owner in "repository".')
  })
})

describe('GitHub out of reach', () => {
  test('a refused connection ends the run with its explanation, not a warning per repository', async () => {
    const run = await runInProcess(api, { ...inputs({ repository: 'acme/svc-0001, acme/svc-0002', 'state-variable': '' }), hostname: 'http://127.0.0.1:1' })
    expect(run.result).toBeUndefined()
    expect(run.error).toBeDefined()
    expect(run.warnings.filter(w => w.includes('Could not list the webhooks'))).toEqual([])
  })
})
