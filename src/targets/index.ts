import type { Target } from '../core/config.js'
import { appTarget } from './app.js'
import { fleetTarget } from './fleet.js'
import { orgTarget } from './org.js'
import { repoTarget } from './repo.js'
import type { ResolvedTarget, TargetContext, TargetKind } from './target.js'

/** Every target kind, by its type: a new kind is one file and one line here. */
const KINDS: { [T in Target['type']]: TargetKind<T> } = {
  app: appTarget,
  org: orgTarget,
  repo: repoTarget,
  fleet: fleetTarget
}

/** The hooks the configuration names, and the port that reaches their deliveries. */
export function resolveTarget(context: TargetContext): Promise<ResolvedTarget> {
  const { target } = context.config
  return (KINDS[target.type] as TargetKind<Target['type']>).resolve(target, context)
}
