// The merge of stairway slices, where it depends on timing or on failures a real project cannot be
// made to produce on demand (a step that fails on one database and not on another, a database that
// cannot be opened): a scripted migration session and probe, whose "schema" is the list of applied
// revisions. The real thing is tested in test/integration/stairway-slices.test.ts.
import { describe, expect, it } from 'vitest'
import type { ReplayContext, ReplayDatabase } from '../../src/checks/replay-context.js'
import { planSlices } from '../../src/checks/replay-slices.js'
import { runStairway } from '../../src/checks/replay-stairway.js'
import { findServerWideStatement, workersGiven } from '../../src/checks/shared-objects.js'
import type { MigrationSession, RevisionGraph, StepResult } from '../../src/drivers/driver.js'
import { silentLogger } from '../../src/logger.js'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const order = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6']
const graph: RevisionGraph = {
  nodes: order.map((id, i) => ({
    id,
    parents: i ? [order[i - 1] as string] : [],
    dependsOn: [],
    branchLabels: [],
    file: `versions/${id}.py`,
    line: 1,
  })),
  problems: [],
}

/** Fails the step when `fail(database, direction, revision, call)` says so; databases are numbered from 1. */
type Failure = (database: number, direction: 'upgrade' | 'downgrade', revision: string) => string | null

/**
 * `secondUpgradeLeaves`: a revision whose upgrade, run a second time on the same database, also
 * leaves an object "x" behind (a re-upgrade that builds another schema); `failsWithX`: a revision
 * whose upgrade fails where "x" stands.
 */
interface Quirks {
  openFails?: number
  secondUpgradeLeaves?: string
  failsWithX?: string
}

function context(fail: Failure, options: Quirks = {}) {
  let opened = 0
  const disposed: number[] = []
  let atHead = 0
  const ctx: ReplayContext = {
    graph,
    order,
    workers: 2,
    tool: 'alembic',
    logger: silentLogger,
    irreversible: { severity: 'warning', allow: new Map() },
    async open(): Promise<ReplayDatabase> {
      const n = ++opened
      if (options.openFails === n) throw new Error(`database ${n} refused`)
      const applied: string[] = []
      const upgraded = new Set<string>()
      const captures = new Map<string, string>()
      const step = (direction: 'upgrade' | 'downgrade', revision: string): StepResult => {
        const error =
          fail(n, direction, revision) ??
          (direction === 'upgrade' && revision === options.failsWithX && applied.includes('x')
            ? 'x is in the way'
            : null)
        if (error) return { ok: false, ms: 1, statements: 0, error: { message: error } }
        if (direction === 'upgrade') {
          applied.push(revision)
          if (revision === options.secondUpgradeLeaves && upgraded.has(revision)) applied.push('x')
          upgraded.add(revision)
        } else applied.splice(applied.lastIndexOf(revision), 1)
        return { ok: true, ms: 1, statements: 1 }
      }
      const session = {
        upgrade: async (revision: string) => step('upgrade', revision),
        downgrade: async (revision: string) => step('downgrade', revision),
        close: async () => {},
      } as unknown as MigrationSession
      return {
        session,
        probe: {
          capture: async (key) => {
            const schema = [...applied].sort().join(',')
            captures.set(key, schema)
            return schema
          },
          diff: async (a, b) =>
            captures.get(a) === captures.get(b) ? [] : [`${captures.get(a)} -> ${captures.get(b)}`],
          changes: async (a, b) =>
            captures.get(a) === captures.get(b)
              ? []
              : [
                  {
                    kind: 'schema' as const,
                    name: 'scripted',
                    change: 'changed' as const,
                    message: `${captures.get(a)} -> ${captures.get(b)}`,
                  },
                ],
          forget: async () => {},
          release: async () => {},
          // The scripted changes are 'changed', never 'added': no repair is tried, every residue rebuilds.
          undo: async () => {
            throw new Error('the scripted probe has nothing to undo')
          },
        },
        async dispose() {
          disposed.push(n)
        },
      }
    },
    atHead: async () => {
      atHead++
    },
  }
  return { ctx, disposed: () => [...disposed].sort(), opened: () => opened, atHead: () => atHead }
}

const [first, second] = planSlices(order, 2)

describe('stairway slices, merged', () => {
  it('plans a cut this file relies on', () => {
    expect(first?.revisions.length).toBeGreaterThan(1)
    expect(second?.prefix).toEqual(first?.revisions)
  })

  it('gives what one database gives when nothing fails, and compares the models once', async () => {
    const one = context(() => null)
    const single = await runStairway({ ...one.ctx, workers: 1 })
    const two = context(() => null)
    const sliced = await runStairway(two.ctx)
    expect(sliced).toEqual(single)
    expect(sliced.steps).toHaveLength(18)
    expect(two.atHead()).toBe(1)
    expect(two.disposed()).toEqual([1, 2])
  })

  it('ends where the first database ends, even when the second got past that revision: no later steps, no model drift', async () => {
    const last = first?.revisions.at(-1) as string
    // The first upgrade of `last` fails on the database that checks it, never on the second.
    const c = context((db, direction, revision) =>
      db === 1 && direction === 'upgrade' && revision === last ? 'boom' : null,
    )
    const r = await runStairway(c.ctx)
    expect(r.findings.map((f) => `${f.id}@${f.revision}`)).toEqual([`upgrade-failed@${last}`])
    expect(r.steps.at(-1)).toMatchObject({ revision: last, phase: 'first', ok: false })
    expect(r.steps.some((s) => second?.revisions.includes(s.revision))).toBe(false)
    expect(c.atHead()).toBe(0)
  })

  it('says so, in chain order, when a step before a slice fails on its database only; the rest is not replayed', async () => {
    const early = first?.revisions[0] as string
    const c = context((db, direction, revision) => {
      if (db === 2 && direction === 'upgrade' && revision === early) return 'flaky'
      // A later revision of the first slice has a finding of its own.
      if (db === 1 && direction === 'downgrade' && revision === first?.revisions[1]) return 'cannot go down'
      return null
    })
    const r = await runStairway(c.ctx)
    expect(r.findings.map((f) => `${f.id}@${f.revision}`)).toEqual([
      `upgrade-failed@${early}`,
      `downgrade-failed@${first?.revisions[1]}`,
    ])
    expect(r.findings[0]?.details?.at(-1)).toMatch(/second database replayed the steps before its slice/)
    expect(r.steps.find((s) => s.phase === 'rebuild')).toMatchObject({ revision: early, ok: false })
    // Steps in chain order: the failed one right after the first database's steps of that revision.
    const failedAt = r.steps.findIndex((s) => s.phase === 'rebuild')
    expect(r.steps.slice(0, failedAt).every((s) => s.revision === early)).toBe(true)
    expect(c.atHead()).toBe(0)
  })

  it('hands a slice to the one before it where that one rebuilt after a re-upgrade that built another schema', async () => {
    // One database: r2's second upgrade leaves x (reupgrade-mismatch), the database is rebuilt
    // without x, and r5 passes. A slice whose unchecked replay kept x would fail r5 instead.
    const quirks = { secondUpgradeLeaves: 'r2', failsWithX: 'r5' }
    expect(second?.prefix).toContain('r2')
    expect(second?.revisions).toContain('r5')
    const one = await runStairway({ ...context(() => null, quirks).ctx, workers: 1 })
    expect(one.findings.map((f) => `${f.id}@${f.revision}`)).toEqual(['reupgrade-mismatch@r2'])
    const c = context(() => null, quirks)
    const sliced = await runStairway(c.ctx)
    expect(sliced.findings).toEqual(one.findings)
    expect(sliced.steps).toEqual(one.steps)
    expect(c.atHead()).toBe(1)
    // The second slice, which went past r2 without rebuilding, was handed to the first (which
    // checked its revisions after its own) instead of opening a database again.
    expect(c.opened()).toBe(3)
  })

  it('says once, with where it happened, a step that timed out only while a slice was being reached', async () => {
    const early = first?.revisions[0] as string
    const c = context((db, direction, revision) =>
      db === 2 && direction === 'upgrade' && revision === early ? 'timeout' : null,
    )
    // A timeout, as the session reports one.
    const ctx = c.ctx
    const open = ctx.open.bind(ctx)
    ctx.open = async () => {
      const db = await open()
      const upgrade = db.session.upgrade.bind(db.session)
      db.session.upgrade = async (r: string) => {
        const res = await upgrade(r)
        return res.error?.message === 'timeout' ? { ...res, error: { message: 'timeout', kind: 'timeout' } } : res
      }
      return db
    }
    const r = await runStairway(ctx)
    expect(r.findings.map((f) => `${f.id}@${f.revision}`)).toEqual([`step-timeout@${early}`])
    expect(r.findings[0]?.details?.at(-1)).toMatch(/second database replayed the steps before its slice/)
  })

  it('notes an unchecked downgrade that failed where the checked one passed', async () => {
    const early = first?.revisions[0] as string
    const c = context((db, direction, revision) =>
      db === 2 && direction === 'downgrade' && revision === early ? 'nope' : null,
    )
    const r = await runStairway(c.ctx)
    expect(r.notes).toEqual([
      expect.stringMatching(new RegExp(`^the downgrade of ${early} failed while a second database`)),
    ])
  })

  it('rethrows a database that cannot be opened, after every other database was dropped', async () => {
    const c = context(() => null, { openFails: 2 })
    await expect(runStairway(c.ctx)).rejects.toThrow('database 2 refused')
    expect(c.opened()).toBe(2)
    expect(c.disposed()).toEqual([1])
  })
})

describe('server-wide statements', () => {
  it('finds the first CREATE/DROP ROLE next to the revisions, with file and line', () => {
    const dir = join(import.meta.dirname, '..', 'fixtures', 'sql-golang-roles')
    const g: RevisionGraph = {
      nodes: [{ id: '1', parents: [], dependsOn: [], branchLabels: [], file: 'migrations/1_reports.up.sql', line: 1 }],
      problems: [],
    }
    expect(findServerWideStatement(dir, g)).toEqual({ file: 'migrations/2_role.down.sql', line: 1, text: 'DROP ROLE' })
    const clean = join(import.meta.dirname, '..', 'fixtures', 'sql-golang-residue')
    expect(findServerWideStatement(clean, g)).toBeNull()
  })

  it('keeps auto on one database where one is found; keeps an explicit count with a note', () => {
    const shared = { file: 'migrations/2_role.up.sql', line: 3, text: 'CREATE ROLE' }
    expect(workersGiven(2, false, null)).toEqual({ workers: 2 })
    expect(workersGiven(2, false, shared)).toMatchObject({
      workers: 1,
      note: expect.stringMatching(/^stairway on one database: migrations\/2_role\.up\.sql:3 \(CREATE ROLE\)/),
    })
    expect(workersGiven(3, true, shared)).toMatchObject({
      workers: 3,
      note: expect.stringMatching(/^replay-workers: 3 kept although/),
    })
    expect(workersGiven(1, true, shared)).toEqual({ workers: 1 })
  })

  it.each([
    [
      'revision message "create user table" in the docstring',
      'v.py',
      '"""create user table\n\nRevision ID: 1\n"""\nrevision = "1"\n',
      null,
    ],
    ['a comment', 'v.py', '# create role tables\nrevision = "1"\n', null],
    ['a column named role dropped', 'v.sql', 'ALTER TABLE users DROP role;\n', null],
    ['an SQL comment', 'v.sql', '-- create database tables\n/* drop user\n model */ SELECT 1;\n', null],
    ['op.execute', 'v.py', '"""roles"""\ndef upgrade():\n    op.execute("create role reporting")\n', 3],
    [
      'a multi-line SQL string',
      'v.py',
      'def upgrade():\n    op.execute("""\n        GRANT x TO y;\n        CREATE ROLE reporting;\n    """)\n',
      4,
    ],
    ['EXECUTE format() in a DO block', 'v.sql', "DO $$ BEGIN\n  EXECUTE format('DROP ROLE %I', 'r');\nEND $$;\n", 2],
    ['CREATE TABLESPACE', 'v.sql', "CREATE TABLESPACE fast LOCATION '/x';\n", 1],
  ])('%s', (_what, file, text, line) => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-shared-'))
    try {
      mkdirSync(join(dir, 'versions'))
      writeFileSync(join(dir, 'versions', file), text)
      const g: RevisionGraph = {
        nodes: [{ id: '1', parents: [], dependsOn: [], branchLabels: [], file: `versions/${file}`, line: 1 }],
        problems: [],
      }
      const found = findServerWideStatement(dir, g)
      if (line === null) expect(found).toBeNull()
      else expect(found).toMatchObject({ file: `versions/${file}`, line })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('does not count a user mapping, which belongs to one database', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-shared-'))
    try {
      mkdirSync(join(dir, 'migrations'))
      writeFileSync(join(dir, 'migrations', '1_fdw.up.sql'), 'CREATE USER MAPPING FOR CURRENT_USER SERVER files;\n')
      const g: RevisionGraph = {
        nodes: [{ id: '1', parents: [], dependsOn: [], branchLabels: [], file: 'migrations/1_fdw.up.sql', line: 1 }],
        problems: [],
      }
      expect(findServerWideStatement(dir, g)).toBeNull()
      writeFileSync(join(dir, 'migrations', '1_fdw.down.sql'), '-- nothing\n\nDROP USER reader;\n')
      expect(findServerWideStatement(dir, g)).toMatchObject({ file: 'migrations/1_fdw.down.sql', line: 3 })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
