// The benchmark's scenarios, each against its own local GitHub API. Every number comes
// from the API's request log and counters or from the action's process, never from
// the action's own account of itself.

import { statSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { join } from 'node:path'
import { redeliveryCounts, seedDeliveries, seedFleet, startLocalApi, type HookRef, type LocalApi, type LocalApiOptions, type RequestLogEntry } from '../../local-api/index.js'
import { MAX_STATE_CHARS, parseBookmark } from '../../src/core/bookmark/format.js'
import { root } from '../../tools/repo.js'
import { ACTION_ENTRY, median, runBuiltAction, timeNode, type BenchRun, type Runtime } from './action.js'
import { maxInWindow, minGap, perMinute, summarize, type LogSummary } from './log.js'
import { fmt, type Results } from './report.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
/** Round trip of one request to api.github.com from a hosted runner, roughly. */
export const LATENCY_MS = 40
/** The primary rate limit of a personal access token. */
const PRIMARY_LIMIT = 5000
/** What one run may use of the primary limit: the README advises leaving a fifth to other jobs. */
const RUN_SHARE = 0.8
/** Where the workflow runs and keeps its state variable. */
const STATE_REPO = 'acme/workflows'

export interface Budget {
  scenario: string
  requests: number
  runs: number
}

export interface Context {
  results: Results
  budgets: Budget[]
  progress(message: string): void
  /** Node 24 (what action.yml declares) first, then this machine's Node beside it. */
  runtimes: Runtime[]
}

/** The runtime the targets are measured on: the first, Node 24 when it is there. */
const shipped = (ctx: Context): Runtime => ctx.runtimes[0]

interface Setup {
  api: LocalApi
  org: string
  token: string
  hooks: HookRef[]
}

async function setup(org: string, hookCount: number, opts: LocalApiOptions): Promise<Setup> {
  const api = await startLocalApi(opts)
  const hooks = Array.from({ length: hookCount }, () => api.createOrgHook(org))
  const token = api.createToken({
    grants: [
      { org, hooks: 'write' },
      { repo: STATE_REPO, variables: 'write' }
    ]
  })
  return { api, org, token, hooks }
}

function hookId(hook: HookRef): string {
  if (hook.kind === 'app') throw new Error('org or repo hook expected')
  return String(hook.id)
}

/** The action failed where it should have worked: the scenario's targets are missed, the benchmark is not broken. */
export class ActionFailed extends Error {}

function expectSuccess(run: BenchRun, what: string): void {
  if (run.exitCode !== 0) {
    const why = run.errors.join(' | ') || run.stderr.trim().split('\n').slice(-3).join(' | ') || `signal ${run.signal}`
    throw new ActionFailed(`${what}: the action exited ${run.exitCode}: ${why}`)
  }
}

const pages = (n: number) => Math.ceil(n / 100)

function budgetRow(ctx: Context, scenario: string, requests: number, runs: number): void {
  ctx.budgets.push({ scenario, requests, runs })
}

/** The state variable's per-hook floor (ms), from our own versioned JSON. */
function bookmarkFloor(api: LocalApi, name: string): number | undefined {
  const value = api.getVariable(STATE_REPO, name)?.value
  if (!value) return undefined
  try {
    const doc = JSON.parse(value) as { hooks?: Record<string, { floor?: string }> }
    const floors = Object.values(doc.hooks ?? {}).map(h => Date.parse(h.floor ?? ''))
    return floors.length ? Math.min(...floors) : undefined
  } catch {
    return undefined
  }
}

// ---------------------------------------------------------------------------------------
// 1. Scan cost: one hook, N deliveries in the window, older history behind it.

export async function scanCost(ctx: Context, n = 5000, m = 250): Promise<void> {
  const name = '1 scan cost'
  const { api, org, token, hooks } = await setup('scan-co', 1, { seed: 11, latencyMs: LATENCY_MS })
  const [hook] = hooks
  try {
    const now = api.now()
    // History outside the 24 h lookback (still redeliverable), so the scan has to stop by itself.
    const older = 1000
    seedDeliveries(api, hook, { count: older, endAt: now - 25 * HOUR, spanMs: 20 * HOUR, failRate: 0, seed: 101 })
    seedDeliveries(api, hook, { count: n, endAt: now - 1000, spanMs: 20 * HOUR, failRate: 0, seed: 102 })
    const inputs = { 'target-type': 'org', org, 'hook-id': hookId(hook), token, 'state-variable': 'BENCH_SCAN', lookback: '24h' }

    ctx.progress(`${name}: first run, ${fmt.n(n)} deliveries in the window (+${fmt.n(older)} older)`)
    api.clearLog()
    const first = await runBuiltAction({ inputs, apiUrl: api.url, node: shipped(ctx).path })
    expectSuccess(first, 'scan run')
    const s1 = summarize(api.log)
    const requests1 = api.log.length
    ctx.results.check(name, `scanned = ${fmt.n(n)} (all in window)`, `${first.outputs.scanned}`, Number(first.outputs.scanned) === n)
    ctx.results.check(name, `list requests ≤ ⌈${fmt.n(n)}/100⌉+1 = ${pages(n) + 1}`, `${s1.listRequests} (${fmt.ms(s1.scanSpanMs)} scan)`, s1.listRequests <= pages(n) + 1, s1.listRequests)
    ctx.results.check(name, 'nothing fetched twice (cursors)', `${s1.repeatedPages} repeated`, s1.repeatedPages === 0, s1.repeatedPages)
    for (const [i, runtime] of ctx.runtimes.entries()) {
      const perPage = await pageCost(ctx, api, token, org, hookId(hook), runtime)
      const measured = `${fmt.x(perPage.ratio)}: ${perPage.action.toFixed(1)} vs ${perPage.bare.toFixed(1)} ms/page, medians of ${perPage.rounds} alternating rounds (${LATENCY_MS} ms latency)`
      if (i === 0) ctx.results.check(name, `time per page ≤ 1.05× a bare fetch-and-parse loop (${runtime.label})`, measured, perPage.ratio <= 1.05, perPage.ratio)
      else ctx.results.info(name, `time per page ÷ the bare loop beside it on ${runtime.label}`, measured, perPage.ratio)
    }
    // The next scheduled run, 30 minutes later, with M new deliveries since.
    const floor = bookmarkFloor(api, 'BENCH_SCAN')
    api.advanceClock(30 * MINUTE)
    seedDeliveries(api, hook, { count: m, endAt: api.now() - 1000, spanMs: 25 * MINUTE, failRate: 0, seed: 103 })
    // Attempts the bookmark run reads again by design: the floor trails the newest seen by a late-listing margin.
    const overlap = floor === undefined ? undefined : api.deliveries(hook).filter(d => d.deliveredAt >= floor).length - m
    ctx.progress(`${name}: bookmark run, ${m} new deliveries`)
    api.clearLog()
    const second = await runBuiltAction({ inputs, apiUrl: api.url, node: shipped(ctx).path })
    expectSuccess(second, 'bookmark run')
    const s2 = summarize(api.log)
    const requests2 = api.log.length
    ctx.results.check(
      name,
      `bookmark run: list requests ≤ ⌈${m}/100⌉+1 = ${pages(m) + 1}`,
      `${s2.listRequests} (scanned ${second.outputs.scanned}: ${m} new + ${overlap ?? '?'} re-read behind the bookmark)`,
      s2.listRequests <= pages(m) + 1,
      s2.listRequests
    )
    ctx.results.check(name, 'bookmark run: nothing fetched twice', `${s2.repeatedPages} repeated`, s2.repeatedPages === 0, s2.repeatedPages)
    ctx.results.info(name, 'requests per run (first / bookmark)', `${requests1} / ${requests2} (${describeOthers(s1)}; ${describeOthers(s2)})`)
    budgetRow(ctx, `${name} (first run)`, requests1, 1)
    budgetRow(ctx, `${name} (bookmark run)`, requests2, 1)
  } finally {
    await api.close()
  }
}

/** A bare loop over the same pages: fetch, parse, follow the next link. Run by the same Node as the action. */
const BARE_LOOP = `
let url = process.env.LIST_URL
while (url) {
  const response = await fetch(url, { headers: { authorization: 'token ' + process.env.TOKEN, accept: 'application/vnd.github+json' } })
  JSON.parse(await response.text())
  url = /<([^>]+)>;\\s*rel="next"/.exec(response.headers.get('link') ?? '')?.[1]
}`

/**
 * Time per list page of the action's scan (a dry run, no bookmark) against the bare loop over
 * the same pages, alternating, both measured from the API's own log: first request's start to
 * last answer's end, divided by the pages.
 */
async function pageCost(ctx: Context, api: LocalApi, token: string, org: string, hook: string, runtime: Runtime, rounds = 3): Promise<{ action: number; bare: number; ratio: number; rounds: number }> {
  const node = runtime.path
  const action: number[] = []
  const bare: number[] = []
  for (let i = 0; i < rounds; i++) {
    ctx.progress(`per-page cost on ${runtime.label}: round ${i + 1}/${rounds} (action, then the bare loop)`)
    api.clearLog()
    const run = await runBuiltAction({ inputs: { 'target-type': 'org', org, 'hook-id': hook, token, lookback: '24h', 'dry-run': 'true' }, apiUrl: api.url, node })
    expectSuccess(run, 'per-page run')
    const a = summarize(api.log)
    action.push(a.scanSpanMs! / a.listRequests)
    api.clearLog()
    const loop = await timeNode(['--input-type=module', '-e', BARE_LOOP], { LIST_URL: `${api.url}/orgs/${org}/hooks/${hook}/deliveries?per_page=100`, TOKEN: token }, node)
    if (loop.exitCode !== 0) throw new Error(`the bare fetch loop exited ${loop.exitCode}`)
    const b = summarize(api.log)
    bare.push(b.scanSpanMs! / b.listRequests)
  }
  const ratios = action.map((ms, i) => ms / bare[i])
  return { action: median(action), bare: median(bare), ratio: median(ratios), rounds }
}

function describeOthers(s: LogSummary): string {
  const parts = [`${s.listRequests} list`]
  if (s.variableReads) parts.push(`${s.variableReads} var read`)
  if (s.variableWrites) parts.push(`${s.variableWrites} var write`)
  if (s.redeliveryPosts) parts.push(`${s.redeliveryPosts} redeliver`)
  if (s.otherRequests.length) parts.push(`${s.otherRequests.length} other`)
  return parts.join(', ')
}

// ---------------------------------------------------------------------------------------
// 2. Memory: 100,000 and 1,000,000 deliveries in the window of one hook.

/** Peak memory targets (SPEC.md): memory that does not grow with traffic. */
const MEMORY_TARGETS: Array<{ n: number; maxMb: number; latencyMs: number }> = [
  { n: 100_000, maxMb: 150, latencyMs: LATENCY_MS },
  // 10,000 pages: without latency (400 s of waiting otherwise), which only makes memory harder to keep down.
  { n: 1_000_000, maxMb: 200, latencyMs: 0 }
]

export async function memory(ctx: Context): Promise<void> {
  for (const target of MEMORY_TARGETS) await memoryAt(ctx, target)
}

async function memoryAt(ctx: Context, { n, maxMb, latencyMs }: { n: number; maxMb: number; latencyMs: number }): Promise<void> {
  const name = '2 memory'
  // 10,000 pages need more than a PAT's 5,000 requests an hour: the limit of an installation on GHEC.
  const { api, org, token, hooks } = await setup('big-co', 1, { seed: 12, latencyMs, primaryLimit: 15_000 })
  const [hook] = hooks
  try {
    ctx.progress(`${name}: seeding ${fmt.n(n)} deliveries (1% failing)`)
    seedDeliveries(api, hook, { count: n, endAt: api.now() - 1000, spanMs: 20 * HOUR, seed: 201 })
    for (const [i, runtime] of ctx.runtimes.entries()) {
      // A fresh hour of the rate limit for each runtime: 1,000,000 deliveries take 10,000 requests.
      if (i > 0) api.advanceClock(HOUR)
      ctx.progress(`${name}: dry run over ${fmt.n(n)} deliveries on ${runtime.label} (latency ${latencyMs} ms)`)
      api.clearLog()
      const run = await runBuiltAction({
        inputs: { 'target-type': 'org', org, 'hook-id': hookId(hook), token, lookback: '24h', 'dry-run': 'true' },
        apiUrl: api.url,
        measureMemory: true,
        node: runtime.path,
        timeoutMs: 900_000
      })
      expectSuccess(run, `${fmt.n(n)} run`)
      const s = summarize(api.log)
      const measured = `${fmt.mb(run.peakRssMb)} (${run.peakRssSource ?? 'not measured'})`
      if (i === 0) {
        ctx.results.check(name, `peak RSS < ${maxMb} MB (${fmt.n(n)} in window, ${runtime.label})`, measured, run.peakRssMb !== undefined && run.peakRssMb < maxMb, run.peakRssMb)
        ctx.results.check(name, `scanned = ${fmt.n(n)}`, `${run.outputs.scanned} (failed ${run.outputs.failed}, dry run)`, Number(run.outputs.scanned) === n)
        ctx.results.check(
          name,
          `list requests ≤ ⌈${fmt.n(n)}/100⌉+1 = ${pages(n) + 1}`,
          `${s.listRequests}, ${s.repeatedPages} repeated`,
          s.listRequests <= pages(n) + 1 && s.repeatedPages === 0,
          s.listRequests
        )
        ctx.results.info(
          name,
          `time for the ${fmt.n(n)} scan (${latencyMs} ms latency)`,
          `${fmt.ms(run.wallMs)} wall, ${fmt.ms(s.scanSpanMs)} listing, ${(s.scanSpanMs! / Math.max(1, s.listRequests)).toFixed(1)} ms/page`,
          run.wallMs
        )
        // A window over the request budget is scenario 9's.
        if (api.log.length < PRIMARY_LIMIT) budgetRow(ctx, `${name} (${fmt.n(n)})`, api.log.length, 1)
      } else {
        ctx.results.info(name, `peak RSS at ${fmt.n(n)} beside it on ${runtime.label}`, `${measured}, scanned ${run.outputs.scanned}`, run.peakRssMb)
      }
    }
  } finally {
    await api.close()
  }
}

// ---------------------------------------------------------------------------------------
// 3. Many hooks: four equal hooks against one.

export async function manyHooks(ctx: Context, perHook = 3000, repeats = 3): Promise<void> {
  const name = '3 many hooks'
  const api = await startLocalApi({ seed: 13, latencyMs: LATENCY_MS })
  try {
    const solo = api.createOrgHook('solo-co')
    const quad = Array.from({ length: 4 }, () => api.createOrgHook('quad-co'))
    const token = api.createToken({
      grants: [
        { org: 'solo-co', hooks: 'read' },
        { org: 'quad-co', hooks: 'read' }
      ]
    })
    const end = api.now() - 1000
    seedDeliveries(api, solo, { count: perHook, endAt: end, spanMs: 20 * HOUR, seed: 301 })
    quad.forEach((hook, i) => seedDeliveries(api, hook, { count: perHook, endAt: end, spanMs: 20 * HOUR, seed: 311 + i }))

    // Every hook of the organization (hook-id empty), dry run so redelivery pacing stays out of it.
    const runOrg = async (org: string) => {
      api.clearLog()
      const run = await runBuiltAction({ inputs: { 'target-type': 'org', org, token, lookback: '24h', 'dry-run': 'true' }, apiUrl: api.url, node: shipped(ctx).path })
      expectSuccess(run, `${org} run`)
      const s = summarize(api.log)
      return { run, s, requests: api.log.length, maxConc: Math.max(0, ...api.log.map(e => e.concurrency)) }
    }
    const one: Array<Awaited<ReturnType<typeof runOrg>>> = []
    const four: Array<Awaited<ReturnType<typeof runOrg>>> = []
    for (let i = 0; i < repeats; i++) {
      ctx.progress(`${name}: round ${i + 1}/${repeats} (1 hook, then 4 hooks of ${fmt.n(perHook)} each)`)
      one.push(await runOrg('solo-co'))
      four.push(await runOrg('quad-co'))
    }
    const scanOne = median(one.map(r => r.s.scanSpanMs ?? 0))
    const scanFour = median(four.map(r => r.s.scanSpanMs ?? 0))
    const wallOne = median(one.map(r => r.run.wallMs))
    const wallFour = median(four.map(r => r.run.wallMs))
    const ratio = scanFour / scanOne
    ctx.results.check(name, '4 hooks / 1 hook, scan time < 1.5×', `${fmt.x(ratio)} (${fmt.ms(scanFour)} vs ${fmt.ms(scanOne)}, median of ${repeats})`, ratio < 1.5, ratio)
    ctx.results.check(name, '4 hooks / 1 hook, process wall time < 1.5×', `${fmt.x(wallFour / wallOne)} (${fmt.ms(wallFour)} vs ${fmt.ms(wallOne)})`, wallFour / wallOne < 1.5, wallFour / wallOne)
    const maxConcurrency = api.stats().maxConcurrency
    ctx.results.check(name, 'max concurrent requests ≤ 20 (GitHub refuses > 100)', `${maxConcurrency}`, maxConcurrency <= 20, maxConcurrency)
    const lists = four[0].s
    const perHookLists = [...lists.listByHook.values()]
    const want = pages(perHook) + 1
    ctx.results.check(
      name,
      `list requests per hook ≤ ${want}, none repeated`,
      `${perHookLists.join('/')} (4 hooks), ${one[0].s.listRequests} (1 hook); ${lists.repeatedPages} repeated`,
      perHookLists.length === 4 && perHookLists.every(c => c <= want) && one[0].s.listRequests <= want && lists.repeatedPages === 0
    )
    budgetRow(ctx, `${name} (1 hook)`, one[0].requests, 1)
    budgetRow(ctx, `${name} (4 hooks)`, four[0].requests, 1)
  } finally {
    await api.close()
  }
}

// ---------------------------------------------------------------------------------------
// 4. Redelivery pace at real speed against GitHub's documented write limits.

export async function pace(ctx: Context, failing = 60): Promise<void> {
  const name = '4 redelivery pace'
  const { api, org, token, hooks } = await setup('pace-co', 1, {
    seed: 14,
    latencyMs: LATENCY_MS,
    minWriteIntervalMs: 900,
    secondaryWriteLimit: { max: 80, windowMs: 60_000 },
    maxConcurrent: 100
  })
  const [hook] = hooks
  try {
    // A busy hook over the last 6 hours: every 16th delivery failed.
    const total = failing * 16
    const now = api.now()
    for (let i = 0; i < total; i++) {
      const ok = i % 16 !== 7
      api.addDelivery(hook, {
        event: 'push',
        deliveredAt: Math.round(now - 6 * HOUR + (i * 6 * HOUR) / total),
        ok,
        status: ok ? 'OK' : 'Invalid HTTP Response: 503',
        statusCode: ok ? 200 : 503,
        durationMs: ok ? 120 : 300
      })
    }
    ctx.progress(`${name}: ${failing} failing deliveries at real pace (about ${Math.round(failing / 60 + 0.2)} min)`)
    api.clearLog()
    const run = await runBuiltAction({
      inputs: { 'target-type': 'org', org, 'hook-id': hookId(hook), token, 'state-variable': 'BENCH_PACE', lookback: '24h' },
      apiUrl: api.url,
      node: shipped(ctx).path
    })
    expectSuccess(run, 'pace run')
    const s = summarize(api.log)
    const accepted = s.acceptedRedeliveries.map(e => e.start)
    const rate = perMinute(accepted)
    const stats = api.stats()
    const acceptedWrites = s.writes.filter(e => e.status > 0 && e.status < 400).map(e => e.start)
    ctx.results.check(
      name,
      `redelivered all ${failing}`,
      `${run.outputs.redelivered} accepted (failed ${run.outputs.failed}, errors ${run.outputs.errors})`,
      Number(run.outputs.redelivered) === failing
    )
    ctx.results.check(
      name,
      'redeliveries per minute ≥ 55',
      rate === undefined ? 'n/a' : `${rate.toFixed(1)}/min (${accepted.length} over ${fmt.ms(Math.max(...accepted) - Math.min(...accepted))})`,
      rate !== undefined && rate >= 55,
      rate
    )
    ctx.results.check(
      name,
      'secondary-rate-limit answers = 0',
      `${stats.secondary.total} (interval ${stats.secondary.writeInterval}, window ${stats.secondary.writeWindow}, concurrency ${stats.secondary.concurrency})`,
      stats.secondary.total === 0,
      stats.secondary.total
    )
    const writeRate = perMinute(acceptedWrites)
    ctx.results.info(
      name,
      'all writes (redeliveries + state variable)',
      `${acceptedWrites.length} writes (${s.variableWrites} variable), ${writeRate?.toFixed(1) ?? 'n/a'}/min, most in any 60 s: ${maxInWindow(acceptedWrites, 60_000)} (limit 80), min gap ${minGap(acceptedWrites) ?? 'n/a'} ms (limit 900)`,
      writeRate
    )
    budgetRow(ctx, name, api.log.length, 1)
  } finally {
    await api.close()
  }
}

// ---------------------------------------------------------------------------------------
// 5. Start: a run with nothing to do, and the cost of loading the bundle.

export async function idle(ctx: Context, repeats = 5): Promise<void> {
  const name = '5 start'
  const { api, org, token, hooks } = await setup('idle-co', 1, { seed: 15, latencyMs: LATENCY_MS })
  const [hook] = hooks
  try {
    seedDeliveries(api, hook, { count: 2000, endAt: api.now() - 1000, spanMs: 20 * HOUR, failRate: 0, seed: 501 })
    const inputs = { 'target-type': 'org', org, 'hook-id': hookId(hook), token, 'state-variable': 'BENCH_IDLE', lookback: '24h' }
    ctx.progress(`${name}: a first run to leave a bookmark, then ${repeats} runs with nothing to do`)
    expectSuccess(await runBuiltAction({ inputs, apiUrl: api.url, node: shipped(ctx).path }), 'bookmark run')
    const before = api.getVariable(STATE_REPO, 'BENCH_IDLE')?.value

    // Each runtime: idle runs and bare `node -e ""` starts, alternating, so both see the same load.
    for (const [r, runtime] of ctx.runtimes.entries()) {
      ctx.progress(`${name}: ${repeats} idle runs and ${repeats} bare starts on ${runtime.label}`)
      const runs: Array<{ wallMs: number; requests: number; writes: number; s: LogSummary; log: RequestLogEntry[] }> = []
      const bare: number[] = []
      for (let i = 0; i < repeats; i++) {
        bare.push((await timeNode(['-e', ''], {}, runtime.path)).wallMs)
        api.clearLog()
        const run = await runBuiltAction({ inputs, apiUrl: api.url, node: runtime.path })
        expectSuccess(run, 'idle run')
        const s = summarize(api.log)
        runs.push({ wallMs: run.wallMs, requests: api.log.length, writes: s.writes.length, s, log: api.log.slice() })
      }
      const wall = median(runs.map(r => r.wallMs))
      const ratio = wall / median(bare)
      const measured = `${fmt.x(ratio)}: ${fmt.ms(wall)} vs ${fmt.ms(median(bare))}, medians of ${repeats} alternating (idle runs ${runs.map(r => Math.round(r.wallMs)).join(', ')} ms; ${LATENCY_MS} ms latency per request)`
      if (r > 0) {
        ctx.results.info(name, `idle run ÷ bare \`node -e ""\` beside it on ${runtime.label}`, measured, ratio)
        continue
      }
      // SPEC: a run with nothing to do takes under a second; start-up beyond that is no target (the platform's libraries are worth their milliseconds).
      ctx.results.check(name, `idle run, start to exit, under a second (${runtime.label})`, measured, wall < 1000, wall)
      const after = api.getVariable(STATE_REPO, 'BENCH_IDLE')?.value
      const maxRequests = Math.max(...runs.map(r => r.requests))
      const writes = runs.reduce((t, r) => t + r.writes, 0)
      const allowed = 1 + hooks.length
      const sequence = runs[0].log.map(e => `${e.method} ${e.route.includes('/actions/variables') ? 'variable' : e.route.endsWith('/deliveries') ? 'deliveries' : e.route}`).join(' → ')
      ctx.results.check(name, `idle run: requests ≤ 1 bookmark read + 1 page/hook = ${allowed}`, `${maxRequests}: ${sequence}`, maxRequests <= allowed, maxRequests)
      ctx.results.check(name, 'idle run: no write request', `${writes} writes; variable ${before === after ? 'unchanged' : 'CHANGED'}`, writes === 0 && before === after, writes)
      budgetRow(ctx, `${name} (idle run)`, maxRequests, 1)
    }

    // Load + input validation: no inputs at all makes the action stop before any request.
    const node = shipped(ctx).path
    const baseline: number[] = []
    const validate: number[] = []
    let validateExit: number | null = null
    for (let i = 0; i < repeats; i++) {
      baseline.push((await timeNode(['-e', ''], {}, node)).wallMs)
      const run = await runBuiltAction({ inputs: {}, apiUrl: api.url, node })
      validate.push(run.wallMs)
      validateExit = run.exitCode
    }
    const size = statSync(ACTION_ENTRY).size
    ctx.results.info(name, 'bundle size of dist/index.js', `${(size / 1024 / 1024).toFixed(2)} MB (${fmt.n(size)} bytes)`, size)
    ctx.results.info(
      name,
      `load + validate (no inputs → error exit), ${shipped(ctx).label}`,
      `${fmt.ms(median(validate))} median (exit ${validateExit}); bare \`node -e ""\` ${fmt.ms(median(baseline))} → bundle ≈ ${fmt.ms(median(validate) - median(baseline))}`,
      median(validate)
    )
  } finally {
    await api.close()
  }
}

// ---------------------------------------------------------------------------------------
// 8. Against GitHub's documented script: one large window, the same failures, run one after the other.

export async function againstScript(ctx: Context): Promise<void> {
  for (const runtime of ctx.runtimes) await againstScriptOn(ctx, runtime)
}

async function againstScriptOn(ctx: Context, runtime: Runtime, n = 12_000, failing = 12): Promise<void> {
  const name = '8 vs documented script'
  const node = runtime.path
  const beside = runtime !== shipped(ctx)
  // Two identical worlds (same seed), one for each, so neither sees the other's redeliveries.
  const world = async (variable: string) => {
    const s = await setup('script-co', 1, { seed: 17, latencyMs: LATENCY_MS, minWriteIntervalMs: 900, secondaryWriteLimit: { max: 80, windowMs: 60_000 } })
    const [hook] = s.hooks
    const now = s.api.now()
    seedDeliveries(s.api, hook, { count: n, endAt: now - 60_000, spanMs: 20 * HOUR, failRate: 0, seed: 701 })
    // The receiver is up (the newest deliveries succeeded); a few failures in the window.
    const step = Math.floor(n / failing)
    for (let i = 0; i < failing; i++) {
      s.api.addDelivery(hook, { event: 'push', deliveredAt: now - 20 * HOUR + 60_000 + i * step * 6000, ok: false, status: 'Invalid HTTP Response: 503', statusCode: 503, durationMs: 300 })
    }
    // Both start from a bookmark 24 h back: the script's own format, which the action takes over.
    s.api.setVariable(STATE_REPO, variable, String(now - 24 * HOUR))
    return { ...s, hook }
  }
  const script = await world('SCRIPT_STATE')
  const action = await world('ACTION_STATE')
  try {
    ctx.progress(`${name}: the script over ${fmt.n(n)} deliveries with ${failing} failing, on ${runtime.label}`)
    const t0 = performance.now()
    const scriptRun = await timeNode(
      [join(root, 'scripts', 'bench', 'documented-script.mjs')],
      { GITHUB_API_URL: script.api.url, TOKEN: script.token, ORG: script.org, HOOK_ID: hookId(script.hook), STATE_REPO, STATE_VARIABLE: 'SCRIPT_STATE' },
      node
    )
    const scriptMs = performance.now() - t0
    if (scriptRun.exitCode !== 0) throw new Error(`the documented script exited ${scriptRun.exitCode}`)
    const scriptSent = script.api.redeliveryRequests(script.hook).length

    ctx.progress(`${name}: the action over the same window`)
    const run = await runBuiltAction({
      inputs: { 'target-type': 'org', org: action.org, 'hook-id': hookId(action.hook), token: action.token, 'state-variable': 'ACTION_STATE', lookback: '24h' },
      apiUrl: action.api.url,
      node
    })
    expectSuccess(run, 'action run')
    const s = summarize(action.api.log)
    const sent = action.api.redeliveryRequests(action.hook)
    const ratio = run.wallMs / scriptMs
    const measured = `${fmt.x(ratio)}: ${fmt.ms(run.wallMs)} vs ${fmt.ms(scriptMs)} (action: ${s.listRequests} pages, ${s.writes.length} writes; script: ${script.api.log.filter(e => e.method === 'GET').length} reads, ${script.api.log.length - script.api.log.filter(e => e.method === 'GET').length} writes)`
    if (beside) {
      ctx.results.info(name, `wall time ÷ the script's beside it on ${runtime.label}`, measured, ratio)
      return
    }
    ctx.results.check(name, `wall time ≤ the script's (${fmt.n(n)} deliveries, ${failing} failing, ${runtime.label})`, measured, ratio <= 1, ratio)
    const perGuid = new Map<string, number>()
    for (const r of sent) perGuid.set(r.guid, (perGuid.get(r.guid) ?? 0) + 1)
    ctx.results.check(
      name,
      'each failing delivery redelivered exactly once',
      `action ${sent.length} requests for ${perGuid.size} guids (script ${scriptSent}); outputs redelivered ${run.outputs.redelivered}`,
      perGuid.size === failing && [...perGuid.values()].every(c => c === 1)
    )
    budgetRow(ctx, name, action.api.log.length, 1)
  } finally {
    await script.api.close()
    await action.api.close()
  }
}

// ---------------------------------------------------------------------------------------
// 6. API budget of each scenario against a PAT's primary rate limit.

export function apiBudget(ctx: Context): void {
  for (const b of ctx.budgets) {
    const share = (100 * b.requests) / PRIMARY_LIMIT
    ctx.results.check('6 API budget', b.scenario, `${fmt.n(b.requests)} / ${PRIMARY_LIMIT} per hour (${share.toFixed(1)}%)`, b.requests < PRIMARY_LIMIT, b.requests)
  }
}

// ---------------------------------------------------------------------------------------
// 7. A fleet: every repository of an organization, one hook each matched by a URL prefix.

export async function fleet(ctx: Context, repositories = 1000, failingShare = 0.02): Promise<void> {
  const name = '7 fleet'
  // Three runs of a 1,000-repository fleet within the hour need more than a PAT's 5,000
  // requests: the limit of an app installation on a large organization.
  const api = await startLocalApi({ seed: 17, latencyMs: LATENCY_MS, primaryLimit: 12_500 })
  try {
    const org = 'fleet-co'
    const seeded = seedFleet(api, { owner: org, repositories, failingHooks: failingShare, seed: 71 })
    const failing = seeded.hooks.reduce((n, h) => n + h.failingGuids.length, 0)
    const token = api.createToken({
      grants: [
        { org, hooks: 'write' },
        { repo: STATE_REPO, variables: 'write' }
      ]
    })
    const inputs = { 'target-type': 'repo', repository: `${org}/*`, 'hook-id': 'https://ci.example.com/*', token, 'state-variable': 'BENCH_FLEET', lookback: '24h' }
    const hooks = seeded.hooks.length
    /** Hooks with an entry in the bookmark the last run saved: every hook of the fleet, quiet or not. */
    const bookmarkedHooks = (): number => parseBookmark(api.getVariable(STATE_REPO, 'BENCH_FLEET')?.value).bookmark.hooks.size

    ctx.progress(`${name}: first run over ${fmt.n(repositories)} repositories, ${fmt.n(hooks)} hooks, ${failing} failing`)
    api.clearLog()
    const first = await runBuiltAction({ inputs, apiUrl: api.url, measureMemory: true })
    expectSuccess(first, 'fleet first run')
    const requests1 = api.log.length
    const inFlightChars = api.getVariable(STATE_REPO, 'BENCH_FLEET')?.value.length ?? 0
    ctx.results.check(
      name,
      `redelivered the ${failing} failures`,
      `${first.outputs.redelivered} (failed ${first.outputs.failed}, errors ${first.outputs.errors})`,
      Number(first.outputs.redelivered) === failing
    )
    ctx.results.info(
      name,
      'first run: requests, wall time, peak memory',
      `${fmt.n(requests1)} requests, ${fmt.ms(first.wallMs)} (${LATENCY_MS} ms latency), ${fmt.mb(first.peakRssMb)} peak RSS`,
      requests1
    )
    ctx.results.check(
      name,
      `bookmark with redeliveries in flight < ${fmt.n(MAX_STATE_CHARS)} characters (48 KB variable)`,
      `${fmt.n(inFlightChars)} characters, ${fmt.n(bookmarkedHooks())} hooks in it`,
      failing > 0 && inFlightChars > 0 && inFlightChars < MAX_STATE_CHARS && bookmarkedHooks() === hooks,
      inFlightChars
    )

    // The next run finds the redeliveries listed: every hook is quiet again.
    api.advanceClock(15 * MINUTE)
    ctx.progress(`${name}: the run after, redeliveries listed`)
    const second = await runBuiltAction({ inputs, apiUrl: api.url })
    expectSuccess(second, 'fleet second run')
    const quiet = api.getVariable(STATE_REPO, 'BENCH_FLEET')?.value ?? ''
    ctx.results.check(
      name,
      `bookmark of ${fmt.n(hooks)} quiet hooks < 16 KB`,
      `${fmt.n(quiet.length)} characters, ${fmt.n(bookmarkedHooks())} hooks in it`,
      quiet.length > 0 && quiet.length < 16 * 1024 && bookmarkedHooks() === hooks,
      quiet.length
    )
    const accepted = redeliveryCounts(api)
    const failingGuids = seeded.hooks.flatMap(h => h.failingGuids)
    ctx.results.check(
      name,
      'each failing delivery redelivered exactly once over both runs, none failed in the second',
      `${fmt.n(accepted.size)} of ${fmt.n(failingGuids.length)} guids, ${[...accepted.values()].filter(n => n > 1).length} more than once; second run failed ${second.outputs.failed}`,
      failingGuids.length > 0 && accepted.size === failingGuids.length && failingGuids.every(guid => accepted.get(guid) === 1) && Number(second.outputs.failed) === 0
    )

    api.advanceClock(15 * MINUTE)
    ctx.progress(`${name}: an idle run`)
    api.clearLog()
    const idleRun = await runBuiltAction({ inputs, apiUrl: api.url })
    expectSuccess(idleRun, 'fleet idle run')
    const s = summarize(api.log)
    const repoPages = api.log.filter(e => e.route === `/orgs/${org}/repos`).length
    const hookLists = api.log.filter(e => /^\/repos\/[^/]+\/[^/]+\/hooks$/.test(e.route)).length
    const deliveryPages = api.log.filter(e => e.route.endsWith('/deliveries')).length
    const allowed = pages(repositories) + repositories + hooks + 1
    ctx.results.check(
      name,
      `idle run: ≤ ${pages(repositories)} repository pages + ${fmt.n(repositories)} hook lists + ${fmt.n(hooks)} delivery pages + 1 bookmark read = ${fmt.n(allowed)}`,
      `${fmt.n(api.log.length)} (${repoPages} + ${fmt.n(hookLists)} + ${fmt.n(deliveryPages)} + ${s.variableReads}), ${fmt.ms(idleRun.wallMs)}`,
      api.log.length <= allowed && repoPages <= pages(repositories) && hookLists <= repositories && deliveryPages <= hooks,
      api.log.length
    )
    ctx.results.check(
      name,
      'idle run: no write request',
      `${s.writes.length} writes; variable ${api.getVariable(STATE_REPO, 'BENCH_FLEET')?.value === quiet ? 'unchanged' : 'CHANGED'}`,
      s.writes.length === 0 && api.getVariable(STATE_REPO, 'BENCH_FLEET')?.value === quiet
    )
    budgetRow(ctx, `${name} (first run)`, requests1, 1)
    budgetRow(ctx, `${name} (idle run)`, api.log.length, 1)
  } finally {
    await api.close()
  }
}

// ---------------------------------------------------------------------------------------
// 9. A window over the request budget: an organization hook with 600,000 deliveries in its
// window (6,000 pages), 50 failing, run hourly with default inputs and a state variable, against
// a token's 5,000 requests an hour (issue #19).

export async function overBudget(ctx: Context): Promise<void> {
  for (const runtime of ctx.runtimes) await overBudgetOn(ctx, runtime)
}

async function overBudgetOn(ctx: Context, runtime: Runtime, perHour = 25_000, failing = 50, runs = 3): Promise<void> {
  const name = '9 window over the request budget'
  // Without latency: 4,000 pages a run at 40 ms would take minutes; the counts do not depend on it.
  const { api, org, token, hooks } = await setup('budget-co', 1, { seed: 19, latencyMs: 0, primaryLimit: PRIMARY_LIMIT })
  const [hook] = hooks
  try {
    const total = 24 * perHour
    ctx.progress(`${name}: seeding ${fmt.n(total)} deliveries in the default 24 h lookback, ${failing} failing`)
    seedDeliveries(api, hook, { count: total, endAt: api.now() - 1000, spanMs: 24 * HOUR - 10 * MINUTE, failRate: 0, seed: 901 })
    const guids = new Set<string>()
    // Spread over the day; the newest deliveries succeeded, so the receiver is up.
    for (let i = 0; i < failing; i++) {
      const at = api.now() - 3 * HOUR - Math.floor((i * 20 * HOUR) / failing)
      guids.add(api.addDelivery(hook, { event: 'push', deliveredAt: at, ok: false, status: 'Invalid HTTP Response: 503', statusCode: 503, durationMs: 300 }).guid)
    }
    const inputs = { 'target-type': 'org', org, 'hook-id': hookId(hook), token, 'state-variable': 'BENCH_BUDGET' }
    const perRun: Array<{ redelivered: number; requests: number; covered: string; refused: number }> = []
    for (let run = 1; run <= runs; run++) {
      if (run > 1) {
        // An hour later: the hourly limit has reset, and an hour of new traffic arrived.
        api.advanceClock(HOUR)
        seedDeliveries(api, hook, { count: perHour, endAt: api.now() - 1000, spanMs: HOUR - MINUTE, failRate: 0, seed: 900 + run })
      }
      ctx.progress(`${name}: hourly run ${run}/${runs} on ${runtime.label}`)
      const before = api.redeliveryRequests(hook).filter(r => r.status === 202).length
      const refusedBefore = api.stats().primary
      api.clearLog()
      const result = await runBuiltAction({ inputs, apiUrl: api.url, node: runtime.path, timeoutMs: 900_000 })
      expectSuccess(result, `hourly run ${run}`)
      const covered = result.commands.warnings.map(w => /covered (\d+)% of it/.exec(w)?.[1]).find(Boolean)
      perRun.push({
        redelivered: api.redeliveryRequests(hook).filter(r => r.status === 202).length - before,
        requests: api.log.length,
        covered: covered === undefined ? 'all' : `${covered}%`,
        refused: api.stats().primary - refusedBefore
      })
    }
    const counts = new Map<string, number>()
    for (const r of api.redeliveryRequests(hook)) if (r.status === 202) counts.set(r.guid, (counts.get(r.guid) ?? 0) + 1)
    const once = [...guids].filter(g => counts.get(g) === 1).length
    const twice = [...counts.values()].filter(c => c > 1).length
    const measured = `${perRun.map(r => r.redelivered).join(' / ')} redelivered per hourly run (window covered ${perRun.map(r => r.covered).join(' / ')}); ${once} of ${failing} once, ${twice} more than once`
    const target = `every failure redelivered once within ${runs} hourly runs (${fmt.n(total)} deliveries, ${failing} failing, ${fmt.n(PRIMARY_LIMIT)}/h, ${runtime.label})`
    const pass = once === failing && twice === 0
    if (runtime !== shipped(ctx)) {
      ctx.results.info(name, `the same beside it on ${runtime.label}`, `${measured}: ${pass ? 'met' : 'MISSED'}`)
      return
    }
    ctx.results.check(name, target, measured, pass, once)
    const most = Math.max(...perRun.map(r => r.requests))
    const refused = perRun.reduce((n, r) => n + r.refused, 0)
    ctx.results.check(
      name,
      `each run within ${RUN_SHARE * 100}% of the budget, none refused by the rate limit`,
      `${perRun.map(r => fmt.n(r.requests)).join(' / ')} requests per run (${((100 * most) / PRIMARY_LIMIT).toFixed(0)}% at most); ${refused} refused`,
      most <= PRIMARY_LIMIT * RUN_SHARE && refused === 0,
      most
    )
  } finally {
    await api.close()
  }
}
