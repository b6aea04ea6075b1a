import { readFileSync, readdirSync, existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { asMap, parseYaml, type YamlMap } from './mini-yaml.js'

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

export function read(rel: string): string {
  return readFileSync(join(root, rel), 'utf8')
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
  const doc = asMap(parseYaml(read('action.yml')), 'action.yml')
  const inputs = asMap(doc.inputs, 'action.yml inputs')
  const outputs = asMap(doc.outputs, 'action.yml outputs')
  const runs = asMap(doc.runs, 'action.yml runs')
  return {
    inputs: Object.entries(inputs).map(([name, spec]) => {
      const s = asMap(spec, `input ${name}`)
      return {
        name,
        required: s.required === 'true',
        default: typeof s.default === 'string' ? s.default : ''
      }
    }),
    outputs: Object.keys(outputs),
    runsUsing: String(runs.using)
  }
}

/** Workflow files this repository ships: examples/*.yml and .github/workflows/*.yml. */
export function workflowFiles(): string[] {
  const out: string[] = []
  for (const dir of ['examples', join('.github', 'workflows')]) {
    if (!existsSync(join(root, dir))) continue
    for (const f of readdirSync(join(root, dir)).sort()) {
      if (/\.ya?ml$/.test(f)) out.push(join(dir, f))
    }
  }
  return out
}

export function exampleFiles(): string[] {
  return workflowFiles().filter((f) => f.startsWith('examples'))
}

export function loadWorkflow(rel: string): YamlMap {
  return asMap(parseYaml(read(rel)), rel)
}

/** Every step in a workflow that runs this action, with its `with:` map. */
export function actionSteps(wf: YamlMap): { job: string; step: YamlMap }[] {
  const found: { job: string; step: YamlMap }[] = []
  const jobs = asMap(wf.jobs, 'jobs')
  for (const [jobName, job] of Object.entries(jobs)) {
    const steps = asMap(job, jobName).steps
    if (!Array.isArray(steps)) continue
    for (const s of steps) {
      const step = asMap(s, `${jobName} step`)
      if (typeof step.uses === 'string' && isThisAction(step.uses)) found.push({ job: jobName, step })
    }
  }
  return found
}

export function isThisAction(uses: string): boolean {
  return uses === './' || uses === '.' || /(^|\/)webhook-redelivery@/.test(uses)
}

/** Rows of the first markdown table after a heading whose text matches. */
export function tableAfterHeading(markdown: string, heading: RegExp): string[][] {
  const lines = markdown.split('\n')
  const start = lines.findIndex((l) => /^#{1,6}\s/.test(l) && heading.test(l.replace(/^#+\s*/, '')))
  if (start < 0) throw new Error(`no heading matching ${heading}`)
  const rows: string[][] = []
  let inTable = false
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i]
    if (/^#{1,6}\s/.test(l) && !inTable) break
    if (l.startsWith('|')) {
      inTable = true
      rows.push(splitRow(l))
    } else if (inTable) break
  }
  if (rows.length < 2) throw new Error(`no table after heading ${heading}`)
  return rows.filter((_, i) => i !== 1) // drop the |---| separator
}

function splitRow(line: string): string[] {
  const cells: string[] = []
  let cur = ''
  let inCode = false
  const body = line.trim().replace(/^\|/, '').replace(/\|$/, '')
  for (let i = 0; i < body.length; i++) {
    const c = body[i]
    if (c === '`') inCode = !inCode
    if (c === '\\' && body[i + 1] === '|') {
      cur += '|'
      i++
      continue
    }
    if (c === '|' && !inCode) {
      cells.push(cur.trim())
      cur = ''
    } else cur += c
  }
  cells.push(cur.trim())
  return cells
}

/** ```yaml fenced blocks of a markdown document. */
export function yamlBlocks(markdown: string): string[] {
  const blocks: string[] = []
  const re = /^```ya?ml\s*\n([\s\S]*?)^```/gm
  let m: RegExpExecArray | null
  while ((m = re.exec(markdown))) blocks.push(m[1])
  return blocks
}
