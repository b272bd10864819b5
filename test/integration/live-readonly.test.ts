// mode live reads the live database and never writes it, provably: a role with only CONNECT, USAGE
// and SELECT on the version table runs the check; a write slipped into the live connection fails
// (read-only transaction, SQLSTATE 25006); the catalog and every table's rows are the same before and
// after a run; a lock held by another session is one line (busy), exit 2; the password appears
// nowhere the gate writes.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LiveConnection } from '../../src/live/connection.js'
import type { Server } from '../../src/postgres/provider.js'
import { takeSnapshot } from '../../src/schema/snapshot.js'
import { lastLine, runCli } from '../support/cli.js'
import type { GateReport } from '../../src/report.js'
import { FIXTURES, productionAt, sql } from '../support/live.js'
import { pythonWithAlembic } from '../support/python.js'
import { startTestServer } from '../support/server.js'

const CLEAN = join(FIXTURES, 'alembic-clean')
const PASSWORD = 'Ro-only-pw-7Hq2xZ'
const ROLE = `mg_live_reader_${process.pid}`
const scratch = mkdtempSync(join(tmpdir(), 'mg-live-readonly-'))
let server: Server
let db: { name: string; url: string }
/** The live database as the read-only role sees it. */
let readerUrl: string

beforeAll(async () => {
  server = await startTestServer()
  db = await productionAt(server, CLEAN, '2aa223e4e29e')
  // Rows, so that the data comparison compares something.
  await sql(db.url, "INSERT INTO orgs (name) VALUES ('acme'), ('globex')")
  // Exactly the GRANTs the README documents, and nothing PUBLIC would give by default.
  await sql(
    db.url,
    `CREATE ROLE ${ROLE} LOGIN PASSWORD '${PASSWORD}';
     REVOKE ALL ON DATABASE ${db.name} FROM PUBLIC;
     REVOKE ALL ON SCHEMA public FROM PUBLIC;
     GRANT CONNECT ON DATABASE ${db.name} TO ${ROLE};
     GRANT USAGE ON SCHEMA public TO ${ROLE};
     GRANT SELECT ON public.alembic_version TO ${ROLE};`,
  )
  // The same without SELECT on the version table: what a forgotten GRANT looks like.
  await sql(
    db.url,
    `CREATE ROLE ${ROLE}_nosel LOGIN PASSWORD '${PASSWORD}';
     GRANT CONNECT ON DATABASE ${db.name} TO ${ROLE}_nosel;
     GRANT USAGE ON SCHEMA public TO ${ROLE}_nosel;`,
  )
  const u = new URL(db.url)
  u.username = ROLE
  u.password = PASSWORD
  readerUrl = u.toString()
}, 120_000)

afterAll(async () => {
  await server?.stop()
  rmSync(scratch, { recursive: true, force: true })
})

async function python(): Promise<string> {
  return pythonWithAlembic()
}

/** The whole catalog (takeSnapshot) and every table's row count, as the admin sees them. */
async function stateOf(url: string): Promise<{ snapshot: unknown; rows: Record<string, number>; versions: string[] }> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const snapshot = await takeSnapshot(client)
    const tables = await client.query<{ t: string }>(
      "SELECT format('%I.%I', schemaname, tablename) AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
    )
    const rows: Record<string, number> = {}
    for (const { t } of tables.rows) rows[t] = Number((await client.query(`SELECT count(*) AS n FROM ${t}`)).rows[0].n)
    const versions = (await client.query<{ v: string }>('SELECT version_num AS v FROM alembic_version')).rows.map(
      (r) => r.v,
    )
    return { snapshot, rows, versions }
  } finally {
    await client.end()
  }
}

describe('mode live is read only', () => {
  it('a role with only CONNECT, USAGE and SELECT on the version table runs it; catalog and data are unchanged; the password is nowhere', async () => {
    const before = await stateOf(db.url)
    expect(Object.keys(before.rows).length).toBeGreaterThanOrEqual(4)
    expect(before.rows['public.orgs']).toBe(2)
    const report = join(scratch, 'report.json')
    const r = runCli(
      [
        'check',
        CLEAN,
        '--mode',
        'live',
        '--live-database-url-env',
        'PROD_DATABASE_URL',
        '--python',
        await python(),
        '--report-json',
        report,
        // The minimal role may not read the tables pg_dump copies the schema of (next test).
        '--live-predict',
        'false',
      ],
      {
        PROD_DATABASE_URL: readerUrl,
      },
    )
    expect(r.stderr).not.toMatch(/\n\s+at /)
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(
      /live: 127\.0\.0\.1:\d+\/\S+ \(PostgreSQL \d+\.\d+\) is at 2aa223e4e29e \(public\.alembic_version\); the chain's head is bb86aaac9fb9: 3 revisions behind/,
    )
    expect(r.stdout).toContain('pending, in order: 8dca1cf9ca88, e6777887bdf6, bb86aaac9fb9')
    const json = readFileSync(report, 'utf8')
    expect(JSON.parse(json).live).toMatchObject({ revisions: ['2aa223e4e29e'], behind: 3 })
    for (const text of [r.stdout, r.stderr, json]) expect(text).not.toContain(PASSWORD)
    const after = await stateOf(db.url)
    expect(after).toEqual(before)
  }, 180_000)

  it('with the prediction on, the minimal role cannot copy the schema: the gate fails saying which GRANT, not a pass', async () => {
    const before = await stateOf(db.url)
    const report = join(scratch, 'report-predict.json')
    const args = ['check', CLEAN, '--mode', 'live', '--live-database-url-env', 'MIGRATION_GATE_LIVE']
    const r = runCli([...args, '--python', await python(), '--report-json', report], {
      MIGRATION_GATE_LIVE: readerUrl,
    })
    expect(r.code).toBe(1)
    const findings = (JSON.parse(readFileSync(report, 'utf8')) as GateReport).findings
    const unchecked = findings.filter((f) => f.id === 'pending-upgrade-failed')
    expect(unchecked).toHaveLength(1)
    expect(unchecked[0]).toMatchObject({ severity: 'error', revision: '8dca1cf9ca88' })
    expect(unchecked[0]?.message).toMatch(
      /^The 3 pending migrations were not tried on a copy of the live schema: .*permission denied/,
    )
    expect(unchecked[0]?.fix).toMatch(
      /^Grant the live role SELECT on the application's tables .*or turn the prediction off with live-predict: false\.$/,
    )
    for (const text of [r.stdout, r.stderr, readFileSync(report, 'utf8')]) expect(text).not.toContain(PASSWORD)
    expect(await stateOf(db.url)).toEqual(before)
  }, 180_000)

  it('the same with the URL on the command line: the password is in no output', async () => {
    const report = join(scratch, 'report-argv.json')
    const r = runCli([
      'check',
      CLEAN,
      '--mode',
      'live',
      '--live-database-url',
      readerUrl,
      '--python',
      await python(),
      '--report-json',
      report,
      '--verbose',
      '--live-predict',
      'false',
    ])
    expect(r.code).toBe(0)
    for (const text of [r.stdout, r.stderr, readFileSync(report, 'utf8')]) expect(text).not.toContain(PASSWORD)
  }, 180_000)

  it('every query is a READ ONLY transaction with its limits set LOCAL: a write slipped in fails with 25006', async () => {
    const connection = await LiveConnection.open(readerUrl, 'test', 'live-database-url')
    try {
      const [settings] = await connection.query<Record<string, string>>(
        `SELECT current_setting('transaction_read_only') AS ro, current_setting('lock_timeout') AS lock,
                current_setting('statement_timeout') AS statement,
                current_setting('idle_in_transaction_session_timeout') AS idle,
                current_setting('application_name') AS app`,
      )
      expect(settings).toEqual({ ro: 'on', lock: '2s', statement: '15s', idle: '10s', app: 'migration-gate read-only' })
      // Even as a role that may write (the admin), the transaction refuses.
      const admin = await LiveConnection.open(db.url, 'test', 'live-database-url')
      try {
        for (const write of [
          "INSERT INTO alembic_version VALUES ('x')",
          'CREATE TEMP TABLE t (id int)',
          'CREATE TABLE t (id int)',
          "UPDATE alembic_version SET version_num = 'x'",
        ]) {
          await expect(admin.query(write)).rejects.toMatchObject({ code: '25006' })
        }
        // Each query its own transaction: the connection goes on after a failed one.
        expect(await admin.query('SELECT 1 AS one')).toEqual([{ one: 1 }])
        expect(admin.queries).toBe(5)
      } finally {
        await admin.close()
      }
      // Each query opens its own read-only transaction again: the next one is as read only as the first.
      expect(await connection.query("SELECT current_setting('transaction_read_only') AS ro")).toEqual([{ ro: 'on' }])
    } finally {
      await connection.close()
    }
    expect((await stateOf(db.url)).versions).toEqual(['2aa223e4e29e'])
  }, 60_000)

  it('a lock another session holds on the version table: one line saying the database is busy, exit 2', async () => {
    const holder = new pg.Client({ connectionString: db.url })
    await holder.connect()
    try {
      await holder.query('BEGIN')
      await holder.query('LOCK TABLE alembic_version IN ACCESS EXCLUSIVE MODE')
      const r = runCli(['check', CLEAN, '--mode', 'live', '--live-database-url', readerUrl, '--python', await python()])
      expect(r.code).toBe(2)
      expect(lastLine(r.stderr)).toMatch(
        /^migration-gate: live-database-url: the live database 127\.0\.0\.1:\d+\/\S+ is busy: canceling statement due to lock timeout \(lock_timeout 2000 ms: /,
      )
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr + r.stdout).not.toContain(PASSWORD)
    } finally {
      await holder.query('ROLLBACK')
      await holder.end()
    }
  }, 120_000)

  it('a refused connection, a missing database, a wrong password, a missing GRANT: one line each, exit 2', async () => {
    const u = new URL(readerUrl)
    const variants: Array<[string, RegExp]> = [
      [
        `postgresql://${ROLE}:${PASSWORD}@127.0.0.1:1/x`,
        /live-database-url: the live database 127\.0\.0\.1:1\/x refused the connection/,
      ],
      [
        Object.assign(new URL(u), { pathname: '/no_such_db' }).toString(),
        /cannot read the live database .*\/no_such_db: database "no_such_db" does not exist/,
      ],
      [
        Object.assign(new URL(u), { password: 'wrong-password' }).toString(),
        /refused the login: password authentication failed/,
      ],
      [
        Object.assign(new URL(u), { username: `${ROLE}_nosel` }).toString(),
        /refused a read: permission denied for table alembic_version; the role needs CONNECT, USAGE on the schema and SELECT on the version table/,
      ],
    ]
    for (const [url, pattern] of variants) {
      const r = runCli(['check', CLEAN, '--mode', 'live', '--live-database-url', url, '--python', await python()])
      expect(r.code).toBe(2)
      expect(lastLine(r.stderr)).toMatch(pattern)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).not.toContain(PASSWORD)
    }
  }, 180_000)
})
