// The Django replay through psycopg 3 (test/support/psycopg3-django.ts), the driver Django 4.2 and later
// take whenever it is importable: the lock readings at each atomic migration's commit must be whole,
// as they are through psycopg2 (lint-replay.test.ts). psycopg 3 keeps the first result of a
// multi-statement execute where psycopg2 keeps the last, so a savepoint sent with the locks query
// hid its rows and every migration after the first was judged "from the statement alone".
// Skipped, with pip's reason, only where that Django cannot be installed.
import { describe, expect, it } from 'vitest'
import type { GateReport } from '../../src/report.js'
import { psycopg3DjangoPython } from '../support/psycopg3-django.js'
import { gateOnFixture } from '../support/run-gate.js'

const venv = psycopg3DjangoPython()
if ('skip' in venv) console.warn(`lint-django through psycopg 3 skipped: ${venv.skip}`)

describe.skipIf('skip' in venv)(
  `lint-django replayed through psycopg 3 (${'skip' in venv ? venv.skip : venv.versions})`,
  () => {
    let report: GateReport
    const step = (revision: string) => report.steps.find((s) => s.revision === revision && s.sent !== undefined)

    it('every atomic migration is read whole at its commit, as through psycopg2', async () => {
      report = await gateOnFixture('lint-django', {
        tool: 'django',
        lint: 'warn',
        'replay-workers': '1',
        python: 'python' in venv ? venv.python : '',
      })
      const widen = step('shop.0016_amount_bigint')!
      expect(widen.observed?.locksComplete).toBe(true)
      expect(widen.observed?.rewritten).toContain('public.orders')
      expect(widen.observed?.locks).toContainEqual(
        expect.objectContaining({ relation: 'public.orders', mode: 'AccessExclusiveLock', existedBefore: true }),
      )
      const fk = step('shop.0011_fk_orders_customer')!
      expect(fk.observed?.locksComplete).toBe(true)
      expect(fk.observed?.locks).toContainEqual(expect.objectContaining({ relation: 'public.customers' }))
      // The only steps read in part are the ones outside a transaction (atomic = False).
      const partial = report.steps.filter((s) => s.observed && !s.observed.locksComplete).map((s) => s.revision)
      expect(partial.length).toBeGreaterThan(0)
      expect(
        partial.every((r) => /concurrently/.test(r) && !/in_transaction/.test(r)),
        partial.join(', '),
      ).toBe(true)
    })

    it("a finding's wording says what the server observed, not that the step was judged from the statement", () => {
      const hit = report.findings.find(
        (f) => f.id === 'adding-foreign-key-constraint' && f.revision === 'shop.0011_fk_orders_customer',
      )
      expect(hit?.message).toContain('(observed: the migration as a whole held')
      expect(hit?.message).not.toContain('judged from the statement')
    })
  },
)
