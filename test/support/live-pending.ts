// What the live phase does for the pending migrations, called directly: where the live database
// stands (the driver's readLiveState through a read-only LiveConnection), the SQL each pending
// migration will run (readPendingSql), and the data risks the live statistics show
// (pendingDataRisks). Also the live database's whole state, to prove the reads changed nothing.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import type { Server } from '../../src/postgres/provider.js'
import { liveStanding } from '../../src/live/pending.js'
import { createDriver } from '../../src/drivers/detect.js'
import { readConfig } from '../../src/inputs.js'
import { LiveConnection } from '../../src/live/connection.js'
import { pendingDataRisks, type DataRisks } from '../../src/live/data-risks.js'
import { readPendingSql, type PendingSqlResult } from '../../src/live/pending-sql.js'
import { silentLogger } from '../../src/logger.js'
import { ResourceTracker } from '../../src/resource-tracker.js'
import { takeSnapshot } from '../../src/schema/snapshot.js'
import { sql as run } from './live.js'
import { pythonWithAlembic } from './python.js'

export interface PendingCheck {
  sql: PendingSqlResult
  risks: DataRisks
  /** Queries pendingDataRisks ran through the LiveConnection (each a READ ONLY transaction). */
  riskQueries: number
}

/** The pending SQL of `projectDir`'s migrations on the live database at `url`, and their data risks. */
export async function checkPending(
  projectDir: string,
  url: string,
  more: Record<string, string> = {},
): Promise<PendingCheck> {
  const inputs: Record<string, string> = { 'working-directory': projectDir, python: await pythonWithAlembic(), ...more }
  const driver = createDriver(
    readConfig((name) => inputs[name]),
    silentLogger,
  )
  const graph = await driver.graph()
  const connection = await LiveConnection.open(url, 'production', 'live-database-url')
  const resources = new ResourceTracker()
  try {
    const state = await driver.readLiveState!({ query: connection.query, toolParams: new Map() })
    const pending = liveStanding(graph, state).pending
    if (!pending) throw new Error(`the live database is at a revision ${projectDir} does not have`)
    const sql = await readPendingSql(driver, pending, { timeoutSeconds: 60, resources })
    const before = connection.queries
    const risks = await pendingDataRisks(sql.revisions, connection.query)
    return { sql, risks, riskQueries: connection.queries - before }
  } finally {
    await connection.close()
    await resources.cleanupAll()
  }
}

/** The whole catalog (takeSnapshot) and every table's rows, as the admin sees them. */
export async function liveState(url: string): Promise<{ snapshot: unknown; rows: Record<string, unknown[]> }> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const snapshot = await takeSnapshot(client)
    const tables = await client.query<{ t: string }>(
      "SELECT format('%I.%I', schemaname, tablename) AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
    )
    const rows: Record<string, unknown[]> = {}
    for (const { t } of tables.rows) rows[t] = (await client.query(`SELECT * FROM ${t} ORDER BY 1`)).rows
    return { snapshot, rows }
  } finally {
    await client.end()
  }
}

/**
 * A new database on `server` as golang-migrate leaves it at `version`: the up files of
 * `projectDir`/migrations up to it run in order, and its version table (version, dirty) says so.
 */
export async function golangMigrateAt(
  server: Server,
  projectDir: string,
  version: number,
): Promise<{ name: string; url: string }> {
  const db = await server.createDatabase()
  const dir = join(projectDir, 'migrations')
  const ups = readdirSync(dir)
    .filter((f) => f.endsWith('.up.sql'))
    .map((f) => [Number(f.split('_')[0]), f] as const)
    .filter(([v]) => v <= version)
    .sort((a, b) => a[0] - b[0])
  for (const [, file] of ups) await run(db.url, readFileSync(join(dir, file), 'utf8'))
  await run(db.url, 'CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)')
  await run(db.url, 'INSERT INTO schema_migrations VALUES ($1, false)', [version])
  return db
}
