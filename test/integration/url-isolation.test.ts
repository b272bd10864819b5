// On a `postgres: url` server the migrations must stay in the gate's scratch databases. A migration
// that builds its own URL to another database of the same server (here: the alembic-escape-database
// fixture, which copies rows to a "reporting" database) must not pass. With a user that may create
// roles, the gate runs the migrations as a per-run role that cannot write there; without, it still
// sees the run's session in the other database and fails the run.
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GateError } from '../../src/errors.js'
import { externalProvider } from '../../src/postgres/external.js'
import { localProvider } from '../../src/postgres/local.js'
import type { Server } from '../../src/postgres/provider.js'
import { gateDatabasesOn } from '../support/leftovers.js'
import { gateOnFixture } from '../support/run-gate.js'
import { ResourceTracker } from '../../src/resource-tracker.js'

/** What this file's servers and processes are tracked by, as a run's are by its own. */
const resources = new ResourceTracker()

let host: Server
let adminUrl: string

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<T>(sql)).rows
  } finally {
    await client.end()
  }
}

function urlOf(database: string, user?: string, password?: string): string {
  const u = new URL(host.urlFor(database))
  if (user) u.username = user
  if (password) u.password = password
  return u.toString()
}

async function tablesIn(database: string): Promise<string[]> {
  const rows = await query<{ tablename: string }>(
    urlOf(database),
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
  )
  return rows.map((r) => r.tablename)
}

async function gateRolesOn(url: string): Promise<string[]> {
  const rows = await query<{ rolname: string }>(
    url,
    "SELECT rolname FROM pg_roles WHERE rolname LIKE 'migration\\_gate\\_%' ORDER BY 1",
  )
  return rows.map((r) => r.rolname)
}

/** Runs the fixture against the url server, with REPORTING_DATABASE naming "the user's" database. */
async function escapeRun(databaseUrl: string, reporting: string): Promise<unknown> {
  process.env.REPORTING_DATABASE = reporting
  try {
    return await gateOnFixture('alembic-escape-database', {
      postgres: 'url',
      'database-url': databaseUrl,
      'replay-workers': '1',
    })
  } catch (error) {
    return error
  } finally {
    delete process.env.REPORTING_DATABASE
  }
}

beforeAll(async () => {
  host = await localProvider({ resources }).start()
  adminUrl = host.urlFor('postgres')
  await query(adminUrl, "CREATE ROLE gate_createdb LOGIN CREATEDB PASSWORD 'sekret-pw'")
})

afterAll(async () => {
  await host?.stop()
})

describe('a migration that opens its own connection to another database', () => {
  it('as a user who may create roles: runs as a per-run role, cannot write there, and the run fails', async () => {
    await query(adminUrl, 'CREATE DATABASE reporting_a')
    const outcome = await escapeRun(adminUrl, 'reporting_a')
    expect(outcome).toBeInstanceOf(GateError)
    expect((outcome as GateError).message).toMatch(
      /^database-url: a migration connected to database reporting_a, which the gate did not create/,
    )
    expect((outcome as GateError).message).not.toContain('\n')
    expect(await tablesIn('reporting_a')).toEqual([])
    // The scratch databases and the per-run role are gone with the run.
    expect(await gateDatabasesOn(adminUrl)).toEqual([])
    expect(await gateRolesOn(adminUrl)).toEqual([])
  })

  it('as a plain CREATEDB user: the session in the other database fails the run', async () => {
    await query(adminUrl, 'CREATE DATABASE reporting_b OWNER gate_createdb')
    const outcome = await escapeRun(urlOf('postgres', 'gate_createdb', 'sekret-pw'), 'reporting_b')
    expect(outcome).toBeInstanceOf(GateError)
    const message = (outcome as GateError).message
    expect(message).toMatch(
      /^database-url: a migration connected to database reporting_b, which the gate did not create/,
    )
    expect(message).not.toContain('sekret-pw')
    expect(await gateDatabasesOn(adminUrl)).toEqual([])
  })

  it("a CREATEROLE user who is no superuser: the run's role owns the scratch databases, and goes with them", async () => {
    await query(adminUrl, "CREATE ROLE gate_createrole LOGIN CREATEDB CREATEROLE PASSWORD 'sekret-pw'")
    const server = await externalProvider({
      resources,
      databaseUrl: urlOf('postgres', 'gate_createrole', 'sekret-pw'),
    }).start()
    try {
      const a = await server.createDatabase()
      const b = await server.createDatabase({ template: a.name })
      const role = decodeURIComponent(new URL(b.url).username)
      expect(role).toMatch(/^migration_gate_role_/)
      expect(b.url).not.toContain('sekret-pw')
      const owners = await query<{ owner: string }>(
        adminUrl,
        `SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname IN ('${a.name}', '${b.name}')`,
      )
      expect(owners).toEqual([{ owner: role }, { owner: role }])
      // The role works in its database and is kept out of the others' by ownership, not by trust.
      await query(b.url, 'CREATE TABLE t (id int)')
      expect(server.notes).toEqual([])
    } finally {
      await server.stop()
    }
    expect(await gateDatabasesOn(adminUrl)).toEqual([])
    expect(await gateRolesOn(adminUrl)).toEqual([])
  })

  it('a user without CREATEROLE gets no per-run role, and a note saying isolation relies on its privileges', async () => {
    const server = await externalProvider({
      resources,
      databaseUrl: urlOf('postgres', 'gate_createdb', 'sekret-pw'),
    }).start()
    try {
      const scratch = await server.createDatabase()
      expect(new URL(scratch.url).username).toBe('gate_createdb')
      expect(server.notes).toEqual([
        expect.stringMatching(
          /^isolation on the database-url server relies on its user's privileges: the database-url user lacks CREATEROLE/,
        ),
      ])
      expect(await gateRolesOn(adminUrl)).toEqual([])
    } finally {
      await server.stop()
    }
  })

  it('objects the per-run role left in another database fail the run and keep the role, named in one line', async () => {
    // A database whose public schema lets everyone create (PostgreSQL 14 and older by default).
    await query(adminUrl, 'CREATE DATABASE reporting_c')
    await query(urlOf('reporting_c'), 'GRANT CREATE ON SCHEMA public TO PUBLIC')
    const server = await externalProvider({ resources, databaseUrl: adminUrl }).start()
    let role = ''
    try {
      const scratch = await server.createDatabase()
      role = decodeURIComponent(new URL(scratch.url).username)
      expect(role).toMatch(/^migration_gate_role_\d+_[0-9a-f]{8}$/)
      // What a migration could do with the URL it is given: connect elsewhere, create, disconnect.
      const elsewhere = new URL(scratch.url)
      elsewhere.pathname = '/reporting_c'
      await query(elsewhere.toString(), 'CREATE TABLE left_behind (id int)')
    } finally {
      const error = await server.stop().catch((e: unknown) => e)
      expect(error).toBeInstanceOf(GateError)
      const message = (error as GateError).message
      expect(message).toMatch(
        /^database-url: the migrations' role migration_gate_role_\S+ owns objects in database reporting_c/,
      )
      expect(message).toContain(`could not drop role ${role}`)
      expect(message).not.toContain('\n')
    }
    expect(await gateDatabasesOn(adminUrl)).toEqual([])
    expect(await gateRolesOn(adminUrl)).toEqual([role])
    await query(urlOf('reporting_c'), `DROP OWNED BY ${role}`)
    await query(adminUrl, `DROP ROLE ${role}`)
  })
})

describe('the isolation check with stairway slices side by side', () => {
  it('queries its one connection one query at a time (no overlapping queries on a pg client)', async () => {
    // Overlapping queries on one client are deprecated in pg 8 (a warning) and refused from pg 9.
    // Slices overlap by timing, so an unserialised check shows here often, not on every run.
    const warnings: string[] = []
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`)
    process.on('warning', onWarning)
    try {
      const report = await gateOnFixture('alembic-clean', {
        postgres: 'url',
        'database-url': adminUrl,
        'replay-workers': '3',
      })
      expect(report.findings).toEqual([])
      expect(report.steps.length).toBeGreaterThan(6)
    } finally {
      process.off('warning', onWarning)
    }
    expect(warnings.filter((w) => w.includes('already executing a query'))).toEqual([])
  })
})
