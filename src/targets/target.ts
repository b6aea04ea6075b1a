// What every target kind gives the session: the hooks to scan and the port that lists and
// redelivers their deliveries. Each kind (app.ts, org.ts, repo.ts, fleet.ts) holds its own
// paths, credential and permissions; index.ts registers them.

import type { Config, Target } from '../core/config.js'
import type { HookTarget } from '../core/types.js'
import type { DeliveriesPort, Logger } from '../engine/ports.js'
import type { Credentials } from '../github/access.js'
import type { GitHubClock } from '../github/clock.js'

export interface TargetContext {
  config: Config
  credentials: Credentials
  clock: GitHubClock
  log: Logger
}

export interface ResolvedTarget {
  hooks: HookTarget[]
  deliveries: DeliveriesPort
  /** A fleet's name in the bookmark, and whether every repository's hooks could be listed. */
  fleet?: { scope: string; complete: boolean }
  /** Why some payload URLs named no hook: the run fails with it once the hooks that exist were processed. */
  unmatched?: string
  warnings: string[]
}

/** One value of `target-type` (or what `repository` names): how its hooks are found and reached. */
export interface TargetKind<T extends Target['type']> {
  resolve(target: Extract<Target, { type: T }>, context: TargetContext): Promise<ResolvedTarget>
}
