/** The recovery commands' sessions (`explain`, `replay`): the same connection to GitHub as a run, another engine. */
import type { Config } from './core/config.js'
import { ACTION_NAMING } from './core/input-errors.js'
import { policyOf } from './core/plan.js'
import { describeTarget } from './core/report.js'
import { parseReplayTime, replayKey } from './core/replay.js'
import { explainGuid, type HookExplanation } from './engine/explain.js'
import { UserError, type BookmarkStore } from './engine/ports.js'
import type { ReplayResult } from './core/replay.js'
import { runReplay } from './engine/replay.js'
import { connect, logRequests, type SessionIO } from './session.js'

/** The variable beside the state variable that keeps the replays' progress. */
export function replayVariableName(stateVariable: string): string {
  return `${stateVariable}_REPLAY`
}

/** What GitHub lists of one delivery on the configuration's hooks, what the bookmark records and what the next run would do. */
export async function explainInSession(config: Config, guid: string, io: SessionIO): Promise<{ hooks: HookExplanation[]; now: number }> {
  const connection = await connect(config, io)
  const { target, store } = connection
  const explanations = await explainGuid({
    guid,
    hooks: target.hooks,
    // What the next scheduled run would decide: a dry run of explain is the run's own, not explain's.
    policy: policyOf(config),
    lookbackMs: config.lookbackMs,
    github: target.deliveries,
    store,
    log: io.log,
    naming: connection.credentials.naming,
    ...(target.fleet ? { fleet: target.fleet } : {})
  })
  logRequests(io.log, connection)
  return explanations
}

/**
 * Replays the range of `config.replay`: previews it, or sends it with `send`. The progress goes
 * to `progressStore` (the CLI's file beside the state file) or to a variable beside the state
 * variable; the automatic redelivery's bookmark learns what is sent, and keeps its floors.
 */
export async function replayInSession(config: Config, io: SessionIO & { progressStore?: BookmarkStore }): Promise<ReplayResult> {
  const replay = config.replay
  if (!replay) throw new Error('replayInSession without a replay')
  const naming = io.naming ?? ACTION_NAMING
  if (replay.send && config.dryRun) io.log.warning(`${naming.subject('dry-run')} is true: the replay is only previewed.`)
  const connection = await connect(config, io)
  const { target, store, pacing, variable } = connection
  const now = target.deliveries.now()
  const since = parseReplayTime(replay.since, now)
  const until = replay.until ? parseReplayTime(replay.until, now) : { at: now, relative: true }
  if (!since || !until) throw new UserError(`${naming.subject('replay-since')} or ${naming.quoted('replay-until')} is not a time.`)
  if (since.at >= until.at) {
    throw new UserError(`${naming.subject('replay-since')} (${new Date(since.at).toISOString()}) must be before ${naming.quoted('replay-until')} (${new Date(until.at).toISOString()}).`)
  }
  const progressStore = io.progressStore ?? (config.state && variable ? variable(replayVariableName(config.state.variable)) : undefined)
  const shard = config.shard ? ` shard ${config.shard.index}/${config.shard.count}` : ''
  const key = replayKey({
    target: describeTarget(config.target) + shard,
    hooks: config.hooks.map(h => JSON.stringify(h)).join(','),
    since: replay.since,
    until: replay.until,
    outcome: replay.outcome,
    events: config.events
  })
  const result = await runReplay({
    request: { key, since: since.at, until: until.at, relative: since.relative || until.relative, outcome: replay.outcome, events: config.events, send: replay.send && !config.dryRun },
    hooks: target.hooks,
    policy: policyOf(config),
    lookbackMs: config.lookbackMs,
    github: target.deliveries,
    store,
    progressStore,
    log: io.log,
    sleep: pacing.sleep,
    signal: io.signal,
    naming,
    ...(target.fleet ? { fleet: target.fleet } : {})
  })
  if (target.unmatched) result.failures.unshift(target.unmatched)
  logRequests(io.log, connection)
  return result
}
