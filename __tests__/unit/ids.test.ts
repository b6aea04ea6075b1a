import { describe, expect, test } from '@jest/globals'
import { compareIds, idToString, isDeliveryId } from '../../src/core/ids.js'

describe('isDeliveryId', () => {
  test.each(['1', '9', '10', '9007199254740993', '18446744073709551615', '1' + '0'.repeat(19)])('accepts %p', id => {
    expect(isDeliveryId(id)).toBe(true)
  })

  test.each(['', '0', '01', '-1', '1.0', '1e5', ' 1', '1 ', 'abc', '1' + '0'.repeat(20), '0x1f'])('rejects %p', id => {
    expect(isDeliveryId(id)).toBe(false)
  })
})

describe('compareIds', () => {
  test('orders numerically, not lexically', () => {
    expect(compareIds('9', '10')).toBe(-1)
    expect(compareIds('10', '9')).toBe(1)
    expect(compareIds('100000000000000000', '99999999999999999')).toBe(1)
    expect(compareIds('99999999999999999', '100000000000000000')).toBe(-1)
  })

  test('distinguishes ids above 2^53 that a JS number would merge', () => {
    const a = '9007199254740992'
    const b = '9007199254740993'
    expect(Number(a)).toBe(Number(b)) // the trap
    expect(compareIds(a, b)).toBe(-1)
    expect(compareIds(b, a)).toBe(1)
    expect(compareIds('18446744073709551614', '18446744073709551615')).toBe(-1)
  })

  test('equal ids compare 0', () => {
    expect(compareIds('9007199254740993', '9007199254740993')).toBe(0)
    expect(compareIds('1', '1')).toBe(0)
  })

  test('sorts a shuffled list of big ids exactly as bigint does', () => {
    const ids = ['9007199254740995', '12', '9007199254740993', '100000000000000000000'.slice(0, 20), '9007199254740994', '7', '9007199254741000']
    const expected = [...ids].sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : BigInt(x) > BigInt(y) ? 1 : 0))
    expect([...ids].sort(compareIds)).toEqual(expected)
    expect(expected).toEqual(['7', '12', '9007199254740993', '9007199254740994', '9007199254740995', '9007199254741000', '10000000000000000000'])
  })
})

describe('idToString', () => {
  test('bigint keeps every digit', () => {
    expect(idToString(9007199254740993n)).toBe('9007199254740993')
    expect(idToString(18446744073709551615n)).toBe('18446744073709551615')
  })

  test('safe numbers', () => {
    expect(idToString(1)).toBe('1')
    expect(idToString(123456789)).toBe('123456789')
    expect(idToString(Number.MAX_SAFE_INTEGER)).toBe('9007199254740991')
  })

  test('valid strings pass through', () => {
    expect(idToString('9007199254740993')).toBe('9007199254740993')
    expect(idToString('42')).toBe('42')
  })

  test.each([
    ['2^53 (unsafe number)', 2 ** 53],
    // eslint-disable-next-line no-loss-of-precision -- the point: this literal is not the number it spells
    ['an unsafe number', 9007199254740993],
    ['1e21', 1e21],
    ['a fraction', 1.5],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['a string with a leading zero', '01'],
    ['a non-numeric string', 'abc'],
    ['an empty string', ''],
    ['null', null],
    ['undefined', undefined],
    ['an object', { id: 1 }]
  ])('rejects %s', (_, value) => {
    expect(() => idToString(value)).toThrow(TypeError)
    expect(() => idToString(value)).toThrow(`unexpected delivery id ${String(value)}`)
  })
})
