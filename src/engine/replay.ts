import type { EventFilter } from '../core/config.js'
import { formatDuration } from '../core/duration.js'
import type { Policy } from '../core/plan.js'
import { plural } from '../core/plural.js'
import { bookmarkWithReplay } from '../core/bookmark/moves.js'
import {
  CandidateCollector,
  parseReplayLog,
  planReplay,
  previewReplay,
  selectCandidates,
  withProgress,
  type Candidate,
  type ReplayOutcome,
  type ReplayProgress,
  type ReplayResult
} from '../core/replay.js'
import type { HookTarget } from '../core/types.js'
import { BookmarkKeeper } from './bookmark-keeper.js'
import { mapConcurrent } from './pool.js'
import { ACTION_NAMING, type Naming } from '../core/input-errors.js'
import { UnknownHookError, UserError, warningsOnce, type BookmarkStore, type DeliveriesPort, type Logger } from './ports.js'
import { abortableSleep } from './sleep.js'

/** A listing is in completion order: read a little past the range's start so slow attempts are not cut off. */
const LISTING_SLACK_MS = 60_000
/** Redeliveries between two writes of the progress (and of the bookmark). */
const BATCH = 20

export interface ReplayRequest {
  /** The replay's identity (core/replay.ts replayKey). */
  key: string
  since: number
  until: number
  /** The range was given as durations ago. */
  relative: boolean
  outcome: ReplayOutcome
  events: readonly EventFilter[]
  /** Send; else only preview. */
  send: boolean
}

export interface ReplayOptions {
  request: ReplayRequest
  hooks: HookTarget[]
  policy: Pick<Policy, 'windowMs' | 'dryRun'>
  lookbackMs: number
  github: DeliveriesPort
  /** The automatic redelivery's bookmark: read, and told what the replay sends (never its floors). */
  store?: BookmarkStore
  /** Where the replay's own progress is kept. Required to send. */
  progressStore?: BookmarkStore
  fleet?: { scope: string; complete: boolean }
  log: Logger
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  signal?: AbortSignal
  /** How the front end names inputs in its messages: the action's words when absent. */
  naming?: Naming
}

/**
 * A replay: list every hook back to the range's start, select the events whose first delivery
 * falls in it, and preview or send one redelivery each, oldest first, recording progress before
 * every batch so that running it again continues and sends nothing twice.
 */
export async function runReplay(options: ReplayOptions): Promise<ReplayResult> {
  const { hooks, github, log, request, progressStore } = options
  const { said: warnings, warn } = warningsOnce(log)
  const failures: string[] = []
  if (request.send && !progressStore) {
    const naming = options.naming ?? ACTION_NAMING
    throw new UserError(
      `Sending a replay (${naming.quoted('replay-send')}) needs a state: ${naming.quoted('state-variable')} (or --state-file on the command line). The replay records there what it sent, so that running it again after an interruption continues, and the scheduled runs do not send it again.`
    )
  }
  const keeper = new BookmarkKeeper({ store: options.store, hooks, fleet: options.fleet, policy: { dryRun: false, windowMs: options.policy.windowMs }, now: () => github.now(), log, warn })
  const lookbackMs = Math.min(options.lookbackMs, options.policy.windowMs)
  let bookmark = await keeper.read(lookbackMs)

  const replayLog = parseReplayLog(progressStore ? await progressStore.read() : undefined)
  const earlier = replayLog.replays.find(r => r.key === request.key)
  const continued = earlier !== undefined && earlier.finishedAt === undefined
  let progress: ReplayProgress
  if (continued) {
    progress = earlier
    log.info(`Continuing the replay started at ${iso(earlier.startedAt)} over ${iso(earlier.since)} to ${iso(earlier.until)}: ${plural(earlier.sent, 'redelivery', 'redeliveries')} sent so far.`)
  } else if (earlier && !earlier.relative) {
    // The same fixed range again: it was replayed in full; sending it again would send every guid twice.
    progress = earlier
  } else {
    progress = { key: request.key, since: request.since, until: request.until, relative: request.relative, startedAt: Math.round(github.now()), sent: 0, refused: 0 }
  }
  const { since, until } = progress

  // Every hook, back to the range's start (a little more: the listing is in completion order).
  const labels: Record<string, string> = Object.fromEntries(hooks.map(h => [h.key, h.label]))
  const listed = await mapConcurrent(hooks, 8, async hook => {
    const collector = new CandidateCollector(hook.key)
    try {
      if (!hook.neverDelivered)
        await github.listDeliveries(hook, page => {
          if (options.signal?.aborted) return false
          for (const attempt of page) if (attempt.deliveredAt >= since - LISTING_SLACK_MS) collector.add(attempt)
          return page.length > 0 && !page.some(a => a.deliveredAt + a.durationMs + LISTING_SLACK_MS < since)
        })
    } catch (error) {
      if (error instanceof UserError) throw error
      if (error instanceof UnknownHookError) return { hook, error: error.message }
      return { hook, error: error instanceof Error ? error.message : String(error) }
    }
    return { hook, candidates: collector.candidates() }
  })
  for (const l of listed) if (l.error) failures.push(`Could not list the deliveries of ${l.hook.label}: ${l.error}; its events are not replayed. Run the same command again.`)
  if (options.signal?.aborted) failures.push('The replay was interrupted before every hook was listed; nothing was sent. Run the same command again.')
  const candidates = listed.flatMap(l => l.candidates ?? [])
  const selected = selectCandidates(candidates, { since, until, outcome: request.outcome, events: request.events })
  const finishedBefore = !continued && earlier !== undefined && !earlier.relative
  let plan = planReplay(finishedBefore ? [] : selected, progress, options.policy.windowMs, github.now())
  const preview = previewReplay(plan)
  if (finishedBefore) preview.done = selected.length
  const result: ReplayResult = {
    since,
    until,
    continued,
    preview,
    hookLabels: labels,
    sent: 0,
    sentBefore: progress.sent,
    refused: 0,
    left: preview.toSend + plan.uncertain.length,
    finished: finishedBefore,
    sendRequested: request.send,
    warnings,
    failures
  }
  if (finishedBefore) {
    warn(
      `This replay (the same range and selection) finished at ${iso(earlier.finishedAt!)}: ${plural(earlier.sent, 'redelivery was', 'redeliveries were')} sent then; nothing is sent twice. Give another range to replay again.`
    )
  }
  if (plan.outsideWindow.length > 0) {
    warn(
      `${plural(plan.outsideWindow.length, 'event')} of the range ${plan.outsideWindow.length === 1 ? 'is' : 'are'} older than GitHub can redeliver (${formatDuration(options.policy.windowMs)}): not sent.`
    )
  }
  if (!request.send || finishedBefore || failures.length > 0) return result

  const sleep = (ms: number): Promise<void> => (options.sleep ?? abortableSleep)(ms, options.signal)
  const newFloor = github.now() - lookbackMs
  const save = async (): Promise<void> => {
    await progressStore!.write(JSON.stringify(withProgress(parseReplayLog(await progressStore!.read()), progress)))
  }
  const tellBookmark = async (batch: readonly Candidate[], how: 'planned' | 'sent', at: number): Promise<void> => {
    // Only failing events matter to the scheduled runs: they never redeliver one that succeeded.
    const failing = batch.filter(c => !c.succeeded)
    if (!options.store || failing.length === 0) return
    bookmark = bookmarkWithReplay(bookmark, failing, at, how, newFloor)
    await keeper.write(bookmark)
  }

  // Redeliveries perhaps sent by a run that stopped moments ago: wait until GitHub had time to list them, then look again.
  if (plan.uncertain.length > 0 && plan.waitUntil !== undefined) {
    log.info(
      `The last run of this replay stopped moments ago, perhaps after sending ${plural(plan.uncertain.length, 'redelivery', 'redeliveries')}: waiting until ${iso(plan.waitUntil)} to see whether GitHub lists them.`
    )
    // A little past it: GitHub's clock is read from its Date header, in whole seconds.
    await sleep(Math.max(0, plan.waitUntil - github.now()) + 2_000)
    const again = await mapConcurrent(
      hooks.filter(h => plan.uncertain.some(c => c.hookKey === h.key)),
      8,
      async hook => {
        const collector = new CandidateCollector(hook.key)
        await github.listDeliveries(hook, page => {
          for (const attempt of page) collector.add(attempt)
          return page.length > 0 && !page.some(a => a.deliveredAt + a.durationMs + LISTING_SLACK_MS < since)
        })
        return collector.candidates()
      }
    )
    plan = planReplay(selectCandidates(again.flat(), { since, until, outcome: request.outcome, events: request.events }), progress, options.policy.windowMs, github.now())
  }

  if (plan.uncertain.length > 0) {
    // Nothing after them can be sent: the progress is a cursor in the replay's order.
    failures.push(
      `${plural(plan.uncertain.length, 'redelivery', 'redeliveries')} of the last, interrupted run cannot be told sent or not yet (GitHub does not list them): run the same command again in a few minutes.`
    )
    return result
  }
  const queue = [...plan.toSend]
  try {
    while (queue.length > 0 && !options.signal?.aborted) {
      const batch = queue.splice(0, BATCH)
      const at = Math.round(github.now())
      // Recorded before it is sent: a run killed mid-batch leaves a record the next run resolves from the listing.
      progress = { ...progress, pending: { at, through: batch[batch.length - 1] } }
      await save()
      await tellBookmark(batch, 'planned', at)
      const accepted: Candidate[] = []
      let stopped: string | undefined
      let uncertain = false
      for (const c of batch) {
        if (options.signal?.aborted) break
        const hook = hooks.find(h => h.key === c.hookKey)!
        const answer = await github.redeliver(hook, c.newestId)
        if (answer.kind === 'accepted') {
          accepted.push(c)
          result.sent++
          progress = { ...progress, sent: progress.sent + 1, cursor: { firstAt: c.firstAt, guid: c.guid } }
        } else if (answer.kind === 'refused') {
          result.refused++
          progress = { ...progress, refused: progress.refused + 1, cursor: { firstAt: c.firstAt, guid: c.guid } }
          warn(`GitHub refused to redeliver ${c.guid} of ${hook.label}: ${answer.message}`)
        } else {
          // Rate limited, or failed after retries: the rest waits for the same command, run again.
          uncertain = answer.kind === 'error' && answer.uncertain === true
          stopped = `${answer.message}. ${uncertain ? 'It may have been sent: the' : 'The'} next run of the same command continues from there.`
          break
        }
      }
      // Settled up to the cursor; what follows it in the batch was not sent, unless GitHub's answer was lost (then the next run looks).
      if (!uncertain) progress = { ...progress, pending: undefined }
      await save()
      await tellBookmark(accepted, 'sent', github.now())
      if (stopped) {
        failures.push(`The replay stopped: ${stopped}`)
        break
      }
    }
  } finally {
    result.left = Math.max(0, preview.toSend + plan.uncertain.length - result.sent - result.refused)
  }
  if (options.signal?.aborted) {
    const by = typeof options.signal.reason === 'string' ? ` by ${options.signal.reason}` : ''
    failures.push(
      `The replay was interrupted${by}: ${plural(result.sent, 'redelivery was', 'redeliveries were')} sent, ${result.left} left. Run the same command again to continue; nothing is sent twice.`
    )
  } else if (failures.length === 0) {
    progress = { ...progress, finishedAt: Math.round(github.now()) }
    await save()
    result.finished = true
  }
  return result
}

function iso(ms: number): string {
  return new Date(ms).toISOString()
}
