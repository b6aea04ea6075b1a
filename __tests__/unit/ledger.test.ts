import { describe, expect, test } from '@jest/globals'
import { DeliveryLedger, isSuccess, type Attempt, type GuidFacts } from '../../src/core/ledger.js'
import { attempt, bigId, MINUTE, NOW, okAttempt } from '../fixtures/builders.js'

function ledgerOf(attempts: Attempt[]): DeliveryLedger {
  const ledger = new DeliveryLedger()
  for (const a of attempts) ledger.add(a)
  return ledger
}

function byGuid(ledger: DeliveryLedger): Map<string, GuidFacts> {
  return new Map([...ledger.facts()].map(f => [f.guid, f]))
}

describe('isSuccess', () => {
  test.each([
    ['OK', 200, true],
    ['OK', 0, true],
    ['Invalid HTTP Response: 204', 204, true],
    ['', 200, true],
    ['', 299, true],
    ['Invalid HTTP Response: 500', 500, false],
    ['Invalid HTTP Response: 300', 300, false],
    ['Invalid HTTP Response: 199', 199, false],
    ['timed out', 0, false],
    ['ok', 0, false],
    ['Invalid HTTP Response: 404', 404, false]
  ])('status %p code %p is %p', (status, statusCode, expected) => {
    expect(isSuccess({ status, statusCode })).toBe(expected)
  })
})

describe('DeliveryLedger', () => {
  test('an empty ledger', () => {
    const ledger = new DeliveryLedger()
    expect(ledger.size).toBe(0)
    expect(ledger.scanned).toBe(0)
    expect(ledger.newestAt).toBeUndefined()
    expect([...ledger.facts()]).toEqual([])
  })

  test('one failing original attempt', () => {
    const a = attempt({ id: bigId(1), guid: 'g', deliveredAt: NOW - 10 * MINUTE, event: 'pull_request', action: 'opened' })
    const ledger = ledgerOf([a])
    expect([...ledger.facts()]).toEqual([
      {
        guid: 'g',
        event: 'pull_request',
        action: 'opened',
        firstAt: NOW - 10 * MINUTE,
        hasOriginal: true,
        redeliveries: 0,
        freeRedeliveries: 0,
        newestId: bigId(1),
        newestAt: NOW - 10 * MINUTE,
        newestStatus: 'Invalid HTTP Response: 500',
        newestStatusCode: 500
      }
    ])
    expect(ledger.scanned).toBe(1)
    expect(ledger.newestAt).toBe(NOW - 10 * MINUTE)
  })

  test('groups attempts by guid', () => {
    const ledger = ledgerOf([
      attempt({ id: '1', guid: 'a', deliveredAt: 1000 }),
      attempt({ id: '2', guid: 'b', deliveredAt: 2000 }),
      attempt({ id: '3', guid: 'a', deliveredAt: 3000, redelivery: true }),
      attempt({ id: '4', guid: 'c', deliveredAt: 4000 }),
      attempt({ id: '5', guid: 'a', deliveredAt: 5000, redelivery: true })
    ])
    expect(ledger.size).toBe(3)
    expect(ledger.scanned).toBe(5)
    const facts = byGuid(ledger)
    expect([...facts.keys()].sort()).toEqual(['a', 'b', 'c'])
    expect(facts.get('a')).toMatchObject({ redeliveries: 2, hasOriginal: true, firstAt: 1000, newestId: '5', newestAt: 5000 })
    expect(facts.get('b')).toMatchObject({ redeliveries: 0, firstAt: 2000, newestId: '2' })
  })

  test('a delivery with a successful attempt, in any order, is kept as its guid alone', () => {
    const orders: Attempt[][] = [
      [attempt({ id: '1', deliveredAt: 1 }), okAttempt({ id: '2', deliveredAt: 2, redelivery: true }), attempt({ id: '3', deliveredAt: 3, redelivery: true })],
      [okAttempt({ id: '2', deliveredAt: 2, redelivery: true }), attempt({ id: '3', deliveredAt: 3, redelivery: true }), attempt({ id: '1', deliveredAt: 1 })],
      [attempt({ id: '3', deliveredAt: 3, redelivery: true }), attempt({ id: '1', deliveredAt: 1 }), okAttempt({ id: '2', deliveredAt: 2, redelivery: true })]
    ]
    for (const order of orders) {
      const ledger = ledgerOf(order)
      expect([...ledger.facts()]).toEqual([])
      expect(ledger.succeededGuid(order[0].guid)).toBe(true)
      expect([ledger.size, ledger.scanned]).toEqual([1, 3])
    }
  })

  test('a 2xx code counts as success even when status is not "OK"', () => {
    const ledger = ledgerOf([attempt({ guid: 'g', status: 'Invalid HTTP Response: 202', statusCode: 202 })])
    expect([...ledger.facts()]).toEqual([])
    expect(ledger.succeededGuid('g')).toBe(true)
  })

  test('status "OK" counts as success whatever the code', () => {
    const ledger = ledgerOf([attempt({ guid: 'g', status: 'OK', statusCode: 0 })])
    expect([...ledger.facts()]).toEqual([])
    expect(ledger.succeededGuid('g')).toBe(true)
  })

  test('memory grows with failures, not with what is listed: 100,000 successes keep no facts', () => {
    const ledger = new DeliveryLedger()
    for (let i = 0; i < 100_000; i++) ledger.add(okAttempt({ id: String(i + 1), guid: `g${i}`, deliveredAt: i }))
    ledger.add(attempt({ id: '100001', guid: 'failing', deliveredAt: 5 }))
    expect([...ledger.facts()].map(f => f.guid)).toEqual(['failing'])
    expect([ledger.size, ledger.scanned]).toEqual([100_001, 100_001])
    expect(ledger.idsHeld).toBeLessThanOrEqual(201)
  })

  test('only failures: one failing delivery, its redeliveries counted', () => {
    const [f, ...others] = ledgerOf([
      attempt({ id: '1', statusCode: 500 }),
      attempt({ id: '2', statusCode: 0, status: 'timed out', redelivery: true }),
      attempt({ id: '3', statusCode: 302, status: 'Invalid HTTP Response: 302', redelivery: true })
    ]).facts()
    expect(others).toEqual([])
    expect(f.redeliveries).toBe(2)
  })

  test('newest attempt by delivered_at, whatever the listing order', () => {
    const [f] = ledgerOf([
      attempt({ id: '30', deliveredAt: 3000, status: 'third', statusCode: 503, redelivery: true }),
      attempt({ id: '10', deliveredAt: 1000, status: 'first', statusCode: 501 }),
      attempt({ id: '20', deliveredAt: 2000, status: 'second', statusCode: 502, redelivery: true })
    ]).facts()
    expect([f.newestId, f.newestAt, f.newestStatus, f.newestStatusCode, f.firstAt]).toEqual(['30', 3000, 'third', 503, 1000])
  })

  test('newest attempt by delivered_at even when its id is smaller', () => {
    const [f] = ledgerOf([attempt({ id: bigId(9), deliveredAt: 1000 }), attempt({ id: bigId(1), deliveredAt: 2000, redelivery: true })]).facts()
    expect(f.newestId).toBe(bigId(1))
  })

  test('same delivered_at: the larger id wins, exactly, above 2^53', () => {
    const lo = '9007199254740992'
    const hi = '9007199254740993'
    for (const order of [
      [lo, hi],
      [hi, lo]
    ]) {
      const [f] = ledgerOf(order.map((id, i) => attempt({ id, deliveredAt: 5000, redelivery: i > 0, status: `s${id}` }))).facts()
      expect(f.newestId).toBe(hi)
      expect(f.newestStatus).toBe(`s${hi}`)
    }
  })

  test('same delivered_at: a longer id is larger although lexically smaller', () => {
    const [f] = ledgerOf([attempt({ id: '99999999999999999', deliveredAt: 5 }), attempt({ id: '100000000000000000', deliveredAt: 5, redelivery: true })]).facts()
    expect(f.newestId).toBe('100000000000000000')
    const [g] = ledgerOf([attempt({ id: '100000000000000000', deliveredAt: 5 }), attempt({ id: '99999999999999999', deliveredAt: 5, redelivery: true })]).facts()
    expect(g.newestId).toBe('100000000000000000')
  })

  test('hasOriginal: false when only redeliveries are seen, true once the original arrives', () => {
    const ledger = new DeliveryLedger()
    ledger.add(attempt({ id: '2', deliveredAt: 2000, redelivery: true }))
    expect([...ledger.facts()][0]).toMatchObject({ hasOriginal: false, redeliveries: 1, firstAt: 2000 })
    ledger.add(attempt({ id: '1', deliveredAt: 1000, redelivery: false }))
    expect([...ledger.facts()][0]).toMatchObject({ hasOriginal: true, redeliveries: 1, firstAt: 1000, newestId: '2' })
  })

  test('event and action come from the first attempt added', () => {
    const [f] = ledgerOf([attempt({ id: '1', event: 'issues', action: 'opened' }), attempt({ id: '2', event: 'issues', action: 'opened', redelivery: true })]).facts()
    expect([f.event, f.action]).toEqual(['issues', 'opened'])
  })

  test('duplicate ids (a page boundary shifting) are counted once', () => {
    const ledger = ledgerOf([
      attempt({ id: '1', guid: 'a', deliveredAt: 1000 }),
      attempt({ id: '2', guid: 'a', deliveredAt: 2000, redelivery: true }),
      attempt({ id: '2', guid: 'a', deliveredAt: 2000, redelivery: true }),
      attempt({ id: '1', guid: 'a', deliveredAt: 1000 })
    ])
    expect(ledger.scanned).toBe(2)
    expect([...ledger.facts()][0].redeliveries).toBe(1)
  })

  test('a successful attempt listed again within two pages is counted once; a failed one however late', () => {
    const ledger = new DeliveryLedger()
    ledger.add(attempt({ id: '1', guid: 'f', deliveredAt: 1 }))
    ledger.add(okAttempt({ id: '2', guid: 'g', deliveredAt: 2 }))
    for (let i = 0; i < 150; i++) ledger.add(okAttempt({ id: String(100 + i), guid: `o${i}`, deliveredAt: 3 + i }))
    ledger.add(okAttempt({ id: '2', guid: 'g', deliveredAt: 2 }))
    for (let i = 0; i < 500; i++) ledger.add(okAttempt({ id: String(1000 + i), guid: `p${i}`, deliveredAt: 3 + i }))
    ledger.add(attempt({ id: '1', guid: 'f', deliveredAt: 1 }))
    expect(ledger.scanned).toBe(652)
    expect([...ledger.facts()][0]).toMatchObject({ guid: 'f', redeliveries: 0 })
  })

  test('a duplicate id is ignored even if its content differs', () => {
    const ledger = ledgerOf([attempt({ id: '1', guid: 'a', deliveredAt: 1000 }), okAttempt({ id: '1', guid: 'a', deliveredAt: 1000 })])
    expect([...ledger.facts()].map(f => f.guid)).toEqual(['a'])
    expect(ledger.scanned).toBe(1)
  })

  test('ids differing only beyond 2^53 are distinct attempts', () => {
    const ledger = ledgerOf([attempt({ id: '9007199254740992', deliveredAt: 1 }), attempt({ id: '9007199254740993', deliveredAt: 2, redelivery: true })])
    expect(ledger.scanned).toBe(2)
    expect([...ledger.facts()][0].redeliveries).toBe(1)
  })

  test('newestAt is the newest delivered_at across guids', () => {
    const ledger = ledgerOf([attempt({ id: '1', guid: 'a', deliveredAt: 5000 }), attempt({ id: '2', guid: 'b', deliveredAt: 9000 }), attempt({ id: '3', guid: 'c', deliveredAt: 7000 })])
    expect(ledger.newestAt).toBe(9000)
  })

  test('seal keeps the facts', () => {
    const ledger = ledgerOf([attempt({ id: '1', guid: 'a' }), attempt({ id: '2', guid: 'b' })])
    const before = [...ledger.facts()].map(f => ({ ...f }))
    ledger.seal()
    expect([...ledger.facts()]).toEqual(before)
    expect(ledger.size).toBe(2)
    expect(ledger.scanned).toBe(2)
  })

  test('many redeliveries are all counted and the newest one is picked', () => {
    const attempts = [attempt({ id: bigId(0), deliveredAt: 0 })]
    for (let i = 1; i <= 50; i++) attempts.push(attempt({ id: bigId(i), deliveredAt: i * 1000, redelivery: true, status: `try ${i}` }))
    const reversed = ledgerOf([...attempts].reverse())
    const [f] = reversed.facts()
    expect([f.redeliveries, f.newestId, f.newestStatus, f.firstAt, f.hasOriginal]).toEqual([50, bigId(50), 'try 50', 0, true])
  })
})
