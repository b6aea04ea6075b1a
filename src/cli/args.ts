import { parseArgs } from 'node:util'
import { INPUT_NAMES, SECRET_INPUTS, type InputName, type RawInputs } from '../core/config.js'
import { CLI_NAMING } from '../core/input-errors.js'
import { INPUTS, OUTPUTS } from '../core/inputs.generated.js'

export interface CliFlag {
  name: string
  type: 'string' | 'boolean'
  short?: string
  /** What --help shows for its value. */
  value?: string
  help: string
}

/** The flags of the command line alone; the inputs of action.yml are flags too (INPUTS). */
const CLI_FLAGS: readonly CliFlag[] = [
  { name: 'state-file', type: 'string', value: 'PATH', help: 'keep the bookmark in this local JSON file (written atomically, locked) instead of an Actions variable' },
  { name: 'private-key-file', type: 'string', value: 'PATH', help: "read the GitHub App's PEM private key from this file" },
  {
    name: 'report-file',
    type: 'string',
    value: 'PATH',
    help: "where to write the JSON report (default: beside the state file as PATH.report.json, else report.json in the temporary directory's webhook-redelivery-UID/, overwritten each run)"
  },
  { name: 'metrics-file', type: 'string', value: 'PATH', help: "write the counts per hook for Prometheus (node_exporter's textfile collector: a .prom file in its directory)" },
  { name: 'json', type: 'boolean', help: `print the action's outputs (${OUTPUTS.map(output => output.name).join(', ')}) and what failed the run (failures) as JSON on stdout` },
  { name: 'debug', type: 'boolean', help: 'log every decision on stderr' },
  { name: 'help', type: 'boolean', short: 'h', help: 'this text' },
  { name: 'version', type: 'boolean', short: 'v', help: 'the version' }
]

/** The inputs that are flags: all but the secrets, since command lines are visible to every user of the machine. */
const INPUT_FLAGS = INPUTS.filter(input => !SECRET_INPUTS.has(input.name))

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
  /** A subcommand's own flags, by name, and its arguments. */
  extra: Record<string, string | boolean | undefined>
  positionals: string[]
}

/** What a subcommand adds to the flags: its own, and whether it takes arguments. */
export interface Subcommand {
  flags: readonly CliFlag[]
  positionals?: boolean
}

export type CliParse = { ok: true; options: CliOptions } | { ok: false; error: string }

export function parseCliArgs(argv: string[], subcommand?: Subcommand): CliParse {
  const flags: Record<string, { type: 'string' | 'boolean'; short?: string }> = {}
  for (const { name, type, short } of [...CLI_FLAGS, ...(subcommand?.flags ?? [])]) flags[name] = short ? { type, short } : { type }
  for (const input of INPUT_FLAGS) flags[input.name] = { type: 'string' }
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
    parsed = parseArgs({ args, options: flags, strict: true, allowPositionals: subcommand?.positionals === true, tokens: true })
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
  for (const flag of ['state-file', 'private-key-file', 'report-file', 'metrics-file']) {
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
      debug: values.debug === true,
      extra: Object.fromEntries((subcommand?.flags ?? []).map(flag => [flag.name, values[flag.name]])),
      positionals: parsed.positionals
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

const HELP_WIDTH = 80

/** `--name VALUE` and its text, wrapped and indented under it. */
function helpEntry(flag: string, text: string): string {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/)) {
    if (line && 6 + line.length + 1 + word.length > HELP_WIDTH) {
      lines.push(line)
      line = word
    } else line = line ? `${line} ${word}` : word
  }
  if (line) lines.push(line)
  return [`  ${flag}`, ...lines.map(l => `      ${l}`)].join('\n')
}

/** action.yml's description of an input, in the command line's words: the inputs it names in code quotes are flags here. */
function describeInput(input: (typeof INPUTS)[number]): string {
  const notes = [input.required ? 'Required.' : '', input.default ? `Default: ${input.default}.` : '', input.name === 'dry-run' ? '--dry-run alone means true.' : ''].filter(Boolean)
  return [input.description.replace(/`([^`]*)`/g, (_, code: string) => flagsIn(code)), ...notes].join(' ')
}

/** A code quote of action.yml in the command line's words: an input (`token`), or an input and its value (`fail-on: expiring`). */
function flagsIn(code: string): string {
  const [name, value] = code.split(/: (.*)/s)
  if (!isInputMention(name)) return code
  return value === undefined ? CLI_NAMING.quoted(name) : `${CLI_NAMING.quoted(name)}: ${value}`
}

/** `token` in action.yml's words is the input, shown here as what the command line takes; `org`, `repo` and `app` there are values of target-type. */
function isInputMention(code: string): code is InputName {
  return (INPUT_NAMES as readonly string[]).includes(code) && !['app', 'org', 'repo'].includes(code)
}

export const HELP = `webhook-redelivery: find failed GitHub webhook deliveries and redeliver them.

Usage:
  webhook-redelivery --target-type org --org acme --hook-id 123 --state-file ./state.json

The inputs of the action, as flags (described as in its action.yml). Outside a workflow run,
"the workflow's repository" is $GITHUB_REPOSITORY and the runner's GITHUB_API_URL is
$GITHUB_API_URL.

${INPUT_FLAGS.map(input => helpEntry(`${input.flag} VALUE`, describeInput(input))).join('\n')}

Flags of the command line:

${CLI_FLAGS.map(flag => helpEntry(`${flag.short ? `-${flag.short}, ` : ''}--${flag.name}${flag.value ? ` ${flag.value}` : ''}`, flag.help)).join('\n')}

Subcommands (each with its own --help):
  explain GUID                 why a delivery was (not) redelivered: its attempts, what the
                               bookmark records, what the next run would do
  replay                       redeliver every event first delivered in a time range,
                               succeeded or failed, once each: a preview, or sent (the same
                               as the replay flags above)

Secrets come from the environment, never from flags:
  GITHUB_TOKEN                 token for org/repo hooks and the state variable
  GITHUB_APP_PRIVATE_KEY       the app's PEM private key (or --private-key-file PATH)

Exit codes: 0 done, 1 errors or bad input, 130/143 interrupted by SIGINT/SIGTERM
(the run stops before its next redelivery and still saves the bookmark and the report).
`
