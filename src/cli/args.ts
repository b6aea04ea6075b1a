import { parseArgs } from 'node:util'
import { INPUT_NAMES, type InputName, type RawInputs } from '../core/config.js'

/** Inputs that are secrets: never flags, since command lines are visible to every user of the machine. */
const SECRET_INPUTS: ReadonlySet<InputName> = new Set(['token', 'private-key'])

export interface CliOptions {
  inputs: RawInputs
  stateFile?: string
  privateKeyFile?: string
  reportFile?: string
  metricsFile?: string
  json: boolean
  help: boolean
  version: boolean
  debug: boolean
}

export type CliParse = { ok: true; options: CliOptions } | { ok: false; error: string }

export function parseCliArgs(argv: string[]): CliParse {
  const flags: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    'state-file': { type: 'string' },
    'private-key-file': { type: 'string' },
    'report-file': { type: 'string' },
    'metrics-file': { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean', short: 'v' },
    debug: { type: 'boolean' }
  }
  for (const name of INPUT_NAMES) if (!SECRET_INPUTS.has(name)) flags[name] = { type: 'string' }
  const args: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const next = argv[i + 1]
    if (arg === '--dry-run' && (next === undefined || next.startsWith('-'))) {
      // `--dry-run` alone means true, like a switch.
      args.push('--dry-run=true')
    } else if (arg.startsWith('--') && flags[arg.slice(2)]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      // `--max-attempts -1`: a value, not a flag, so that the input's own check can explain it.
      args.push(`${arg}=${next}`)
      i++
    } else {
      args.push(arg)
    }
  }
  for (const arg of args) {
    const name = /^--(token|private-key)(=|$)/.exec(arg)?.[1]
    if (name) {
      const where = name === 'token' ? 'the GITHUB_TOKEN environment variable' : 'the GITHUB_APP_PRIVATE_KEY environment variable or --private-key-file'
      return { ok: false, error: `--${name} is not accepted on the command line, where other users can see it: use ${where}.` }
    }
  }
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({ args, options: flags, strict: true, allowPositionals: false, tokens: true })
  } catch (error) {
    return { ok: false, error: `${explainParseError(error as Error & { code?: string })} Run with --help for the flags.` }
  }
  // node:util keeps the last of a repeated flag: `--hook-id 1 --hook-id 2` would quietly drop 1.
  const seen = new Set<string>()
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option') continue
    if (seen.has(token.name)) {
      const list = ['hook-id', 'repository', 'events'].includes(token.name) ? `: give one comma-separated list, such as --${token.name} a,b` : ': give it once'
      return { ok: false, error: `--${token.name} is given more than once${list}.` }
    }
    seen.add(token.name)
  }
  const values = parsed.values as Record<string, string | boolean | undefined>
  for (const flag of ['state-file', 'private-key-file', 'report-file']) {
    if (values[flag] === '') return { ok: false, error: `--${flag} needs a path.` }
  }
  const inputs: RawInputs = {}
  for (const name of INPUT_NAMES) {
    const value = values[name]
    if (typeof value === 'string') inputs[name] = value
  }
  return {
    ok: true,
    options: {
      inputs,
      stateFile: values['state-file'] as string | undefined,
      privateKeyFile: values['private-key-file'] as string | undefined,
      reportFile: values['report-file'] as string | undefined,
      metricsFile: values['metrics-file'] as string | undefined,
      json: values.json === true,
      help: values.help === true,
      version: values.version === true,
      debug: values.debug === true
    }
  }
}

/** node:util's messages speak of options and positionals: say it in this command's words. */
function explainParseError(error: Error & { code?: string }): string {
  const quoted = /'([^']+)'/.exec(error.message)?.[1] ?? ''
  const flag = quoted.split(' ')[0]
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `${flag} is not a flag of webhook-redelivery.`
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument "${quoted}": every value follows its --flag.`
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/does not take an argument/.test(error.message)) return `${flag} takes no value.`
      if (/ambiguous/.test(error.message)) return `${flag} needs a value; to give one that starts with "-", write ${flag}=VALUE.`
      return `${flag} needs a value.`
    default:
      return `${error.message}.`
  }
}

/**
 * Messages of the engine name inputs as the action does (`Input "hook-id"`, `"app-id"`,
 * `max-redeliveries`); on the command line they are flags, and the secrets are environment variables.
 */
export function inputsToFlags(message: string, options: { quotedOnly?: boolean } = {}): string {
  const flag = (name: string): string => {
    if (name === 'token') return 'GITHUB_TOKEN'
    if (name === 'private-key') return 'GITHUB_APP_PRIVATE_KEY (or --private-key-file)'
    return `--${name}`
  }
  const names = INPUT_NAMES.join('|')
  const hyphenated = INPUT_NAMES.filter(name => name.includes('-')).join('|')
  const quoted = message
    .replace(new RegExp(`Input "(${names})"`, 'g'), (_, name: string) => flag(name))
    // A quoted input name, unless it is a value: `target-type is "org"`, `got "org"`.
    .replace(new RegExp(`(?<!(?:is|got|type) )"(${names})"`, 'g'), (_, name: string) => flag(name))
  // Log lines carry hook labels (an organization may be called dry-run): only quoted names there.
  if (options.quotedOnly) return quoted
  return quoted
    .replace(new RegExp(`(?<![\\w"/.-])(${hyphenated})(?![\\w"/-]|\\.\\w)`, 'g'), (_, name: string) => flag(name))
    .replace(new RegExp(`\\b(with|give|when) (${names})\\b`, 'g'), (_, word: string, name: string) => `${word} ${flag(name)}`)
}

export const HELP = `webhook-redelivery: find failed GitHub webhook deliveries and redeliver them.

Usage:
  webhook-redelivery --target-type org --org acme --hook-id 123 --state-file ./state.json

Targets:
  --target-type app|org|repo   which webhook (required)
  --org LOGIN                  organization, for org
  --repository LIST           repositories, for repo: owner/name, owner/* (every one the
                               token can see), owner/prefix-*, comma-separated
                               (default: $GITHUB_REPOSITORY)
  --hook-id IDS                hook ids or payload URLs (https://ci.example.com/* matches by
                               prefix), comma-separated; empty: every hook
  --shard I/N                  only the i-th of n stable parts of the hooks found (one
                               state per shard)
  --app-id ID                  GitHub App ID or client ID (required for app)
  --hostname HOST              github.com, SUBDOMAIN.ghe.com, a GHES host, or an API URL
                               (default: $GITHUB_API_URL, else github.com)

What to redeliver:
  --lookback DURATION          how far back without a bookmark (default 24h; 90m, 6h, 3d)
  --max-attempts N             redeliveries of one delivery across runs (default 3)
  --max-redeliveries N         redelivery requests in one run (default 500)
  --events LIST                only these events: push,pull_request,pull_request.opened
  --max-age DURATION           skip deliveries first attempted longer ago than this
  --dry-run                    report only: redeliver nothing, write no state
  --fail-on LIST               exit 1 on: errors (default), given-up, receiver-down; or never

Bookmark (so each run scans only what is new):
  --state-file PATH            keep it in a local JSON file (written atomically, locked)
  --state-variable NAME        or in an Actions variable...
  --state-repository O/N       ...of this repository (default: $GITHUB_REPOSITORY)

Output:
  --json                       print the outputs as JSON on stdout
  --report-file PATH           where to write the JSON report (default: beside the state
                               file as PATH.report.json, else report.json in the temporary
                               directory's webhook-redelivery-UID/, overwritten each run)
  --metrics-file PATH          write the counts per hook for Prometheus (node_exporter's
                               textfile collector: a .prom file in its directory)
  --debug                      log every decision on stderr
  -h, --help                   this text
  -v, --version                the version

Secrets come from the environment, never from flags:
  GITHUB_TOKEN                 token for org/repo hooks and the state variable
  GITHUB_APP_PRIVATE_KEY       the app's PEM private key (or --private-key-file PATH)

Exit codes: 0 done, 1 errors or bad input, 130/143 interrupted by SIGINT/SIGTERM
(the run stops before its next redelivery and still saves the bookmark and the report).
`
