// The dangerous-operation rules through the real gate: the replay observes each judged revision's first
// upgrade on real PostgreSQL (real Alembic, the real SQL driver), and the rule engine judges what it
// sent and what the server saw. Every revision of the expected-hits table behaves as the table says in
// the golang-migrate, dbmate (the same versions), Alembic and Django fixtures; only the pull request's revisions are judged where a base is known; `lint: off`
// observes and judges nothing.
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runGate } from '../../src/gate.js'
import { readConfig } from '../../src/inputs.js'
import { silentLogger } from '../../src/logger.js'
import type { GateReport } from '../../src/report.js'
import { scratchDir, TestRepo } from '../support/git.js'
import { RULE_BY_ID } from '../../src/lint/rules/index.js'
import { djangoRevision, LINT_FIXTURE_HITS } from '../support/lint-fixture-hits.js'
import { pythonWithDjango } from '../support/python.js'
import { FIXTURES, gateOnFixture } from '../support/run-gate.js'

const scratch = scratchDir('mg-lint-replay-')
afterAll(() => scratch.remove())

/** A finding of a dangerous-operation rule (or a suppression's). */
const isLint = (id: string) => id in RULE_BY_ID || id === 'lint-suppression'

const byRevision = (report: GateReport, rule: string, revision: string) =>
  report.findings.filter((f) => f.id === rule && f.revision === revision)

describe.each([
  {
    fixture: 'lint-golang-migrate',
    inputs: { tool: 'sql' } as Record<string, string>,
    id: (h: (typeof LINT_FIXTURE_HITS)[number]) => h.golangMigrate,
  },
  {
    fixture: 'lint-dbmate',
    inputs: { tool: 'sql' } as Record<string, string>,
    // dbmate runs its files in the order of their names: the same versions, zero-padded.
    id: (h: (typeof LINT_FIXTURE_HITS)[number]) => h.golangMigrate.padStart(3, '0'),
  },
  {
    fixture: 'lint-alembic',
    inputs: {} as Record<string, string>,
    id: (h: (typeof LINT_FIXTURE_HITS)[number]) => h.alembic,
  },
  {
    fixture: 'lint-django',
    inputs: { tool: 'django' } as Record<string, string>,
    id: djangoRevision,
  },
])('$fixture, replayed and judged', ({ fixture, inputs, id }) => {
  let report: GateReport
  it('every bad revision trips its rule at the statement, every good one stays quiet', async () => {
    report = await gateOnFixture(fixture, { ...inputs, lint: 'warn', 'replay-workers': '1' })
    for (const h of LINT_FIXTURE_HITS) {
      const hits = byRevision(report, h.rule, id(h))
      if (h.bad) {
        expect(hits.length, `${h.rule} on ${id(h)} (${h.slug})`).toBeGreaterThan(0)
        // At a line of the revision's own file, with the statement the server received.
        expect(hits[0]!.file, h.slug).toContain(h.slug)
        expect(hits[0]!.line, h.slug).toBeGreaterThan(1)
        expect(hits[0]!.statement, h.slug).toBeTruthy()
      } else {
        expect(hits, `${h.rule} on ${id(h)} (${h.slug})`).toEqual([])
      }
    }
    // The last revision creates an index CONCURRENTLY inside a transaction: the server refuses it.
    const last = LINT_FIXTURE_HITS.find((h) => h.rule === 'ban-concurrent-index-creation-in-transaction' && h.bad)!
    expect(report.findings.some((f) => f.id === 'upgrade-failed' && f.revision === id(last))).toBe(true)
    // Lint findings are warnings (or notices) under `lint: warn`: they alone never fail the gate.
    const lint = report.findings.filter((f) => isLint(f.id))
    expect(lint.length).toBeGreaterThan(0)
    expect(lint.every((f) => f.severity !== 'error' || f.id === 'lint-suppression')).toBe(true)
  })

  it("the summary's lock table: what the server saw the flagged upgrades hold, rewrites included", () => {
    const widen = LINT_FIXTURE_HITS.find((h) => h.rule === 'changing-column-type' && h.bad)!
    const revision = report.lint?.revisions.find((r) => r.revision === id(widen))
    expect(revision?.locksComplete).toBe(true)
    expect(revision?.locks).toContainEqual(expect.objectContaining({ mode: 'AccessExclusiveLock', rewritten: true }))
    expect(report.timings.phases.lint).toBeGreaterThanOrEqual(0)
  })
})

describe('what is judged', () => {
  it('lint: off observes nothing and judges nothing', async () => {
    const report = await gateOnFixture('lint-golang-migrate', { tool: 'sql', lint: 'off', 'replay-workers': '1' })
    expect(report.steps.length).toBeGreaterThan(0)
    expect(report.steps.filter((s) => s.sent !== undefined)).toEqual([])
    expect(report.findings.filter((f) => isLint(f.id))).toEqual([])
    expect(report.lint).toBeUndefined()
    expect(report.timings.phases.lint).toBeUndefined()
  })

  it("where a base is known, only the pull request's revisions: the base's are history", async () => {
    // The base holds revisions 1-4 of lint-golang-migrate (4 trips require-concurrent-index-creation);
    // the pull request adds the rest. 4's finding must not be reported; the pull request's are.
    const repo = TestRepo.init(join(scratch.dir, 'repo')).copyFixture('lint-golang-migrate')
    const later = LINT_FIXTURE_HITS.map((h) => Number(h.golangMigrate)).filter((n) => n > 4)
    for (const n of later) {
      for (const f of repo.git('ls-files', '--others', 'migrations').split('\n'))
        if (f.startsWith(`migrations/${n}_`)) repo.remove(f)
    }
    repo.commit('base: revisions 1-4')
    repo.checkout('pr', true).copyFixture('lint-golang-migrate').commit('pr: the rest')
    const config = readConfig(
      (name) =>
        ({
          'working-directory': repo.dir,
          tool: 'sql',
          postgres: 'local',
          lint: 'warn',
          'replay-workers': '1',
          'base-ref': 'main',
        })[name],
    )
    const report = await runGate(config, { logger: silentLogger })
    const judged = new Set(report.findings.filter((f) => isLint(f.id)).map((f) => f.revision))
    expect(judged.has('4')).toBe(false)
    expect([...judged].every((r) => Number(r) > 4)).toBe(true)
    expect(judged.size).toBeGreaterThan(0)
    // Only the pull request's first upgrades were observed.
    const observed = report.steps.filter((s) => s.sent !== undefined).map((s) => Number(s.revision))
    expect(observed.length).toBeGreaterThan(0)
    expect(observed.every((n) => n > 4)).toBe(true)
  })
})

describe('Django: where the statements of an observed migration come from', () => {
  const dir = join(FIXTURES, 'lint-django')
  const migration = (name: string) => `shop/migrations/${name}.py`
  /** The 1-based line of the first line of `file` containing `text`. */
  const lineOf = (file: string, text: string) =>
    readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .findIndex((l) => l.includes(text)) + 1
  let report: GateReport
  const step = (revision: string) => report.steps.find((s) => s.revision === revision && s.sent !== undefined)

  it("each statement at its operation's line, deferred SQL at the operation that deferred it, Django's bookkeeping left out", async () => {
    report = await gateOnFixture('lint-django', { tool: 'django', lint: 'warn', 'replay-workers': '1' })
    const base = step('shop.0001_base')!
    const order = lineOf(migration('0001_base'), 'name="Order"') - 1 // the CreateModel( line above it
    expect(order).toBeGreaterThan(1)
    // CREATE TABLE runs inside the operation; its indexes run at the schema editor's exit, deferred.
    const at = (sql: string) => base.sent!.find((s) => s.sql.startsWith(sql))
    expect(at('CREATE TABLE "orders"')).toMatchObject({ file: migration('0001_base'), line: order })
    expect(at('CREATE INDEX "ix_orders_amount"')).toMatchObject({ file: migration('0001_base'), line: order })
    // The foreign key and its index of an AlterField, at the AlterField.
    const fk = step('shop.0011_fk_orders_customer')!
    const alter = lineOf(migration('0011_fk_orders_customer'), 'migrations.AlterField(')
    expect(fk.sent!.filter((s) => s.sql.includes('FOREIGN KEY')).map((s) => s.line)).toEqual([alter])
    // A RunPython's statement at its line inside the function.
    const fn = step('shop.0030_lock_customers_function')!
    expect(fn.sent).toEqual([
      {
        sql: 'SELECT lock_customers()',
        file: migration('0030_lock_customers_function'),
        line: lineOf(migration('0030_lock_customers_function'), 'schema_editor.execute('),
      },
    ])
    // The recorder's queries and locks (django_migrations, its sequence and index) are the tool's.
    const observed = report.steps.filter((s) => s.sent !== undefined)
    expect(observed.length).toBe(32)
    for (const s of observed) {
      expect(
        s.sent!.filter((x) => /django_migrations/.test(x.sql)),
        s.revision,
      ).toEqual([])
      expect(s.observed?.locks.filter((l) => l.relation.includes('django_migrations')) ?? [], s.revision).toEqual([])
    }
  })

  it('an atomic migration is read whole at its commit; a non-atomic one is locksComplete false', () => {
    const widen = step('shop.0016_amount_bigint')!
    expect(widen.observed?.locksComplete).toBe(true)
    expect(widen.observed?.rewritten).toContain('public.orders')
    expect(widen.observed?.locks).toContainEqual(
      expect.objectContaining({ relation: 'public.orders', mode: 'AccessExclusiveLock', existedBefore: true }),
    )
    const concurrently = step('shop.0005_index_customer_id_concurrently')!
    expect(concurrently.observed?.locksComplete).toBe(false)
    expect(concurrently.observed?.created).toEqual(['public.ix_orders_customer_c'])
    // The deferred foreign key ran before the commit: its locks were read with it.
    const fk = step('shop.0011_fk_orders_customer')!
    expect(fk.observed?.locksComplete).toBe(true)
    expect(fk.observed?.locks).toContainEqual(expect.objectContaining({ relation: 'public.customers' }))
  })

  it('a suppression comment above an operation of a Django migration accepts its hit', async () => {
    const project = join(scratch.dir, 'django-suppressed')
    cpSync(dir, project, { recursive: true })
    const migrations = join(project, 'shop', 'migrations')
    // The chain up to 0004 (its AddIndex trips require-concurrent-index-creation).
    for (const f of readdirSync(migrations)) if (/^00(0[5-9]|[1-9]\d)_/.test(f)) rmSync(join(migrations, f))
    const file = join(migrations, '0004_index_customer_id.py')
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        '        migrations.AddIndex(',
        '        # migration-gate: allow require-concurrent-index-creation -- orders is empty in production\n        migrations.AddIndex(',
      ),
    )
    const python = await pythonWithDjango()
    const suppressed = await runGate(
      readConfig(
        (name) =>
          ({
            'working-directory': project,
            tool: 'django',
            postgres: 'local',
            python,
            lint: 'error',
            'replay-workers': '1',
          })[name],
      ),
      { logger: silentLogger },
    )
    const hit = byRevision(suppressed, 'require-concurrent-index-creation', 'shop.0004_index_customer_id')
    expect(hit).toHaveLength(1)
    expect(hit[0]!.severity).toBe('notice')
    expect(hit[0]!.message).toContain(
      'Accepted by the comment at shop/migrations/0004_index_customer_id.py:8: orders is empty in production',
    )
    expect(suppressed.findings.filter((f) => f.id === 'lint-suppression')).toEqual([])
  })
})
