import { randomBytes } from 'node:crypto'

/** Every database, cluster and container the gate creates carries this prefix, so it is recognisably ours. */
export const PREFIX = 'migration_gate'

export function uniqueName(kind: string): string {
  return `${PREFIX}_${kind}_${process.pid}_${randomBytes(4).toString('hex')}`
}

/** Quotes an identifier for SQL. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/** application_name of the gate's own catalog connection, which cleanup of stuck sessions spares. */
export const PROBE_APPLICATION_NAME = 'migration-gate-probe'
