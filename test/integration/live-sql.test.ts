// mode live on golang-migrate and dbmate projects: a database on a real PostgreSQL migrated by the
// gate's native SQL runner plays production, its version table shaped as each tool keeps it.
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Server } from '../../src/postgres/provider.js'
import { gateOnFixture } from '../support/run-gate.js'
import { FIXTURES, productionAt, sql } from '../support/live.js'
import { startTestServer } from '../support/server.js'

let server: Server
beforeAll(async () => {
  server = await startTestServer()
}, 60_000)
afterAll(async () => {
  await server?.stop()
})

/** golang-migrate's own table: one row, the version and whether it failed half way. */
async function golangMigrateAt(url: string, table: string, version: string, dirty: boolean): Promise<void> {
  await sql(url, `CREATE TABLE ${table} (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)`)
  await sql(url, `INSERT INTO ${table} VALUES ($1, $2)`, [version, dirty])
}

describe('mode live: golang-migrate', () => {
  const GOLANG = join(FIXTURES, 'sql-golang-clean')

  it('a dirty version: dirty-database naming it and the migrate force fixes; the pending list after it', async () => {
    const db = await productionAt(server, GOLANG, 'base')
    await sql(db.url, 'CREATE TABLE accounts (id bigint PRIMARY KEY)')
    await golangMigrateAt(db.url, 'schema_migrations', '20240112140500', true)
    const report = await gateOnFixture('sql-golang-clean', { mode: 'live', 'live-database-url': db.url })
    expect(report.result).toBe('fail')
    const dirty = report.findings.find((f) => f.id === 'dirty-database')
    expect(dirty).toMatchObject({ severity: 'error', revision: '20240112140500', line: 1 })
    expect(dirty?.file).toMatch(/migrations\/20240112140500_touch_updated_at\.up\.sql$/)
    expect(dirty?.message).toContain('marked dirty at version 20240112140500 (public.schema_migrations)')
    expect(dirty?.fix).toContain('migrate -path migrations -database "$DATABASE_URL" force 20240112140500')
    expect(dirty?.fix).toContain('force 20240105093000')
    expect(report.live).toMatchObject({ dirty: '20240112140500', revisions: ['20240112140500'], behind: 2 })
  }, 60_000)

  const DIRTY = '20240112140500'
  /** Built by the migrations up to the version before DIRTY, then `partial` run by hand and DIRTY marked dirty. */
  async function dirtyHalfWay(partial?: string): Promise<string> {
    const db = await productionAt(server, GOLANG, '20240105093000')
    if (partial) await sql(db.url, partial)
    await sql(db.url, 'DROP TABLE schema_migrations')
    await golangMigrateAt(db.url, 'schema_migrations', DIRTY, true)
    return db.url
  }

  it('dirty after part of its up SQL: dirty-database names exactly the objects it made, and the force after finishing it', async () => {
    // The first statement of DIRTY's up file ran; the trigger after it did not.
    const url = await dirtyHalfWay(
      'CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $b$ BEGIN NEW.updated_at := now(); RETURN NEW; END; $b$',
    )
    const report = await gateOnFixture('sql-golang-clean', { mode: 'live', 'live-database-url': url })
    const dirty = report.findings.find((f) => f.id === 'dirty-database')
    expect(dirty?.details).toEqual([
      'function touch_updated_at(): present in the live database, absent in the migrations',
    ])
    expect(dirty?.message).toContain(`1 object of ${DIRTY}'s up SQL is in the schema`)
    expect(dirty?.message).toContain('it stopped after it')
    expect(dirty?.fix).toContain(
      `finish the rest of ${DIRTY}'s up SQL by hand and \`migrate -path migrations -database "$DATABASE_URL" force ${DIRTY}\``,
    )
    expect(dirty?.fix).toContain(
      'undo it by hand and `migrate -path migrations -database "$DATABASE_URL" force 20240105093000`',
    )
  }, 60_000)

  it('dirty before any of its up SQL ran: dirty-database says none of it is in the schema', async () => {
    const url = await dirtyHalfWay()
    const report = await gateOnFixture('sql-golang-clean', { mode: 'live', 'live-database-url': url })
    const dirty = report.findings.find((f) => f.id === 'dirty-database')
    expect(dirty?.details).toBeUndefined()
    expect(dirty?.message).toContain(`None of ${DIRTY}'s up SQL is in the schema`)
    expect(dirty?.message).toContain('it failed before changing the schema')
    expect(dirty?.fix).toMatch(
      /^`migrate -path migrations -database "\$DATABASE_URL" force 20240105093000` \(the version before\)/,
    )
  }, 60_000)

  it('x-migrations-table in the live URL names the table; a clean version: the versions after it pending', async () => {
    // Built by the migrations up to 20240120081500, its version kept in ops.versions instead.
    const db = await productionAt(server, GOLANG, '20240120081500')
    await sql(db.url, 'DROP TABLE schema_migrations; CREATE SCHEMA ops')
    await golangMigrateAt(db.url, 'ops.versions', '20240120081500', false)
    const url = `${db.url}${db.url.includes('?') ? '&' : '?'}x-migrations-table=%22ops%22.%22versions%22&x-migrations-table-quoted=1`
    // Schema ops holds only the version table; the migrations do not create it, so it is drift unless ignored.
    const ignore = { 'live-ignore': 'ops.*: golang-migrate keeps its version table here' }
    const report = await gateOnFixture('sql-golang-clean', { mode: 'live', 'live-database-url': url, ...ignore })
    expect(report.findings.map((f) => [f.id, f.severity])).toEqual([['pending-migrations', 'notice']])
    expect(report.live).toMatchObject({ versionTable: 'ops.versions', revisions: ['20240120081500'] })
    expect(report.live?.pending?.map((p) => p.revision)).toEqual(['20240201120000'])
  }, 60_000)
})

describe('mode live: dbmate', () => {
  const DBMATE = join(FIXTURES, 'sql-dbmate-clean')

  it('every applied version a row: a skipped older version and the newer ones pending, an unknown row reported', async () => {
    const db = await productionAt(server, DBMATE, 'head')
    // As if 20240310090000 had never run here (dbmate applies it on the next up), and a version from elsewhere recorded.
    await sql(db.url, "DELETE FROM schema_migrations WHERE version IN ('20240310090000', '20240315160000')")
    await sql(db.url, "INSERT INTO schema_migrations (version) VALUES ('20240229000000')")
    const report = await gateOnFixture('sql-dbmate-clean', { mode: 'live', 'live-database-url': db.url })
    expect(report.live?.pending?.map((p) => p.revision)).toEqual(['20240310090000', '20240315160000'])
    // The two versions' schema is still there while their rows are gone: dbmate runs them again, and the
    // prediction on a copy of the live schema says the first fails.
    expect(report.findings.map((f) => f.id).sort()).toEqual([
      'pending-migrations',
      'pending-upgrade-failed',
      'unknown-revision',
    ])
    expect(report.findings.find((f) => f.id === 'pending-upgrade-failed')?.revision).toBe('20240310090000')
    expect(report.findings.find((f) => f.id === 'unknown-revision')?.revision).toBe('20240229000000')
  }, 60_000)

  it('DBMATE_MIGRATIONS_TABLE names the table; tables without it: unversioned-database', async () => {
    const db = await productionAt(server, DBMATE, 'base')
    await sql(db.url, 'CREATE TABLE chats (id bigint)')
    const before = process.env.DBMATE_MIGRATIONS_TABLE
    process.env.DBMATE_MIGRATIONS_TABLE = 'dbmate_versions'
    try {
      const report = await gateOnFixture('sql-dbmate-clean', { mode: 'live', 'live-database-url': db.url })
      expect(report.findings.map((f) => f.id)).toEqual(['unversioned-database'])
      expect(report.findings[0]?.message).toContain('1 table but no version table (dbmate_versions)')
      expect(report.findings[0]?.fix).toContain("INSERT INTO dbmate_versions (version) VALUES ('REVISION')")
    } finally {
      if (before === undefined) delete process.env.DBMATE_MIGRATIONS_TABLE
      else process.env.DBMATE_MIGRATIONS_TABLE = before
    }
  }, 60_000)
})
