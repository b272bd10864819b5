// The dangerous-operation rules through the real gate: the replay observes each judged revision's first
// upgrade on real PostgreSQL (real Alembic, the real SQL driver), and the rule engine judges what it
// sent and what the server saw. Every revision of the expected-hits table behaves as the table says in
// the golang-migrate, dbmate (the same versions) and Alembic fixtures; only the pull request's revisions are judged where a base is known; `lint: off`
// observes and judges nothing.
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runGate } from '../../src/gate.js'
import { readConfig } from '../../src/inputs.js'
import { silentLogger } from '../../src/logger.js'
import type { GateReport } from '../../src/report.js'
import { scratchDir, TestRepo } from '../support/git.js'
import { RULE_BY_ID } from '../../src/lint/rules/index.js'
import { LINT_FIXTURE_HITS } from '../support/lint-fixture-hits.js'
import { gateOnFixture } from '../support/run-gate.js'

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
