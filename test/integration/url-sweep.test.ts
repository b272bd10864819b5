// A CLI run killed with SIGKILL on a `postgres: url` server cannot drop its scratch database (no
// signal handler runs, the CLI keeps no ledger). The next run against the same server removes it,
// because its run is provably gone: nobody holds that run's advisory lock any more. A database of a
// run that is still alive (its lock held), or one whose name carries no run id, is left alone.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { localProvider } from '../../src/postgres/local.js'
import type { Server } from '../../src/postgres/provider.js'
import { runLockKeys } from '../../src/postgres/run-lock.js'
import { gateDatabasesOn, waitUntil, type Spawned } from '../support/leftovers.js'
import { FIXTURES } from '../support/run-gate.js'
import { ResourceTracker } from '../../src/resource-tracker.js'

/** What this file's servers and processes are tracked by, as a run's are by its own. */
const resources = new ResourceTracker()

const ROOT = join(import.meta.dirname, '..', '..')
let host: Server
let adminUrl: string
const children: Spawned[] = []

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<T>(sql, params)).rows
  } finally {
    await client.end()
  }
}

/** The CLI in its own node process (no npx or shell in between: SIGKILL reaches the gate itself). */
function cli(fixture: string, extra: string[] = []): Spawned {
  const args = ['--import', 'tsx', 'src/cli.ts', 'check', join(FIXTURES, fixture), '--postgres', 'url']
  const child = spawn(process.execPath, [...args, '--database-url', adminUrl, ...extra], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  const spawned = { child, exited, stdout: () => out, stderr: () => err }
  children.push(spawned)
  return spawned
}

async function gateRolesOn(url: string): Promise<string[]> {
  const rows = await query<{ rolname: string }>(
    url,
    "SELECT rolname FROM pg_roles WHERE rolname LIKE 'migration\\_gate\\_%' ORDER BY 1",
  )
  return rows.map((r) => r.rolname)
}

/** The scratch database whose backend sits in pg_sleep: the killed run's migration is mid-step. */
async function sleepingScratchDatabase(): Promise<string | undefined> {
  const rows = await query<{ datname: string }>(
    adminUrl,
    "SELECT datname FROM pg_stat_activity WHERE query LIKE '%pg_sleep(3600)%' AND datname LIKE 'migration\\_gate\\_%'",
  )
  return rows[0]?.datname
}

beforeAll(async () => {
  host = await localProvider({ resources }).start()
  adminUrl = host.urlFor('postgres')
})

afterAll(async () => {
  for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL')
  await Promise.all(children.map((c) => c.exited))
  await host?.stop()
})

describe('scratch databases of a killed CLI run', () => {
  it('are removed by the next run; a live run and names without a run id are left alone', async () => {
    // Runs that are still alive elsewhere: their databases exist and their locks are held, one in
    // the admin database the sweep connects to, one in another (a run given another database-url).
    await query(adminUrl, 'CREATE DATABASE other_admin')
    const liveRuns = ['4242_0badc0de', '4343_0badf00d'] as const
    const liveDbs = liveRuns.map((run) => `migration_gate_db_${run}_1`)
    const holders: pg.Client[] = []
    for (const [run, lockedIn] of [
      [liveRuns[0], adminUrl],
      [liveRuns[1], host.urlFor('other_admin')],
    ] as const) {
      await query(adminUrl, `CREATE DATABASE migration_gate_db_${run}_1`)
      const holder = new pg.Client({ connectionString: lockedIn })
      holders.push(holder)
      await holder.connect()
      await holder.query('SELECT pg_advisory_lock($1, $2)', runLockKeys(run))
    }
    // Named like the gate's, but without a parsable run id: never the sweep's to drop.
    await query(adminUrl, 'CREATE DATABASE migration_gate_db_handmade')
    try {
      const killed = cli('sql-golang-hang', ['--step-timeout', '3600'])
      let sleeping: string | undefined
      const found = await waitUntil(async () => {
        sleeping = await sleepingScratchDatabase()
        return sleeping !== undefined || killed.child.exitCode !== null
      }, 60_000)
      expect(found, killed.stderr()).toBe(true)
      expect(sleeping).toMatch(/^migration_gate_db_\d+_[0-9a-f]{8}_\d+$/)
      killed.child.kill('SIGKILL')
      expect(await killed.exited).toEqual({ code: null, signal: 'SIGKILL' })
      // Nothing cleaned up after the kill: the scratch database (and the run's role) stay.
      expect(await gateDatabasesOn(adminUrl)).toContain(sleeping)
      const roles = await gateRolesOn(adminUrl)
      expect(roles).toHaveLength(1)

      const next = cli('sql-golang-clean')
      const { code } = await next.exited
      expect(code, next.stderr()).toBe(0)
      expect(next.stderr()).toMatch(new RegExp(`removed scratch database ${sleeping}, role ${roles[0]} left by run`))
      expect(await gateDatabasesOn(adminUrl)).toEqual(['migration_gate_db_handmade', ...liveDbs].sort())
      expect(await gateRolesOn(adminUrl)).toEqual([])
    } finally {
      for (const holder of holders) await holder.end()
      for (const db of [...liveDbs, 'migration_gate_db_handmade', 'other_admin'])
        await query(adminUrl, `DROP DATABASE IF EXISTS ${db}`)
    }
  })
})
