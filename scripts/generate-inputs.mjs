// action.yml is where the inputs and outputs are declared; this writes what is derived from it:
//   src/core/inputs.generated.ts  every input (name, description, required, default, CLI flag),
//                                 every output (name, description) and package.json's version,
//                                 for the engine, the action and the CLI
//   .env.example                  one INPUT_* line per input, for @github/local-action
//   node scripts/generate-inputs.mjs           write both (`npm run generate`; `npm run build` runs it)
//   node scripts/generate-inputs.mjs --check   exit 1, naming the command, when either is stale
//   --root DIR: a copy of the repository to read and write instead of this one (for its test)
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import * as prettier from 'prettier'
import { parse } from 'yaml'

const { values } = parseArgs({ options: { check: { type: 'boolean' }, root: { type: 'string' } } })
const root = values.root ?? fileURLToPath(new URL('..', import.meta.url))
const MODULE = 'src/core/inputs.generated.ts'
const ENV_EXAMPLE = '.env.example'

/**
 * Values for a local debugging run that differ from the defaults: a dry run (nothing
 * redelivered, no state written) of a placeholder organization. Secrets stay empty.
 */
const LOCAL_VALUES = { 'target-type': 'org', org: 'your-org', 'dry-run': 'true' }

/** What the runner also sets, so that a local run sees what a workflow run would. */
const RUNNER_VARIABLES = {
  GITHUB_REPOSITORY: 'your-org/your-repo',
  GITHUB_API_URL: 'https://api.github.com',
  GITHUB_SERVER_URL: 'https://github.com',
  ACTIONS_STEP_DEBUG: 'false'
}

function readAction() {
  return parse(readFileSync(join(root, 'action.yml'), 'utf8'))
}

function readInputs(action) {
  return Object.entries(action.inputs).map(([name, spec]) => ({
    name,
    description: String(spec.description ?? '').trim(),
    required: spec.required === true,
    // The runner hands every input over as a string: `default: 3` arrives as "3".
    default: spec.default === undefined || spec.default === null ? '' : String(spec.default),
    flag: `--${name}`
  }))
}

function readOutputs(action) {
  return Object.entries(action.outputs).map(([name, spec]) => ({ name, description: String(spec.description ?? '').trim() }))
}

async function moduleText(inputs, outputs, version) {
  const text = `// Generated from action.yml and package.json by scripts/generate-inputs.mjs: do not edit.
// Change action.yml (or the version in package.json) and run \`npm run generate\`.

/** package.json's version: the user agent's and \`--version\`'s. */
export const VERSION = ${JSON.stringify(version)}

/** Every input of action.yml, in its order. The CLI takes each as \`flag\`, except the secrets. */
export const INPUTS = ${JSON.stringify(inputs, null, 2)} as const

/** Every output of action.yml, in its order: what the action sets and the CLI's \`--json\` prints. */
export const OUTPUTS = ${JSON.stringify(outputs, null, 2)} as const
`
  const options = await prettier.resolveConfig(join(root, MODULE))
  return prettier.format(text, { ...options, filepath: join(root, MODULE) })
}

/** The runner's name for an input's variable: upper case, spaces to `_`, hyphens kept. */
function runnerVariable(name) {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}

function envExampleText(inputs) {
  const lines = [
    '# Inputs for local debugging with @github/local-action, generated from action.yml by',
    '# scripts/generate-inputs.mjs (`npm run generate`): do not edit.',
    '#   cp .env.example .env   (.env is git-ignored; never commit real credentials)',
    '#   npx @github/local-action . src/main.ts .env',
    "# Each line is what the runner would pass for one input: INPUT_ + the input's name in upper",
    '# case, hyphens kept. The values are the defaults, except a dry run (find and report,',
    '# redeliver nothing, write no state) of a placeholder organization. Put the token or the',
    '# private key in .env only; a private key may be written on one line with \\n for newlines.',
    ''
  ]
  for (const input of inputs) {
    lines.push(`# ${input.description.replace(/\s+/g, ' ')}`)
    lines.push(`${runnerVariable(input.name)}=${LOCAL_VALUES[input.name] ?? input.default}`, '')
  }
  lines.push('# What the runner would also set.')
  for (const [name, value] of Object.entries(RUNNER_VARIABLES)) lines.push(`${name}=${value}`)
  return lines.join('\n') + '\n'
}

const action = readAction()
const inputs = readInputs(action)
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const files = { [MODULE]: await moduleText(inputs, readOutputs(action), version), [ENV_EXAMPLE]: envExampleText(inputs) }
if (values.check) {
  const stale = Object.keys(files).filter(file => readFileSync(join(root, file), 'utf8') !== files[file])
  if (stale.length > 0) {
    console.error(`${stale.join(' and ')} ${stale.length === 1 ? 'is' : 'are'} not what action.yml and package.json make: run \`npm run generate\` and commit the result.`)
    process.exitCode = 1
  } else {
    console.log(`${Object.keys(files).join(' and ')} are current.`)
  }
} else {
  for (const [file, text] of Object.entries(files)) writeFileSync(join(root, file), text)
}
