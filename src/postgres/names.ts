import { randomBytes } from 'node:crypto'

/** Every database, cluster and container the gate creates carries this prefix, so it is recognisably ours. */
export const PREFIX = 'migration_gate'

export function uniqueName(kind: string): string {
  return `${PREFIX}_${kind}_${process.pid}_${randomBytes(4).toString('hex')}`
}

/**
 * A run on a database-url server: `<pid>_<8 hex>`. Every database and role the run creates there
 * carries it, so a later run can tell whose they are and whether that run is still alive (run-lock.ts).
 */
export function newRunId(): string {
  return `${process.pid}_${randomBytes(4).toString('hex')}`
}

/** What every scratch database name of a run starts with. */
export function runDatabasePrefix(runId: string): string {
  return `${PREFIX}_db_${runId}_`
}

/** The n-th scratch database of a run: migration_gate_db_<run id>_<n>. */
export function runDatabaseName(runId: string, n: number): string {
  return `${runDatabasePrefix(runId)}${n}`
}

/** The run's own login role: migration_gate_role_<run id>. */
export function runRoleName(runId: string): string {
  return `${PREFIX}_role_${runId}`
}

const RUN_DATABASE = new RegExp(`^${PREFIX}_db_(\\d+_[0-9a-f]{8})_\\d+$`)
const RUN_ROLE = new RegExp(`^${PREFIX}_role_(\\d+_[0-9a-f]{8})$`)

/** The run id in a run's database name, or null for any other name (those are never swept). */
export function runIdOfDatabase(name: string): string | null {
  return RUN_DATABASE.exec(name)?.[1] ?? null
}

/** The run id in a run's role name, or null for any other name. */
export function runIdOfRole(name: string): string | null {
  return RUN_ROLE.exec(name)?.[1] ?? null
}

/** Quotes an identifier for SQL. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/** application_name of the gate's own catalog connection, which cleanup of stuck sessions spares. */
export const PROBE_APPLICATION_NAME = 'migration-gate-probe'

/** application_name of the connection that holds a url run's lock (run-lock.ts) in the admin database. */
export const LOCK_APPLICATION_NAME = 'migration-gate-lock'

/**
 * application_name the Alembic helper's connections get (PGAPPNAME, which libpq reads), naming the
 * scratch database they were given: a session of the run found in any other database is one a
 * migration opened itself (isolation.ts).
 */
export function migrationApplicationName(database: string): string {
  return `migration-gate@${database}`.slice(0, 63)
}
