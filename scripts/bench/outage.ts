// Outage recovery: the bundle, on the runtime action.yml declares, runs on a schedule while an
// organization hook's receiver is down for hours; traffic arrives all along. Counted from the
// local API's own log: deliveries lost, redeliveries sent into the receiver while it was down,
// and what GitHub's documented script would have sent on the same schedule (every failure,
// every run). Waits inside a run are shortened (time scale 0.01); the server clock jumps
// between runs, so hours of schedule take seconds.

import { startLocalApi, Timeline, type HookRef, type LocalApi } from '../../local-api/index.js'
import { runAction, shippedRuntime } from '../../tools/runner.js'
import { fmt } from './report.js'
import type { Context } from './scenarios.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

interface OutageCase {
  name: string
  every: number
  perMinute: number
  outage: number
}

const CASES: OutageCase[] = [
  { name: '2 h outage, every 15 min', every: 15 * MINUTE, perMinute: 1, outage: 2 * HOUR },
  { name: '2 d outage, hourly', every: HOUR, perMinute: 0.1, outage: 2 * DAY }
]

export async function outageRecovery(ctx: Context): Promise<void> {
  const scenario = '7 outage recovery'
  // What ships: action.yml runs node24.
  const node = shippedRuntime()
  for (const c of CASES) {
    const api = await startLocalApi({ seed: 31 })
    try {
      const hook = api.createOrgHook('acme')
      const token = api.createToken({
        grants: [
          { org: 'acme', hooks: 'write' },
          { repo: 'acme/workflows', variables: 'write' }
        ]
      })
      const inputs = { 'target-type': 'org', org: 'acme', token, 'state-variable': 'WEBHOOK_BOOKMARK' }
      const start = api.now() + HOUR + c.every / 3
      const down: [number, number] = [start, start + c.outage]
      const timeline = new Timeline({ api, hook, perMinute: c.perMinute, seed: 7, up: t => t < down[0] || t >= down[1] })
      ctx.progress(`${scenario}: ${c.name}, ${node.name}`)
      const runs: Array<{ at: number; intoDown: number; exit: number | null; reportedDown: boolean }> = []
      let recovery: { at: number; lost: number } | undefined
      const end = down[1] + 2 * HOUR
      while (api.now() < end) {
        timeline.pass(c.every)
        const measured = await timeline.measure(() => runAction({ node, apiUrl: api.url, inputs, timeScale: 0.01 }))
        runs.push({ at: measured.at, intoDown: measured.intoDown, exit: measured.value.exitCode, reportedDown: Number(measured.value.outputs['receivers-down'] ?? 0) > 0 })
        if (!recovery && measured.at >= down[1]) {
          // Let the receiver's answers be listed, then count what the first run after the outage left behind.
          api.advanceClock(1000)
          recovery = { at: measured.at, lost: timeline.lost(down[1]).length }
        }
      }
      api.advanceClock(1000)
      const whileDown = runs.filter(r => r.at >= down[0] && r.at < down[1])
      const failed = timeline.failed(down[1])
      const lost = timeline.lost().length
      const maxPerRun = Math.max(0, ...whileDown.map(r => r.intoDown))
      const sent = whileDown.reduce((n, r) => n + r.intoDown, 0)
      const documented = timeline.documentedScriptIntoDown(whileDown.map(r => r.at))
      const failedRuns = runs.filter(r => r.exit !== 0).length
      const reportedWhileDown = whileDown.filter(r => r.reportedDown).length
      const falseAlarms = runs.filter(r => r.reportedDown && !(r.at >= down[0] && r.at < down[1])).length
      ctx.results.check(
        scenario,
        `${c.name}: receivers-down reported while down, never while up`,
        `reported down in ${reportedWhileDown} of ${whileDown.length} runs while down; ${falseAlarms} of ${runs.length - whileDown.length} runs while up`,
        falseAlarms === 0 && reportedWhileDown > 0,
        falseAlarms
      )
      ctx.results.check(
        scenario,
        `${c.name}: nothing lost (${fmt.n(failed)} failed during it)`,
        `${lost} lost; ${recovery?.lost ?? 'n/a'} left after the first run once it was back`,
        lost === 0 && recovery?.lost === 0,
        lost
      )
      ctx.results.check(
        scenario,
        `${c.name}: ≤ 1 redelivery per hook per run while down`,
        `at most ${maxPerRun} per run; ${fmt.n(sent)} in ${whileDown.length} runs, against ${fmt.n(documented)} by GitHub's documented script`,
        maxPerRun <= 1,
        sent
      )
      ctx.results.check(
        scenario,
        `${c.name}: every run exits 0, nothing twice`,
        `${failedRuns} runs failed; ${timeline.duplicates().length} deliveries received twice`,
        failedRuns === 0 && timeline.duplicates().length === 0,
        failedRuns
      )
    } finally {
      await api.close()
    }
  }
}

/**
 * Quiet hooks: a receiver that is up, with no traffic for hours, refuses three old payloads
 * (400, 404, 422). Six hours of 15-minute runs of the bundle on each target kind: how often each
 * refused payload is redelivered (1..max-attempts, spread by the backoff) and how many runs
 * reported the receiver down (none should). GitHub's documented script sends each one every run.
 */
export async function quietHooks(ctx: Context): Promise<void> {
  const scenario = '7b quiet hooks'
  const node = shippedRuntime()
  const kinds: Array<{ name: string; world: (api: LocalApi) => { hook: HookRef; inputs: Record<string, string> } }> = [
    { name: 'org hook', world: api => ({ hook: api.createOrgHook('acme'), inputs: { 'target-type': 'org', org: 'acme' } }) },
    { name: 'repo hook', world: api => ({ hook: api.createRepoHook('acme/api'), inputs: { 'target-type': 'repo', repository: 'acme/api' } }) },
    {
      name: 'app hook',
      world: api => {
        const app = api.createApp()
        return { hook: app.hook, inputs: { 'target-type': 'app', 'app-id': String(app.id), 'private-key': app.privateKeyPem } }
      }
    }
  ]
  for (const kind of kinds) {
    const api = await startLocalApi({ seed: 41 })
    try {
      const { hook, inputs: target } = kind.world(api)
      const token = api.createToken({
        grants: [
          { org: 'acme', hooks: 'write' },
          { repo: 'acme/api', hooks: 'write' },
          { repo: 'acme/workflows', variables: 'write' }
        ]
      })
      const inputs = { ...target, token, 'state-variable': 'WEBHOOK_BOOKMARK' }
      const refused = new Map<string, number>()
      ;[400, 404, 422].forEach((status, i) => {
        const guid = `0000000${i}-0000-4000-8000-00000000000${i}`
        api.addDelivery(hook, { guid, event: 'push', deliveredAt: api.now() - (3 - i) * HOUR, ok: false, statusCode: status, status: `Invalid HTTP Response: ${status}` })
        refused.set(guid, status)
      })
      const timeline = new Timeline({ api, hook, perMinute: 0, seed: 7, up: (_t, guid) => refused.get(guid) ?? true })
      ctx.progress(`${scenario}: ${kind.name}, ${node.name}`)
      let reportedDown = 0
      let runs = 0
      let pings = 0
      for (let t = 0; t < 6 * HOUR; t += 15 * MINUTE) {
        timeline.pass(15 * MINUTE)
        const measured = await timeline.measure(() => runAction({ node, apiUrl: api.url, inputs, timeScale: 0.01 }))
        runs++
        pings += measured.pings
        if (Number(measured.value.outputs['receivers-down'] ?? 0) > 0) reportedDown++
      }
      const counts = timeline.redeliveries()
      const perPayload = [...refused.keys()].map(g => counts.get(g) ?? 0)
      const documented = runs * refused.size
      ctx.results.check(
        scenario,
        `${kind.name}, 3 refused payloads, 6 h of 15-min runs: each redelivered 1..3 times (max-attempts 3), never reported down`,
        `redeliveries per refused payload ${perPayload.join(', ')} (GitHub's documented script: ${runs} each, ${documented} in all); ${reportedDown} of ${runs} runs reported a receiver down; ${pings} pings`,
        perPayload.every(n => n >= 1 && n <= 3) && reportedDown === 0,
        Math.max(...perPayload)
      )
    } finally {
      await api.close()
    }
  }
}
