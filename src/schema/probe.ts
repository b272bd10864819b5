// The replay's catalog probe: captures the schema at chosen moments and compares them. Captured
// documents stay on the server, in a temporary table of the probe's own connection (pg_temp is left
// out of snapshots), so a capture costs one statement and 64 characters of fingerprint over the wire;
// documents travel only when two captures differ and a diff must name the differences.
import pg from 'pg'
import type { CatalogProbe } from '../checks/replay-context.js'
import { PREFIX, PROBE_APPLICATION_NAME } from '../postgres/names.js'
import { diff, type SchemaChange } from './diff.js'
import { SNAPSHOT_SQL } from './queries.js'
import { normalize } from './snapshot.js'

const TABLE = 'migration_gate_captures'

/**
 * One named statement, prepared once per connection and run with a generic plan: planning the
 * snapshot query cost 7-21 ms a call, more than executing it on small schemas (bench/replay.ts).
 * Captures that are no longer needed are deleted by the same statement, so forgetting costs no
 * round trip of its own.
 */
const CAPTURE = {
  name: 'migration_gate_capture',
  text: `WITH forgotten AS (DELETE FROM ${TABLE} WHERE key = ANY($2::text[]))
       INSERT INTO ${TABLE} (key, doc) SELECT $1, d.snapshot FROM (${SNAPSHOT_SQL}) AS d
       ON CONFLICT (key) DO UPDATE SET doc = EXCLUDED.doc
       RETURNING encode(sha256(convert_to(doc, 'UTF8')), 'hex') AS fingerprint`,
}

export class SnapshotProbe implements CatalogProbe {
  /** Keys to delete with the next capture. */
  private forgotten = new Set<string>()

  private constructor(
    private readonly client: pg.Client,
    private readonly excludeTables: string[],
  ) {}

  static async connect(url: string, excludeTables: string[]): Promise<SnapshotProbe> {
    // Named, so that ending the helper's stuck sessions after a step timeout spares this one.
    const client = new pg.Client({ connectionString: url, application_name: PROBE_APPLICATION_NAME })
    client.on('error', () => {}) // a dropped connection surfaces on the next query instead
    try {
      await client.connect()
      await client.query(`CREATE TEMP TABLE ${TABLE} (key text PRIMARY KEY, doc text NOT NULL)`)
      // Documents are read back only for a diff: storing them uncompressed saves compressing ~150 KB a capture.
      await client.query(`ALTER TABLE ${TABLE} ALTER COLUMN doc SET STORAGE EXTERNAL`)
      // The snapshot query's plan does not depend on the key: plan it once.
      await client.query('SET plan_cache_mode = force_generic_plan')
    } catch (error) {
      // Not left open until the database is dropped: the caller only sees the error.
      await client.end().catch(() => {})
      throw error
    }
    return new SnapshotProbe(client, excludeTables)
  }

  async capture(key: string): Promise<string> {
    this.forgotten.delete(key) // the same statement cannot delete and insert one row
    const forget = [...this.forgotten]
    const r = await this.client.query<{ fingerprint: string }>({ ...CAPTURE, values: [key, forget] })
    for (const k of forget) this.forgotten.delete(k)
    const fp = r.rows[0]?.fingerprint
    if (!fp) throw new Error('schema capture returned no fingerprint')
    return fp
  }

  async diff(fromKey: string, toKey: string): Promise<string[]> {
    return (await this.changes(fromKey, toKey)).map((c) => c.message)
  }

  /** What differs between two captures, one change per object attribute. */
  async changes(fromKey: string, toKey: string): Promise<SchemaChange[]> {
    const r = await this.client.query<{ key: string; doc: string }>(
      `SELECT key, doc FROM ${TABLE} WHERE key = ANY($1)`,
      [[fromKey, toKey]],
    )
    const doc = (key: string) => {
      const row = r.rows.find((x) => x.key === key)
      if (!row) throw new Error(`no schema captured as ${key}`)
      return normalize([{ snapshot: row.doc }], { excludeTables: this.excludeTables })
    }
    // Column order is left out: PostgreSQL can only add a column at the end, so a correct downgrade
    // of a dropped middle column cannot restore its position, and no user could fix that finding.
    return diff(doc(fromKey), doc(toKey), { columnOrder: false })
  }

  /** The server's databases but the gate's own (named with its prefix), sorted. */
  async otherDatabases(): Promise<string[]> {
    const r = await this.client.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE left(datname, length($1)) <> $1 ORDER BY 1',
      [`${PREFIX}_`],
    )
    return r.rows.map((row) => row.datname)
  }

  async forget(key: string): Promise<void> {
    this.forgotten.add(key)
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => {})
  }
}
