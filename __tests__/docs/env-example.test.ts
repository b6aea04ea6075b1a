import { describe, expect, it } from '@jest/globals'
import { loadAction, read } from './helpers.js'

// @github/local-action reads .env (copied from .env.example) and passes each INPUT_* to the
// action as the runner would: name uppercased, spaces to "_", hyphens kept.

function runnerEnvName(input: string): string {
  return `INPUT_${input.replace(/ /g, '_').toUpperCase()}`
}

describe('.env.example', () => {
  const lines = read('.env.example')
    .split('\n')
    .map(l => l.trim())
    .filter(l => l !== '' && !l.startsWith('#'))
  const keys = lines.map(l => {
    const m = /^([A-Za-z_][A-Za-z0-9_-]*)=/.exec(l)
    if (!m) throw new Error(`not a KEY=value line: ${l}`)
    return m[1]
  })

  it('sets exactly the inputs action.yml declares', () => {
    const inputs = keys.filter(k => k.startsWith('INPUT_')).sort()
    expect(inputs).toEqual(
      loadAction()
        .inputs.map(i => runnerEnvName(i.name))
        .sort()
    )
  })

  it('sets each key once', () => {
    expect(new Set(keys).size).toBe(keys.length)
  })

  it('holds no secret values', () => {
    const text = read('.env.example')
    expect(text).not.toMatch(/-----BEGIN|ghp_[A-Za-z0-9]{20}|github_pat_[A-Za-z0-9_]{20}/)
    for (const l of lines) {
      if (/^INPUT_(TOKEN|PRIVATE-KEY)=/.test(l)) expect(l).toMatch(/=$/)
    }
  })
})
