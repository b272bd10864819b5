// The gate's own clusters accept what a default PostgreSQL accepts. They run with fewer connections
// (40), and the shared lock table is sized by connections x max_locks_per_transaction: at the default
// 64 a migration creating 10,000 tables in one transaction failed with "out of shared memory" where
// a default server (100 connections) runs it.
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { localProvider } from '../../src/postgres/local.js'
import { ResourceTracker } from '../../src/resource-tracker.js'

/** What this file's servers and processes are tracked by, as a run's are by its own. */
const resources = new ResourceTracker()

describe('the lock table of the local cluster', () => {
  it('takes 10,000 tables created in one transaction, as a default server does', async () => {
    const server = await localProvider({ resources }).start()
    try {
      const db = await server.createDatabase()
      const client = new pg.Client({ connectionString: db.url })
      await client.connect()
      try {
        // One simple query: one implicit transaction, as golang-migrate sends a file.
        const sql = Array.from({ length: 10_000 }, (_, i) => `CREATE TABLE t${i} (id int);`).join('\n')
        await client.query(sql)
        const { rows } = await client.query<{ n: string }>(
          "SELECT count(*) AS n FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace",
        )
        expect(Number(rows[0]?.n)).toBe(10_000)
      } finally {
        await client.end()
      }
    } finally {
      await server.stop()
    }
  })
})
