import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { asMap, read, root, type YamlMap } from '../../tools/repo.js'

export { asMap, loadAction, read, root, type YamlMap } from '../../tools/repo.js'

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

/** The Markdown pages users read: the README, then docs/*.md. */
export function markdownPages(): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter(f => f.endsWith('.md'))
    .sort()
    .map(f => join('docs', f))
  return ['README.md', ...docs]
}

export function exampleFiles(): string[] {
  return workflowFiles().filter(f => f.startsWith('examples'))
}

export function loadWorkflow(rel: string): YamlMap {
  return asMap(parse(read(rel)), rel)
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

function isThisAction(uses: string): boolean {
  return uses === './' || uses === '.' || /(^|\/)webhook-redelivery@/.test(uses)
}

/** Rows of the first markdown table after a heading whose text matches. */
export function tableAfterHeading(markdown: string, heading: RegExp): string[][] {
  const lines = markdown.split('\n')
  const start = lines.findIndex(l => /^#{1,6}\s/.test(l) && heading.test(l.replace(/^#+\s*/, '')))
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
