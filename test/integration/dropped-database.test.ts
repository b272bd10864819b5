// A migration that drops a database it did not create: a finding at the revision that did it, and
// the run goes on to its end (it used to stop with `database "postgres" does not exist`, exit 2,
// naming nothing). Real Alembic, a real local PostgreSQL the gate owns.
import { describe, expect, it } from 'vitest'
import { gateOnFixture } from '../support/run-gate.js'

describe('a migration that drops the postgres database', () => {
  for (const mode of ['stairway', 'roundtrip']) {
    it(`is a database-dropped error at its revision (${mode})`, async () => {
      const report = await gateOnFixture('alembic-drop-database', { mode })
      expect(report.findings.map((f) => `${f.id} ${f.severity} ${f.revision} ${f.file}:${f.line}`)).toEqual([
        'database-dropped error 1dce7515a9cc alembic/versions/1dce7515a9cc_drop_the_postgres_database.py:13',
      ])
      expect(report.findings[0]?.message).toMatch(/^The upgrade of 1dce7515a9cc dropped the database `postgres`/)
      // Every step ran: the revision after it was replayed too.
      expect(report.steps.filter((s) => s.revision === 'dc9a9da06170' && s.ok).length).toBeGreaterThan(0)
    })
  }
})
