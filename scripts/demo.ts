// npm run demo: the bundled action (dist/index.js) against the project's local GitHub API,
// seeded with a realistic day of webhook deliveries (a 30-minute receiver outage a few hours
// ago, a few deliveries whose receiver never accepts them), run the way a scheduled workflow
// runs it: one cron tick with an app, an org and a repo step, then the next tick 15 minutes
// later; then the org receiver goes down for two hours while the org step keeps running every
// 15 minutes; last, a replay of 20 minutes the receiver lost (a preview, then the send). Prints
// each step's log, outputs and job summary, then checks what the API saw.
// Exit code 0 when every check holds, 1 otherwise. No GitHub account or network needed.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { redeliveryCounts, seedRealisticDay, startLocalApi, Timeline, type HookRef, type LocalApi, type RealisticDay, type RequestLogEntry } from '../local-api/index.js'
import { loadAction } from '../tools/repo.js'
import { nodeRuntimes, runAction, type ActionRun, type ActionRunOptions } from '../tools/runner.js'
import { readableLog } from '../tools/workflow-commands.js'
import { formatLogLine, renderMarkdown, style, visibleWidth } from './lib/terminal.js'

/** Waits the action makes (1 s between writes, backoff) are multiplied by this for the demo. */
const TIME_SCALE = 0.02
/** The demo runs the bundle on the Node that runs it. */
const THIS_NODE = nodeRuntimes()[0]

/** A step of the day's workflow as the runner runs it: the bundle on this Node, GitHub's waits shortened. */
function runAsRunner(api: LocalApi, repository: string, inputs: Record<string, string>, extra: Partial<ActionRunOptions> = {}): Promise<ActionRun> {
  return runAction({ apiUrl: api.url, repository, node: THIS_NODE, timeScale: TIME_SCALE, timeoutMs: 45_000, inputs, ...extra })
}
const MINUTE = 60_000
const CRON_INTERVAL = 15 * MINUTE
/** max-attempts as the steps leave it: action.yml's default. */
const MAX_ATTEMPTS = Number(loadAction().inputs.find(i => i.name === 'max-attempts')?.default ?? '3')
const ROWS_SHOWN = 8

// A terminal's own width; 120 columns when the output goes to a file or a pipe.
const width = Math.max(60, Math.min(process.stdout.isTTY ? process.stdout.columns || 100 : 120, 140))
const started = performance.now()
// Every step's runner directory (its report) lives under one directory, removed when the demo
// ends unless `npm run demo -- --keep-reports`: the demo leaves nothing in the temp directory.
const keepReports = process.argv.includes('--keep-reports')
const demoTemp = mkdtempSync(join(tmpdir(), 'webhook-redelivery-demo-'))
const removeDemoTemp = (): void => {
  if (!keepReports) rmSync(demoTemp, { recursive: true, force: true })
}

type HookName = 'app' | 'org' | 'repo'

interface Step {
  name: HookName
  title: string
  inputs: Record<string, string>
  /** What the workflow file says, secrets as expressions. */
  yaml: Record<string, string>
}

interface StepResult {
  tick: number
  step: Step
  run: ActionRun
  requests: RequestLogEntry[]
  /** guid -> id of its newest attempt just before the step ran. */
  newestBefore: Map<string, string>
  redeliveriesFrom: number
  redeliveriesTo: number
  ms: number
}

interface Check {
  ok: boolean
  text: string
  detail?: string
}

const print = (text = '') => process.stdout.write(text + '\n')

function hms(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16) + ' UTC'
}

function ago(ms: number): string {
  const minutes = Math.round(ms / MINUTE)
  const h = Math.floor(minutes / 60)
  const m = minutes % 60
  return h && m ? `${h} h ${m} min` : h ? `${h} h` : `${m} min`
}

function banner(text: string): void {
  const line = '━'.repeat(Math.max(0, width - visibleWidth(text) - 4))
  print()
  print(style.bold(style.cyan(`━━ ${text} ${line}`)))
}

function steps(day: RealisticDay): Step[] {
  const token = day.token
  return [
    {
      name: 'app',
      title: 'GitHub App webhook (target-type: app)',
      inputs: { 'target-type': 'app', 'app-id': String(day.app.id), 'private-key': day.app.privateKeyPem, token, 'state-variable': 'WEBHOOK_REDELIVERY_APP' },
      yaml: {
        'target-type': 'app',
        'app-id': String(day.app.id),
        'private-key': '${{ secrets.APP_PRIVATE_KEY }}',
        token: '${{ secrets.WEBHOOK_REDELIVERY_TOKEN }}',
        'state-variable': 'WEBHOOK_REDELIVERY_APP'
      }
    },
    {
      name: 'org',
      title: `every webhook of the ${day.org} organization (target-type: org, hook-id empty)`,
      inputs: { 'target-type': 'org', org: day.org, token, 'state-variable': 'WEBHOOK_REDELIVERY_ORG' },
      yaml: { 'target-type': 'org', org: day.org, token: '${{ secrets.WEBHOOK_REDELIVERY_TOKEN }}', 'state-variable': 'WEBHOOK_REDELIVERY_ORG' }
    },
    {
      name: 'repo',
      title: `the webhooks of ${day.repo}, the workflow's repository (target-type: repo)`,
      inputs: { 'target-type': 'repo', token, 'state-variable': 'WEBHOOK_REDELIVERY_REPO' },
      yaml: { 'target-type': 'repo', token: '${{ secrets.WEBHOOK_REDELIVERY_TOKEN }}', 'state-variable': 'WEBHOOK_REDELIVERY_REPO' }
    }
  ]
}

type RequestKind = 'list' | 'redelivery' | 'variable read' | 'variable write' | 'hook lookup' | 'app auth' | 'delivery detail' | 'other'

function requestKind(entry: RequestLogEntry): RequestKind {
  const route = entry.route
  if (route.includes('/actions/variables')) return entry.method === 'GET' ? 'variable read' : 'variable write'
  if (entry.method === 'POST' && /\/deliveries\/[^/]+\/attempts$/.test(route)) return 'redelivery'
  if (entry.method === 'GET' && /\/deliveries$/.test(route)) return 'list'
  if (entry.method === 'GET' && /\/deliveries\/[^/]+$/.test(route)) return 'delivery detail'
  if (/\/installation(s|$)|\/access_tokens$/.test(route)) return 'app auth'
  if (/\/hooks(\/\d+)?$|\/app\/hook\/config$/.test(route)) return 'hook lookup'
  return 'other'
}

function countRequests(entries: RequestLogEntry[]): Map<RequestKind, number> {
  const counts = new Map<RequestKind, number>()
  for (const e of entries) counts.set(requestKind(e), (counts.get(requestKind(e)) ?? 0) + 1)
  return counts
}

function describeRequests(entries: RequestLogEntry[]): string {
  const counts = countRequests(entries)
  const order: RequestKind[] = ['list', 'redelivery', 'variable read', 'variable write', 'hook lookup', 'app auth', 'delivery detail', 'other']
  const parts = order
    .filter(k => counts.get(k))
    .map(k => {
      const n = counts.get(k)!
      const noun = k === 'list' ? `list page${n === 1 ? '' : 's'}` : k === 'redelivery' ? `redeliver${n === 1 ? 'y' : 'ies'}` : `${k}${n === 1 ? '' : 's'}`
      return `${n} ${noun}`
    })
  const limited = entries.filter(e => e.limited).length
  return `${entries.length} requests: ${parts.join(', ') || 'none'}${limited ? style.yellow(`, ${limited} rate-limited or failed`) : ''}`
}

function newestAttempts(api: LocalApi, hooks: HookRef[]): Map<string, string> {
  const newest = new Map<string, string>()
  for (const hook of hooks) {
    for (const d of api.deliveries(hook)) {
      const current = newest.get(d.guid)
      if (current === undefined || BigInt(d.id) > BigInt(current)) newest.set(d.guid, d.id)
    }
  }
  return newest
}

/** The state variable as a reader would summarize it: per hook, how far back the next run reads, what is in flight. */
function describeBookmark(api: LocalApi, repo: string, name: string): string {
  const value = api.getVariable(repo, name)?.value
  if (value === undefined) return style.dim(`${name}: not written`)
  try {
    const doc = JSON.parse(value) as {
      hooks: Record<string, { floor: string; pending?: Record<string, string[]>; sent?: Record<string, string[]>; done?: Record<string, number>; down?: string }>
    }
    const parts = Object.values(doc.hooks).map(h => {
      const floor = Date.parse(h.floor)
      const pending = [...Object.values(h.pending ?? {}), ...Object.values(h.sent ?? {})].reduce((n, ids) => n + ids.length, 0)
      const done = Object.keys(h.done ?? {}).length
      return (
        `next run reads back to ${h.floor.slice(0, 16).replace('T', ' ')} UTC (${ago(api.now() - floor)} ago)` +
        (pending ? `; remembers the ${pending} redeliver${pending === 1 ? 'y' : 'ies'} just sent, so none is sent again while in flight` : '') +
        (done ? `, ${done} given up` : '') +
        (h.down ? `; receiver down since ${h.down.slice(11, 16)} UTC` : '')
      )
    })
    return `${name} in ${repo} (${value.length} bytes): ${parts.join('; ')}`
  } catch {
    return `${name} in ${repo}: ${value.length} bytes`
  }
}

async function runStep(api: LocalApi, day: RealisticDay, tick: number, index: number, step: Step, total: number): Promise<StepResult> {
  print()
  print(style.bold(`▶ Run ${tick}, step ${index + 1}/${total}: ${step.title}`))
  print(style.dim('    - uses: your-org/webhook-redelivery@v1'))
  print(style.dim('      with:'))
  for (const [k, v] of Object.entries(step.yaml)) print(style.dim(`        ${k}: ${v}`))

  const hooks = Object.values(day.hooks)
  const newestBefore = newestAttempts(api, hooks)
  const logFrom = api.log.length
  const redeliveriesFrom = api.redeliveryRequests().length
  const t0 = performance.now()
  const run = await runAsRunner(api, day.repo, step.inputs, { keepTemp: true, temp: mkdtempSync(join(demoTemp, `run-${tick}-${step.name}-`)) })
  const ms = performance.now() - t0
  const requests = api.log.slice(logFrom)
  const result: StepResult = { tick, step, run, requests, newestBefore, redeliveriesFrom, redeliveriesTo: api.redeliveryRequests().length, ms }

  print()
  print(style.bold('  log'))
  const lines = readableLog(run.stdout)
  if (lines.length === 0) print(style.dim('    (nothing)'))
  for (const line of lines) print('    ' + formatLogLine(line).replace(/\n/g, '\n    '))
  for (const line of run.stderr.split(/\r?\n/).filter(Boolean)) print('    ' + style.red(`stderr: ${line}`))
  if (run.exitCode !== 0) print('    ' + style.red(`exit code ${run.exitCode ?? run.signal}`))

  const o = run.outputs
  print()
  print(
    `${style.bold('  outputs')}  scanned ${style.bold(o.scanned ?? '-')}  failed ${style.bold(o.failed ?? '-')}  ` +
      `redelivered ${style.green(style.bold(o.redelivered ?? '-'))}  skipped ${style.bold(o.skipped ?? '-')}  errors ${(o.errors ?? '0') === '0' ? style.bold(o.errors ?? '-') : style.red(style.bold(o.errors))}`
  )
  print(`${style.bold('  report')}   ${o.report ?? style.red('(none)')}`)
  print(`${style.bold('  API saw')}  ${describeRequests(requests)} ${style.dim(`(${(ms / 1000).toFixed(1)} s)`)}`)
  const variable = step.inputs['state-variable']
  print(`${style.bold('  bookmark')} ${describeBookmark(api, day.repo, variable)}`)

  print()
  print(style.bold('  job summary'))
  if (run.summary.trim()) {
    print(renderMarkdown(run.summary, { width: width - 4, indent: '    ', maxTableRows: ROWS_SHOWN }))
  } else {
    print(style.dim('    (empty)'))
  }
  return result
}

async function main(): Promise<Check[]> {
  const writeSpacing = Math.round(1000 * TIME_SCALE)
  // The local API enforces GitHub's one-write-per-second guidance at the demo's time scale
  // (with a little slack for timer jitter): a client that does not pace its writes is refused.
  const api = await startLocalApi({ seed: 1, minWriteIntervalMs: Math.round(writeSpacing * 0.8) })
  apiToClose = api
  const day = seedRealisticDay(api)
  const names: HookName[] = ['app', 'org', 'repo']
  const allFailing = names.flatMap(n => day.failingGuids[n])
  const stuck = new Set(names.flatMap(n => day.stuckGuids[n]))
  const recoverable = allFailing.filter(g => !stuck.has(g))
  const outageGuids = new Set(
    names.flatMap(n =>
      api
        .deliveries(day.hooks[n])
        .filter(d => !d.ok && d.deliveredAt >= day.outage.from && d.deliveredAt < day.outage.to)
        .map(d => d.guid)
    )
  )
  const stillFailingFromOutage = recoverable.filter(g => outageGuids.has(g))
  const handMade = new Map<string, number>()
  for (const n of names) for (const d of api.deliveries(day.hooks[n])) if (d.redelivery) handMade.set(d.guid, (handMade.get(d.guid) ?? 0) + 1)

  print(style.bold('webhook-redelivery demo'))
  print(
    style.dim(
      `the bundled action (dist/index.js) against the local GitHub API at ${api.url}, run as the Actions runner runs it, on this machine's Node ${process.versions.node} (action.yml declares node24; the tests run both)`
    )
  )
  print()
  const total = names.reduce((s, n) => s + day.deliveries[n], 0)
  print(`A realistic day of webhook traffic, ${total.toLocaleString('en-US')} delivery attempts over the last 24 hours:`)
  print(`  • GitHub App ${day.app.slug} (id ${day.app.id}): ${day.deliveries.app} attempts, ${day.failing.app} deliveries never succeeded`)
  print(`  • ${day.org} organization webhook: ${day.deliveries.org} attempts, ${day.failing.org} never succeeded`)
  print(`  • ${day.repo} repository webhook: ${day.deliveries.repo} attempts, ${day.failing.repo} never succeeded`)
  print(
    `  • receiver outage from ${ago(api.now() - day.outage.from)} ago to ${ago(api.now() - day.outage.to)} ago: ` +
      `${outageGuids.size} deliveries failed (503 or timed out); someone redelivered ${outageGuids.size - stillFailingFromOutage.length} by hand, ${stillFailingFromOutage.length} are still failing`
  )
  print(`  • ${recoverable.length - stillFailingFromOutage.length} more timed out at random moments of the day`)
  print(`  • ${stuck.size} deliveries (2 per hook) whose receiver rejects them every time, however often they are sent`)
  print(`The receivers are healthy again now, except for those ${stuck.size}: redeliveries of everything else succeed.`)
  print()
  print(style.dim(`Waits are shortened for the demo (×${TIME_SCALE}): writes ${writeSpacing} ms apart instead of 1 s, and the local API enforces that scaled spacing.`))
  print(style.dim(`Real runs pace redeliveries and other writes 1 s apart, as GitHub asks.`))

  const checks: Check[] = []
  const check = (ok: boolean, text: string, detail?: string) => checks.push({ ok, text, detail })
  check(day.outage.to < api.now(), `the outage was over before the first run (ended ${ago(api.now() - day.outage.to)} earlier)`)

  const results: StepResult[] = []
  const plan = steps(day)

  banner(`Run 1 · first scheduled run · ${hms(api.now())} (server clock)`)
  print(style.dim(`Like a workflow on schedule (cron '*/15 * * * *') with three steps, one per kind of webhook. No bookmark yet: each step scans the default lookback, 24h.`))
  for (const [i, step] of plan.entries()) results.push(await runStep(api, day, 1, i, step, plan.length))

  // Let the receiver answer the last redeliveries, then move the server clock to the next tick.
  await new Promise(resolve => setTimeout(resolve, 100))
  api.advanceClock(CRON_INTERVAL)
  // Ordinary traffic in between: new deliveries, all delivered fine.
  const quarter = api.now() - CRON_INTERVAL
  let added = 0
  for (const [k, n] of names.entries()) {
    for (let i = 0; i < 6 + 3 * k; i++) {
      api.addDelivery(day.hooks[n], {
        event: i % 3 === 0 ? 'pull_request' : 'push',
        action: i % 3 === 0 ? 'synchronize' : null,
        deliveredAt: Math.round(quarter + ((i + 1) * (CRON_INTERVAL - 30_000)) / (7 + 3 * k)),
        ok: true,
        status: 'OK',
        statusCode: 200,
        durationMs: 120 + 37 * i
      })
      added++
    }
  }

  banner(`Run 2 · next cron tick, 15 minutes later · ${hms(api.now())}`)
  print(
    style.dim(
      `The server clock moved on 15 minutes; ${added} new deliveries arrived, all delivered fine. Each step reads back only as far as its bookmark: ` +
        `the oldest delivery not yet finished. The never-recovering ones are not finished (they have attempts left), so they hold it back. ` +
        `Expected: nothing is redelivered. The recovered ones are done; the ${stuck.size} that a healthy receiver refused wait out the backoff ` +
        `(1 h after the first refusal, 4 h after the second) before their next try, so a problem that clears in hours is not given up in minutes (max-attempts ${MAX_ATTEMPTS}).`
    )
  )
  for (const [i, step] of plan.entries()) results.push(await runStep(api, day, 2, i, step, plan.length))
  await new Promise(resolve => setTimeout(resolve, 100))

  // ---- verification, from what the local API saw ----
  const requests = api.redeliveryRequests()
  const perGuid = redeliveryCounts(api)

  for (const r of results) {
    const o = r.run.outputs
    const sum = Number(o.redelivered) + Number(o.skipped) + Number(o.errors)
    const label = `run ${r.tick} ${r.step.name}`
    if (r.run.exitCode !== 0 || r.run.commands.errors.length > 0 || Number(o.failed) !== sum) {
      check(
        false,
        `${label}: exit code 0, no ::error::, failed = redelivered + skipped + errors`,
        `exit ${r.run.exitCode}, errors ${JSON.stringify(r.run.commands.errors)}, outputs ${JSON.stringify(o)}`
      )
    }
  }
  check(
    results.every(r => r.run.exitCode === 0 && r.run.commands.errors.length === 0),
    `all ${results.length} steps exited 0 with no ::error::; every step's outputs satisfy failed = redelivered + skipped + errors`
  )

  const recoverableWrong = recoverable.filter(g => perGuid.get(g) !== 1)
  check(
    recoverableWrong.length === 0,
    `every failing delivery that can recover (${stillFailingFromOutage.length} from the outage, ${recoverable.length - stillFailingFromOutage.length} timeouts) was redelivered exactly once`,
    recoverableWrong.length ? recoverableWrong.map(g => `${g}: ${perGuid.get(g) ?? 0}×`).join(', ') : undefined
  )
  const failingSet = new Set(allFailing)
  const strays = [...perGuid.keys()].filter(g => !failingSet.has(g))
  check(strays.length === 0, 'no delivery that had already succeeded (by hand or first time) was redelivered', strays.join(', ') || undefined)

  const run1 = results.filter(r => r.tick === 1)
  const run2 = results.filter(r => r.tick === 2)
  const requestsOf = (rs: StepResult[]) => rs.flatMap(r => requests.slice(r.redeliveriesFrom, r.redeliveriesTo))
  let twiceInARun = 0
  for (const rs of [run1, run2]) {
    const seen = new Set<string>()
    for (const r of requestsOf(rs).filter(q => q.accepted)) {
      if (seen.has(r.guid)) twiceInARun++
      seen.add(r.guid)
    }
  }
  check(twiceInARun === 0, 'no delivery was sent twice within a run')

  let notNewest = 0
  for (const r of results) for (const q of requests.slice(r.redeliveriesFrom, r.redeliveriesTo)) if (r.newestBefore.get(q.guid) !== q.deliveryId) notNewest++
  check(notNewest === 0, `each of the ${requests.length} redelivery requests named the newest attempt of its delivery`, notNewest ? `${notNewest} did not` : undefined)

  const run2Guids = new Set(requestsOf(run2).map(q => q.guid))
  const stuckCounts = [...stuck].map(g => perGuid.get(g) ?? 0)
  const stuckTotals = [...stuck].map(g => (perGuid.get(g) ?? 0) + (handMade.get(g) ?? 0))
  const backoffSkips = run2.reduce(
    (n, r) => n + (((r.run.report as { deliveries?: Array<{ reason?: string }> } | undefined)?.deliveries ?? []) as Array<{ reason?: string }>).filter(d => d.reason === 'backoff').length,
    0
  )
  check(
    stuckCounts.every(n => n === 1) && stuckTotals.every(n => n <= MAX_ATTEMPTS),
    `never-recovering deliveries: redelivered once, ${stuckCounts.join('/')} times each; with the ${[...stuck].filter(g => handMade.has(g)).length} earlier hand-made redeliveries, ${stuckTotals.join('/')} of max-attempts ${MAX_ATTEMPTS}`
  )
  check(run2Guids.size === 0 && backoffSkips === stuck.size, `run 2 redelivered nothing: the ${stuck.size} refused deliveries wait out their backoff (${backoffSkips} skipped as backoff)`)
  const stillFailingNow: string[] = []
  for (const n of names) {
    const list = api.deliveries(day.hooks[n])
    for (const g of day.failingGuids[n]) if (!stuck.has(g) && !list.some(d => d.guid === g && d.ok)) stillFailingNow.push(g)
  }
  check(stillFailingNow.length === 0, `the receivers have now got every one of the ${recoverable.length} recoverable deliveries (a successful attempt is listed for each)`)

  for (const r of results) {
    const pages = r.requests.filter(e => requestKind(e) === 'list').length
    const hooksScanned = new Set(r.requests.filter(e => requestKind(e) === 'list').map(e => e.route)).size
    const bound = Math.ceil(Number(r.run.outputs.scanned) / 100) + hooksScanned
    if (pages > bound) check(false, `run ${r.tick} ${r.step.name}: ${pages} list pages for ${r.run.outputs.scanned} attempts scanned (expected at most ${bound})`)
  }
  const pages1 = run1.map(r => r.requests.filter(e => requestKind(e) === 'list').length)
  const pages2 = run2.map(r => r.requests.filter(e => requestKind(e) === 'list').length)
  check(
    true,
    `list pages: run 1 ${pages1.join(' + ')} for ${run1.map(r => r.run.outputs.scanned).join(' + ')} attempts (⌈N ÷ 100⌉, +1 at most per hook); run 2 ${pages2.join(' + ')}, resuming from the bookmarks`
  )

  const variables = plan.map(s => s.inputs['state-variable']).map(name => ({ name, value: api.getVariable(day.repo, name)?.value }))
  check(
    variables.every(v => v.value !== undefined),
    `bookmarks saved in ${day.repo}: ${variables.map(v => `${v.name} (${v.value ? `${v.value.length} bytes` : 'missing'})`).join(', ')}`
  )

  const all = api.log
  const counts = countRequests(all)
  const stats = api.stats()
  const refused = requests.filter(r => !r.accepted).length
  check(
    stats.secondary.total === 0 && stats.primary === 0 && refused === 0,
    `requests made: ${counts.get('list') ?? 0} list, ${counts.get('redelivery') ?? 0} redeliveries, ${counts.get('variable read') ?? 0} variable reads / ${counts.get('variable write') ?? 0} writes, ` +
      `${counts.get('hook lookup') ?? 0} hook listings, ${(counts.get('app auth') ?? 0) + (counts.get('delivery detail') ?? 0) + (counts.get('other') ?? 0)} other; ` +
      `${stats.secondary.total} secondary-rate-limit answers, ${refused} redeliveries refused`
  )

  await outageAct(api, day, plan, check)
  await replayAct(api, day, plan, check)

  banner('What the local API saw')
  for (const c of checks) {
    print(`  ${c.ok ? style.green('✓') : style.red('✗')} ${c.text}`)
    if (c.detail) print(style.dim(`      ${c.detail}`))
  }
  print(
    style.dim(
      `  The never-recovering deliveries get their next tries after the backoff (1 h, then 4 h); after max-attempts ${MAX_ATTEMPTS} refusals ` +
        `(hand-made redeliveries count too) they are given up and reported once, in the given-up output.`
    )
  )
  print()
  print(keepReports ? 'Reports (JSON, one per step):' : 'Reports (JSON, one per step; removed when the demo ends, `npm run demo -- --keep-reports` keeps them):')
  for (const r of results) print(`  run ${r.tick} ${r.step.name.padEnd(4)} ${r.run.outputs.report ?? '(none)'}`)
  return checks
}

/**
 * The reason people run this: a receiver down for hours. The org hook's receiver goes down for
 * two hours while traffic keeps arriving; the org step runs every 15 minutes throughout.
 */
async function outageAct(api: LocalApi, day: RealisticDay, plan: Step[], check: (ok: boolean, text: string, detail?: string) => void): Promise<void> {
  const step = plan.find(s => s.name === 'org')!
  const hook = day.hooks.org
  const refused = new Set(day.stuckGuids.org)
  const start = api.now() + 5 * MINUTE
  const down: [number, number] = [start, start + 120 * MINUTE]
  const timeline = new Timeline({ api, hook, perMinute: 1, seed: 3, up: (t, g) => !refused.has(g) && (t < down[0] || t >= down[1]) })

  banner(`Runs 3 and on · the ${day.org} receiver is down for two hours`)
  print(
    style.dim(
      `At ${hms(down[0])} the receiver behind the ${day.org} webhook goes down, until ${hms(down[1])}. GitHub keeps sending a delivery a minute; every one fails. ` +
        `The org step runs every 15 minutes with default inputs. Before sending anything, each run asks whether the receiver is up: ` +
        `if the hook's newest attempt did not get an answer a moment ago, it pings the hook (no delivery is spent asking) and waits for the receiver's answer. ` +
        `No answer: the receiver is down and the rest wait, at no cost of an attempt. Any answer, a refusal included: it is up.`
    )
  )
  print()
  const header = ['run', 'server time', 'receiver', 'failing', 'redelivered', 'waiting', 'given up', 'sent while it was down']
  const widths = [4, 11, 8, 7, 11, 7, 8, 27]
  const row = (cells: string[]) => '  ' + cells.map((c, i) => c.padEnd(widths[i])).join('  ')
  print(style.bold(row(header)))
  const runs: Array<{ at: number; intoDown: number; ok: boolean; givenUp: number }> = []
  let firstBack: { at: number; lost: number } | undefined
  let n = 3
  while (api.now() < down[1] + 25 * MINUTE) {
    timeline.pass(CRON_INTERVAL)
    const measured = await timeline.measure(() => runAsRunner(api, day.repo, step.inputs))
    const run = measured.value
    const o = run.outputs
    const isDown = measured.at >= down[0] && measured.at < down[1]
    // Whatever failed and was neither redelivered, given up nor an error waits for a later run:
    // held while the receiver is down, or by the backoff after a refusal. So the row adds up.
    const waiting = Number(o.failed ?? 0) - Number(o.redelivered ?? 0) - Number(o['given-up'] ?? 0) - Number(o.errors ?? 0)
    runs.push({ at: measured.at, intoDown: measured.intoDown, ok: run.exitCode === 0, givenUp: Number(o['given-up'] ?? 0) })
    const state = o['receivers-down'] && o['receivers-down'] !== '0' ? style.red('down') : style.green('up')
    print(
      row([
        String(n++),
        hms(measured.at).slice(0, 5) + ' UTC',
        state + ' '.repeat(Math.max(0, 8 - (isDown ? 4 : 2))),
        o.failed ?? '-',
        o.redelivered ?? '-',
        String(waiting),
        o['given-up'] ?? '-',
        isDown ? String(measured.accepted) : '-'
      ])
    )
    if (!firstBack && measured.at >= down[1]) {
      await new Promise(resolve => setTimeout(resolve, 100))
      firstBack = { at: measured.at, lost: timeline.lost(down[1]).length }
    }
  }
  await new Promise(resolve => setTimeout(resolve, 100))
  const whileDown = runs.filter(r => r.at >= down[0] && r.at < down[1])
  const failed = timeline.failed(down[1])
  const sent = whileDown.reduce((t, r) => t + r.intoDown, 0)
  const documented = timeline.documentedScriptIntoDown(whileDown.map(r => r.at))
  print()
  check(
    runs.every(r => r.ok),
    `outage: all ${runs.length} runs exited 0; none gave anything up (${runs.reduce((t, r) => t + r.givenUp, 0)} given up)`
  )
  check(
    firstBack?.lost === 0,
    `outage: the first run after the receiver came back (${firstBack ? hms(firstBack.at) : 'none'}) redelivered all ${failed} deliveries that failed during the two hours`,
    firstBack?.lost ? `${firstBack.lost} still failing` : undefined
  )
  check(
    whileDown.every(r => r.intoDown <= 1),
    `outage: at most one redelivery per run into the dead receiver: ${sent} in ${whileDown.length} runs (GitHub's documented script, run the same way, would have sent ${documented})`
  )
  check(timeline.duplicates().length === 0 && timeline.lost().length === 0, 'outage: nothing lost, nothing delivered twice')
}

/**
 * After the outage, the other kind of loss: the receiver answered 200 and dropped the work of the
 * last half hour. A replay of that range from the action's inputs (a workflow_dispatch): a preview,
 * then the send, one redelivery a second; the scheduled run after it sends none of them again.
 */
async function replayAct(api: LocalApi, day: RealisticDay, plan: Step[], check: (ok: boolean, text: string, detail?: string) => void): Promise<void> {
  const step = plan.find(s => s.name === 'org')!
  const hook = day.hooks.org
  const until = api.now() - 5 * MINUTE
  const since = until - 20 * MINUTE
  const range = { 'replay-since': new Date(since).toISOString(), 'replay-until': new Date(until).toISOString() }
  banner(`Last run · a replay of 20 minutes the ${day.org} receiver said OK to, and lost`)
  print(
    style.dim(
      `The receiver acknowledged every delivery from ${hms(since)} to ${hms(until)} and then lost them (a queue dropped). No failure shows it, so nothing redelivers them. ` +
        `examples/replay.yml replays the range: first a preview, then the send, one redelivery per event, oldest first, at GitHub's pace.`
    )
  )
  const replay = async (send: boolean): Promise<ActionRun> => {
    const run = await runAsRunner(api, day.repo, { ...step.inputs, ...range, 'replay-send': String(send) })
    print()
    print(style.bold(`  ${send ? 'send' : 'preview'}`) + style.dim(`  replay-since: ${range['replay-since']}  replay-until: ${range['replay-until']}  replay-send: ${send}`))
    print(`    outputs  replayed ${style.bold(run.outputs.replayed ?? '-')}  replay-left ${style.bold(run.outputs['replay-left'] ?? '-')}`)
    print(renderMarkdown(run.summary, { width: width - 4, indent: '    ', maxTableRows: ROWS_SHOWN }))
    return run
  }
  const before = api.redeliveryRequests(hook).length
  const preview = await replay(false)
  const previewed = Number(preview.outputs['replay-left'] ?? -1)
  const sent = await replay(true)
  await new Promise(resolve => setTimeout(resolve, 100))
  const made = api.redeliveryRequests(hook).slice(before)
  const guids = made.filter(r => r.accepted).map(r => r.guid)
  const inRange = new Set(
    api
      .deliveries(hook)
      .filter(d => !d.redelivery && d.deliveredAt >= since && d.deliveredAt < until)
      .map(d => d.guid)
  )
  check(preview.exitCode === 0 && made.length > 0 && previewed === Number(sent.outputs.replayed), `replay: the preview counted ${previewed} events; the send sent ${sent.outputs.replayed ?? '-'}`)
  check(
    guids.length === new Set(guids).size && guids.length === inRange.size && guids.every(g => inRange.has(g)),
    `replay: every event first delivered in the range sent once (${inRange.size}), nothing outside it`
  )
  const after = api.redeliveryRequests(hook).length
  const scheduled = await runAsRunner(api, day.repo, step.inputs)
  const again = api
    .redeliveryRequests(hook)
    .slice(after)
    .filter(r => inRange.has(r.guid))
  check(scheduled.exitCode === 0 && again.length === 0, 'replay: the scheduled run after it sent none of them again')
}

let apiToClose: LocalApi | undefined
let exitCode: number
const interrupt = (code = 130) => {
  void (apiToClose?.close() ?? Promise.resolve()).finally(() => {
    removeDemoTemp()
    process.exit(code)
  })
}
// Output piped into `head` and the like: stop quietly, still closing the API.
process.stdout.on('error', error => {
  if ((error as NodeJS.ErrnoException).code === 'EPIPE') interrupt(141)
  else throw error
})
process.once('SIGINT', () => interrupt(130))
process.once('SIGTERM', () => interrupt(143))
try {
  const checks = await main()
  const failed = checks.filter(c => !c.ok).length
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  print()
  if (failed === 0) print(style.green(style.bold(`All ${checks.length} checks hold.`)) + style.dim(` Finished in ${seconds} s.`))
  else print(style.red(style.bold(`${failed} of ${checks.length} checks failed.`)) + style.dim(` Finished in ${seconds} s.`))
  exitCode = failed === 0 ? 0 : 1
} catch (error) {
  print(style.red(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`))
  exitCode = 1
} finally {
  await apiToClose?.close()
  removeDemoTemp()
}
process.exitCode = exitCode
