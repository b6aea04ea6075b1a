import { describe, expect, test } from '@jest/globals'
import { shown, terminalSafeJson } from '../../src/core/shown.js'

describe('shown: a value from outside as a message shows it', () => {
  test.each([
    ['line breaks and tabs', 'a\nb\r\nc\td', 'a\\nb\\r\\nc\\td'],
    ['ANSI and OSC escapes, BEL', '\u001b[31mred\u001b]0;title\u0007', '\\x1b[31mred\\x1b]0;title\\x07'],
    ['NUL, DEL and C1 (CSI)', 'a\u0000b\u007fc\u009b31m\u0085', 'a\\x00b\\x7fc\\x9b31m\\x85'],
    ['bidi overrides and isolates, zero-width and line separators', 'x\u202ey\u2066z\u200bw\u2028v\ufeff', 'x\\u202ey\\u2066z\\u200bw\\u2028v\\ufeff'],
    ['a workflow command at its start', '::error::pwned', '\\x3a:error::pwned'],
    ['plain text, unchanged', 'acme/widgets hook 1 (https://ci.example.com) é ✓', 'acme/widgets hook 1 (https://ci.example.com) é ✓']
  ])('%s', (_, value, expected) => {
    expect(shown(value)).toBe(expected)
  })

  test('a line break cannot start a command: the escaped text is one line', () => {
    expect(shown('ok\n::warning::x').split('\n')).toHaveLength(1)
  })

  test('cut to max characters, escapes counted', () => {
    expect(shown('x'.repeat(100), 80)).toBe(`${'x'.repeat(77)}...`)
    expect(shown('x'.repeat(80), 80)).toBe('x'.repeat(80))
    expect(shown('\u001b'.repeat(40), 12)).toBe('\\x1b\\x1b...')
    expect(shown('\u001b'.repeat(40), 13)).toBe('\\x1b\\x1b...')
  })
})

describe('terminalSafeJson: JSON that `cat` cannot turn into terminal commands', () => {
  test('DEL, C1 and bidi characters become \\u escapes; the JSON reads back the same', () => {
    const value = { event: 'push\u001b[2J\u007f\u009b31m\u202eevil', n: 1 }
    const text = terminalSafeJson(JSON.stringify(value, null, 2))
    // eslint-disable-next-line no-control-regex -- control characters are what this finds
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/)
    expect(text).toContain('push\\u001b[2J\\u007f\\u009b31m\\u202eevil')
    expect(JSON.parse(text)).toEqual(value)
  })
})
