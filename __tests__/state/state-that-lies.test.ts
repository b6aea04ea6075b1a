/**
 * State that would otherwise be silently lost or misread, through the CLI's main() in this
 * process against the local GitHub API: a bookmark from the future, a hand-edited entry, two
 * targets on one state file, a report written over the state, a state file larger than a variable.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { startLocalApi, type LocalApi } from '../../local-api/index.js'
import { MAX_STATE_CHARS } from '../../src/core/bookmark/format.js'
import { runCliInProcess, shortenWaitsInEachTest, type CliInProcessRun } from '../support/in-process.js'
import { addFailure, addSuccess, DAY, HOUR, MINUTE, redeliveryCounts, sorted } from '../support/world.js'

// GitHub's one second between writes, shrunk for the local API.
shortenWaitsInEachTest()

let dir: string
let api: LocalApi
let token: string

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'state-lies-test-'))
  api = await startLocalApi({ seed: 7 })
  token = api.createToken({
    grants: [
      { org: 'acme', hooks: 'write' },
      { org: 'beta', hooks: 'write' }
    ]
  })
})
afterEach(async () => {
  await api.close()
  rmSync(dir, { recursive: true, force: true })
})

function cli(args: string[]): Promise<CliInProcessRun> {
  return runCliInProcess([...args, '--hostname', api.url], { GITHUB_TOKEN: token, TMPDIR: dir })
}

const iso = (ms: number): string => new Date(ms).toISOString()
const readState = (path: string): { version: number; hooks: Record<string, { floor: string; pending?: Record<string, string[]>; sent?: Record<string, string[]>; done?: Record<string, number> }> } =>
  JSON.parse(readFileSync(path, 'utf8'))

describe('a bookmark from the future is not trusted', () => {
  test("a delivery dated a month after GitHub's clock never becomes the stored floor", async () => {
    const hook = api.createOrgHook('acme')
    const failing = addFailure(api, hook, HOUR)
    addSuccess(api, hook, -30 * DAY)
    const state = join(dir, 'state.json')
    const run = await cli(['--target-type', 'org', '--org', 'acme', '--hook-id', String(hook.id), '--state-file', state, '--json'])
    expect(run.code).toBe(0)
    expect([...redeliveryCounts(api).keys()]).toEqual([failing])
    const entry = readState(state).hooks[hook.id] as { floor: string; seen?: string }
    expect(Date.parse(entry.floor)).toBeLessThanOrEqual(api.now())
    // GitHub's clock, as the run knows it from Date headers of one-second resolution.
    expect(entry.seen === undefined || Date.parse(entry.seen) <= api.now() + 1000).toBe(true)

    // So the next run trusts its bookmark: no warning, nothing rescanned from the lookback.
    const next = await cli(['--target-type', 'org', '--org', 'acme', '--hook-id', String(hook.id), '--state-file', state])
    expect(next.stderr).not.toMatch(/not trusted/)
  })

  test("a hook's floor a day ahead: warned, the lookback is scanned, and a good floor written", async () => {
    const hook = api.createOrgHook('acme')
    const failing = addFailure(api, hook, HOUR)
    const state = join(dir, 'state.json')
    writeFileSync(state, JSON.stringify({ version: 1, hooks: { [hook.id]: { floor: iso(api.now() + DAY) } } }))

    const run = await cli(['--target-type', 'org', '--org', 'acme', '--hook-id', String(hook.id), '--state-file', state, '--json'])

    expect(run.code).toBe(0)
    expect(run.stderr).toMatch(
      new RegExp(`warning: acme hook ${hook.id}: the bookmark is not trusted, since its floor \\S+ is later than GitHub's time now \\(\\S+\\); scanning the last 1d and writing a new bookmark\\.`)
    )
    expect(JSON.parse(run.stdout)).toMatchObject({ failed: 1, redelivered: 1 })
    expect([...redeliveryCounts(api).keys()]).toEqual([failing])
    expect(Date.parse(readState(state).hooks[hook.id].floor)).toBeLessThanOrEqual(api.now())
  })

  test("the documented script's value from the future: one warning for all hooks, both scanned from the lookback", async () => {
    const hooks = [api.createOrgHook('acme'), api.createOrgHook('acme')]
    const failing = hooks.map(h => addFailure(api, h, 2 * HOUR))
    const state = join(dir, 'state.json')
    writeFileSync(state, String(api.now() + 2 * DAY))

    const run = await cli(['--target-type', 'org', '--org', 'acme', '--hook-id', hooks.map(h => h.id).join(','), '--state-file', state, '--json'])

    expect(run.code).toBe(0)
    expect(run.stderr.match(/The bookmark is not trusted: the value of GitHub's documented script \(\S+\) is later than GitHub's time now/g)).toHaveLength(1)
    expect(sorted(redeliveryCounts(api).keys())).toEqual(sorted(failing))
    for (const h of hooks) expect(Date.parse(readState(state).hooks[h.id].floor)).toBeLessThanOrEqual(api.now())
  })
})

test('a hand-edited entry that cannot be read is named in a warning, and the others are kept', async () => {
  const broken = api.createOrgHook('acme')
  const fine = api.createOrgHook('acme')
  const failing = addFailure(api, broken, HOUR)
  addFailure(api, fine, 3 * HOUR)
  const state = join(dir, 'state.json')
  const fineFloor = iso(api.now() - 2 * HOUR)
  writeFileSync(state, JSON.stringify({ version: 1, hooks: { [broken.id]: { floor: 'yesterday' }, [fine.id]: { floor: fineFloor } } }))

  const run = await cli(['--target-type', 'org', '--org', 'acme', '--hook-id', `${broken.id},${fine.id}`, '--state-file', state, '--json'])

  expect(run.code).toBe(0)
  expect(run.stderr).toContain(
    `warning: The state file ${state} holds a bookmark entry webhook-redelivery cannot fully read: hook "${broken.id}": "floor" is "yesterday", not a time: the hook is scanned as if it had no bookmark.`
  )
  // The broken hook was scanned from the lookback; the other kept its floor (its older failure stays behind it).
  expect([...redeliveryCounts(api).keys()]).toEqual([failing])
  const after = readState(state)
  expect(Number.isNaN(Date.parse(after.hooks[broken.id].floor))).toBe(false)
  expect(after.hooks[fine.id].floor).toBe(fineFloor)
})

test("two targets on one state file: the second keeps the first one's bookmark, in-flight entries included", async () => {
  const a = api.createOrgHook('acme')
  const b = api.createOrgHook('beta')
  addFailure(api, a, HOUR)
  addFailure(api, b, HOUR)
  const state = join(dir, 'state.json')

  expect((await cli(['--target-type', 'org', '--org', 'acme', '--state-file', state])).code).toBe(0)
  const afterA = readState(state).hooks[a.id]
  expect(afterA.sent).toBeDefined()
  expect((await cli(['--target-type', 'org', '--org', 'beta', '--state-file', state])).code).toBe(0)

  const both = readState(state).hooks
  expect(both[a.id]).toEqual(afterA)
  expect(both[b.id].sent).toBeDefined()
})

test('two apps on one state file keep their own bookmarks', async () => {
  const apps = [api.createApp(), api.createApp()]
  const state = join(dir, 'state.json')
  const failing = apps.map(app => addFailure(api, app.hook, 10 * MINUTE))
  const run = async (app: (typeof apps)[number]): Promise<number> => {
    const key = join(dir, `key-${app.id}.pem`)
    writeFileSync(key, app.privateKeyPem)
    return (await cli(['--target-type', 'app', '--app-id', String(app.id), '--private-key-file', key, '--state-file', state])).code
  }

  expect(await run(apps[0])).toBe(0)
  const afterFirst = readState(state).hooks
  expect(Object.keys(afterFirst)).toEqual([`app:${apps[0].id}`])
  expect(await run(apps[1])).toBe(0)

  // The second app did not start from the first one's floor: its failure was found and redelivered.
  expect(sorted(redeliveryCounts(api).keys())).toEqual(sorted(failing))
  const hooks = readState(state).hooks
  expect(Object.keys(hooks).sort()).toEqual(sorted([`app:${apps[0].id}`, `app:${apps[1].id}`]))
  expect(hooks[`app:${apps[0].id}`]).toEqual(afterFirst[`app:${apps[0].id}`])
})

describe('--report-file must not overwrite what the run keeps', () => {
  const base = (state: string): string[] => ['--target-type', 'org', '--org', 'acme', '--state-file', state]

  test.each([
    ['the state file itself', (state: string) => state, 'the report would overwrite the bookmark'],
    ['the lock beside it', (state: string) => `${state}.lock`, 'the report would overwrite the lock beside the state file'],
    ['the state file by another path', (_state: string) => join(dir, 'sub', '..', 'state.json'), 'the report would overwrite the bookmark']
  ])('refused when it is %s: before any request, the state file untouched', async (_, report, words) => {
    api.createOrgHook('acme')
    mkdirSync(join(dir, 'sub'))
    const state = join(dir, 'state.json')
    writeFileSync(state, '{"version":1,"hooks":{}}\n')
    const run = await cli([...base(state), '--report-file', report(state)])
    expect(run.code).toBe(1)
    expect(run.stderr).toBe(`error: --report-file and --state-file lead to the same file (${report(state).replace('sub/../', '')}): ${words}. Give --report-file another path.\n`)
    expect(api.log).toHaveLength(0)
    expect(readFileSync(state, 'utf8')).toBe('{"version":1,"hooks":{}}\n')
  })

  test('refused through a symlink to the state file, and for the private key file', async () => {
    const state = join(dir, 'state.json')
    writeFileSync(state, '{"version":1,"hooks":{}}\n')
    symlinkSync(state, join(dir, 'report.json'))
    const viaLink = await cli([...base(state), '--report-file', join(dir, 'report.json')])
    expect(viaLink.code).toBe(1)
    expect(viaLink.stderr).toContain('the report would overwrite the bookmark')

    const key = join(dir, 'key.pem')
    writeFileSync(key, 'not a key')
    const overKey = await cli(['--target-type', 'app', '--app-id', '1', '--private-key-file', key, '--state-file', key])
    expect(overKey.code).toBe(1)
    expect(overKey.stderr).toContain('--state-file and --private-key-file lead to the same file')
    expect(readFileSync(key, 'utf8')).toBe('not a key')
    expect(api.log).toHaveLength(0)
  })
})

describe('--metrics-file must not overwrite what the run keeps or writes', () => {
  const state = (): string => join(dir, 'coll.json')
  const untouched = '{"version":1,"hooks":{}}\n'

  test.each([
    [
      'the state file by another spelling (dir/./sub/../coll.json)',
      () => ['--state-file', state(), '--metrics-file', join(dir, '.', 'sub', '..', 'coll.json')],
      '--metrics-file and --state-file',
      'the metrics would overwrite the bookmark'
    ],
    [
      'the lock beside the state file',
      () => ['--state-file', state(), '--metrics-file', `${state()}.lock`],
      '--metrics-file and --state-file',
      'the metrics would overwrite the lock beside the state file'
    ],
    ['the report file', () => ['--report-file', join(dir, 'out'), '--metrics-file', join(dir, 'out')], '--metrics-file and --report-file', 'the metrics would overwrite the report'],
    [
      'a symlink to the state file',
      () => (symlinkSync(state(), join(dir, 'm.prom')), ['--state-file', state(), '--metrics-file', join(dir, 'm.prom')]),
      '--metrics-file and --state-file',
      'the metrics would overwrite the bookmark'
    ]
  ])('refused when it is %s: before any request, nothing written', async (_, flags, pair, words) => {
    api.createOrgHook('acme')
    mkdirSync(join(dir, 'sub'))
    writeFileSync(state(), untouched)
    const run = await cli(['--target-type', 'org', '--org', 'acme', ...flags()])
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(new RegExp(`^error: ${pair} lead to the same file \\(\\S+\\): ${words}\\. Give --metrics-file another path\\.\\n$`))
    expect(api.log).toHaveLength(0)
    expect(readFileSync(state(), 'utf8')).toBe(untouched)
  })

  test('refused when the last-success times it keeps beside it (PATH.state.json) would be the state file', async () => {
    api.createOrgHook('acme')
    const bookmark = join(dir, 'm.prom.state.json')
    writeFileSync(bookmark, untouched)
    const run = await cli(['--target-type', 'org', '--org', 'acme', '--state-file', bookmark, '--metrics-file', join(dir, 'm.prom')])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('error: --metrics-file and --state-file lead to the same file')
    expect(run.stderr).toContain('the last-success times beside the metrics would overwrite the bookmark')
    expect(api.log).toHaveLength(0)
    expect(readFileSync(bookmark, 'utf8')).toBe(untouched)
  })

  test('refused for coll.json as --state-file and ./coll.json, and for app.pem as the private key, relative to the working directory', async () => {
    api.createOrgHook('acme')
    writeFileSync(state(), untouched)
    const inDir = (args: string[]): Promise<CliInProcessRun> => runCliInProcess([...args, '--hostname', api.url], { GITHUB_TOKEN: token, TMPDIR: dir }, { cwd: dir })
    const overState = await inDir(['--target-type', 'org', '--org', 'acme', '--state-file', 'coll.json', '--metrics-file', './coll.json'])
    expect(overState.code).toBe(1)
    expect(overState.stderr).toContain('error: --metrics-file and --state-file lead to the same file')

    const key = join(dir, 'app.pem')
    writeFileSync(key, 'not a key')
    const overKey = await inDir(['--target-type', 'app', '--app-id', '1', '--private-key-file', 'app.pem', '--metrics-file', './app.pem'])
    expect(overKey.code).toBe(1)
    expect(overKey.stderr).toContain('error: --metrics-file and --private-key-file lead to the same file')
    expect(overKey.stderr).toContain('the metrics would overwrite the private key')
    expect(readFileSync(key, 'utf8')).toBe('not a key')
    expect(readFileSync(state(), 'utf8')).toBe(untouched)
    expect(api.log).toHaveLength(0)
  })
})

test('a state file larger than any bookmark is refused before it is read, naming the file and the limit', async () => {
  api.createOrgHook('acme')
  const state = join(dir, 'state.json')
  // Sparse: 62 MB on disk costs nothing, and reading it whole would take gigabytes.
  writeFileSync(state, '{')
  truncateSync(state, 62 * 1024 * 1024)
  const run = await cli(['--target-type', 'org', '--org', 'acme', '--state-file', state])
  expect(run.code).toBe(1)
  expect(run.stderr).toBe(
    `error: The state file ${state} is 62 MB, more than the 8 MB any bookmark of webhook-redelivery stays under: it is not read. Delete it or give another to start a new bookmark.\n`
  )
  expect(statSync(state).size).toBe(62 * 1024 * 1024)
  expect(api.log.some(e => e.route.includes('/deliveries'))).toBe(false)
})

test('a state file is not trimmed to the size of an Actions variable', async () => {
  const hook = api.createOrgHook('acme')
  const state = join(dir, 'state.json')
  // 3,000 deliveries given up a minute ago: more than 40,000 characters, all still keeping a report from repeating itself.
  const at = Math.floor((api.now() - MINUTE) / 1000)
  const done = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, at]))
  writeFileSync(state, JSON.stringify({ version: 1, hooks: { [hook.id]: { floor: iso(api.now() - HOUR), done } } }))
  addFailure(api, hook, 10 * MINUTE)
  expect(readFileSync(state, 'utf8').length).toBeGreaterThan(MAX_STATE_CHARS)

  const run = await cli(['--target-type', 'org', '--org', 'acme', '--hook-id', String(hook.id), '--state-file', state])

  expect(run.code).toBe(0)
  expect(run.stderr).not.toMatch(/too large/)
  expect(Object.keys(readState(state).hooks[hook.id].done!)).toHaveLength(3000)
})

test('a symlinked state file stays a link, and its lock sits beside the file it leads to', async () => {
  api.createOrgHook('acme')
  mkdirSync(join(dir, 'real'))
  const target = join(dir, 'real', 'state.json')
  writeFileSync(target, '')
  const link = join(dir, 'state.json')
  symlinkSync(target, link)
  writeFileSync(`${target}.lock`, JSON.stringify({ pid: process.pid, host: hostname() }) + '\n')

  const locked = await cli(['--target-type', 'org', '--org', 'acme', '--state-file', link])
  expect(locked.code).toBe(1)
  expect(locked.stderr).toContain(`holds the lock ${target}.lock`)
  rmSync(`${target}.lock`)

  expect((await cli(['--target-type', 'org', '--org', 'acme', '--state-file', link])).code).toBe(0)
  expect(lstatSync(link).isSymbolicLink()).toBe(true)
  expect(readState(target).version).toBe(1)
})
