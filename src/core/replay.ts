import type { EventFilter } from './config.js'
import { formatDuration, parseDuration } from './duration.js'
import { compareIds, type DeliveryId } from './ids.js'
import { isSuccess, type Attempt } from './ledger.js'
import { PROBE_TIME_MARGIN_MS } from './bookmark/moves.js'
import { PLANNED_IN_FLIGHT_MS } from './bookmark/trust.js'
import { WINDOW_SAFETY_MS } from './plan.js'

/**
 * Replay: one redelivery per event (guid) whose FIRST delivery falls in a time range, succeeded
 * or failed, oldest first, within GitHub's redelivery window. Its progress is kept apart from
 * the automatic redelivery's bookmark, keyed by the replay's range and selection, so running the
 * same command again continues and never sends a guid twice. The pure part: times, the key, the
 * candidates, the plan against the progress, the preview, and what the bookmark learns.
 */

export type ReplayOutcome = 'failed' | 'succeeded' | 'all'
export const REPLAY_OUTCOMES: readonly ReplayOutcome[] = ['failed', 'succeeded', 'all']

/** `2026-12-07T06:00:00Z` (ISO 8601, with a time zone) or a duration ago (`6h`, `90m`, `1d12h`). */
export function parseReplayTime(text: string, now: number): { at: number; relative: boolean } | undefined {
  const value = text.trim()
  const ago = parseDuration(value)
  if (ago !== undefined) return { at: now - ago, relative: true }
  // A date and a time with its zone: a local time would mean something else on every machine.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(value)) return undefined
  const at = Date.parse(value)
  return Number.isFinite(at) ? { at, relative: false } : undefined
}

export interface ReplaySelection {
  /** What `describeTarget` says of the target, the hooks named (`hook-id`), and the shard. */
  target: string
  hooks: string
  since: string
  until: string
  outcome: ReplayOutcome
  events: readonly EventFilter[]
}

/** The replay's identity: the same command (target, hooks, range as typed, filters) is the same replay. */
export function replayKey(selection: ReplaySelection): string {
  const events = selection.events.map(e => (e.action ? `${e.event}.${e.action}` : e.event)).sort()
  return JSON.stringify([selection.target, selection.hooks, selection.since.trim(), selection.until.trim(), selection.outcome, events])
}

/** One event a hook delivered, as a replay needs it. */
export interface Candidate {
  hookKey: string
  guid: string
  event: string
  action: string | null
  /** Its first (original) attempt. */
  firstAt: number
  /** Its newest attempt: the one redelivered (and what the automatic run knows it by). */
  newestId: DeliveryId
  succeeded: boolean
  /** Its newest redelivery listed, whoever sent it: how a replay that stopped learns what it sent. */
  lastRedeliveryAt?: number
}

/** Groups a hook's listed attempts by guid; only guids whose original is listed are candidates. */
export class CandidateCollector {
  private readonly byGuid = new Map<string, Candidate & { original: boolean }>()

  constructor(private readonly hookKey: string) {}

  add(attempt: Attempt): void {
    let c = this.byGuid.get(attempt.guid)
    if (!c) {
      c = { hookKey: this.hookKey, guid: attempt.guid, event: attempt.event, action: attempt.action, firstAt: attempt.deliveredAt, newestId: attempt.id, succeeded: false, original: false }
      this.byGuid.set(attempt.guid, c)
    }
    if (compareIds(attempt.id, c.newestId) > 0) c.newestId = attempt.id
    if (isSuccess(attempt)) c.succeeded = true
    if (attempt.redelivery) {
      if (c.lastRedeliveryAt === undefined || attempt.deliveredAt > c.lastRedeliveryAt) c.lastRedeliveryAt = attempt.deliveredAt
    } else {
      c.original = true
      c.firstAt = attempt.deliveredAt
      c.event = attempt.event
      c.action = attempt.action
    }
  }

  candidates(): Candidate[] {
    return [...this.byGuid.values()].filter(c => c.original).map(({ original: _, ...c }) => c)
  }
}

/** Where a replay stands, kept in its own record (never in the automatic redelivery's bookmark). */
export interface ReplayProgress {
  key: string
  since: number
  until: number
  /** Whether the range was given as durations ago: a finished replay of `--since 6h` run again is a new one. */
  relative: boolean
  startedAt: number
  /** Redeliveries GitHub accepted so far. */
  sent: number
  /** The last candidate done, in the replay's order: everything up to it is done. */
  cursor?: Cursor
  /** Candidates after the cursor, up to `through`, about to be sent at `at`: perhaps sent, if the run stopped then. */
  pending?: { at: number; through: Cursor }
  /** Deliveries GitHub refused to redeliver (a 4xx for that delivery): done, not sent. */
  refused: number
  finishedAt?: number
}

export interface Cursor {
  firstAt: number
  guid: string
}

/** Oldest first, which also leave GitHub's window first; the guid breaks ties. */
function replayOrder(a: Cursor, b: Cursor): number {
  return a.firstAt - b.firstAt || (a.guid < b.guid ? -1 : a.guid > b.guid ? 1 : 0)
}

export interface ReplayFilter {
  since: number
  until: number
  outcome: ReplayOutcome
  events: readonly EventFilter[]
}

export interface ReplayPlan {
  /** In the order to send them. */
  toSend: Candidate[]
  /** Selected, but older than GitHub can still redeliver: reported, not sent. */
  outsideWindow: Candidate[]
  /** Done by an earlier run of this replay (sent, refused, or perhaps sent and listed since). */
  done: number
  /** Perhaps sent by a run that stopped moments ago and not listed yet: wait until `waitUntil`, then look again. */
  uncertain: Candidate[]
  waitUntil?: number
}

function matches(filters: readonly EventFilter[], c: Candidate): boolean {
  return filters.length === 0 || filters.some(f => f.event === c.event && (f.action === undefined || f.action === c.action))
}

/** The candidates a replay's range and filters select, in order. */
export function selectCandidates(candidates: readonly Candidate[], filter: ReplayFilter): Candidate[] {
  return candidates
    .filter(c => c.firstAt >= filter.since && c.firstAt < filter.until)
    .filter(c => filter.outcome === 'all' || (filter.outcome === 'succeeded') === c.succeeded)
    .filter(c => matches(filter.events, c))
    .sort(replayOrder)
}

/**
 * What is left to send, against the progress of earlier runs of the same replay. Candidates up
 * to the cursor are done. Those of a batch that was about to be sent when a run stopped were
 * sent if GitHub lists a redelivery of them since; if not, they were not, once GitHub had time
 * to list them (the short grace of a planned redelivery); before that, they wait.
 */
export function planReplay(selected: readonly Candidate[], progress: ReplayProgress | undefined, windowMs: number, now: number): ReplayPlan {
  const plan: ReplayPlan = { toSend: [], outsideWindow: [], done: 0, uncertain: [] }
  const pending = progress?.pending
  for (const c of selected) {
    if (progress?.cursor && replayOrder(c, progress.cursor) <= 0) {
      plan.done++
      continue
    }
    const perhapsSent = pending !== undefined && replayOrder(c, pending.through) <= 0
    if (perhapsSent && c.lastRedeliveryAt !== undefined && c.lastRedeliveryAt >= pending.at - PROBE_TIME_MARGIN_MS) {
      plan.done++
      continue
    }
    // Not asked for when it will have left GitHub's window by the time the request is made.
    if (c.firstAt < now - windowMs + WINDOW_SAFETY_MS) plan.outsideWindow.push(c)
    else if (perhapsSent && now < pending.at + PLANNED_IN_FLIGHT_MS) {
      plan.uncertain.push(c)
      plan.waitUntil = pending.at + PLANNED_IN_FLIGHT_MS
    } else plan.toSend.push(c)
  }
  return plan
}

/** GitHub's pace for writes: one redelivery a second. */
const REPLAY_PACE_MS = 1_000

export interface ReplayPreview {
  /** Events to send, by hook key and by event (`push`, `pull_request.opened`). */
  byHook: Record<string, number>
  byEvent: Record<string, number>
  /** First delivery of the oldest and the newest event to send. */
  from?: number
  to?: number
  toSend: number
  outsideWindow: number
  done: number
  /** How long sending takes at GitHub's pace. */
  durationMs: number
}

export function previewReplay(plan: ReplayPlan): ReplayPreview {
  const byHook: Record<string, number> = {}
  const byEvent: Record<string, number> = {}
  for (const c of plan.toSend) {
    byHook[c.hookKey] = (byHook[c.hookKey] ?? 0) + 1
    const event = c.action ? `${c.event}.${c.action}` : c.event
    byEvent[event] = (byEvent[event] ?? 0) + 1
  }
  return {
    byHook,
    byEvent,
    ...(plan.toSend.length > 0 ? { from: plan.toSend[0].firstAt, to: plan.toSend[plan.toSend.length - 1].firstAt } : {}),
    toSend: plan.toSend.length,
    outsideWindow: plan.outsideWindow.length,
    done: plan.done,
    durationMs: plan.toSend.length * REPLAY_PACE_MS
  }
}

/** `about 2m` for a preview. */
export function paceText(ms: number): string {
  return ms < 1000 ? 'no time' : `about ${formatDuration(Math.ceil(ms / 1000) * 1000)}`
}

/** The progress records kept in the replay store: the latest few replays. */
export interface ReplayLog {
  version: 1
  replays: ReplayProgress[]
}

const KEPT_REPLAYS = 20

export function parseReplayLog(text: string | undefined): ReplayLog {
  if (!text) return { version: 1, replays: [] }
  try {
    const parsed = JSON.parse(text) as Partial<ReplayLog>
    if (parsed.version === 1 && Array.isArray(parsed.replays)) return { version: 1, replays: parsed.replays.filter(r => typeof r?.key === 'string') }
  } catch {
    // An unreadable record is started over: a replay then previews and sends from the start of its range.
  }
  return { version: 1, replays: [] }
}

export function withProgress(log: ReplayLog, progress: ReplayProgress): ReplayLog {
  const others = log.replays.filter(r => r.key !== progress.key)
  return { version: 1, replays: [...others, progress].slice(-KEPT_REPLAYS) }
}

/** What a replay run did: the preview of what was left when it started, what it sent, what is left. */
export interface ReplayResult {
  /** The range replayed: the one the first run of this replay resolved, when it continues. */
  since: number
  until: number
  continued: boolean
  /** What was left to send when this run started (the preview), and the hooks' labels by key. */
  preview: ReplayPreview
  hookLabels: Record<string, string>
  sent: number
  /** Sent by earlier runs of this replay. */
  sentBefore: number
  refused: number
  /** Not sent this run (interrupted, rate limited, failed): the next run of the same command sends them. */
  left: number
  finished: boolean
  sendRequested: boolean
  warnings: string[]
  failures: string[]
}
