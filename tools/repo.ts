/**
 * The repository as the tests, the demo and the bench see it: where it is, and what
 * action.yml declares (read with the `yaml` package, as the runner reads it).
 */
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

export function read(rel: string): string {
  return readFileSync(join(root, rel), 'utf8')
}

export type YamlMap = { [key: string]: unknown }

export function asMap(value: unknown, what: string): YamlMap {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${what} is not a map`)
  return value as YamlMap
}

export interface ActionInput {
  name: string
  required: boolean
  default: string
}

export interface ActionMeta {
  inputs: ActionInput[]
  outputs: string[]
  runsUsing: string
}

export function loadAction(): ActionMeta {
  const doc = asMap(parse(read('action.yml')), 'action.yml')
  const inputs = asMap(doc.inputs, 'action.yml inputs')
  const outputs = asMap(doc.outputs, 'action.yml outputs')
  const runs = asMap(doc.runs, 'action.yml runs')
  return {
    inputs: Object.entries(inputs).map(([name, spec]) => {
      const s = asMap(spec, `input ${name}`)
      return {
        name,
        required: s.required === true,
        // The runner hands every input over as a string: `default: 3` arrives as "3".
        default: s.default === undefined || s.default === null ? '' : typeof s.default === 'string' ? s.default : JSON.stringify(s.default)
      }
    }),
    outputs: Object.keys(outputs),
    runsUsing: String(runs.using)
  }
}
