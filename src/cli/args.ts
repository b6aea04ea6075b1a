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
  const flags: Record<string, { type: 'string' | 'boolean' }> = {
    'state-file': { type: 'string' },
    'private-key-file': { type: 'string' },
    'report-file': { type: 'string' },
    'metrics-file': { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean' },
    version: { type: 'boolean' },
    debug: { type: 'boolean' }
  }
  for (const name of INPUT_NAMES) if (!SECRET_INPUTS.has(name)) flags[name] = { type: 'string' }
  // `--dry-run` alone means true, like a switch.
  const args = argv.map((arg, i) => (arg === '--dry-run' && (argv[i + 1] === undefined || argv[i + 1].startsWith('--')) ? '--dry-run=true' : arg))
  for (const arg of args) {
    const name = /^--(token|private-key)(=|$)/.exec(arg)?.[1]
    if (name) {
      const where = name === 'token' ? 'the GITHUB_TOKEN environment variable' : 'the GITHUB_APP_PRIVATE_KEY environment variable or --private-key-file'
      return { ok: false, error: `--${name} is not accepted on the command line, where other users can see it: use ${where}.` }
    }
  }
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({ args, options: flags, strict: true, allowPositionals: false })
  } catch (error) {
    return { ok: false, error: `${(error as Error).message}. Run with --help for the flags.` }
  }
  const values = parsed.values as Record<string, string | boolean | undefined>
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
  --report-file PATH           where to write the JSON report (default: the temp directory)
  --metrics-file PATH          write the counts per hook for Prometheus (node_exporter's
                               textfile collector: a .prom file in its directory)
  --debug                      log every decision on stderr
  --help, --version

Secrets come from the environment, never from flags:
  GITHUB_TOKEN                 token for org/repo hooks and the state variable
  GITHUB_APP_PRIVATE_KEY       the app's PEM private key (or --private-key-file PATH)

Exit codes: 0 done, 1 errors or bad input.
`
