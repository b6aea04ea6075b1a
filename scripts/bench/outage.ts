// Outage recovery: the bundle, on the runtime action.yml declares, runs on a schedule while an
// organization hook's receiver is down for hours; traffic arrives all along. Counted from the
// local API's own log: deliveries lost, redeliveries sent into the receiver while it was down,
// and what GitHub's documented script would have sent on the same schedule (every failure,
// every run). Waits inside a run are shortened (time scale 0.01); the server clock jumps
// between runs, so hours of schedule take seconds.

import { startLocalApi, Timeline } from '../../local-api/index.js'
import { nodeRuntimes, runAction } from '../../tools/runner.js'
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
  const node = nodeRuntimes().find(r => r.name === 'node24') ?? nodeRuntimes()[0]
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
      const runs: Array<{ at: number; intoDown: number; exit: number | null }> = []
      let recovery: { at: number; lost: number } | undefined
      const end = down[1] + 2 * HOUR
      while (api.now() < end) {
        timeline.pass(c.every)
        const measured = await timeline.measure(() => runAction({ node, apiUrl: api.url, inputs, timeScale: 0.01 }))
        runs.push({ at: measured.at, intoDown: measured.intoDown, exit: measured.value.exitCode })
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
