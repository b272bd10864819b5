// The per-run login role on a database-url server. The migrations (Alembic helper, SQL session)
// connect as this role, which owns the scratch databases and nothing else: in the user's other
// databases it has only what those grant to PUBLIC (usually CONNECT and TEMP, and on PostgreSQL 14
// and older CREATE in the public schema), so a migration that builds its own URL to another database
// cannot write to the user's tables there, as it could with the user's own credentials.
// The password is random, lives in memory only, and reaches the server as a SCRAM verifier.
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { oneLine } from '../errors.js'
import { ident, runRoleName } from './names.js'
import type { ProviderOptions } from './provider.js'
import { scramVerifier } from './scram.js'

export interface RunRole {
  name: string
  password: string
}

export interface RoleDecision {
  role: RunRole | null
  /** Why there is no role (a user without CREATEROLE, a role that cannot log in), for a note. */
  reason?: string
}

/**
 * Creates the run's role when the database-url user may (superuser or CREATEROLE) and checks that
 * it can log in (pg_hba.conf may admit only named users); otherwise no role, with the reason.
 */
export async function createRunRole(
  admin: pg.Client,
  adminUrl: string,
  runId: string,
  roleStatement?: ProviderOptions['roleStatement'],
): Promise<RoleDecision> {
  const r = await admin.query<{ createrole: boolean; superuser: boolean; major: number }>(
    `SELECT rolcreaterole AS createrole, rolsuper AS superuser,
            current_setting('server_version_num')::int / 10000 AS major
       FROM pg_roles WHERE rolname = current_user`,
  )
  const me = r.rows[0]
  if (!me || !(me.createrole || me.superuser)) {
    return { role: null, reason: 'the database-url user lacks CREATEROLE' }
  }
  // PostgreSQL 16 limits a CREATEROLE role to the roles it creates itself; before 16 it could alter
  // any non-superuser role, the user's own included, which would undo the isolation. So the run's
  // role gets CREATEROLE (for migrations that create roles) from 16 on; before, migrations that
  // manage roles run as the user, as they did before there was a run's role.
  const managesRoles = roleStatement?.()
  if (managesRoles && me.major < 16) {
    const where = `${managesRoles.file}:${managesRoles.line} (${managesRoles.text})`
    return {
      role: null,
      reason: `the migrations manage roles (${where}), which a role of the run's own may do safely only from PostgreSQL 16 on`,
    }
  }
  const role: RunRole = { name: runRoleName(runId), password: randomBytes(24).toString('hex') }
  const createrole = me.major >= 16 ? ' CREATEROLE' : ''
  await admin.query(`CREATE ROLE ${ident(role.name)} LOGIN${createrole} PASSWORD '${scramVerifier(role.password)}'`)
  try {
    // CREATE DATABASE ... OWNER, DROP DATABASE and ending the role's sessions need the user to be
    // a member of the role, unless it is a superuser.
    if (!me.superuser) await admin.query(`GRANT ${ident(role.name)} TO CURRENT_USER`)
    await canLogIn(adminUrl, role)
  } catch (error) {
    await admin.query(`DROP ROLE IF EXISTS ${ident(role.name)}`).catch(() => {})
    return { role: null, reason: `the run's own role could not be used (${oneLine(error)})` }
  }
  return { role }
}

/** `url` with the role's name and password: what the migrations get. */
export function asRole(url: string, role: RunRole): string {
  const u = new URL(url)
  u.username = encodeURIComponent(role.name)
  u.password = encodeURIComponent(role.password)
  return u.toString()
}

async function canLogIn(adminUrl: string, role: RunRole): Promise<void> {
  const client = new pg.Client({ connectionString: asRole(adminUrl, role), connectionTimeoutMillis: 10_000 })
  client.on('error', () => {})
  try {
    await client.connect()
  } finally {
    await client.end().catch(() => {})
  }
}
