// The SQL session on a real PostgreSQL, without the gate around it: transactions as each tool makes
// them, CREATE INDEX CONCURRENTLY in and out of them, the step timeout cancelling the statement on
// the server, bookkeeping, and the file:line of errors.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MigrationSession } from '../../src/drivers/driver.js'
import { SqlDriver } from '../../src/drivers/sql/driver.js'
import { findSqlDirectory } from '../../src/drivers/sql/files.js'
import { silentLogger } from '../../src/logger.js'
import type { Server } from '../../src/postgres/provider.js'
import { startTestServer } from '../support/server.js'
import { ResourceTracker } from '../../src/resource-tracker.js'

/** What this file's servers and processes are tracked by, as a run's are by its own. */
const resources = new ResourceTracker()

const scratch = mkdtempSync(path.join(tmpdir(), 'mg-sql-session-'))
let server: Server
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server?.stop()
  rmSync(scratch, { recursive: true, force: true })
})

/** A project with the given migration files, and a session on a fresh database. */
async function open(
  files: Record<string, string>,
  stepTimeoutSeconds = 30,
): Promise<{ session: MigrationSession; url: string; driver: SqlDriver }> {
  const dir = mkdtempSync(path.join(scratch, 'p-'))
  mkdirSync(path.join(dir, 'migrations'))
  for (const [name, body] of Object.entries(files)) writeFileSync(path.join(dir, 'migrations', name), body)
  const location = findSqlDirectory(dir)
  if (!location) throw new Error('no migrations detected')
  const driver = new SqlDriver({
    projectDir: dir,
    location,
    irreversible: { severity: 'warning', allow: new Map() },
    logger: silentLogger,
  })
  const db = await server.createDatabase()
  return { session: await driver.open(db.url, { stepTimeoutSeconds, resources }), url: db.url, driver }
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<T>(sql)).rows
  } finally {
    await client.end()
  }
}

const relations = (url: string) =>
  query<{ relname: string }>(url, "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace").then(
    (rows) => rows.map((r) => r.relname).sort(),
  )

describe('dbmate blocks', () => {
  it('runs a transaction:false block outside a transaction, where CREATE INDEX CONCURRENTLY works', async () => {
    const { session, url } = await open({
      '1_t.sql': '-- migrate:up\nCREATE TABLE t (a int);\n-- migrate:down\nDROP TABLE t;\n',
      '2_ix.sql':
        '-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY ix_t_a ON t (a);\n-- migrate:down transaction:false\nDROP INDEX CONCURRENTLY ix_t_a;\n',
    })
    expect((await session.upgrade('1')).ok).toBe(true)
    const up = await session.upgrade('2')
    expect(up).toMatchObject({ ok: true, statements: 1 })
    expect(await relations(url)).toContain('ix_t_a')
    expect(await session.current()).toEqual(['2'])
    expect((await session.downgrade('2')).ok).toBe(true)
    expect(await relations(url)).not.toContain('ix_t_a')
    expect(await session.current()).toEqual(['1'])
    await session.close()
  })

  it('runs a block without the option in a transaction: CREATE INDEX CONCURRENTLY fails there, at its line', async () => {
    const { session, url } = await open({
      '1_t.sql': '-- migrate:up\nCREATE TABLE t (a int);\n-- migrate:down\nDROP TABLE t;\n',
      '2_ix.sql':
        '-- migrate:up\nCREATE TABLE u (b int);\n\nCREATE INDEX CONCURRENTLY ix_t_a ON t (a);\n-- migrate:down\nDROP INDEX ix_t_a;\n',
    })
    await session.upgrade('1')
    const up = await session.upgrade('2')
    expect(up.ok).toBe(false)
    expect(up.error).toMatchObject({
      message: 'CREATE INDEX CONCURRENTLY cannot run inside a transaction block',
      file: 'migrations/2_ix.sql',
      line: 4,
      kind: 'error',
    })
    // The whole block rolled back, and the session is usable.
    expect(await relations(url)).not.toContain('u')
    expect(await session.current()).toEqual(['1'])
    await session.close()
  })

  it('says when earlier blocks of a file stayed applied', async () => {
    const { session, url } = await open({
      '1_x.sql':
        '-- migrate:up\nCREATE TABLE a ();\n-- migrate:down\nDROP TABLE a;\n-- migrate:up\nSELECT nope;\n-- migrate:down\n',
    })
    const up = await session.upgrade('1')
    expect(up.error?.message).toMatch(/column "nope" does not exist \(the block before it stayed applied/)
    expect(up.error?.line).toBe(6)
    expect(await relations(url)).toContain('a')
    await session.close()
  })

  it('runs an empty down block as dbmate does: nothing sent, the version goes (the replay judges it)', async () => {
    const { session, url } = await open({ '1_t.sql': '-- migrate:up\nCREATE TABLE t ();\n-- migrate:down\n' })
    await session.upgrade('1')
    const down = await session.downgrade('1')
    expect(down).toMatchObject({ ok: true, statements: 0 })
    expect(await session.current()).toEqual([])
    expect(await relations(url)).toContain('t') // what the up made stays: the stairway calls that irreversible
    await session.close()
  })
})

describe('golang-migrate files', () => {
  it('reports a missing down file as not implemented, without touching the database', async () => {
    const { session, url } = await open({ '1_t.up.sql': 'CREATE TABLE t ();' })
    await session.upgrade('1')
    const down = await session.downgrade('1')
    expect(down.error).toMatchObject({ kind: 'not-implemented', file: 'migrations/1_t.up.sql' })
    expect(await session.current()).toEqual(['1'])
    expect(await relations(url)).toContain('t')
    await session.close()
  })

  it('sends a file as it is: one implicit transaction, so CONCURRENTLY beside another statement fails', async () => {
    const { session, url } = await open({
      '1_t.up.sql': 'CREATE TABLE t (a int);',
      '1_t.down.sql': 'DROP TABLE t;',
      '2_ix.up.sql': 'CREATE TABLE u (b int);\nCREATE INDEX CONCURRENTLY ix_t_a ON t (a);\n',
      '2_ix.down.sql': 'DROP INDEX ix_t_a; DROP TABLE u;',
    })
    await session.upgrade('1')
    const up = await session.upgrade('2')
    expect(up.error).toMatchObject({ file: 'migrations/2_ix.up.sql', line: 2 })
    expect(up.error?.message).toMatch(/cannot run inside a transaction block/)
    expect(await relations(url)).not.toContain('u')
    await session.close()
  })

  it('keeps the versions in schema_migrations, which the driver leaves out of snapshots', async () => {
    const { session, url, driver } = await open({
      '1_t.up.sql': 'CREATE TABLE t (a int);',
      '1_t.down.sql': 'DROP TABLE t;',
    })
    expect(driver.bookkeepingTables).toEqual(['public.schema_migrations'])
    expect(await session.current()).toEqual([])
    await session.upgrade('1')
    expect(await query(url, 'SELECT version FROM public.schema_migrations')).toEqual([{ version: '1' }])
    await session.close()
  })

  it("goes on from golang-migrate's own table (one row, dirty NOT NULL), as on mode live's copy of production", async () => {
    const {
      session: first,
      url,
      driver,
    } = await open({
      '1_t.up.sql': 'CREATE TABLE t (a int);',
      '1_t.down.sql': 'DROP TABLE t;',
      '2_u.up.sql': 'CREATE TABLE u (a int);',
      '2_u.down.sql': 'DROP TABLE u;',
    })
    expect((await first.upgrade('1')).ok).toBe(true)
    await first.close()
    await query(
      url,
      `DROP TABLE schema_migrations;
       CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
       INSERT INTO schema_migrations VALUES (1, false)`,
    )
    const session = await driver.open(url, { stepTimeoutSeconds: 30, resources })
    expect(await session.current()).toEqual(['1'])
    expect(await session.upgrade('2')).toMatchObject({ ok: true })
    expect(await session.current()).toEqual(['2'])
    expect(await query(url, 'SELECT version::text, dirty FROM schema_migrations ORDER BY 1')).toEqual([
      { version: '1', dirty: false },
      { version: '2', dirty: false },
    ])
    expect(await session.downgrade('2')).toMatchObject({ ok: true })
    expect(await session.current()).toEqual(['1'])
    await session.close()
  })
})

describe('step timeout', () => {
  it('cancels the statement on the server, rolls the block back, and the session goes on', async () => {
    const { session, url } = await open(
      {
        '1_t.sql': '-- migrate:up\nCREATE TABLE t ();\n-- migrate:down\nDROP TABLE t;\n',
        '2_hang.sql':
          '-- migrate:up\nCREATE TABLE half ();\nSELECT pg_sleep(3600);\n-- migrate:down\nDROP TABLE half;\n',
        '3_u.sql': '-- migrate:up\nCREATE TABLE u ();\n-- migrate:down\nDROP TABLE u;\n',
      },
      1,
    )
    await session.upgrade('1')
    const t0 = performance.now()
    const hung = await session.upgrade('2')
    expect(performance.now() - t0).toBeLessThan(10_000)
    expect(hung.ok).toBe(false)
    expect(hung.error).toMatchObject({ kind: 'timeout', file: 'migrations/2_hang.sql' })
    const sleeping = await query(
      url,
      "SELECT pid FROM pg_stat_activity WHERE query LIKE '%pg_sleep(3600)%' AND pid <> pg_backend_pid()",
    )
    expect(sleeping).toEqual([])
    expect(await relations(url)).not.toContain('half')
    expect((await session.upgrade('3')).ok).toBe(true)
    expect(await relations(url)).toContain('u')
    await session.close()
  })
})
