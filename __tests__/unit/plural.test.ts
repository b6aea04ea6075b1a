import { describe, expect, test } from '@jest/globals'
import { noun, plural, thousands } from '../../src/core/plural.js'

test('one is singular; zero and many are plural', () => {
  expect(plural(1, 'error')).toBe('1 error')
  expect(plural(0, 'error')).toBe('0 errors')
  expect(plural(2, 'attempt')).toBe('2 attempts')
})

test('consonant + y makes -ies; vowel + y does not', () => {
  expect(plural(3, 'delivery')).toBe('3 deliveries')
  expect(plural(1, 'delivery')).toBe('1 delivery')
  expect(plural(2, 'key')).toBe('2 keys')
})

test('an irregular plural can be given', () => {
  expect(plural(2, 'failing delivery', 'failing deliveries')).toBe('2 failing deliveries')
  expect(noun(1, 'was', 'were')).toBe('was')
  expect(noun(4, 'was', 'were')).toBe('were')
})

test('a formatted count keeps its formatting and picks the form from its value', () => {
  expect(plural('1,000', 'hook')).toBe('1,000 hooks')
  expect(plural('1', 'hook')).toBe('1 hook')
})

describe('thousands', () => {
  test('groups by three with commas, as en-US does, without ICU', () => {
    for (const n of [0, 7, 999, 1000, 12345, 1234567, 1000000000, -4321, 1234.5]) expect(thousands(n)).toBe(n.toLocaleString('en-US'))
  })
})
