// Stairway rebuilds that start from template copies (src/checks/replay-checkpoints.ts) must report
// exactly what rebuilds from base report: the same findings and steps in the same order, on one
// database and on slices. MIGRATION_GATE_REBUILD_CHECKPOINTS=off is the rebuild from base, `always`
// keeps a checkpoint at every rebuild, so small fixtures take every path; MIGRATION_GATE_RESIDUE_REPAIR=off
// rebuilds where the residue would be removed in place, with the same report. Real PostgreSQL, the real
// SQL driver and Alembic, real fixtures with several bad downgrades each.
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runGate } from '../../src/gate.js'
import { readConfig } from '../../src/inputs.js'
import type { Logger } from '../../src/logger.js'
import type { Server } from '../../src/postgres/provider.js'
import type { GateReport } from '../../src/report.js'
import { gateDatabasesOn } from '../support/leftovers.js'
import { pythonWithAlembic } from '../support/python.js'
import { FIXTURES } from '../support/run-gate.js'
import { startTestServer } from '../support/server.js'

let server: Server
let python: string
beforeAll(async () => {
  server = await startTestServer()
  python = await pythonWithAlembic()
})
afterAll(async () => {
  await server?.stop()
})

/** The gate on `fixture` with checkpoints `mode`; its report and its debug lines. */
async function gate(
  fixture: string,
  mode: 'off' | 'always' | 'auto',
  inputs: Record<string, string>,
  /** Other internal switches (MIGRATION_GATE_RESIDUE_REPAIR), set for this run only. */
  switches: Record<string, string> = {},
): Promise<{ report: GateReport; debug: string[] }> {
  const debug: string[] = []
  const logger: Logger = { info: (m) => debug.push(m), warn() {}, debug: (m) => debug.push(m) }
  const all: Record<string, string> = {
    'working-directory': join(FIXTURES, fixture),
    postgres: 'url',
    'database-url': server.urlFor('postgres'),
    python,
    ...inputs,
  }
  // The follower (replay-follower.ts) takes rebuilds off the checkpoints' hands: off unless a test asks.
  const set = { MIGRATION_GATE_REBUILD_CHECKPOINTS: mode, MIGRATION_GATE_REBUILD_FOLLOWER: 'off', ...switches }
  const before = Object.fromEntries(Object.keys(set).map((k) => [k, process.env[k]]))
  Object.assign(process.env, set)
  try {
    return {
      report: await runGate(
        readConfig((name) => all[name]),
        { logger },
      ),
      debug,
    }
  } finally {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
}

/** What a report says, without timings. */
const said = (r: GateReport) => ({
  result: r.result,
  findings: r.findings.map((f) => ({ ...f })),
  steps: r.steps.map((s) => `${s.revision} ${s.direction} ${s.phase} ${s.ok ? 'ok' : `failed: ${s.error}`}`),
  notes: r.notes,
})

const fromCheckpoint = (debug: string[]) => debug.filter((m) => / from the checkpoint at /.test(m))
const tookFollower = (debug: string[]) => debug.filter((m) => /: the follower's database, ready after /.test(m))
const rebuilds = (debug: string[]) => debug.filter((m) => m.startsWith('stairway: rebuilding')).length

describe('rebuilds from checkpoints', () => {
  // Each rebuilds several times: residue whose re-upgrade fails, re-upgrades that build another schema.
  const fixtures = [
    'sql-golang-many-rebuilds',
    'sql-golang-residue-unique',
    'sql-dbmate-reupgrade',
    'sql-golang-data-residue',
    'alembic-enum-residue',
    'alembic-irreversible',
  ]

  // Also on two databases (slices: a later slice's prefix repairs and rebuilds as one database would):
  // one fixture per tool and kind of rebuild, to keep the file's run short; stairway-slices.test.ts
  // compares slices with one database on more.
  const sliced = new Set(['sql-golang-many-rebuilds', 'sql-dbmate-reupgrade', 'alembic-enum-residue'])

  // Those whose residue is removed in place (replay-repair.ts); the others only rebuild.
  const repairing = new Set([
    'sql-golang-many-rebuilds',
    'sql-golang-residue-unique',
    'alembic-enum-residue',
    'alembic-irreversible',
  ])

  it.each(fixtures)(
    '%s: the report with checkpoints equals the report without, on 1 (and 2) databases',
    async (fixture) => {
      for (const workers of sliced.has(fixture) ? ['1', '2'] : ['1']) {
        const without = await gate(fixture, 'off', { 'replay-workers': workers })
        expect(without.report.steps.length).toBeGreaterThan(0)
        expect(fromCheckpoint(without.debug)).toEqual([])
        // `always` keeps a checkpoint at every rebuild: every path the default (a checkpoint where it
        // pays) can take, the first rebuild from base and later ones from copies, is taken here.
        const withCheckpoints = await gate(fixture, 'always', { 'replay-workers': workers })
        expect(said(withCheckpoints.report), `replay-workers: ${workers}, checkpoints always`).toEqual(
          said(without.report),
        )
        // Rebuilds made ahead by a follower (one database only; slices never run one) report the same.
        const followed = await gate(
          fixture,
          'auto',
          { 'replay-workers': workers },
          { MIGRATION_GATE_REBUILD_FOLLOWER: 'on' },
        )
        expect(said(followed.report), `replay-workers: ${workers}, follower`).toEqual(said(without.report))
        expect(tookFollower(followed.debug).length > 0, `replay-workers: ${workers}, follower used`).toBe(
          workers === '1' && rebuilds(without.debug) > 1,
        )
        const repaired = without.debug.some((m) => m.startsWith('stairway: repaired'))
        expect(repaired, `replay-workers: ${workers}: residue removed in place`).toBe(repairing.has(fixture))
        // Residue removed in place reports what rebuilding after it reports (on one database: the slices'
        // prefix takes the same decisions from the same captures, compared above).
        if (!repaired || workers !== '1') continue
        const rebuildOnly = await gate(
          fixture,
          'off',
          { 'replay-workers': workers },
          { MIGRATION_GATE_RESIDUE_REPAIR: 'off' },
        )
        expect(said(rebuildOnly.report), `replay-workers: ${workers}, no repair`).toEqual(said(without.report))
      }
    },
  )

  it('starts each rebuild from the newest checkpoint on the way, and leaves no database behind', async () => {
    const { report, debug } = await gate('sql-golang-many-rebuilds', 'always', { 'replay-workers': '1' })
    expect(report.findings.map((f) => `${f.id}@${f.revision}`)).toEqual([
      'downgrade-residue@3',
      'reupgrade-mismatch@6',
      'downgrade-residue@8',
      'reupgrade-mismatch@10',
      'reupgrade-mismatch@12',
      'downgrade-residue@14',
    ])
    // The enum types and the index the downgrades of 3, 8 and 14 left are removed in place; the rows 10's
    // downgrade kept and the sequences 6 and 12 build differently again cannot be: those rebuild.
    expect(debug.map((m) => /^stairway: repaired (\S+) in place/.exec(m)?.[1]).filter(Boolean)).toEqual([
      '3',
      '8',
      '14',
    ])
    // The first rebuild (after 6) starts from base; every later one from the checkpoint the one before kept.
    expect(debug.filter((m) => m.startsWith('stairway: rebuilding'))).toEqual([
      'stairway: rebuilding the database up to 6',
      'stairway: rebuilding the database up to 10 from the checkpoint at 6',
      'stairway: rebuilding the database up to 12 from the checkpoint at 10',
    ])
    // Without the repair, every residue rebuilds: 3, 8 and 14 too, each from the checkpoint before it.
    const rebuildOnly = await gate(
      'sql-golang-many-rebuilds',
      'always',
      { 'replay-workers': '1' },
      {
        MIGRATION_GATE_RESIDUE_REPAIR: 'off',
      },
    )
    expect(rebuildOnly.debug.filter((m) => m.startsWith('stairway: rebuilding'))).toEqual([
      'stairway: rebuilding the database up to 3',
      'stairway: rebuilding the database up to 6 from the checkpoint at 3',
      'stairway: rebuilding the database up to 8 from the checkpoint at 6',
      'stairway: rebuilding the database up to 10 from the checkpoint at 8',
      'stairway: rebuilding the database up to 12 from the checkpoint at 10',
      'stairway: rebuilding the database up to 14 from the checkpoint at 12',
    ])
    expect(said(rebuildOnly.report)).toEqual(said(report))
    expect(await gateDatabasesOn(server.urlFor('postgres'))).toEqual([])
  })

  it('once a stairway on one database rebuilt, later rebuilds take the database a follower built ahead, with the same report', async () => {
    // No repair: every residue rebuilds (after 3, 6, 8, 10, 12 and 14).
    const switches = { MIGRATION_GATE_RESIDUE_REPAIR: 'off' }
    const plain = await gate('sql-golang-many-rebuilds', 'auto', { 'replay-workers': '1' }, switches)
    const followed = await gate(
      'sql-golang-many-rebuilds',
      'auto',
      { 'replay-workers': '1' },
      { ...switches, MIGRATION_GATE_REBUILD_FOLLOWER: 'on' },
    )
    expect(said(followed.report)).toEqual(said(plain.report))
    expect(rebuilds(plain.debug)).toBe(6)
    // The first rebuild runs as before; the follower it starts stands ready at each of the five after it.
    expect(followed.debug.filter((m) => m.startsWith('stairway: rebuilding'))).toEqual([
      'stairway: rebuilding the database up to 3',
    ])
    expect(tookFollower(followed.debug).map((m) => /up to (\S+):/.exec(m)?.[1])).toEqual(['6', '8', '10', '12', '14'])
    // The last follower (started after 14) is dropped with the stairway's own database.
    expect(await gateDatabasesOn(server.urlFor('postgres'))).toEqual([])
  })

  it('a follower whose plain upgrade failed is the rebuild that fails there: the same finding, nothing left', async () => {
    // 1's type left behind rebuilds (the first rebuild, which starts the follower); 4 needs 3 to have run
    // twice, so the follower's plain upgrade of 4 fails; 5's type left behind rebuilds again: that
    // rebuild is the follower's, and it fails at 4, as a rebuild from base does.
    const switches = { MIGRATION_GATE_RESIDUE_REPAIR: 'off' }
    const fixture = 'sql-golang-follower-fresh-fails'
    const plain = await gate(fixture, 'auto', { 'replay-workers': '1' }, switches)
    expect(plain.report.findings.map((f) => `${f.id}@${f.revision}`)).toEqual([
      'downgrade-residue@1',
      'downgrade-residue@5',
      'upgrade-failed@4',
    ])
    const followed = await gate(
      fixture,
      'auto',
      { 'replay-workers': '1' },
      { ...switches, MIGRATION_GATE_REBUILD_FOLLOWER: 'on' },
    )
    expect(tookFollower(followed.debug)).toHaveLength(1)
    expect(said(followed.report)).toEqual(said(plain.report))
    expect(await gateDatabasesOn(server.urlFor('postgres'))).toEqual([])
  })

  it('removes residue in place where that restores the schema, and rebuilds where the downgrade also changed something', async () => {
    const { report, debug } = await gate('sql-golang-residue-unique', 'auto', { 'replay-workers': '1' })
    expect(report.findings.map((f) => `${f.id}@${f.revision}`)).toEqual(['downgrade-residue@2', 'downgrade-residue@4'])
    // 2 left a unique constraint: dropped in place. 4 left a check constraint and widened a column
    // its upgrade never touched: no statement restores a changed column, so the database is rebuilt.
    expect(debug.filter((m) => /^stairway: (repaired|rebuilding)/.test(m))).toEqual([
      'stairway: repaired 2 in place (ALTER TABLE users DROP CONSTRAINT uq_users_email) and upgraded it again',
      'stairway: rebuilding the database up to 4',
    ])
    // 5 was replayed on the rebuilt database, and 3 on the repaired one.
    expect(report.steps.filter((s) => s.revision === '3' || s.revision === '5').map((s) => s.ok)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
    ])
  })

  it('starts the helper of a rebuilt database ahead of need, once the run has rebuilt, and stops the one left', async () => {
    // No repair: the enum type left behind rebuilds the database; a checkpoint is then kept (closing and
    // opening its session again), and that open takes the spare the rebuild's open started.
    const { report, debug } = await gate(
      'alembic-enum-residue',
      'always',
      { 'replay-workers': '1' },
      {
        MIGRATION_GATE_RESIDUE_REPAIR: 'off',
      },
    )
    expect(report.findings.map((f) => f.id)).toEqual(['downgrade-residue'])
    const opens = debug.filter((m) => /^alembic \d/.test(m))
    // The first database's helper started beside the static reading; the rebuild's did not (nothing
    // had been rebuilt yet); the checkpoint's reopen took the one started after the rebuild.
    expect(opens).toHaveLength(3)
    expect(opens.map((m) => m.endsWith('(a spare helper, started ahead)'))).toEqual([true, false, true])
    expect(await gateDatabasesOn(server.urlFor('postgres'))).toEqual([])
  })

  it('hands a slice over (or starts it again) as soon as an earlier one rebuilt where it did not, not after that one ended', async () => {
    // Slice 1 (revisions 1-12) rebuilds after 6 and 12 because a comparison says so; slice 2 (13-16)
    // replays 1-12 unchecked and cannot see why. It used to be replayed again once slice 1 had ended.
    const one = await gate('sql-golang-many-rebuilds', 'auto', { 'replay-workers': '1' })
    const { report, debug } = await gate('sql-golang-many-rebuilds', 'auto', { 'replay-workers': '2' })
    expect(debug).toContain('stairway: 16 revisions on 2 databases side by side (1-12, 13-16)')
    expect(said(report)).toEqual(said(one.report))
    const slice1Ended = debug.findIndex((m) => m.startsWith('stairway slice 1/2 ('))
    expect(slice1Ended).toBeGreaterThan(-1)
    // Each new run of slice 2 was decided while slice 1 still ran, the moment it rebuilt; none waited
    // for slice 1's end (which used to say "stairway slice 2: again, rebuilding after 6, 12").
    const decided = debug.slice(0, slice1Ended).filter((m) => m.startsWith('stairway slice 2: starting again now'))
    // Each decision either hands slice 2's revisions to slice 1 or starts slice 2 again.
    const followed = debug.filter((m) => /^stairway slice 2: (run \d+|handed to slice 1,)/.test(m))
    expect(followed).toHaveLength(decided.length)
    expect(debug.filter((m) => m.startsWith('stairway slice 2: again'))).toEqual([])
    // A run that starts again starts from the checkpoint slice 1 kept where it rebuilt, not from base.
    const lines = debug.filter((m) =>
      /^stairway slice 2: run \d|^stairway: a slice starts from the checkpoint at /.test(m),
    )
    for (const [k, m] of lines.entries()) {
      if (m.startsWith('stairway slice 2: run'))
        expect(lines[k + 1]).toMatch(/^stairway: a slice starts from the checkpoint at (6|12)$/)
    }
  })

  // A CREATEDB user owns the scratch databases; with CREATEROLE the migrations run as a per-run role
  // that owns them (src/postgres/run-role.ts). Either way the user copies them, and drops every copy.
  it.each([
    ['CREATEDB', 'gate_copy_createdb', { copied: 2, failed: 0 }],
    ['CREATEDB CREATEROLE', 'gate_copy_createrole', { copied: 2, failed: 0 }],
  ])('as a %s user of a url server: the same report, and nothing left behind', async (rights, role, expected) => {
    const admin = new pg.Client({ connectionString: server.urlFor('postgres') })
    await admin.connect()
    try {
      await admin.query(`CREATE ROLE ${role} LOGIN ${rights} PASSWORD 'sekret-pw'`)
      const u = new URL(server.urlFor('postgres'))
      u.username = role
      u.password = 'sekret-pw'
      const asUser = { 'database-url': u.toString(), 'replay-workers': '1' }
      const without = await gate('sql-golang-many-rebuilds', 'off', asUser)
      const withCheckpoints = await gate('sql-golang-many-rebuilds', 'always', asUser)
      expect(said(withCheckpoints.report)).toEqual(said(without.report))
      expect({
        copied: fromCheckpoint(withCheckpoints.debug).length,
        failed: withCheckpoints.debug.filter((m) => m.includes('a template copy failed')).length,
      }).toEqual(expected)
      expect(await gateDatabasesOn(server.urlFor('postgres'))).toEqual([])
    } finally {
      await admin.query(`DROP ROLE IF EXISTS ${role}`).finally(() => admin.end())
    }
  })

  it('copies a database a straggling session still sits in (a helper that just quit): the session is ended', async () => {
    const source = await server.createDatabase()
    const straggler = new pg.Client({ connectionString: server.urlFor(source.name) })
    straggler.on('error', () => {}) // its end is the point
    await straggler.connect()
    try {
      const copy = await server.createDatabase({ template: source.name })
      await server.dropDatabase(copy.name)
    } finally {
      await straggler.end().catch(() => {})
      await server.dropDatabase(source.name)
    }
  })

  it('copies with STRATEGY FILE_COPY on a server of its own, with the same report', async () => {
    const own = { postgres: 'local', 'replay-workers': '1' }
    const without = await gate('sql-golang-many-rebuilds', 'off', own)
    const withCheckpoints = await gate('sql-golang-many-rebuilds', 'always', own)
    expect(fromCheckpoint(withCheckpoints.debug)).toHaveLength(2)
    expect(said(withCheckpoints.report)).toEqual(said(without.report))
  })
})
