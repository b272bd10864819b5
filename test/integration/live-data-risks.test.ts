// mode live, data risks from statistics: a production database (a real PostgreSQL) at version 1 of a
// golang-migrate project whose pending versions set NOT NULL (2), build a unique index (3) and change
// a type (4), with rows shaped per case and ANALYZE run (or not). pendingDataRisks reads pg_stats and
// reltuples through a read-only LiveConnection: NULLs, duplicates and values that will not cast are
// one pending-data-risk each, with the estimate; clean rows none; no statistics a note. The database
// is the same before and after (catalog and rows).
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Server } from '../../src/postgres/provider.js'
import { pendingDataRisks } from '../../src/live/data-risks.js'
import { LiveConnection } from '../../src/live/connection.js'
import { FIXTURES, productionAt, sql } from '../support/live.js'
import { checkPending, golangMigrateAt, liveState } from '../support/live-pending.js'
import { startTestServer } from '../support/server.js'

const DIR = join(FIXTURES, 'sql-golang-data-risks')
let server: Server
beforeAll(async () => {
  server = await startTestServer()
}, 60_000)
afterAll(async () => {
  await server?.stop()
})

/**
 * Production at version 1 with 1000 users: `email(i)`, `nickname(i)` and `code(i)` give row i's
 * values (null for NULL); ANALYZE unless told not to (autovacuum off, so no statistics appear on their own).
 */
async function production(
  rows: { email: (i: number) => string | null; nickname: (i: number) => string; code: (i: number) => string },
  analyze = true,
): Promise<string> {
  const db = await golangMigrateAt(server, DIR, 1)
  await sql(db.url, 'ALTER TABLE users SET (autovacuum_enabled = false)')
  const ids = Array.from({ length: 1000 }, (_, i) => i)
  await sql(db.url, 'INSERT INTO users SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[])', [
    ids,
    ids.map(rows.email),
    ids.map(rows.nickname),
    ids.map(rows.code),
  ])
  if (analyze) await sql(db.url, 'ANALYZE users')
  return db.url
}

const clean = {
  email: (i: number) => `u${i}@example.com`,
  nickname: (i: number) => `nick${i}`,
  code: (i: number) => String(i),
}

/** The check, with proof that the live database is the same before and after it. */
async function check(url: string) {
  const before = await liveState(url)
  const result = await checkPending(DIR, url)
  expect(await liveState(url)).toEqual(before)
  expect(result.sql.revisions.map((r) => r.revision)).toEqual(['2', '3', '4'])
  return result
}

describe('pending-data-risk from the live statistics', () => {
  it('SET NOT NULL over a column holding NULLs: exactly one, naming the estimate', async () => {
    const url = await production({ ...clean, email: (i) => (i % 4 === 0 ? null : `u${i}@example.com`) })
    const { risks } = await check(url)
    expect(risks.notes).toEqual([])
    expect(risks.findings.map((f) => [f.id, f.severity, f.revision, f.file])).toEqual([
      ['pending-data-risk', 'warning', '2', 'migrations/2_email_not_null.up.sql'],
    ])
    const message = risks.findings[0]!.message
    expect(message).toContain('`ALTER TABLE users ALTER COLUMN email SET NOT NULL` will fail on the live database')
    // 250 of 1000 rows are NULL; ANALYZE samples them all at this size.
    expect(message).toContain('about 250 of its ~1,000 rows (25.0%) hold NULL in users.email')
    expect(message).toContain('an estimate from the planner statistics (pg_stats, as of the last ANALYZE), not a count')
    expect(risks.findings[0]!.fix).toContain('UPDATE users SET email = ... WHERE email IS NULL')
  }, 120_000)

  it('a unique index over duplicates: exactly one', async () => {
    const url = await production({ ...clean, nickname: (i) => `nick${i % 500}` })
    const { risks } = await check(url)
    expect(risks.notes).toEqual([])
    expect(risks.findings.map((f) => [f.id, f.revision])).toEqual([['pending-data-risk', '3']])
    expect(risks.findings[0]!.message).toContain(
      '`CREATE UNIQUE INDEX users_nickname_key ON users (nickname)` will fail on the live database: about 500 of the ~1,000 non-NULL rows of users.nickname repeat a value (~500 distinct values',
    )
    expect(risks.findings[0]!.message).toContain('not a count')
  }, 120_000)

  it('a type change over values that will not cast: exactly one, naming them', async () => {
    const url = await production({ ...clean, code: (i) => (i % 10 === 0 ? 'n/a' : String(i)) })
    const { risks } = await check(url)
    expect(risks.notes).toEqual([])
    expect(risks.findings.map((f) => [f.id, f.revision])).toEqual([['pending-data-risk', '4']])
    expect(risks.findings[0]!.message).toContain(
      "about 100 of its ~1,000 rows (10.0%) hold values of users.code that do not convert to integer, such as 'n/a'",
    )
  }, 120_000)

  it('clean columns: none, and no note', async () => {
    const url = await production(clean)
    const { risks, riskQueries } = await check(url)
    expect(risks).toEqual({ findings: [], notes: [] })
    // The table's statistics once for the three statements, and one cast of all the sampled codes.
    expect(riskQueries).toBe(2)
  }, 120_000)

  it('no statistics (never analyzed): a note for each column, not a pass', async () => {
    const url = await production({ ...clean, email: () => null }, false)
    const { risks } = await check(url)
    expect(risks.findings).toEqual([])
    expect(risks.notes).toEqual([
      'no statistics for users.email: run ANALYZE or accept the risk (`ALTER TABLE users ALTER COLUMN email SET NOT NULL` in 2)',
      'no statistics for users.nickname: run ANALYZE or accept the risk (`CREATE UNIQUE INDEX users_nickname_key ON users (nickname)` in 3)',
      'no statistics for users.code: run ANALYZE or accept the risk (`ALTER TABLE users ALTER COLUMN code TYPE integer USING code::integer` in 4)',
    ])
  }, 120_000)

  it('NULLs filled by an UPDATE before SET NOT NULL: a note, not a warning', async () => {
    const db = await productionAt(server, DIR, 'base')
    await sql(
      db.url,
      'CREATE TABLE users (id int PRIMARY KEY, email text); INSERT INTO users SELECT i, NULL FROM generate_series(1, 100) i; ANALYZE users',
    )
    const connection = await LiveConnection.open(db.url, 'production', 'live-database-url')
    try {
      const risks = await pendingDataRisks(
        [
          {
            revision: 'abc',
            file: 'versions/abc.py',
            line: 3,
            sql: "UPDATE users SET email = 'unknown' WHERE email IS NULL;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;",
          },
        ],
        connection.query,
      )
      expect(risks.findings).toEqual([])
      expect(risks.notes).toHaveLength(1)
      expect(risks.notes[0]).toContain('hold NULL in users.email')
      expect(risks.notes[0]).toContain(
        "A preceding UPDATE (`UPDATE users SET email = 'unknown' WHERE email IS NULL` in abc) may fix them first",
      )
    } finally {
      await connection.close()
    }
  }, 120_000)

  it('ADD COLUMN ... NOT NULL without a default on a table with rows: one; with a default: none', async () => {
    const url = await production(clean)
    const connection = await LiveConnection.open(url, 'production', 'live-database-url')
    try {
      const risks = await pendingDataRisks(
        [
          { revision: 'a', file: 'a.sql', line: 1, sql: 'ALTER TABLE users ADD COLUMN tier text NOT NULL;' },
          {
            revision: 'b',
            file: 'b.sql',
            line: 1,
            sql: "ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free';",
          },
          {
            revision: 'c',
            file: 'c.sql',
            line: 1,
            sql: 'CREATE TABLE teams (id int); ALTER TABLE teams ADD COLUMN name text NOT NULL;',
          },
        ],
        connection.query,
      )
      expect(risks.notes).toEqual([])
      expect(risks.findings.map((f) => [f.id, f.revision])).toEqual([['pending-data-risk', 'a']])
      expect(risks.findings[0]!.message).toContain('users has about 1,000 rows')
    } finally {
      await connection.close()
    }
  }, 120_000)
})
