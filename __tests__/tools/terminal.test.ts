/** The demo's rendering of a job summary: the shapes renderSummary writes stay readable. */
import { describe, expect, test } from '@jest/globals'
import { stripVTControlCharacters } from 'node:util'
import { renderMarkdown } from '../../scripts/lib/terminal.js'

const render = (markdown: string, width = 80, maxTableRows = 10) => stripVTControlCharacters(renderMarkdown(markdown, { width, indent: '  ', maxTableRows }))

describe('renderMarkdown', () => {
  test('a heading, an alert, inline code, bold and links as plain terminal text', () => {
    const text = render('### Webhook redelivery: 1 redelivered\n\n> [!CAUTION]\n> The receiver of **org** is down.  \n\nsee the `report` output [open](https://x)\n')
    expect(text.split('\n')).toEqual(['  Webhook redelivery: 1 redelivered', '', '  Caution', '  │ The receiver of org is down.', '', '  see the report output open'])
  })

  test('a table in a box, numbers right-aligned, escaped pipes unescaped, rows beyond the limit counted', () => {
    const text = render('| Hook | Scanned |\n|---|---:|\n| a \\| b | 5 |\n| c | 10 |\n| d | 1 |\n', 80, 2)
    expect(text.split('\n')).toEqual([
      '  ┌───────┬─────────┐',
      '  │ Hook  │ Scanned │',
      '  ├───────┼─────────┤',
      '  │ a | b │       5 │',
      '  │ c     │      10 │',
      '  └───────┴─────────┘',
      '  … 1 more row not shown here'
    ])
  })

  test('a table wider than the terminal wraps its widest column; a word longer than the column is cut with …', () => {
    const lines = render(`| Hook | Result |\n|---|---|\n| acme hook 4 (https://hooks.acme.example.com/${'x'.repeat(60)}) | redelivered |\n`, 40).split('\n')
    for (const line of lines) expect([...line.slice(2)].length).toBeLessThanOrEqual(40)
    expect(lines.slice(3, 6)).toEqual(['  │ acme hook 4            │ redelivered │', '  │ (https://hooks.acme.e… │             │', '  └────────────────────────┴─────────────┘'])
  })
})
