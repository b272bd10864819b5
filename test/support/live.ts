// A database that plays production for the mode live tests: a database the test creates on a real
// server (test/support/server.ts), migrated by the gate's own driver (real Alembic, or the SQL files
// run natively) up to a revision, or shaped by hand (a stamp, a dirty flag, tables without a version
// table). The live checks then only read it.
import { join } from 'node:path'
import pg from 'pg'
import { topologicalOrder } from '../../src/checks/topo.js'
import { createDriver } from '../../src/drivers/detect.js'
import { readConfig } from '../../src/inputs.js'
import { silentLogger } from '../../src/logger.js'
import type { Server } from '../../src/postgres/provider.js'
import { ResourceTracker } from '../../src/resource-tracker.js'
import { pythonWithAlembic } from './python.js'

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures')

/**
 * A new database on `server`, with the project's migrations applied up to `target` (inclusive;
 * 'base': none), after `setup` SQL (a schema env.py's version table goes in).
 */
export async function productionAt(
  server: Server,
  projectDir: string,
  target: string | 'head' | 'base',
  setup?: string,
): Promise<{ name: string; url: string }> {
  const db = await server.createDatabase()
  if (setup) await sql(db.url, setup)
  if (target === 'base') return db
  const python = await pythonWithAlembic()
  const inputs: Record<string, string> = { 'working-directory': projectDir, python }
  const driver = createDriver(
    readConfig((name) => inputs[name]),
    silentLogger,
  )
  const order = topologicalOrder(await driver.graph())
  const upTo = target === 'head' ? order.length : order.indexOf(target) + 1
  if (upTo === 0) throw new Error(`${target} is not a revision of ${projectDir}`)
  const session = await driver.open(db.url, { stepTimeoutSeconds: 60, resources: new ResourceTracker() })
  try {
    for (const revision of order.slice(0, upTo)) {
      const step = await session.upgrade(revision)
      if (!step.ok) throw new Error(`upgrade ${revision} failed: ${step.error?.message}`)
    }
  } finally {
    await session.close()
  }
  return db
}

/** Runs SQL on a database as the server's admin (the test's own setup, never the gate's). */
export async function sql(url: string, text: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await client.query(text, params)
  } finally {
    await client.end()
  }
}
