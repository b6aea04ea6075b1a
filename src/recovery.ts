/** The recovery commands' sessions (`explain`, `replay`): the same connection to GitHub as a run, another engine. */
import type { Config } from './core/config.js'
import { policyOf } from './core/plan.js'
import { explainGuid, type HookExplanation } from './engine/explain.js'
import { connect, logRequests, type SessionIO } from './session.js'

/** What GitHub lists of one delivery on the configuration's hooks, what the bookmark records and what the next run would do. */
export async function explainInSession(config: Config, guid: string, io: SessionIO): Promise<{ hooks: HookExplanation[]; now: number }> {
  const { target, store, context } = await connect(config, io)
  const explanations = await explainGuid({
    guid,
    hooks: target.hooks,
    // What the next scheduled run would decide: a dry run of explain is the run's own, not explain's.
    policy: policyOf(config),
    lookbackMs: config.lookbackMs,
    github: target.deliveries,
    store,
    log: io.log,
    ...(target.fleet ? { fleet: target.fleet } : {})
  })
  logRequests(io.log, context)
  return explanations
}
