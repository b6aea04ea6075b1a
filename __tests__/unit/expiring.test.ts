/** The warning before loss: which failing deliveries leave GitHub's redelivery window within the margin. */
import { describe, expect, test } from '@jest/globals'
import { isExpiring, stillFailing, windowEndsAt, type AfterRun } from '../../src/core/expiring.js'
import { DAY, HOUR, MINUTE, NOW } from '../fixtures/builders.js'

const WINDOW = 3 * DAY
const MARGIN = 12 * HOUR
/** A delivery whose window ends `left` after NOW. */
const leaving = (left: number, overrides: Partial<AfterRun> = {}): AfterRun => ({ firstAt: NOW - WINDOW + left, result: 'skipped', reason: 'receiver-down', ...overrides })

describe('isExpiring', () => {
  test('a delivery 6 hours from the window end warns; one 2 days away does not', () => {
    expect(isExpiring(leaving(6 * HOUR), WINDOW, MARGIN, NOW)).toBe(true)
    expect(isExpiring(leaving(2 * DAY), WINDOW, MARGIN, NOW)).toBe(false)
  })

  test('the margin is inclusive, and a window already ended is loss, not a warning', () => {
    expect(isExpiring(leaving(MARGIN), WINDOW, MARGIN, NOW)).toBe(true)
    expect(isExpiring(leaving(MARGIN + 1), WINDOW, MARGIN, NOW)).toBe(false)
    expect(isExpiring(leaving(0), WINDOW, MARGIN, NOW)).toBe(false)
    expect(isExpiring(leaving(-MINUTE), WINDOW, MARGIN, NOW)).toBe(false)
  })

  test("GHES's 7-day window and another margin", () => {
    expect(isExpiring(leaving(6 * HOUR, { firstAt: NOW - 7 * DAY + 6 * HOUR }), 7 * DAY, MARGIN, NOW)).toBe(true)
    expect(isExpiring(leaving(6 * HOUR, { firstAt: NOW - 3 * DAY + 6 * HOUR }), 7 * DAY, MARGIN, NOW)).toBe(false)
    expect(isExpiring(leaving(20 * HOUR), WINDOW, DAY, NOW)).toBe(true)
  })
})

describe('stillFailing', () => {
  test('waiting skips and errors are still failing', () => {
    for (const reason of ['receiver-down', 'backoff', 'budget', 'rate-limited', 'dry-run', 'in-flight', 'interrupted'] as const) {
      expect(stillFailing(leaving(HOUR, { reason }))).toBe(true)
    }
    expect(stillFailing(leaving(HOUR, { result: 'error', reason: undefined }))).toBe(true)
  })

  test('finished for good is reported as such, not as expiring', () => {
    for (const reason of ['filtered', 'too-old', 'max-attempts', 'outside-window', 'refused'] as const) {
      expect(stillFailing(leaving(HOUR, { reason }))).toBe(false)
    }
  })

  test('a redelivery GitHub accepted is in flight, unless it was the probe of a receiver found down', () => {
    expect(stillFailing(leaving(HOUR, { result: 'redelivered', reason: undefined }))).toBe(false)
    expect(stillFailing(leaving(HOUR, { result: 'redelivered', reason: undefined, probeOfDownReceiver: true }))).toBe(true)
  })
})

test('windowEndsAt is the first attempt plus the window', () => {
  expect(windowEndsAt(NOW, WINDOW)).toBe(NOW + WINDOW)
})
