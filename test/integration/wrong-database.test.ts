// The gate never migrates a database it did not create: an env.py that builds its own URL (another
// variable, a settings file) and so reaches another database is stopped before any step runs.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runGate } from '../../src/gate.js'
import { readConfig } from '../../src/inputs.js'
import { silentLogger } from '../../src/logger.js'
import type { Server } from '../../src/postgres/provider.js'
import { pythonWithAlembic } from '../support/python.js'
import { startTestServer } from '../support/server.js'

let server: Server
let project: string
let otherUrl: string

beforeAll(async () => {
  server = await startTestServer()
  // Stands in for the user's own database (production, a CI service): the test made it, the gate did not.
  otherUrl = (await server.createDatabase()).url
  project = mkdtempSync(join(tmpdir(), 'mg-wrong-db-'))
  cpSync(join(import.meta.dirname, '..', 'fixtures', 'alembic-env-database-url'), project, { recursive: true })
  const envPy = join(project, 'alembic', 'env.py')
  writeFileSync(envPy, readFileSync(envPy, 'utf8').replace('os.environ["DATABASE_URL"]', 'os.environ["OTHER_DB_URL"]'))
})

afterAll(async () => {
  await server?.stop()
  rmSync(project, { recursive: true, force: true })
})

describe('an env.py that connects elsewhere', () => {
  it('stops with one line naming the database, and leaves that database untouched', async () => {
    process.env.OTHER_DB_URL = otherUrl
    try {
      const python = await pythonWithAlembic()
      const config = readConfig((n) => ({ 'working-directory': project, postgres: 'local', python })[n])
      await expect(runGate(config, { logger: silentLogger })).rejects.toThrow(
        /env\.py connected to database 'migration_gate_db_[^']+', not the gate's scratch database/,
      )
    } finally {
      delete process.env.OTHER_DB_URL
    }
    const client = new pg.Client({ connectionString: otherUrl })
    await client.connect()
    const tables = await client.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    await client.end()
    expect(tables.rows).toEqual([])
  })
})
