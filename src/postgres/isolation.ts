// Finds where a run on a database-url server reached outside the databases the gate created.
// Preventing it is the per-run role's job (run-role.ts) as far as the user's grants allow; these
// checks are the layer that is always on, with or without that role.
//
// What each check can be relied on for:
// - Sessions (pg_stat_activity) of the run's role, or with the application_name the Alembic helper
//   gives its connections, in a database the gate did not create. A session is only seen while it
//   is open: an engine a migration keeps (SQLAlchemy's pool keeps connections open after use) is
//   seen after the step; a connection opened, used and closed within a step is not. Checked after
//   every step and at the end. The role is the dependable marker (a migration's own URL may set
//   another application_name, but it only has the role's credentials); without a role only the
//   application_name marks the run's sessions.
// - Objects the run's role owns or holds privileges on in another database (pg_shdepend, a shared
//   catalog read from the admin database): every object created there is recorded with its owner,
//   opened and closed connections alike. Only with the role: the user's own objects cannot be told
//   from the run's.
// - has_database_privilege(role, db, 'CONNECT') is not used as a finding: most databases grant
//   CONNECT to PUBLIC, so it says where a migration could go, not where one went.
import type pg from 'pg'

export interface RunMarks {
  /** The run's role, when it has one. */
  role?: string
  /** application_name prefix of the run's helper connections (migrationApplicationName of a run database). */
  applicationNamePrefix: string
  /** Databases the gate created in this run (still there or dropped). */
  created: string[]
  /** Backends of the gate's own admin connections (the run lock's), which sit in the admin database. */
  ownPids: number[]
}

export interface Escape {
  database: string
  /** How the run's session there was recognised, for the message. */
  how: string
}

/** Open sessions of the run in databases the gate did not create. */
export async function sessionsElsewhere(client: pg.Client, marks: RunMarks): Promise<Escape[]> {
  const r = await client.query<{ datname: string; usename: string | null; application_name: string }>(
    `SELECT DISTINCT datname, usename, application_name FROM pg_stat_activity
      WHERE datname IS NOT NULL AND NOT (datname = ANY($1::text[])) AND NOT (pid = ANY($2::int[]))
        AND (usename = $3 OR starts_with(application_name, $4))
      ORDER BY datname`,
    [marks.created, marks.ownPids, marks.role ?? null, marks.applicationNamePrefix],
  )
  return r.rows.map((row) => ({
    database: row.datname,
    how: row.usename === marks.role ? `as the run's role ${row.usename}` : `application_name ${row.application_name}`,
  }))
}

/** Databases (other than the gate's) where the run's role owns objects or holds privileges. */
export async function roleObjectsElsewhere(client: pg.Client, role: string, created: string[]): Promise<string[]> {
  const r = await client.query<{ datname: string }>(
    `SELECT DISTINCT d.datname FROM pg_shdepend s JOIN pg_database d ON d.oid = s.dbid
      WHERE s.refclassid = 'pg_authid'::regclass
        AND s.refobjid = (SELECT oid FROM pg_roles WHERE rolname = $1)
        AND NOT (d.datname = ANY($2::text[]))
      ORDER BY 1`,
    [role, created],
  )
  return r.rows.map((row) => row.datname)
}
