// mode live on Alembic projects: a second database on a real PostgreSQL plays production, migrated
// by real Alembic to a revision (or shaped by hand), and the gate only reads it.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Server } from '../../src/postgres/provider.js'
import { gateReport } from '../support/report-scenarios.js'
import { gateOnFixture } from '../support/run-gate.js'
import { startTestServer } from '../support/server.js'
import { FIXTURES, productionAt, sql } from '../support/live.js'

const CLEAN = join(FIXTURES, 'alembic-clean')
let server: Server
beforeAll(async () => {
  server = await startTestServer()
}, 60_000)
afterAll(async () => {
  await server?.stop()
})

const live = (url: string, more: Record<string, string> = {}) =>
  gateOnFixture('alembic-clean', { mode: 'live', 'live-database-url': url, ...more })

describe('mode live: where an Alembic database stands', () => {
  it('at an old revision: the pending revisions in order, with file:line, as a notice', async () => {
    const db = await productionAt(server, CLEAN, '2408316dc6a3')
    const report = await live(db.url)
    expect(report.result).toBe('pass')
    expect(report.live?.revisions).toEqual(['2408316dc6a3'])
    expect(report.live?.versionTable).toBe('public.alembic_version')
    expect(report.live?.heads).toEqual(['bb86aaac9fb9'])
    expect(report.live?.pending?.map((p) => p.revision)).toEqual([
      '2aa223e4e29e',
      '8dca1cf9ca88',
      'e6777887bdf6',
      'bb86aaac9fb9',
    ])
    expect(report.live?.behind).toBe(4)
    expect(report.live?.pending?.[0]).toMatchObject({
      file: 'alembic/versions/2aa223e4e29e_add_last_message_at_to_chats.py',
    })
    expect(report.live?.pending?.[0]?.line).toBeGreaterThan(0)
    expect(report.live?.queries).toBeGreaterThanOrEqual(3)
    const pending = report.findings.filter((f) => f.id === 'pending-migrations')
    expect(pending).toHaveLength(1)
    expect(pending[0]).toMatchObject({ severity: 'notice', revision: '2aa223e4e29e' })
    expect(pending[0]?.message).toContain('`alembic upgrade head` will apply 4 revisions')
    expect(pending[0]?.details?.[0]).toMatch(
      /^2aa223e4e29e .*\(test\/fixtures\/alembic-clean\/alembic\/versions\/2aa223e4e29e_add_last_message_at_to_chats\.py:\d+\)$/,
    )
    // Nothing was replayed: mode live reads the live database, and builds the schema the chain gives at
    // its revision on a scratch server to compare (a database the migrations built has no live-drift).
    expect(report.steps).toEqual([])
    expect(report.postgres?.provider).toMatch(/^(local|embedded|docker)$/)
    expect(report.findings.filter((f) => f.id === 'live-drift')).toEqual([])
  }, 120_000)

  it('a column added by hand in production: live-drift through the whole gate, at the migration that owns the table', async () => {
    const db = await productionAt(server, CLEAN, '8dca1cf9ca88')
    await sql(db.url, 'ALTER TABLE pdfs ADD COLUMN processing_started_at timestamptz')
    const report = await live(db.url)
    expect(report.result).toBe('fail')
    expect(report.findings.map((f) => `${f.id}:${f.severity}`)).toEqual([
      'pending-migrations:notice',
      'live-drift:error',
    ])
    const drift = report.findings[1]
    expect(drift?.message).toMatch(
      /^column pdfs\.processing_started_at: present in the live database, absent in the migrations\./,
    )
    expect(drift?.file).toMatch(/^alembic\/versions\/8dca1cf9ca88_.*\.py$/)
    expect(report.timings.phases.drift).toBeGreaterThan(0)
    // The scratch database it was compared with is gone with the server; the live one is untouched.
    expect(
      (
        await sql(
          db.url,
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE 'migration-gate%'",
        )
      ).rows,
    ).toEqual([{ n: 0 }])
  }, 120_000)

  it('the same database with live-expect: head is a pending-migrations error', async () => {
    const db = await productionAt(server, CLEAN, '8dca1cf9ca88')
    const report = await live(db.url, { 'live-expect': 'head' })
    expect(report.result).toBe('fail')
    const pending = report.findings.filter((f) => f.id === 'pending-migrations')
    expect(pending.map((f) => f.severity)).toEqual(['error'])
    expect(pending[0]?.details).toHaveLength(2)
    expect(pending[0]?.fix).toContain('alembic upgrade head')
  }, 120_000)

  it('at head: nothing pending, and live-expect: head passes', async () => {
    const db = await productionAt(server, CLEAN, 'head')
    const report = await live(db.url, { 'live-expect': 'head' })
    expect(report.findings).toEqual([])
    expect(report.result).toBe('pass')
    expect(report.live).toMatchObject({ revisions: ['bb86aaac9fb9'], pending: [], behind: 0, expect: 'head' })
  }, 120_000)

  it('tables without alembic_version, or with an empty one: unversioned-database', async () => {
    const db = await productionAt(server, CLEAN, 'base')
    await sql(db.url, 'CREATE TABLE users (id int PRIMARY KEY); CREATE TABLE orgs (id int)')
    const missing = await live(db.url)
    expect(missing.findings.map((f) => [f.id, f.severity])).toEqual([['unversioned-database', 'error']])
    expect(missing.findings[0]?.message).toContain('2 tables but no version table (alembic_version)')
    expect(missing.findings[0]?.fix).toContain('`alembic stamp REVISION`')
    await sql(db.url, 'CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)')
    const empty = await live(db.url)
    expect(empty.findings.map((f) => f.id)).toEqual(['unversioned-database'])
    expect(empty.findings[0]?.message).toContain('an empty version table (public.alembic_version)')
  }, 120_000)

  it('an empty database: every migration pending, no error', async () => {
    const db = await productionAt(server, CLEAN, 'base')
    const report = await live(db.url)
    expect(report.result).toBe('pass')
    expect(report.live?.behind).toBe(6)
    expect(report.notes.join('\n')).toContain('the live database is empty')
  }, 120_000)
})

describe("mode live: Alembic's version table where env.py puts it", () => {
  const scratch = mkdtempSync(join(tmpdir(), 'mg-live-alembic-'))
  afterAll(() => rmSync(scratch, { recursive: true, force: true }))

  /** alembic-clean with env.py's online configure() given `extra` keyword arguments. */
  function projectWith(name: string, extra: string): string {
    const dir = join(scratch, name)
    cpSync(CLEAN, dir, { recursive: true, filter: (src) => !src.includes('__pycache__') })
    const env = join(dir, 'alembic', 'env.py')
    const text = readFileSync(env, 'utf8')
    const edited = text.replace(
      'connection=connection, target_metadata=target_metadata',
      `connection=connection, target_metadata=target_metadata, ${extra}`,
    )
    if (edited === text) throw new Error('env.py changed nothing')
    writeFileSync(env, edited)
    return dir
  }

  it('version_table and version_table_schema literals: the table Alembic wrote is the one read', async () => {
    const project = projectWith('ops-versions', 'version_table="deploy_versions", version_table_schema="ops"')
    const migrated = await productionAt(server, project, '8dca1cf9ca88', 'CREATE SCHEMA ops')
    expect((await sql(migrated.url, 'SELECT version_num FROM ops.deploy_versions')).rows).toEqual([
      { version_num: '8dca1cf9ca88' },
    ])
    const report = await gateReport(project, {
      mode: 'live',
      'live-database-url': migrated.url,
      'live-drift-severity': 'off',
    })
    expect(report.live).toMatchObject({ versionTable: 'ops.deploy_versions', revisions: ['8dca1cf9ca88'], behind: 2 })
    expect(report.findings.map((f) => f.id)).toEqual(['pending-migrations'])
    expect(report.notes).toContain('live-drift off (live-drift-severity: off): the live schema was not compared')
    // Compared, the chain cannot be built on an empty database (only production has the schema ops):
    // live drift cannot be checked, and that fails the gate instead of passing unchecked.
    const compared = await gateReport(project, { mode: 'live', 'live-database-url': migrated.url })
    expect(compared.findings.map((f) => `${f.id}:${f.severity}`)).toEqual([
      'pending-migrations:notice',
      'live-drift:error',
    ])
    expect(compared.findings[1]?.message).toMatch(/could not be compared .*schema "ops" does not exist/)
    expect(compared.findings[1]?.fix).toMatch(/live-drift-severity: off/)
  }, 120_000)

  it('a version_table env.py computes: a note, and the default table read', async () => {
    const project = projectWith('computed', 'version_table=os.environ.get("VERSION_TABLE", "alembic_version")')
    const db = await productionAt(server, project, 'head')
    const report = await gateReport(project, { mode: 'live', 'live-database-url': db.url })
    expect(report.notes.join('\n')).toContain(
      'env.py gives context.configure() version_table=an expression, which is known only when it runs',
    )
    expect(report.live).toMatchObject({
      versionTable: 'public.alembic_version',
      revisions: ['bb86aaac9fb9'],
      behind: 0,
    })
  }, 120_000)
})
