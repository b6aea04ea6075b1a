import { expect, test } from '@jest/globals'
import { redactSecrets } from '../../src/core/redact.js'

test('every occurrence of every secret becomes ***, the longest first', () => {
  expect(redactSecrets('a=abc123 b=abc123xyz again abc123', ['abc123', 'abc123xyz'])).toBe('a=*** b=*** again ***')
})

test('empty secrets are ignored; text without secrets is unchanged', () => {
  expect(redactSecrets('nothing here', ['', 'zzz'])).toBe('nothing here')
})
