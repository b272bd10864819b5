// The lint fixtures judged from their files, without a replay: each golang-migrate up file sent whole
// (as golang-migrate sends it), the rules without an observation. Every revision of the expected-hits
// table (test/support/lint-fixture-hits.ts) behaves as the table says, except the hits only the
// server's observation can show; the integration test with the observation layer loops over the same
// table for both tools. Also checks the table covers every rule, bad and good, in both fixtures.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { RULES } from '../../src/lint/rules/index.js'
import { LINT_FIXTURE_HITS } from '../support/lint-fixture-hits.js'
import { lint } from '../support/lint.js'

const fixtures = join(import.meta.dirname, '..', 'fixtures')
const golang = join(fixtures, 'lint-golang-migrate', 'migrations')
const alembic = join(fixtures, 'lint-alembic', 'alembic', 'versions')

describe('the expected-hits table', () => {
  it('has a bad and a good revision for every rule', () => {
    for (const r of RULES) {
      expect(
        LINT_FIXTURE_HITS.filter((h) => h.rule === r.id)
          .map((h) => h.bad)
          .sort(),
        r.id,
      ).toEqual([false, true])
    }
  })

  it('names revisions both fixtures have, each file saying which rule it is for', () => {
    const sqlFiles = readdirSync(golang)
    const pyFiles = readdirSync(alembic)
    for (const h of LINT_FIXTURE_HITS) {
      const up = `${h.golangMigrate}_${h.slug}.up.sql`
      const py = `${h.alembic}_${h.slug}.py`
      expect(sqlFiles, up).toContain(up)
      expect(pyFiles, py).toContain(py)
      expect(readFileSync(join(golang, up), 'utf8')).toContain(h.rule)
      expect(readFileSync(join(alembic, py), 'utf8')).toContain(h.rule)
    }
  })
})

describe('lint-golang-migrate judged from its files', () => {
  it.each(LINT_FIXTURE_HITS.filter((h) => !h.observedOnly).map((h) => [h.slug, h] as const))('%s', async (_, h) => {
    const file = `migrations/${h.golangMigrate}_${h.slug}.up.sql`
    const text = readFileSync(join(golang, `${h.golangMigrate}_${h.slug}.up.sql`), 'utf8')
    const result = await lint([{ revision: h.golangMigrate, file, sent: [{ sql: text, file, line: 1 }] }])
    const hits = result.findings.filter((f) => f.id === h.rule)
    if (h.bad) {
      expect(hits.length, h.rule).toBeGreaterThan(0)
      // At the statement's own line of the file, not the file's first.
      const line = text.split('\n').findIndex((l) => l.startsWith(hits[0]!.statement!.split('\n')[0]!)) + 1
      expect(hits[0]!.line).toBe(line)
    } else expect(hits, h.rule).toEqual([])
  })
})
