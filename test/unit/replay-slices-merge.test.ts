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

function context(fail: Failure, options: { openFails?: number } = {}) {
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
      const captures = new Map<string, string>()
      const step = (direction: 'upgrade' | 'downgrade', revision: string): StepResult => {
        const error = fail(n, direction, revision)
        if (error) return { ok: false, ms: 1, statements: 0, error: { message: error } }
        if (direction === 'upgrade') applied.push(revision)
        else applied.splice(applied.lastIndexOf(revision), 1)
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
            captures.set(key, applied.join(','))
            return applied.join(',')
          },
          diff: async (a, b) =>
            captures.get(a) === captures.get(b) ? [] : [`${captures.get(a)} -> ${captures.get(b)}`],
          forget: async () => {},
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
