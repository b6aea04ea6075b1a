import { describe, expect, it } from '@jest/globals'
import { createRequire } from 'node:module'
import { loadAction, read } from './helpers.js'

type ValidationState = { actionType: string; errors: unknown[] }
const require = createRequire(import.meta.url)
const validator = require('@action-validator/core') as {
  validateAction(src: string): ValidationState
  validateWorkflow(src: string): ValidationState
}

describe('action.yml', () => {
  const source = read('action.yml')

  it('runs on node24 with the bundled dist/index.js', () => {
    expect(loadAction().runsUsing).toBe('node24')
    expect(source).toMatch(/^\s+main:\s*dist\/index\.js\s*$/m)
  })

  it('validates against the action metadata schema', () => {
    // @action-validator 0.6.0's schema predates `node24` (it knows node12/16/20): check that
    // runs.using is the only complaint, by validating the same file with node20 in its place.
    const asNode20 = source.replace(/^(\s+using:\s*)node24\s*$/m, '$1node20')
    expect(asNode20).not.toBe(source)
    expect(validator.validateAction(asNode20).errors).toEqual([])

    const result = validator.validateAction(source)
    const text = JSON.stringify(result.errors)
    for (const m of text.matchAll(/"path":"([^"]+)"/g)) {
      expect(['/runs', '/runs/using', '/runs/steps', '/runs/image']).toContain(m[1])
    }
  })

  it('has a description for every input and output', () => {
    const blocks = source.split(/^outputs:/m)
    const inputCount = (blocks[0].match(/^ {4}description:/gm) ?? []).length
    const outputCount = (blocks[1].match(/^ {4}description:/gm) ?? []).length
    const meta = loadAction()
    expect(inputCount).toBe(meta.inputs.length)
    expect(outputCount).toBe(meta.outputs.length)
  })
})
