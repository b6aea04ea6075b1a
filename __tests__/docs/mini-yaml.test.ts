import { describe, expect, it } from '@jest/globals'
import { parseYaml } from './mini-yaml.js'

describe('mini-yaml (the docs checks rely on it)', () => {
  it('reads the structures workflows use', () => {
    const doc = parseYaml(`# comment
name: "x # not a comment"
on:
  schedule:
    - cron: '*/15 * * * *'
  workflow_dispatch:
permissions: {}
jobs:
  a:
    runs-on: [self-hosted, linux]
    steps:
      - id: r   # trailing comment
        uses: your-org/webhook-redelivery@v1
        with:
          hook-id: |
            1
            2
          note: it's fine
      - run: echo "a: b"
`)
    expect(doc).toEqual({
      name: 'x # not a comment',
      on: { schedule: [{ cron: '*/15 * * * *' }], workflow_dispatch: null },
      permissions: {},
      jobs: {
        a: {
          'runs-on': ['self-hosted', 'linux'],
          steps: [
            { id: 'r', uses: 'your-org/webhook-redelivery@v1', with: { 'hook-id': '1\n2\n', note: "it's fine" } },
            { run: 'echo "a: b"' }
          ]
        }
      }
    })
  })

  it('rejects what it does not understand instead of guessing', () => {
    expect(() => parseYaml('a: 1\na: 2\n')).toThrow(/duplicate key/)
    expect(() => parseYaml('a:\n  - b\n   c: d\n')).toThrow()
    expect(() => parseYaml('a: &x 1\n')).toThrow(/anchors/)
  })
})
