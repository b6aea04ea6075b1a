import { describe, expect, it } from '@jest/globals'
import { createRequire } from 'node:module'
import { parse as parseYaml } from 'yaml'
import { actionSteps, asMap, exampleFiles, loadAction, loadWorkflow, markdownPages, read, workflowFiles, yamlBlocks } from './helpers.js'

type ValidationState = { actionType: string; errors: unknown[] }
const require = createRequire(import.meta.url)
const { validateWorkflow } = require('@action-validator/core') as { validateWorkflow(src: string): ValidationState }

const action = loadAction()
const declared = new Set(action.inputs.map(i => i.name))
const required = action.inputs.filter(i => i.required).map(i => i.name)

describe('workflow files', () => {
  const files = workflowFiles()

  it('include the examples and CI', () => {
    expect(exampleFiles().map(f => f.replace(/\\/g, '/'))).toEqual(['app', 'ghes', 'matrix', 'org', 'replay', 'repo'].map(n => `examples/${n}.yml`))
    expect(files.map(f => f.replace(/\\/g, '/'))).toContain('.github/workflows/ci.yml')
  })

  it.each(files)('%s validates as a workflow', file => {
    expect(validateWorkflow(read(file)).errors).toEqual([])
  })

  it.each(files)('%s passes only declared inputs to the action', file => {
    for (const { step } of actionSteps(loadWorkflow(file))) {
      const withMap = step.with === undefined ? {} : asMap(step.with, `${file} with`)
      for (const key of Object.keys(withMap)) expect(declared).toContain(key)
      for (const key of required) expect(Object.keys(withMap)).toContain(key)
    }
  })
})

describe('examples', () => {
  it.each(exampleFiles())('%s is ready to copy', file => {
    const wf = loadWorkflow(file)
    const on = asMap(wf.on, `${file} on`)
    if (/replay\.yml$/.test(file)) {
      // A replay is run by hand, from the inputs of its dispatch.
      expect(Object.keys(on)).toEqual(['workflow_dispatch'])
      expect(Object.keys(asMap(asMap(on.workflow_dispatch, 'workflow_dispatch').inputs, 'inputs'))).toContain('since')
    } else {
      expect(Object.keys(on).sort()).toEqual(['schedule', 'workflow_dispatch'])
      const schedule = on.schedule
      expect(Array.isArray(schedule) && schedule.length > 0).toBe(true)
      for (const entry of schedule as unknown[]) {
        const cron = (entry as { cron?: string }).cron
        expect(cron).toMatch(/^\S+ \S+ \S+ \S+ \S+$/)
      }
    }

    // least privilege: no write scopes for GITHUB_TOKEN
    expect(wf.permissions).toBeDefined()
    const perms = asMap(wf.permissions, `${file} permissions`)
    for (const value of Object.values(perms)) expect(value).toBe('read')

    const steps = actionSteps(wf)
    expect(steps.length).toBe(1)
    const { job, step } = steps[0]
    expect(step.uses).toBe('your-org/webhook-redelivery@v1')
    expect(typeof step.id).toBe('string')

    // one run at a time per target, never cancelling a run half-way
    const jobMap = asMap(asMap(wf.jobs, 'jobs')[job], job)
    const concurrency = asMap(jobMap.concurrency ?? wf.concurrency, `${file} concurrency`)
    expect(concurrency.group).toMatch(/^webhook-redelivery-/)
    expect(concurrency['cancel-in-progress']).toBe(false)

    // secrets only through ${{ secrets.* }}, never literal
    const withMap = asMap(step.with, `${file} with`)
    for (const key of ['token', 'private-key', 'app-id']) {
      if (key in withMap) expect(withMap[key]).toMatch(/^\$\{\{\s*(secrets|vars)\.[A-Z0-9_]+\s*\}\}$/)
    }
    expect(read(file)).not.toMatch(/-----BEGIN|ghp_|github_pat_/)
  })
})

describe('README and docs/ snippets', () => {
  const blocks = markdownPages().flatMap(page => yamlBlocks(read(page)))

  it('contains YAML examples', () => {
    expect(blocks.length).toBeGreaterThan(3)
  })

  it.each(blocks.map((b, i) => [i + 1, b] as const))('YAML block %d parses and uses only declared inputs', (_n, block) => {
    const parsed = parseYaml(block)
    const doc = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : null
    if (doc && 'jobs' in doc) {
      expect(validateWorkflow(block).errors).toEqual([])
    }
    // Check every step that runs this action, wherever it sits in the snippet.
    const visit = (v: unknown): void => {
      if (Array.isArray(v)) return v.forEach(visit)
      if (v && typeof v === 'object') {
        const m = v as Record<string, unknown>
        if (typeof m.uses === 'string' && /webhook-redelivery@|^\.\/?$/.test(m.uses) && m.with) {
          for (const key of Object.keys(m.with as object)) expect(declared).toContain(key)
        }
        Object.values(m).forEach(visit)
      }
    }
    visit(parsed)
  })
})

describe('Dependabot', () => {
  const config = parseYaml(read('.github/dependabot.yml')) as { version: number; updates: Array<{ 'package-ecosystem': string; groups?: Record<string, { patterns?: string[] }> }> }

  it('updates npm packages and the workflow’s actions', () => {
    expect(config.version).toBe(2)
    expect(config.updates.map(u => u['package-ecosystem']).sort()).toEqual(['github-actions', 'npm'])
  })

  it('moves the toolkit and Octokit packages together, in one pull request', () => {
    const npm = config.updates.find(u => u['package-ecosystem'] === 'npm')!
    const together = Object.values(npm.groups ?? {}).find(g => g.patterns?.includes('@actions/*'))
    expect(together?.patterns).toEqual(expect.arrayContaining(['@actions/*', '@octokit/*']))
  })

  it('its pull requests run CI', () => {
    expect(Object.keys(asMap(loadWorkflow('.github/workflows/ci.yml').on, 'ci on'))).toContain('pull_request')
  })
})
