/** explain's pure part: the planner's decision and the bookmark's record of one delivery. */
import { describe, expect, test } from '@jest/globals'
import { explainDelivery, GUID, nextRunText, type ExplainInput } from '../../src/core/explain.js'
import { planRun } from '../../src/core/plan.js'
import { attempt, bigId, facts, hookBookmark, HOUR, MINUTE, NOW, okAttempt, policy, scan } from '../fixtures/builders.js'

function input(overrides: Partial<ExplainInput> & Pick<ExplainInput, 'scan'>): ExplainInput {
  const p = overrides.policy ?? policy()
  return { guid: 'guid-1', hookKey: 'hook-1', attempts: [attempt()], plan: planRun([overrides.scan], p, NOW), policy: p, now: NOW, ...overrides }
}

describe('explainDelivery', () => {
  test('due on a hook whose receiver is up: redeliver', () => {
    expect(explainDelivery(input({ scan: scan({ facts: [facts()] }) })).next).toEqual({ action: 'redeliver' })
  })

  test('a receiver not known to be up: the probe, and the others held', () => {
    const unclear = scan({ newestOk: false, lastOkAt: undefined, facts: [facts(), facts({ guid: 'guid-2', firstAt: NOW - 30 * MINUTE, newestId: bigId(2) })] })
    expect(explainDelivery(input({ scan: unclear })).next).toEqual({ action: 'redeliver', probe: true })
    expect(explainDelivery(input({ scan: unclear, guid: 'guid-2', attempts: [attempt({ guid: 'guid-2', id: bigId(2) })] })).next).toEqual({ action: 'held' })
  })

  test('in flight: the record of the run that sent it, and nothing to do until it is listed', () => {
    const sent = scan({ facts: [facts()], previous: hookBookmark({ sent: new Map([[bigId(0), NOW - 10 * MINUTE]]) }) })
    const explained = explainDelivery(input({ scan: sent }))
    expect(explained.state.inFlight).toEqual({ kind: 'sent', at: NOW - 10 * MINUTE, until: NOW + 50 * MINUTE })
    expect(explained.next).toEqual({ action: 'nothing', because: 'in-flight' })
  })

  test('given up: why, as the planner decides it; a refusal when no rule of the planner explains it', () => {
    const maxed = facts({ redeliveries: 3, newestAt: NOW - 10 * HOUR })
    const done = hookBookmark({ done: new Map([['guid-1', NOW - HOUR]]) })
    const explained = explainDelivery(input({ scan: scan({ facts: [maxed], previous: done }) }))
    expect(explained.state).toMatchObject({ attemptsCharged: 3, givenUp: { reason: 'max-attempts' } })
    expect(explained.next).toEqual({ action: 'nothing', because: 'given-up' })
    expect(explainDelivery(input({ scan: scan({ facts: [facts()], previous: done }) })).state.givenUp).toEqual({ reason: 'refused' })
  })

  test('backoff: attempts charged and until when', () => {
    const refusedOnce = facts({ redeliveries: 1, newestAt: NOW - 5 * MINUTE })
    const explained = explainDelivery(input({ scan: scan({ facts: [refusedOnce] }) }))
    expect(explained.state).toMatchObject({ attemptsCharged: 1, backoffUntil: NOW + 55 * MINUTE })
    expect(explained.next).toEqual({ action: 'skip', reason: 'backoff' })
    expect(nextRunText(explained.next, policy())).toBe('not redeliver it: receiver refused it; next try after the backoff')
  })

  test('an attempt that succeeded: nothing to do', () => {
    expect(explainDelivery(input({ scan: scan(), attempts: [okAttempt({ id: bigId(1) }), attempt()] })).next).toEqual({ action: 'nothing', because: 'succeeded' })
  })
})

test('GUID: a UUID, nothing else', () => {
  expect(GUID.test('0b5d7c10-c7a1-11f0-8a3f-1f6e2b8c9d11')).toBe(true)
  for (const bad of ['', '0b5d7c10c7a111f08a3f1f6e2b8c9d11', '../0b5d7c10-c7a1-11f0-8a3f-1f6e2b8c9d11', '0b5d7c10-c7a1-11f0-8a3f-1f6e2b8c9d11\n']) expect(GUID.test(bad)).toBe(false)
})
