// The action's post step: removes what the main step recorded in the ledger and could not remove
// itself (a run killed by a timeout or a cancel). Clusters: kill the server, remove the dir.
// Containers: force-remove. Scratch databases on a database-url server: drop them, then the run's
// role. Never throws: a post step warns and never fails the job.
import { existsSync, rmSync } from 'node:fs'
import { basename } from 'node:path'
import pg from 'pg'
import { oneLine } from '../errors.js'
import { removeContainer } from './containers.js'
import { withCredentialsFrom } from './credentials.js'
import { readLedger, type Resource } from './ledger.js'
import { ident, PREFIX, runIdOfRole } from './names.js'
import { CLUSTER_DIR_PREFIX, destroyClusterSync } from './cluster-dirs.js'

export interface LedgerCleanup {
  /** One line per resource removed, e.g. "cluster /tmp/migration-gate-pg-x". */
  removed: string[]
  /** One line per resource that could not be removed, with the reason (for a warning). */
  problems: string[]
}

export interface LedgerCleanupOptions {
  /**
   * The database-url input, whose credentials the ledger does not hold: used for recorded databases
   * on the same server (host, port, user).
   */
  databaseUrl?: string
}

export async function cleanupLedger(path: string, options: LedgerCleanupOptions = {}): Promise<LedgerCleanup> {
  const result: LedgerCleanup = { removed: [], problems: [] }
  // A run's role owns its databases: it can go only after them.
  const ledger = readLedger(path)
  const ordered = [...ledger.filter((r) => r.kind !== 'role'), ...ledger.filter((r) => r.kind === 'role')]
  for (const resource of ordered) {
    const label = describe(resource)
    try {
      const done = await removeResource(resource, options)
      if (done) result.removed.push(label)
    } catch (error) {
      result.problems.push(`${label}: ${oneLine(error)}`)
    }
  }
  // The ledger has done its job once read; what could not be removed is reported, not retried.
  if (existsSync(path)) rmSync(path, { force: true })
  return result
}

/** True when something was removed, false when it was already gone. */
async function removeResource(r: Resource, options: LedgerCleanupOptions): Promise<boolean> {
  switch (r.kind) {
    case 'cluster':
      // Only dirs the gate names: a corrupted or hand-edited ledger must not delete anything else.
      if (!basename(r.dir).startsWith(CLUSTER_DIR_PREFIX))
        throw new Error('not a migration-gate cluster dir, left alone')
      if (!existsSync(r.dir)) return false
      destroyClusterSync(r.dir)
      return true
    case 'container':
      return removeContainer(r.id)
    case 'database':
      return dropScratchDatabase(r.adminUrl, r.name, options.databaseUrl)
    case 'role':
      return dropRunRole(r.adminUrl, r.name, options.databaseUrl)
  }
}

async function dropRunRole(adminUrl: string, name: string, databaseUrl?: string): Promise<boolean> {
  // Only a run's own role (migration_gate_role_<run id>), whatever the file says.
  if (!runIdOfRole(name)) throw new Error(`refusing to drop role ${name}: not a ${PREFIX}_role_ of a run`)
  return dropIfPresent(withCredentialsFrom(adminUrl, databaseUrl), {
    exists: ['SELECT 1 FROM pg_roles WHERE rolname = $1', name],
    sessions: ['SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', name],
    drop: `DROP ROLE IF EXISTS ${ident(name)}`,
  })
}

async function dropScratchDatabase(adminUrl: string, name: string, databaseUrl?: string): Promise<boolean> {
  // The gate names every scratch database with its prefix; anything else is not dropped, whatever the file says.
  if (!name.startsWith(`${PREFIX}_`)) throw new Error(`refusing to drop ${name}: not a ${PREFIX}_ database`)
  return dropIfPresent(withCredentialsFrom(adminUrl, databaseUrl), {
    exists: ['SELECT 1 FROM pg_database WHERE datname = $1', name],
    sessions: ['SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', name],
    drop: `DROP DATABASE IF EXISTS ${ident(name)}`,
  })
}

/**
 * On one short admin connection: false when `exists` finds nothing; else ends the sessions that
 * would block the drop (ours, left by a killed run), drops, and returns true.
 */
async function dropIfPresent(
  url: string,
  sql: { exists: [string, string]; sessions: [string, string]; drop: string },
): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 })
  await client.connect()
  try {
    const found = await client.query(sql.exists[0], [sql.exists[1]])
    if (found.rowCount === 0) return false
    await client.query(sql.sessions[0], [sql.sessions[1]])
    await client.query(sql.drop)
    return true
  } finally {
    await client.end().catch(() => {})
  }
}

function describe(r: Resource): string {
  switch (r.kind) {
    case 'cluster':
      return `cluster ${r.dir}`
    case 'container':
      return `container ${r.id.slice(0, 12)}`
    case 'database':
    case 'role': {
      let host = '(unparseable URL)'
      try {
        host = new URL(r.adminUrl).host
      } catch {
        // shown as unparseable
      }
      return `${r.kind} ${r.name} on ${host}`
    }
  }
}
