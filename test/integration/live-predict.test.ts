// mode live's prediction on real PostgreSQL: "production" is a database of a real server migrated by a
// fixture's own migrations (the gate's driver session) up to a revision, its version table shaped as
// the tool keeps it, sometimes changed by hand. predictPendingUpgrade copies its schema with pg_dump
// onto a scratch database of the same server and runs the pending migrations there, up then down,
// through the tool's real session (real Alembic, the native SQL runner). Production is read as the
// live phase reads it (LiveConnection, read only); live-drift's findings, where a test needs them,
// come from the real comparison (ExpectedSchema, liveDriftFindings).
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDriver } from '../../src/drivers/detect.js'
import type { LiveState, MigrationDriver, RevisionNode } from '../../src/drivers/driver.js'
import { readConfig } from '../../src/inputs.js'
import { LiveConnection } from '../../src/live/connection.js'
import { liveDriftFindings } from '../../src/live/drift.js'
import { ExpectedSchema } from '../../src/live/expected-schema.js'
import { liveStanding } from '../../src/live/pending.js'
import { choosePgDump, pgDumpCandidates } from '../../src/live/pg-dump.js'
import { predictPendingUpgrade, type PendingPrediction } from '../../src/live/predict.js'
import { splitLiveUrl } from '../../src/live/url.js'
import { silentLogger } from '../../src/logger.js'
import type { Server } from '../../src/postgres/provider.js'
import type { Finding } from '../../src/report.js'
import { ResourceTracker } from '../../src/resource-tracker.js'
import { takeSnapshot } from '../../src/schema/snapshot.js'
import { waitUntil } from '../support/leftovers.js'
import { FIXTURES, productionAt, sql } from '../support/live.js'
import { pythonWithAlembic } from '../support/python.js'
import { startTestServer } from '../support/server.js'

/** What this file's sessions and pg_dumps are tracked by, as a run's are by its own. */
const resources = new ResourceTracker()

let server: Server
beforeAll(async () => {
  server = await startTestServer()
}, 60_000)
afterAll(async () => {
  await server?.stop()
})

async function driverFor(fixture: string): Promise<MigrationDriver> {
  const inputs: Record<string, string> = {
    'working-directory': join(FIXTURES, fixture),
    python: await pythonWithAlembic(),
  }
  return createDriver(
    readConfig((name) => inputs[name]),
    silentLogger,
  )
}

/** golang-migrate's own table, as golang-migrate leaves it: one row, the latest version, not dirty. */
async function asGolangMigrate(url: string): Promise<void> {
  const [latest] = (await sql(url, 'SELECT max(version::bigint)::text AS v FROM schema_migrations')).rows
  await sql(url, 'DROP TABLE schema_migrations')
  await sql(url, 'CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)')
  await sql(url, 'INSERT INTO schema_migrations VALUES ($1, false)', [latest.v])
}

/** dbmate's own table: every applied version a row, version varchar(128). */
async function asDbmate(url: string): Promise<void> {
  await sql(url, 'ALTER TABLE schema_migrations ALTER COLUMN version TYPE varchar(128)')
}

/** Everything a run could change on the live database: its catalog and every table's row count. */
async function liveFingerprint(url: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const snapshot = await takeSnapshot(client)
    const tables = await client.query<{ t: string }>(
      `SELECT format('%I.%I', schemaname, tablename) AS t FROM pg_tables
        WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
    )
    const counts: Record<string, number> = {}
    for (const { t } of tables.rows) {
      counts[t] = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${t}`)).rows[0]!.n)
    }
    const versions = await client.query('SELECT * FROM schema_migrations').catch(() => null)
    const alembic = await client.query('SELECT * FROM alembic_version').catch(() => null)
    return { snapshot, counts, versions: versions?.rows ?? null, alembic: alembic?.rows ?? null }
  } finally {
    await client.end()
  }
}

/** Sessions on `database` other than the asking one. */
async function sessionsOn(url: string, database: string): Promise<number> {
  const r = await sql(
    url,
    'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
    [database],
  )
  return r.rows[0].n as number
}

/** Where production stands, read as the live phase reads it: through the read-only LiveConnection. */
async function readLive(
  driver: MigrationDriver,
  liveUrl: string,
): Promise<{ state: LiveState; serverVersion: string; pending: RevisionNode[] | null }> {
  const { connect, toolParams } = splitLiveUrl(liveUrl)
  const connection = await LiveConnection.open(connect, 'production', 'live-database-url')
  try {
    const [v] = await connection.query<{ server_version: string }>('SHOW server_version')
    const state = await driver.readLiveState!({ query: connection.query, toolParams })
    return {
      state,
      serverVersion: v!.server_version.split(' ')[0]!,
      pending: liveStanding(await driver.graph(), state).pending,
    }
  } finally {
    await connection.close()
  }
}

/** live-drift's findings for production, by the real comparison (a scratch database built to its revision). */
async function driftOf(driver: MigrationDriver, liveUrl: string, state: LiveState): Promise<Finding[]> {
  const scratch = await server.createDatabase()
  const connection = await LiveConnection.open(splitLiveUrl(liveUrl).connect, 'production', 'live-database-url')
  try {
    const built = await ExpectedSchema.build({
      driver,
      url: scratch.url,
      graph: await driver.graph(),
      // dbmate keeps every applied version: the schema is the latest one's.
      revisions: state.applied === 'each' ? state.revisions.slice(-1) : state.revisions,
      ignore: [],
      stepTimeoutSeconds: 60,
      resources,
    })
    if (!built.ok) throw new Error(built.reason)
    try {
      const drift = await liveDriftFindings({
        live: (text) => connection.query(text),
        versionTables: driver.bookkeepingTables,
        expected: built.schema,
        severity: 'error',
      })
      return drift.findings
    } finally {
      await built.schema.close()
    }
  } finally {
    await connection.close()
    await server.dropDatabase(scratch.name)
  }
}

/**
 * The prediction as the live phase will call it, on a scratch database the test creates and drops;
 * asserts on the way what every run must keep: production unchanged, no session left on either
 * database, no credential on pg_dump's command line.
 */
async function predict(
  fixture: string,
  liveUrl: string,
  withDrift = false,
): Promise<PendingPrediction & { drift: Finding[] }> {
  const driver = await driverFor(fixture)
  const live = await readLive(driver, liveUrl)
  const drift = withDrift ? await driftOf(driver, liveUrl, live.state) : []
  const before = await liveFingerprint(liveUrl)
  const scratch = await server.createDatabase()
  const { connect, toolParams } = splitLiveUrl(liveUrl)
  try {
    const result = await predictPendingUpgrade({
      driver,
      state: live.state,
      pending: live.pending,
      liveUrl: connect,
      toolParams,
      serverVersion: live.serverVersion,
      scratchUrl: scratch.url,
      drift,
      stepTimeoutSeconds: 60,
      resources,
      logger: silentLogger,
    })
    expect(await liveFingerprint(liveUrl)).toEqual(before)
    // Closed by the module, failure or not (a backend leaves pg_stat_activity just after its client).
    const liveName = decodeURIComponent(new URL(liveUrl).pathname.slice(1))
    const left = async () => (await sessionsOn(scratch.url, scratch.name)) + (await sessionsOn(scratch.url, liveName))
    expect(await waitUntil(async () => (await left()) === 0, 10_000), `sessions left: ${await left()}`).toBe(true)
    const password = decodeURIComponent(new URL(liveUrl).password)
    // The test server asks for a password, so pg_dump got one: through its environment.
    expect(password.length).toBeGreaterThan(3)
    if (result.ran) expect(result.dumpArgv).toHaveLength(2)
    for (const argv of result.dumpArgv) {
      expect(argv.join(' ')).not.toContain(password)
      expect(argv.join(' ')).not.toContain(encodeURIComponent(password))
    }
    return { ...result, drift }
  } finally {
    await server.dropDatabase(scratch.name)
  }
}

describe('the prediction on an Alembic production', () => {
  const FIXTURE = 'alembic-live-predict'

  it('a column added by hand that the next pending migration adds: pending-upgrade-failed, explained', async () => {
    const db = await productionAt(server, join(FIXTURES, FIXTURE), '68e1411b5760')
    await sql(db.url, 'ALTER TABLE pdfs ADD COLUMN processing_started_at timestamp')
    const r = await predict(FIXTURE, db.url, true)
    // The column is exactly the one the migration adds: live-drift says the schema is the next revision's.
    expect(r.drift).toHaveLength(1)
    expect(r.drift[0]?.message).toMatch(
      /^The live database is stamped at 68e1411b5760, but its schema is exactly the one the migrations build at c41f0a9e2b7d/,
    )
    expect(r.drift[0]?.details).toEqual([
      'column pdfs.processing_started_at: present in the live database, absent in the migrations',
    ])
    expect(r.ran).toBe(true)
    expect(r.findings).toHaveLength(1)
    const f = r.findings[0]!
    expect(f).toMatchObject({
      id: 'pending-upgrade-failed',
      severity: 'error',
      revision: 'c41f0a9e2b7d',
      file: 'alembic/versions/c41f0a9e2b7d_add_processing_started_at.py',
    })
    expect(f.line).toBeGreaterThan(0)
    expect(f.message).toMatch(/^`alembic upgrade head` would fail on the live database at revision c41f0a9e2b7d/)
    expect(f.message).toContain('column "processing_started_at" of relation "pdfs" already exists')
    expect(f.message).toContain('the live database is left at 68e1411b5760, the migration after it never runs')
    expect(f.message).toContain(
      'column pdfs.processing_started_at already exists in production, added by hand: no migration before this one creates it, and this one creates it again',
    )
    expect(f.fix).toMatch(/^Make production match the migrations/)
    expect(r.applied).toEqual([])
    expect(r.rolledBack).toEqual([])
  }, 120_000)

  it('the same failure without live-drift findings says the error, not a cause', async () => {
    const db = await productionAt(server, join(FIXTURES, FIXTURE), '68e1411b5760')
    await sql(db.url, 'ALTER TABLE pdfs ADD COLUMN processing_started_at timestamp')
    const r = await predict(FIXTURE, db.url)
    expect(r.findings.map((f) => f.id)).toEqual(['pending-upgrade-failed'])
    expect(r.findings[0]?.message).not.toContain('by hand')
  }, 120_000)

  it('a clean production behind head: no finding, every pending revision applied on the copy and rolled back', async () => {
    const db = await productionAt(server, join(FIXTURES, FIXTURE), '68e1411b5760')
    const r = await predict(FIXTURE, db.url, true)
    expect(r.drift).toEqual([])
    expect(r).toMatchObject({ ran: true, findings: [], notes: [] })
    expect(r.applied).toEqual(['c41f0a9e2b7d', 'd93b6e1f8a20'])
    expect(r.rolledBack).toEqual(['d93b6e1f8a20', 'c41f0a9e2b7d'])
    expect(Number.parseInt(r.pgDump!, 10)).toBeGreaterThanOrEqual(15)
  }, 120_000)

  it('a production at head: nothing to predict, no pg_dump run', async () => {
    const db = await productionAt(server, join(FIXTURES, FIXTURE), 'head')
    const r = await predict(FIXTURE, db.url)
    expect(r).toMatchObject({ ran: false, findings: [], notes: [], dumpArgv: [] })
  }, 120_000)
})

describe('the prediction on a golang-migrate production', () => {
  const FIXTURE = 'sql-golang-clean'

  it('a clean production 2 behind head: both versions applied on the copy (its one-row, dirty-flagged version table) and rolled back', async () => {
    const db = await productionAt(server, join(FIXTURES, FIXTURE), '20240112140500')
    await asGolangMigrate(db.url)
    const r = await predict(FIXTURE, db.url, true)
    expect(r.drift).toEqual([])
    expect(r).toMatchObject({ ran: true, findings: [], notes: [] })
    expect(r.applied).toEqual(['20240120081500', '20240201120000'])
    expect(r.rolledBack).toEqual(['20240201120000', '20240120081500'])
  }, 120_000)

  it('an index created by hand that the pending version creates: pending-upgrade-failed, explained', async () => {
    const db = await productionAt(server, join(FIXTURES, FIXTURE), '20240120081500')
    await asGolangMigrate(db.url)
    await sql(db.url, 'CREATE INDEX ix_subscriptions_account_id ON subscriptions (account_id)')
    const r = await predict(FIXTURE, db.url, true)
    expect(r.findings).toHaveLength(1)
    expect(r.findings[0]).toMatchObject({
      id: 'pending-upgrade-failed',
      revision: '20240201120000',
      file: 'migrations/20240201120000_index_subscriptions_account_id.up.sql',
    })
    expect(r.findings[0]?.message).toContain('relation "ix_subscriptions_account_id" already exists')
    expect(r.findings[0]?.message).toContain(
      'index ix_subscriptions_account_id on subscriptions already exists in production, added by hand',
    )
    expect(r.applied).toEqual([])
  }, 120_000)
})

describe('the prediction on a dbmate production', () => {
  const FIXTURE = 'sql-dbmate-clean'

  it('a clean production 2 behind head: both versions applied on the copy and rolled back', async () => {
    const db = await productionAt(server, join(FIXTURES, FIXTURE), '20240302113000')
    await asDbmate(db.url)
    const r = await predict(FIXTURE, db.url, true)
    expect(r.drift).toEqual([])
    expect(r).toMatchObject({ ran: true, findings: [], notes: [] })
    expect(r.applied).toEqual(['20240310090000', '20240315160000'])
    expect(r.rolledBack).toEqual(['20240315160000', '20240310090000'])
  }, 120_000)

  it('a column added by hand that the next version adds: pending-upgrade-failed at its line, explained', async () => {
    const db = await productionAt(server, join(FIXTURES, FIXTURE), '20240302113000')
    await asDbmate(db.url)
    await sql(db.url, 'ALTER TABLE chats ADD COLUMN last_message_at timestamptz')
    const r = await predict(FIXTURE, db.url, true)
    expect(r.findings).toHaveLength(1)
    expect(r.findings[0]).toMatchObject({
      id: 'pending-upgrade-failed',
      revision: '20240310090000',
      file: 'db/migrations/20240310090000_chat_last_message_at.sql',
      line: 2,
    })
    expect(r.findings[0]?.message).toContain(
      'column chats.last_message_at already exists in production, added by hand: no migration before this one creates it, and this one creates it again',
    )
    expect(r.findings[0]?.message).toContain('the migration after it never runs')
  }, 120_000)

  it('a downgrade that fails after the upgrade: pending-rollback-failed at the down block, the deploy itself fine', async () => {
    const FAILS = 'sql-dbmate-downgrade-fails'
    const db = await productionAt(server, join(FIXTURES, FAILS), '20240501090000')
    await asDbmate(db.url)
    const r = await predict(FAILS, db.url)
    expect(r.applied).toEqual(['20240502090000', '20240503090000'])
    expect(r.rolledBack).toEqual(['20240503090000'])
    expect(r.findings).toHaveLength(1)
    expect(r.findings[0]).toMatchObject({
      id: 'pending-rollback-failed',
      severity: 'warning',
      revision: '20240502090000',
      file: 'db/migrations/20240502090000_users_org_id.sql',
      line: 7,
    })
    expect(r.findings[0]?.message).toContain('users_org_fk')
    expect(r.findings[0]?.message).toMatch(/^Rolling the release back fails at revision 20240502090000/)
  }, 120_000)
})

describe('pg_dump for the live server', () => {
  it('none at the live major: the prediction says it was skipped and why, and runs nothing', async () => {
    const db = await productionAt(server, join(FIXTURES, 'sql-dbmate-clean'), '20240302113000')
    const driver = await driverFor('sql-dbmate-clean')
    const live = await readLive(driver, db.url)
    const scratch = await server.createDatabase()
    try {
      const r = await predictPendingUpgrade({
        driver,
        state: live.state,
        pending: live.pending,
        liveUrl: db.url,
        toolParams: new Map(),
        serverVersion: live.serverVersion,
        scratchUrl: scratch.url,
        drift: [],
        stepTimeoutSeconds: 60,
        resources,
        logger: silentLogger,
        pgDumpPaths: [],
      })
      expect(r).toMatchObject({ ran: false, findings: [], applied: [], dumpArgv: [] })
      expect(r.notes).toEqual([
        expect.stringMatching(
          /^the prediction of the pending migrations \(pending-upgrade-failed\) was skipped: no pg_dump of PostgreSQL \d+ or later is installed/,
        ),
      ])
    } finally {
      await server.dropDatabase(scratch.name)
    }
  }, 60_000)

  it('the newest at least the server major; an older one is named as refused', () => {
    const installed = pgDumpCandidates()
    const chosen = choosePgDump(15, installed)
    expect('binary' in chosen && chosen.binary.major).toBeGreaterThanOrEqual(15)
    const newer = choosePgDump(99, installed)
    expect('reason' in newer && newer.reason).toMatch(
      /^no pg_dump of PostgreSQL 99 or later is installed \(the live server is 99; found pg_dump \d+\.\d+.*, which refuses a newer server\)/,
    )
  })
})
