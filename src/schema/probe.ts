// The replay's catalog probe: captures the schema at chosen moments and compares them. Captured
// documents stay on the server, in temporary tables of the probe's own connection (pg_temp is left out
// of snapshots), so a capture costs one statement and 64 characters of fingerprint over the wire;
// documents travel only when two captures differ and a diff must name the differences. Where the gate
// may install its DDL log (ddl-log.ts), a capture re-reads only what the steps since the last one
// touched (incremental-capture.ts); elsewhere it re-reads the whole schema, through the same rows.
import pg from 'pg'
import type { CatalogProbe } from '../checks/replay-context.js'
import { PREFIX, PROBE_APPLICATION_NAME } from '../postgres/names.js'
import { INSTALL_DDL_LOG, REMOVE_DDL_LOG } from './ddl-log.js'
import { diff, type SchemaChange } from './diff.js'
import {
  CAPTURE_COUNTS_SQL,
  CAPTURE_INCREMENTAL,
  DOCUMENTS_AT_SQL,
  SETUP_INCREMENTAL_CAPTURES,
} from './incremental-capture.js'
import { SNAPSHOT_SQL } from './queries.js'
import { normalize } from './snapshot.js'

/**
 * Set (to anything but empty or 0) to check every capture against a full read of the schema: a capture
 * that differs is an error naming the differences. The test suite runs with it.
 */
export const VERIFY_CAPTURES_ENV = 'MIGRATION_GATE_VERIFY_CAPTURES'

export interface ProbeOptions {
  /** Install the DDL log where the role may (false: every capture re-reads the whole schema). */
  ddlLog?: boolean
  /**
   * The same database as the server's administrator, who installs and removes the DDL log where the
   * probe's own role may not (a url server's run role). Default: the probe's URL.
   */
  adminUrl?: string
}

export class SnapshotProbe implements CatalogProbe {
  /** Keys to delete with the next capture. */
  private forgotten = new Set<string>()
  /** The server's other databases as the last capture read them, until a step runs (stepped()). */
  private databasesSinceStep: string[] | undefined
  private readonly verify = !['', '0', undefined].includes(process.env[VERIFY_CAPTURES_ENV])

  private constructor(
    private readonly client: pg.Client,
    private readonly excludeTables: string[],
    /** The DDL log is installed in the database: captures may re-read only what changed. */
    private logged: boolean,
    private readonly admin: Admin,
  ) {}

  static async connect(url: string, excludeTables: string[], options: ProbeOptions = {}): Promise<SnapshotProbe> {
    // Named, so that ending the helper's stuck sessions after a step timeout spares this one.
    const client = new pg.Client({ connectionString: url, application_name: PROBE_APPLICATION_NAME })
    client.on('error', () => {}) // a dropped connection surfaces on the next query instead
    let logged = false
    const admin = adminOf(client, url, options.adminUrl)
    try {
      await client.connect()
      await client.query(SETUP_INCREMENTAL_CAPTURES)
      if (options.ddlLog !== false) logged = await admin((c) => installDdlLog(c))
      // The capture's statements do not depend on their parameters' values: plan them once. Never JIT
      // them: a generic plan's estimates over the temporary tables can pass jit_above_cost, and
      // compiling then cost 100-200 ms a capture where running took under one.
      await client.query('SET plan_cache_mode = force_generic_plan; SET jit = off')
    } catch (error) {
      // Not left open until the database is dropped: the caller only sees the error.
      await client.end().catch(() => {})
      throw error
    }
    return new SnapshotProbe(client, excludeTables, logged, admin)
  }

  /** Whether captures re-read only what changed (the DDL log is installed). */
  get incremental(): boolean {
    return this.logged
  }

  async capture(key: string): Promise<string> {
    this.forgotten.delete(key) // kept: this capture replaces it
    const forget = [...this.forgotten]
    const r = await this.client.query<{ fingerprint: string; databases: string[] }>({
      ...CAPTURE_INCREMENTAL,
      values: [key, forget, this.logged, `${PREFIX}_`],
    })
    this.databasesSinceStep = r.rows[0]?.databases
    for (const k of forget) this.forgotten.delete(k)
    const fp = r.rows[0]?.fingerprint
    if (!fp) throw new Error('schema capture returned no fingerprint')
    if (this.verify) await this.verifyCapture(key)
    return fp
  }

  /** How many captures were taken, and how many of them re-read the whole schema (the first always does). */
  async counts(): Promise<{ captures: number; whole: number }> {
    const r = await this.client.query<{ captures: number; whole: number }>(CAPTURE_COUNTS_SQL)
    return r.rows[0] ?? { captures: 0, whole: 0 }
  }

  async diff(fromKey: string, toKey: string): Promise<string[]> {
    return (await this.changes(fromKey, toKey)).map((c) => c.message)
  }

  /** What differs between two captures, one change per object attribute. */
  async changes(fromKey: string, toKey: string): Promise<SchemaChange[]> {
    const r = await this.client.query<{ key: string; doc: string | null }>(DOCUMENTS_AT_SQL, [[fromKey, toKey]])
    const doc = (key: string) => {
      const row = r.rows.find((x) => x.key === key)
      if (!row?.doc) throw new Error(`no schema captured as ${key}`)
      return normalize([{ snapshot: row.doc }], { excludeTables: this.excludeTables })
    }
    // Column order is left out: PostgreSQL can only add a column at the end, so a correct downgrade
    // of a dropped middle column cannot restore its position, and no user could fix that finding.
    // A constraint recreated under another name (Django's, when it alters a key's type) is a rename.
    return diff(doc(fromKey), doc(toKey), { columnOrder: false, constraintRenames: true })
  }

  /** A migration step ran since the last capture: the databases that capture read may be stale. */
  stepped(): void {
    this.databasesSinceStep = undefined
  }

  /**
   * The server's databases but the gate's own (named with its prefix), sorted. As the last capture read
   * them when no step ran since: a capture follows every stairway step, so this costs no round trip.
   */
  async otherDatabases(): Promise<string[]> {
    if (this.databasesSinceStep) return this.databasesSinceStep
    const r = await this.client.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE left(datname, length($1)) <> $1 ORDER BY 1',
      [`${PREFIX}_`],
    )
    return r.rows.map((row) => row.datname)
  }

  async undo(statements: string[]): Promise<void> {
    await this.client.query('BEGIN')
    try {
      for (const statement of statements) await this.client.query(statement)
      await this.client.query('COMMIT')
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => {})
      throw error
    }
  }

  async forget(key: string): Promise<void> {
    this.forgotten.add(key)
  }

  /**
   * Removes the DDL log from the database, which then holds only what the migrations built (the models
   * are compared with it next). Later captures re-read the whole schema.
   */
  async release(): Promise<void> {
    if (!this.logged) return
    this.logged = false
    await this.admin(async (c) => {
      await c.query(REMOVE_DDL_LOG)
    })
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => {})
  }

  /** The capture kept as `key` must be exactly what a full read of the schema returns now. */
  private async verifyCapture(key: string): Promise<void> {
    const r = await this.client.query<{ doc: string | null; full: string }>(
      `SELECT d.doc, s.snapshot AS full FROM (${DOCUMENTS_AT_SQL}) d, (${SNAPSHOT_SQL}) s
        WHERE d.doc IS DISTINCT FROM s.snapshot`,
      [[key]],
    )
    const row = r.rows[0]
    if (!row) return
    const differences = row.doc
      ? diff(normalize([{ snapshot: row.full }]), normalize([{ snapshot: row.doc }]), { columnOrder: true }).map(
          (c) => c.message,
        )
      : ['nothing kept']
    throw new Error(
      `schema capture ${key}: re-reading only what changed gave another schema than reading it whole (${
        differences.slice(0, 5).join('; ') || 'the same objects, in other text'
      })`,
    )
  }
}

/** Runs `work` on a connection as the database's administrator (the probe's own where that is the same URL). */
type Admin = <T>(work: (client: pg.Client) => Promise<T>) => Promise<T>

function adminOf(probeClient: pg.Client, url: string, adminUrl: string | undefined): Admin {
  if (!adminUrl || adminUrl === url) return (work) => work(probeClient)
  return async (work) => {
    const client = new pg.Client({ connectionString: adminUrl, application_name: PROBE_APPLICATION_NAME })
    client.on('error', () => {})
    try {
      await client.connect()
      return await work(client)
    } finally {
      await client.end().catch(() => {})
    }
  }
}

/**
 * Installs the DDL log where the administrator's role is a superuser (event triggers need one): the gate's own
 * clusters, or a url server whose user is one. False elsewhere: captures then re-read the whole schema.
 */
async function installDdlLog(client: pg.Client): Promise<boolean> {
  const r = await client.query<{ superuser: boolean }>(
    'SELECT rolsuper AS superuser FROM pg_roles WHERE rolname = current_user',
  )
  if (!r.rows[0]?.superuser) return false
  await client.query(INSTALL_DDL_LOG)
  return true
}
