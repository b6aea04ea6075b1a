/**
 * The owner of a run's decisions (`core/decisions.ts`): from the plan, through what the engine
 * reports (the probe's outcome, the checks' verdicts, each request's outcome, a stop), to the
 * result and reason each delivery's row shows.
 */
import { describe, expect, test } from '@jest/globals'
import { anySent, isFinished, releaseHeld, replaceProbe, resultOf, settle, stateOf, stopped, waitsForReceiver, type Decision, type Outcome, type RunPlan } from '../../src/core/decisions.js'
import { planRun, type Policy } from '../../src/core/plan.js'
import type { ProbeVerdict } from '../../src/core/receiver.js'
import { facts, HOUR, NOW, policy, scan } from '../fixtures/builders.js'

/** What the engine reports, in the order it happens. */
type Event =
  /** What the hook's current probe request came to. */
  | { probe: Outcome }
  /** GitHub refused the probe: the next held delivery becomes it. */
  | { probeRefused: true }
  /** The checks are over: the held deliveries are released, or wait, by the hook's verdict (none: no answer was looked for). */
  | { verdict: ProbeVerdict | undefined }
  /** The run stopped before what is held could go. */
  | { stopped: 'rate-limited' | 'interrupted' }
  /** What each due delivery's request, not yet settled, came to. */
  | { sent: Outcome }

const accepted: Outcome = { result: 'redelivered', at: NOW }
const refused: Outcome = { result: 'skipped', reason: 'refused', message: 'GitHub would not' }
const lost: Outcome = { result: 'error', message: '502', uncertainAt: NOW }
const limited: Outcome = { result: 'skipped', reason: 'rate-limited', message: 'slow down' }
const elsewhere: Outcome = { result: 'skipped', reason: 'in-flight', message: 'an overlapping run is redelivering it' }

/** A hook whose receiver the listing does not show up, with two due deliveries: `a`, the older, is its probe; `b` is held. */
function run(events: Event[], pol: Partial<Policy> = {}): { plan: RunPlan; a: Decision; b: Decision } {
  const s = scan({ facts: [facts({ guid: 'a', firstAt: NOW - 2 * HOUR }), facts({ guid: 'b', firstAt: NOW - HOUR })], newestOk: false, lastOkAt: NOW - 3 * HOUR })
  const plan = planRun([s], policy(pol), NOW)
  const limits = { maxRedeliveries: policy(pol).maxRedeliveries }
  const probe = (): Decision | undefined => plan.toRedeliver.filter(d => d.probe).at(-1)
  for (const event of events) {
    if ('probe' in event) settle(probe()!, event.probe)
    else if ('probeRefused' in event) {
      settle(probe()!, refused)
      replaceProbe(plan, s.key, limits)
    } else if ('verdict' in event) releaseHeld(plan, new Map(event.verdict ? [[s.key, event.verdict]] : []), limits)
    else if ('stopped' in event) stopped(plan, event.stopped)
    else for (const d of plan.toRedeliver) if (!d.outcome) settle(d, event.sent)
  }
  const [a, b] = plan.hooks.get(s.key)!.decisions
  return { plan, a, b }
}

/** What the row shows: redelivered, error, or the reason it was skipped. */
const shown = (d: Decision): string => {
  const r = resultOf(d)
  return r.result === 'skipped' ? `${r.reason}` : r.result
}

describe('a delivery from the plan to its row', () => {
  test.each<[string, Event[], Partial<Policy>, { a: string; b: string }]>([
    ['nothing reported: the probe was not sent, the held one waits for the receiver', [], {}, { a: 'undefined', b: 'receiver-down' }],
    ['the receiver answered; the held one is sent and accepted', [{ probe: accepted }, { verdict: 'up' }, { sent: accepted }], {}, { a: 'redelivered', b: 'redelivered' }],
    ['the receiver answered; GitHub refuses the held one', [{ probe: accepted }, { verdict: 'up' }, { sent: refused }], {}, { a: 'redelivered', b: 'refused' }],
    ['the receiver answered; the held one’s answer is lost', [{ probe: accepted }, { verdict: 'up' }, { sent: lost }], {}, { a: 'redelivered', b: 'error' }],
    ['the receiver answered; an overlapping run is sending the held one', [{ probe: accepted }, { verdict: 'up' }, { sent: elsewhere }], {}, { a: 'redelivered', b: 'in-flight' }],
    ['the receiver answered, but the budget is spent', [{ probe: accepted }, { verdict: 'up' }], { maxRedeliveries: 1 }, { a: 'redelivered', b: 'budget' }],
    ['the receiver could not be reached', [{ probe: accepted }, { verdict: 'down' }], {}, { a: 'redelivered', b: 'receiver-down' }],
    ['the answer is not listed yet', [{ probe: accepted }, { verdict: 'unknown' }], {}, { a: 'redelivered', b: 'receiver-unknown' }],
    ['rate-limited at the probe: what is held waits for the limits', [{ probe: limited }, { verdict: undefined }, { stopped: 'rate-limited' }], {}, { a: 'rate-limited', b: 'rate-limited' }],
    ['interrupted while waiting for the answer', [{ probe: accepted }, { verdict: 'unknown' }, { stopped: 'interrupted' }], {}, { a: 'redelivered', b: 'interrupted' }],
    ['GitHub refused the probe: the held one becomes the probe', [{ probeRefused: true }, { probe: accepted }, { verdict: 'up' }], {}, { a: 'refused', b: 'redelivered' }],
    ['the probe did not fit in the budget: the held one waits for the budget', [{ verdict: undefined }], { maxRedeliveries: 0 }, { a: 'budget', b: 'budget' }],
    ['a dry run: no probe, nothing held', [{ verdict: undefined }], { dryRun: true }, { a: 'dry-run', b: 'dry-run' }],
    ['filtered out by the plan, whatever happens after', [{ verdict: 'up' }, { sent: accepted }], { events: [{ event: 'issues' }] }, { a: 'filtered', b: 'filtered' }]
  ])('%s', (_name, events, pol, expected) => {
    const { a, b } = run(events, pol)
    expect({ a: shown(a), b: shown(b) }).toEqual(expected)
  })

  test('the states the held delivery moves through: held, due once released, settled once sent', () => {
    const states = [[], [{ probe: accepted }, { verdict: 'up' }], [{ probe: accepted }, { verdict: 'up' }, { sent: accepted }], [{ probe: accepted }, { verdict: 'down' }]].map(events =>
      stateOf(run(events as Event[]).b)
    )
    expect(states).toEqual([{ state: 'held', reason: 'receiver-down' }, { state: 'due' }, { state: 'settled', outcome: accepted }, { state: 'held', reason: 'receiver-down' }])
    expect([stateOf(run([]).a), stateOf(run([{ probeRefused: true }]).b), stateOf(run([], { maxRedeliveries: 0 }).a)]).toEqual([
      { state: 'probe' },
      { state: 'probe' },
      { state: 'skipped', reason: 'budget' }
    ])
  })

  test('the probe is the older delivery, and the held one is released only by an up verdict', () => {
    const { a, b } = run([])
    expect([a.probe, a.action, b.held, b.action]).toEqual([true, 'redeliver', true, 'skip'])
    expect(run([{ probe: accepted }, { verdict: 'up' }]).b).toMatchObject({ held: false, action: 'redeliver', reason: undefined })
  })

  test('finished for good only after a final skip; waiting for the receiver while held or its probe is unanswered', () => {
    const refusedRun = run([{ probe: accepted }, { verdict: 'up' }, { sent: refused }])
    expect([isFinished(refusedRun.a), isFinished(refusedRun.b)]).toEqual([false, true])
    const down = run([{ probe: accepted }, { verdict: 'down' }])
    expect([waitsForReceiver(down.a), waitsForReceiver(down.b)]).toEqual([true, true])
    const up = run([{ probe: accepted }, { verdict: 'up' }, { sent: accepted }])
    expect([waitsForReceiver(up.b), anySent(up.plan)]).toEqual([false, true])
    expect(anySent(run([{ probe: refused }]).plan)).toBe(false)
    expect(anySent(run([{ probe: lost }]).plan)).toBe(true)
  })

  test('a row shows the message of a skip the run reported', () => {
    expect(resultOf(run([{ probe: accepted }, { verdict: 'up' }, { sent: refused }]).b)).toEqual({ result: 'skipped', reason: 'refused', message: 'GitHub would not' })
    expect(resultOf(run([{ probe: lost }]).a)).toEqual({ result: 'error', message: '502' })
  })
})
