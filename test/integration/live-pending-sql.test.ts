// mode live: the SQL each pending migration will run, told without touching the live database beyond
// reading where it stands: Alembic's offline mode per pending revision (real Alembic, real env.py),
// a golang-migrate project's up files; an env.py that cannot run offline is a note per revision.
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Server } from '../../src/postgres/provider.js'
import { shownSql, PENDING_SQL_LIMIT } from '../../src/live/pending-sql.js'
import { FIXTURES, productionAt } from '../support/live.js'
import { checkPending, golangMigrateAt } from '../support/live-pending.js'
import { startTestServer } from '../support/server.js'

let server: Server
beforeAll(async () => {
  server = await startTestServer()
}, 60_000)
afterAll(async () => {
  await server?.stop()
})

describe('the SQL of each pending migration', () => {
  it('Alembic, stamped behind head: offline SQL per pending revision, each from the one before', async () => {
    const db = await productionAt(server, join(FIXTURES, 'alembic-clean'), '2408316dc6a3')
    const { sql } = await checkPending(join(FIXTURES, 'alembic-clean'), db.url)
    expect(sql.notes).toEqual([])
    const byRevision = Object.fromEntries(sql.revisions.map((r) => [r.revision, r.sql ?? '']))
    expect(Object.keys(byRevision)).toEqual(['2aa223e4e29e', '8dca1cf9ca88', 'e6777887bdf6', 'bb86aaac9fb9'])
    expect(byRevision['2aa223e4e29e']).toMatch(/ALTER TABLE chats ADD COLUMN last_message_at/)
    // From the live revision, not from base: no version table is created, the row is moved on.
    expect(byRevision['2aa223e4e29e']).not.toMatch(/CREATE TABLE alembic_version/)
    expect(byRevision['2aa223e4e29e']).toMatch(
      /UPDATE alembic_version SET version_num='2aa223e4e29e' WHERE alembic_version.version_num = '2408316dc6a3'/,
    )
    expect(byRevision['8dca1cf9ca88']).toMatch(/CREATE TYPE pdf_status AS ENUM/)
    expect(byRevision['8dca1cf9ca88']).toMatch(/CREATE TABLE pdfs/)
    expect(byRevision['e6777887bdf6']).toMatch(/INSERT INTO plans/)
    expect(byRevision['bb86aaac9fb9']).toMatch(/ALTER TABLE orgs ALTER COLUMN plan_id SET NOT NULL/)
    // Each revision's SQL is its own: the enum of 8dca1cf9ca88 is not in the next one's.
    expect(byRevision['e6777887bdf6']).not.toMatch(/pdf_status/)
    expect(sql.revisions[0]).toMatchObject({ file: 'alembic/versions/2aa223e4e29e_add_last_message_at_to_chats.py' })
  }, 120_000)

  it('golang-migrate: the up files of the pending versions', async () => {
    const dir = join(FIXTURES, 'sql-golang-data-risks')
    const db = await golangMigrateAt(server, dir, 2)
    const { sql } = await checkPending(dir, db.url)
    expect(sql.notes).toEqual([])
    expect(sql.revisions.map((r) => [r.revision, r.sql?.trim()])).toEqual([
      ['3', 'CREATE UNIQUE INDEX users_nickname_key ON users (nickname);'],
      ['4', 'ALTER TABLE users ALTER COLUMN code TYPE integer USING code::integer;'],
    ])
  }, 120_000)

  it('an env.py that refuses offline mode: a note per revision, never a failure', async () => {
    const dir = join(FIXTURES, 'alembic-online-only')
    const db = await productionAt(server, dir, 'e6777887bdf6')
    const { sql } = await checkPending(dir, db.url)
    expect(sql.revisions.map((r) => [r.revision, r.sql])).toEqual([['bb86aaac9fb9', undefined]])
    expect(sql.notes).toEqual([
      'bb86aaac9fb9: offline SQL unavailable: RuntimeError: this project runs its migrations online only',
    ])
  }, 120_000)

  it('an env.py that writes SQL for SQLite offline: a note, not SQL PostgreSQL will not run', async () => {
    const dir = join(FIXTURES, 'alembic-env-sqlite-fallback')
    const db = await productionAt(server, dir, 'base')
    const { sql } = await checkPending(dir, db.url)
    expect(sql.revisions.length).toBeGreaterThan(0)
    expect(sql.revisions.every((r) => r.sql === undefined)).toBe(true)
    expect(sql.notes[0]).toMatch(/: offline SQL unavailable: env.py offline writes SQL for sqlite, not PostgreSQL$/)
  }, 120_000)

  it('the report carries a bounded text, both ends kept', () => {
    const long = `ALTER TABLE a ADD COLUMN b int;\n${'INSERT INTO a VALUES (1);\n'.repeat(2000)}COMMIT;`
    const shown = shownSql(long)
    expect(Array.from(shown).length).toBeLessThanOrEqual(PENDING_SQL_LIMIT)
    expect(shown.startsWith('ALTER TABLE a ADD COLUMN b int;')).toBe(true)
    expect(shown.endsWith('COMMIT;')).toBe(true)
    expect(shown).toMatch(/characters left out/)
  })
})
