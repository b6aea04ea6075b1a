import { describe, expect, it } from '@jest/globals'
import { loadAction, read, tableAfterHeading } from './helpers.js'

// The README's inputs and outputs tables are what users copy from: they must list
// exactly what action.yml declares, with the same defaults and required flags.

const action = loadAction()
const readme = read('README.md')

// Prettier writes Markdown emphasis with underscores.
const EMPTY_DEFAULT = '_(empty)_'

function code(name: string): string {
  return '`' + name + '`'
}

describe('README inputs table', () => {
  const rows = tableAfterHeading(readme, /^Inputs$/)
  const header = rows[0].map(c => c.toLowerCase())
  const body = rows.slice(1)
  const col = (name: string): number => {
    const i = header.indexOf(name)
    if (i < 0) throw new Error(`inputs table has no "${name}" column: ${header.join(', ')}`)
    return i
  }

  it('has input, required, default and description columns', () => {
    expect(header).toEqual(['input', 'required', 'default', 'description'])
  })

  it('lists exactly the inputs of action.yml, in the same order', () => {
    expect(body.map(r => r[col('input')])).toEqual(action.inputs.map(i => code(i.name)))
  })

  it.each(action.inputs.map(i => [i.name, i] as const))('shows the default and required flag of %s', (_name, input) => {
    const row = body.find(r => r[col('input')] === code(input.name))
    expect(row).toBeDefined()
    const expected = input.default === '' ? EMPTY_DEFAULT : code(input.default)
    expect(row![col('default')]).toBe(expected)
    expect(row![col('required')]).toBe(input.required ? 'yes' : 'no')
    expect(row![col('description')].length).toBeGreaterThan(10)
  })
})

describe('README outputs table', () => {
  const rows = tableAfterHeading(readme, /^Outputs$/)
  const body = rows.slice(1)

  it('lists exactly the outputs of action.yml, in the same order', () => {
    expect(rows[0].map(c => c.toLowerCase())).toEqual(['output', 'description'])
    expect(body.map(r => r[0])).toEqual(action.outputs.map(code))
  })

  it('states the invariant between the counts', () => {
    expect(readme).toContain('failed = redelivered + skipped + errors')
  })
})

describe('README and docs/what-gets-redelivered.md mentions', () => {
  it('names every skip reason the report and summary use', () => {
    const reasons = read('docs/what-gets-redelivered.md')
    for (const reason of ['filtered', 'too-old', 'max-attempts', 'budget', 'rate-limited', 'outside-window', 'refused', 'dry-run', 'in-flight', 'receiver-down', 'backoff', 'interrupted']) {
      expect(reasons).toContain(code(reason))
    }
  })

  it('documents the two development commands', () => {
    expect(readme).toContain('npm ci && npm run demo')
    expect(readme).toContain('npm test')
  })
})
