import { parseConfig, secretInputs } from '../core/config.js'
import { cliNaming, render, renderInputError } from '../core/input-errors.js'
import { describeTarget } from '../core/report.js'
import { GUID, nextRunText, renderExplanation } from '../core/explain.js'
import { policyOf } from '../core/plan.js'
import { redactSecrets } from '../core/redact.js'
import { stoppedBecause } from '../engine/ports.js'
import { explainInSession, replayInSession } from '../recovery.js'
import type { SessionIO } from '../session.js'
import { renderReplay, replayJson } from '../core/replay-report.js'
import { resolve } from 'node:path'
import { FileStore, type FileLock } from '../state/file-store.js'
import { parseCliArgs, type CliFlag, type CliOptions } from './args.js'
import { cliLogger, INTERRUPTED_EXIT_CODES, openStateFile, takeInputs, type Streams } from './main.js'

const EXPLAIN_HELP = `webhook-redelivery explain GUID: why a delivery was (not) redelivered.

Usage:
  webhook-redelivery explain GUID --target-type org --org acme [--hook-id 123] --state-file ./state.json [--json]

Prints every attempt GitHub lists of the delivery (its guid, as the hook's deliveries page
shows it) on each hook of the target, what the bookmark (--state-file or --state-variable)
records about it (a redelivery in flight, attempts charged, backoff, given up and why), and
what the next run would do with it. Reads only: nothing is sent or written. --json prints
the same as JSON. Every flag of a run (webhook-redelivery --help) selects the same way.
`

const REPLAY_HELP = `webhook-redelivery replay: redeliver every event first delivered in a time range.

Usage:
  webhook-redelivery replay --since TIME [--until TIME] [--send] --target-type org --org acme \\
    --state-file ./state.json [--hook-id 123] [--events push] [--outcome failed|succeeded] [--json]

One redelivery per event (guid) whose first delivery falls in [--since, --until), succeeded
or failed, oldest first, at GitHub's pace (one a second), within GitHub's redelivery window
(older events are reported, not sent). TIME is an ISO 8601 time with its zone
(2026-12-07T06:00:00Z) or a duration ago (6h, 90m). Without --send it previews: counts by hook
and event, the range covered and how long sending takes. With --send it sends, recording its
progress beside the state (--state-file PATH: PATH.replay.json; --state-variable NAME: the
variable NAME_REPLAY): the same command run again after an interruption continues and sends
no event twice, and the scheduled runs neither send again what it sent nor count it against
--max-attempts. The scheduled runs' bookmark floors are left as they are.

  --since TIME        start of the range (required)
  --until TIME        end of the range, excluded (default: now)
  --outcome failed|succeeded
                      only events whose deliveries all failed, or that succeeded once
                      (default: both)
  --send              send; without it, a preview
Every flag of a run (webhook-redelivery --help) selects the same way: the target, --hook-id,
--events, --shard, --hostname, the state.
`

const REPLAY_FLAGS: CliFlag[] = [
  { name: 'since', type: 'string', value: 'TIME', help: 'start of the range' },
  { name: 'until', type: 'string', value: 'TIME', help: 'end of the range (excluded)' },
  { name: 'outcome', type: 'string', value: 'failed|succeeded', help: 'only events that failed, or that succeeded' },
  { name: 'send', type: 'boolean', help: 'send; without it, a preview' }
]

interface Prepared {
  options: CliOptions
  config: ReturnType<typeof parseConfig> & { ok: true }
  redact: (text: string) => string
  say: (text: string) => string
}

/** Inputs as these subcommands' flags: the replay inputs are replay's --since, --until, --outcome and --send. */
const NAMING = cliNaming({ 'replay-since': '--since', 'replay-until': '--until', 'replay-outcome': '--outcome', 'replay-send': '--send' })

/** The recovery subcommands: `explain GUID`, `replay --since TIME`. Exit codes as a run's. */
export async function runRecovery(command: 'explain' | 'replay', argv: string[], env: NodeJS.ProcessEnv, streams: Streams, interrupt?: AbortSignal): Promise<number> {
  const secrets: string[] = []
  const redact = (text: string): string => redactSecrets(text, secrets)
  const say = (message: string): string => redact(message)
  const fail = (message: string): number => {
    streams.stderr(`error: ${say(message)}\n`)
    return 1
  }
  const flags: CliFlag[] = command === 'replay' ? REPLAY_FLAGS : []
  const parsed = parseCliArgs(argv, { flags, positionals: command === 'explain' })
  if (!parsed.ok) return fail(parsed.error.replace('webhook-redelivery.', `webhook-redelivery ${command}.`))
  const { options } = parsed
  if (options.help) {
    streams.stdout(command === 'explain' ? EXPLAIN_HELP : REPLAY_HELP)
    return 0
  }
  const taken = takeInputs(options, env)
  if ('error' in taken) return fail(taken.error)
  secrets.push(...secretInputs(taken.inputs))
  if (options.stateFile && taken.inputs['state-variable']) return fail('--state-file and --state-variable both keep the bookmark: give one.')
  if (command === 'replay') {
    // The subcommand's flags are the action's replay inputs (which are flags too: --replay-since ...).
    const { since, until, outcome, send } = options.extra
    if (typeof since === 'string') taken.inputs['replay-since'] = since
    if (typeof until === 'string') taken.inputs['replay-until'] = until
    if (typeof outcome === 'string') taken.inputs['replay-outcome'] = outcome
    if (send === true) taken.inputs['replay-send'] = 'true'
    if (!taken.inputs['replay-since']?.trim()) return fail('replay needs --since TIME: an ISO 8601 time with its zone (2026-12-07T06:00:00Z) or a duration ago such as 6h.')
  }
  const config = parseConfig(taken.inputs, { GITHUB_API_URL: env.GITHUB_API_URL, GITHUB_REPOSITORY: env.GITHUB_REPOSITORY })
  if (!config.ok) {
    const messages = config.errors.map(error => say(renderInputError(error, NAMING)))
    for (const message of messages) streams.stderr(`error: ${message}\n`)
    if (options.json) streams.stdout(JSON.stringify({ failures: messages }) + '\n')
    return 1
  }
  for (const warning of config.warnings) streams.stderr(`warning: ${say(render(warning, NAMING))}\n`)
  if (command === 'replay') return replay({ options, config, redact, say }, streams, interrupt, secrets)
  const [guid, ...more] = options.positionals
  if (guid === undefined || more.length > 0) return fail('explain takes one GUID: webhook-redelivery explain GUID --target-type ... (see explain --help).')
  // It is compared with what GitHub lists, never sent anywhere; still, only a guid is taken.
  if (!GUID.test(guid)) return fail(`explain: "${guid.slice(0, 60)}" is not a delivery GUID (such as 0b5d7c10-c7a1-11f0-8a3f-1f6e2b8c9d11, from the hook's Recent Deliveries or the report).`)
  return explain({ options, config, redact, say }, guid.toLowerCase(), streams, interrupt, secrets)
}

async function explain(prepared: Prepared, guid: string, streams: Streams, interrupt: AbortSignal | undefined, secrets: string[]): Promise<number> {
  const { options, redact, say } = prepared
  const { config } = prepared.config
  return withSession(prepared, streams, interrupt, secrets, async io => {
    const { hooks: explanations, now } = await explainInSession(config, guid, io)
    const policy = policyOf(config)
    if (options.json) {
      const hooks = explanations.map(({ hook, explanation }) => ({
        hook: hook.label,
        hookId: hook.id ?? null,
        ...explanation,
        attempts: explanation.attempts.map(a => ({ ...a, deliveredAt: new Date(a.deliveredAt).toISOString() })),
        state: isoTimes(explanation.state),
        next: { ...explanation.next, text: nextRunText(explanation.next, policy) }
      }))
      streams.stdout(redact(JSON.stringify({ guid, hooks })) + '\n')
    } else {
      for (const { hook, explanation } of explanations) streams.stdout(redact(renderExplanation(explanation, hook.label, policy, now)))
    }
    if (explanations.length === 0) {
      streams.stderr(
        `error: ${say(`GitHub lists no attempt of ${guid} on ${describeTarget(config.target)} within its redelivery window: check the GUID, the target and ${NAMING.quoted('hook-id')}.`)}\n`
      )
      return 1
    }
    return 0
  })
}

/**
 * What both commands share: the state file opened under its lock (released at the end), the
 * session's I/O (secrets it makes masked, the run's stop, the CLI's names of inputs), and one
 * way to end on an error, in the --json object too.
 */
async function withSession(
  prepared: Prepared,
  streams: Streams,
  interrupt: AbortSignal | undefined,
  secrets: string[],
  body: (io: SessionIO & { store?: FileStore }) => Promise<number>
): Promise<number> {
  const { options, redact, say } = prepared
  let lock: FileLock | undefined
  try {
    let store: FileStore | undefined
    if (options.stateFile) {
      const opened = openStateFile(options.stateFile)
      if ('error' in opened) {
        streams.stderr(`error: ${say(opened.error)}\n`)
        return 1
      }
      ;({ lock, store } = opened)
    }
    const mask = (secret: string): void => {
      if (!secrets.includes(secret)) secrets.push(secret)
    }
    return await body({ log: cliLogger(streams, redact, options.debug), mask, ...(store ? { store } : {}), signal: interrupt, naming: NAMING })
  } catch (error) {
    const message = stoppedBecause(error)
    if (options.json) streams.stdout(JSON.stringify({ failures: [say(message)] }) + '\n')
    streams.stderr(`error: ${say(message)}\n`)
    return 1
  } finally {
    lock?.release()
  }
}

/** Times in the state record as ISO 8601, for scripts. */
function isoTimes(state: object): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(state)) {
    if (typeof value === 'number' && /Since$|Until$/.test(key)) out[key] = new Date(value).toISOString()
    else if (value && typeof value === 'object' && 'at' in value) {
      const { at, until, ...rest } = value as { at: number; until: number }
      out[key] = { ...rest, at: new Date(at).toISOString(), until: new Date(until).toISOString() }
    } else out[key] = value
  }
  return out
}

async function replay(prepared: Prepared, streams: Streams, interrupt: AbortSignal | undefined, secrets: string[]): Promise<number> {
  const { options, redact, say } = prepared
  const { config } = prepared.config
  return withSession(prepared, streams, interrupt, secrets, async io => {
    // Beside the state file, under its lock.
    const progressStore = options.stateFile ? new FileStore(`${resolve(options.stateFile)}.replay.json`) : undefined
    const result = await replayInSession(config, { ...io, ...(progressStore ? { progressStore } : {}) })
    if (options.json) streams.stdout(redact(JSON.stringify(replayJson(result))) + '\n')
    else streams.stdout(redact(renderReplay(result, describeTarget(config.target))))
    for (const failure of result.failures) streams.stderr(`error: ${say(failure)}\n`)
    if (interrupt?.aborted) return INTERRUPTED_EXIT_CODES[String(interrupt.reason)] ?? 1
    return result.failures.length > 0 ? 1 : 0
  })
}
