import { describe, expect, test } from '@jest/globals'
import { formatDuration, parseDuration } from '../../src/core/duration.js'

describe('parseDuration', () => {
  test.each([
    ['1s', 1_000],
    ['45s', 45_000],
    ['90m', 5_400_000],
    ['6h', 21_600_000],
    ['3d', 259_200_000],
    ['2w', 1_209_600_000],
    ['1d12h', 129_600_000],
    ['1h30m', 5_400_000],
    ['1d 12h', 129_600_000],
    ['  6H  ', 21_600_000],
    ['1D', 86_400_000],
    ['0h30m', 1_800_000],
    ['1h1h', 7_200_000],
    ['007m', 420_000]
  ])('%p is %p ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms)
  })

  test.each(['', '  ', '5', '0', '0m', '0h0m', '-1h', '1.5h', 'h', '1y', '10ms', '3 days', 'm90', '1h-', '1h,2m', 'Infinityd', '99999999999999999999d'])('rejects %p', text => {
    expect(parseDuration(text)).toBeUndefined()
  })
})

describe('formatDuration', () => {
  test.each([
    [1_000, '1s'],
    [90_000, '90s'],
    [5_400_000, '90m'],
    [3_600_000, '1h'],
    [21_600_000, '6h'],
    [86_400_000, '1d'],
    [129_600_000, '36h'],
    [259_200_000, '3d'],
    [604_800_000, '7d'],
    [1_209_600_000, '14d'],
    [691_200_000, '8d'],
    [1_500, '2s'],
    [400, '0s'],
    [0, '0s']
  ])('%p ms is %p', (ms, text) => {
    expect(formatDuration(ms)).toBe(text)
  })

  test('round-trips exact durations', () => {
    for (const text of ['1s', '59s', '90m', '23h', '3d', '6d', '7d', '36h']) {
      expect(formatDuration(parseDuration(text)!)).toBe(text)
    }
  })
})
