// Runs plain-SQL migrations natively through pg, one connection per database for the whole run
// (like golang-migrate and dbmate). Each block of SQL goes to the server whole, over the simple
// query protocol, so the server runs it exactly as those tools make it run: dbmate's blocks inside
// BEGIN/COMMIT unless `transaction:false`; golang-migrate's files as they are (one implicit
// transaction for a multi-statement text, and a lone CREATE INDEX CONCURRENTLY runs outside any).
// The applied versions are kept in schema_migrations, left out of schema snapshots.
import pg from 'pg'
import { clipMiddle } from '../../clip.js'
import type { MigrationSession, SentStatement, StepError, StepOptions, StepResult } from '../driver.js'
import {
  BEFORE_SQL,
  buildObservation,
  locksSql,
  locksStatement,
  RELATIONS_SQL,
  type LockRow,
  type RelationRow,
} from '../observation.js'
import { stepError } from './locate.js'
import { lineAt, type SqlMigration, type SqlUnit } from './model.js'
import { controlsTransactions, sameInTransaction, splitStatements } from './split.js'
import { Watchdog } from './watchdog.js'
import { TIMED_OUT, withDeadline } from '../../deadline.js'

/** The bookkeeping table, schema-qualified so a migration's SET search_path cannot move it. */
export const BOOKKEEPING_TABLE = 'public.schema_migrations'

export interface SqlSessionOptions {
  /** The migration replayed for each version. */
  byVersion: Map<string, SqlMigration>
  /** Versions in the tool's order. */
  order: string[]
  stepTimeoutSeconds: number
}

export class SqlSession implements MigrationSession {
  private client: pg.Client | undefined
  private pid = 0
  /** The INSERT recording an applied version, as the bookkeeping table found on connect takes it. */
  private recordUp = `INSERT INTO ${BOOKKEEPING_TABLE} (version) VALUES ($1) ON CONFLICT DO NOTHING`
  /** Clients whose connection died (a terminated backend, a server gone): replaced before the next query. */
  private readonly dead = new WeakSet<pg.Client>()

  constructor(
    private readonly url: string,
    private readonly options: SqlSessionOptions,
  ) {}

  async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, application_name: 'migration-gate-sql' })
    // A terminated backend surfaces here; the next step reconnects.
    client.on('error', () => this.dead.add(client))
    client.on('end', () => this.dead.add(client))
    await client.connect()
    const r = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
    this.pid = r.rows[0]?.pid ?? 0
    await client.query(`CREATE TABLE IF NOT EXISTS ${BOOKKEEPING_TABLE} (version text PRIMARY KEY)`)
    // A database golang-migrate versioned (mode live's copy of production) has its table already:
    // (version bigint, dirty boolean NOT NULL), one row. Each applied version is a row of it here too,
    // recorded clean; the versions before the copy's row are implied by it (current() takes the latest).
    const dirty = await client.query(
      `SELECT 1 FROM pg_catalog.pg_attribute
        WHERE attrelid = '${BOOKKEEPING_TABLE}'::regclass AND attname = 'dirty' AND NOT attisdropped`,
    )
    if (dirty.rowCount) {
      this.recordUp = `INSERT INTO ${BOOKKEEPING_TABLE} (version, dirty) VALUES ($1, false) ON CONFLICT DO NOTHING`
    }
    this.client = client
  }

  upgrade(version: string, options?: StepOptions): Promise<StepResult> {
    return this.step(version, 'up', options?.observe === true)
  }

  downgrade(version: string): Promise<StepResult> {
    return this.step(version, 'down')
  }

  async current(): Promise<string[]> {
    const client = await this.connected()
    const r = await client.query<{ version: string }>(`SELECT version FROM ${BOOKKEEPING_TABLE}`)
    const applied = new Set(r.rows.map((row) => row.version))
    const last = [...this.options.order].reverse().find((v) => applied.has(v))
    return last === undefined ? [] : [last]
  }

  async close(): Promise<void> {
    const client = this.client
    this.client = undefined
    if (!client) return
    // A program a migration started on the server (`COPY ... TO PROGRAM 'cmd &'`) inherits the
    // backend's socket, so the server's end stays open while it runs and end() would wait for it
    // (25 s for a `sleep 25`): wait a little, then drop our end.
    if (
      (await withDeadline(
        client.end().catch(() => {}),
        2_000,
      )) === TIMED_OUT
    ) {
      ;(client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy()
    }
  }

  private async step(version: string, direction: 'up' | 'down', observe = false): Promise<StepResult> {
    const t0 = performance.now()
    const ms = () => Math.round(performance.now() - t0)
    const migration = this.options.byVersion.get(version)
    if (!migration)
      return { ok: false, ms: 0, error: { message: `no migration has version ${version}`, kind: 'error' } }
    if (direction === 'down' && migration.down.length === 0) {
      const message = `no down migration: ${migration.noDown ?? 'none written'}`
      return { ok: false, ms: 0, error: { message, file: migration.file, line: 1, kind: 'not-implemented' } }
    }
    const client = await this.connected()
    const units = direction === 'up' ? migration.up : migration.down
    const statements = units.reduce((n, u) => n + u.statements, 0)
    const watchdog = new Watchdog(this.url, this.pid, this.options.stepTimeoutSeconds * 1000)
    let error: StepError | undefined
    // Observing: the watermark before the step, the locks of each unit at its commit (observation.ts).
    const readings: Readings | undefined = observe ? { locks: [], complete: true } : undefined
    try {
      for (const [i, unit] of units.entries()) {
        error = await this.runUnit(client, unit, watchdog, readings)
        if (error && i > 0) {
          // dbmate commits each block on its own: the ones before stay, as they would in a deploy.
          error.message += ` (the ${i === 1 ? 'block' : `${i} blocks`} before it stayed applied: the database is left between versions)`
        }
        if (error) break
      }
      if (!error) {
        const sql = direction === 'up' ? this.recordUp : `DELETE FROM ${BOOKKEEPING_TABLE} WHERE version = $1`
        await client.query(sql, [version]).catch((e: unknown) => {
          const message = `recording the version failed: ${clipMiddle(e instanceof Error ? e.message : String(e))}`
          error = { message, kind: watchdog.fired ? 'timeout' : 'error' }
        })
      }
    } finally {
      await watchdog.stop()
    }
    // A step that failed on its own before the timeout reports its error, even if locating it ran late.
    if (error?.kind === 'timeout') {
      if (watchdog.terminated || this.dead.has(client)) await this.reconnect()
      const message = `stopped after the step timeout of ${this.options.stepTimeoutSeconds} s`
      return {
        ok: false,
        ms: ms(),
        error: { ...(error?.file ? { file: error.file, line: error.line } : {}), message, kind: 'timeout' },
      }
    }
    if (this.dead.has(client)) await this.reconnect()
    const sent = readings ? { sent: units.flatMap(sentStatements) } : {}
    if (error) return { ok: false, ms: ms(), error, ...sent }
    const observed = readings
      ? {
          observed: buildObservation({
            ...readings,
            // Read before the first block, which every step that succeeded has.
            watermark: readings.watermark ?? 0,
            // Complete: the lock rows say what was created and rewritten (observation.ts).
            ...(readings.complete ? {} : { after: await relations(client) }),
            bookkeeping: [BOOKKEEPING_TABLE],
          }),
        }
      : {}
    return { ok: true, ms: ms(), statements, ...sent, ...observed }
  }

  /**
   * Sends one block; on failure, rolls back what is open and says where the failing statement is.
   * `readings`: the locks its transaction held are read before its COMMIT. A block sent as it is (a
   * golang-migrate file, dbmate's transaction:false) is put in BEGIN ... COMMIT for that, when doing
   * so cannot change what it does (split.ts sameInTransaction); else it runs as always and its locks
   * go unread.
   */
  private async runUnit(
    client: pg.Client,
    unit: SqlUnit,
    watchdog: Watchdog,
    readings?: Readings,
  ): Promise<StepError | undefined> {
    try {
      let wrapped = unit.transactional
      if (readings) {
        const statements = splitStatements(unit.text)
        if (!unit.transactional && statements.length > 0 && sameInTransaction(statements)) wrapped = true
        // A block that commits or begins by itself: what ran before its own COMMIT is not read.
        if (statements.length > 0 && (!wrapped || controlsTransactions(statements))) readings.complete = false
      }
      if (readings && readings.watermark === undefined) {
        // Before the step: in the same round trip as its first BEGIN (nothing ran yet in that
        // transaction; read committed sees what the step starts from), else on its own.
        await readBefore(client, readings, wrapped)
      } else if (wrapped) await client.query('BEGIN')
      await client.query(unit.text)
      if (wrapped && readings) {
        const held = await locks(client, readings.logged === true)
        if (held) readings.locks.push(...held)
        else readings.complete = false
      }
      if (wrapped) await client.query('COMMIT')
      return undefined
    } catch (error) {
      // An open or aborted transaction (ours, or the file's own BEGIN) must not swallow the next step.
      await client.query('ROLLBACK').catch(() => {})
      // A cancelled or dead statement cannot be replayed: the block's first statement stands for it.
      if (watchdog.fired || this.dead.has(client)) {
        const first = splitStatements(unit.text)[0]?.start ?? 0
        const stopped = stepError(error, unit, { offset: 0, text: unit.text }, first)
        return watchdog.fired ? { ...stopped, kind: 'timeout' } : stopped
      }
      return this.locate(client, unit, error, watchdog)
    }
  }

  /**
   * The failing statement of a block the server did not point into. A block that ran atomically
   * (the whole of it rolled back) is replayed statement by statement in a transaction that is
   * rolled back too; the first statement failing the same way is the one.
   */
  private async locate(client: pg.Client, unit: SqlUnit, error: unknown, watchdog: Watchdog): Promise<StepError> {
    const statements = splitStatements(unit.text)
    const first = statements[0]?.start
    const whole = stepError(error, unit, { offset: 0, text: unit.text }, first)
    const code = (error as { code?: string }).code
    // Our BEGIN or the server's implicit transaction made the block atomic, unless it commits itself.
    const atomic = !controlsTransactions(statements)
    if (whole.line !== undefined && (error as { position?: string }).position) return whole
    if (statements.length < 2 || !atomic || !code) return whole
    try {
      await client.query('BEGIN')
      for (const s of statements) {
        const text = unit.text.slice(s.start, s.end)
        try {
          await client.query(text)
        } catch (again) {
          const same = (again as { code?: string }).code === code && !watchdog.fired
          return same
            ? { ...stepError(again, unit, { offset: s.start, text }, s.start), message: whole.message }
            : whole
        }
      }
      return whole
    } catch {
      return whole
    } finally {
      await client.query('ROLLBACK').catch(() => {})
    }
  }

  private async connected(): Promise<pg.Client> {
    if (!this.client || this.dead.has(this.client)) await this.reconnect()
    return this.client as pg.Client
  }

  private async reconnect(): Promise<void> {
    await this.close()
    await this.connect()
  }
}

/** The statements of a unit as they stand in its file: comments and blank lines around them left out. */
function sentStatements(unit: SqlUnit): SentStatement[] {
  return splitStatements(unit.text).map((s) => ({
    sql: unit.text.slice(s.start, s.end),
    file: unit.file,
    line: unit.line + lineAt(unit.text, s.start) - 1,
  }))
}

/** The user relations (observation.ts). */
async function relations(client: pg.Client): Promise<RelationRow[]> {
  return (await client.query({ text: RELATIONS_SQL, rowMode: 'array' })).rows as RelationRow[]
}

/** What an observed step reads as it runs (buildObservation's input but the bookkeeping). */
interface Readings {
  /** Read before the first block sends anything (BEFORE_SQL). */
  watermark?: string
  /** The DDL log is installed: it names what the step drops. */
  logged?: boolean
  /** Without the log: the relations before the step, for those names. */
  before?: RelationRow[]
  locks: LockRow[]
  complete: boolean
}

/** The connections on which each variant of the locks query is prepared (observation.ts locksStatement). */
const prepared = new WeakMap<pg.Client, Set<string>>()

/**
 * The watermark (and the relations, without the DDL log) before the step, after `BEGIN` in the same
 * round trip when `begin`.
 */
async function readBefore(client: pg.Client, readings: Readings, begin: boolean): Promise<void> {
  const results = (await client.query({
    text: begin ? `BEGIN; ${BEFORE_SQL}` : BEFORE_SQL,
    rowMode: 'array',
  })) as unknown as pg.QueryResult | pg.QueryResult[]
  const row = (Array.isArray(results) ? results.at(-1) : results)?.rows[0] as [string, boolean] | undefined
  readings.watermark = row?.[0] ?? '0'
  readings.logged = row?.[1] === true
  if (!readings.logged) readings.before = await relations(client)
}

/**
 * The locks the open transaction holds, read inside a savepoint (one round trip): a read that failed
 * must not abort the transaction the migration is about to commit. Through a statement prepared on
 * the connection (the first read prepares it), else (a migration that deallocated it) the query
 * itself. Undefined when that failed too.
 */
async function locks(client: pg.Client, logged: boolean): Promise<LockRow[] | undefined> {
  const name = locksStatement(logged)
  const done = prepared.get(client) ?? new Set<string>()
  prepared.set(client, done)
  const execute = done.has(name) ? `EXECUTE ${name}` : `PREPARE ${name} AS ${locksSql(logged)}; EXECUTE ${name}`
  for (const query of [execute, locksSql(logged)]) {
    try {
      const results = (await client.query({
        text: `SAVEPOINT migration_gate_observe; ${query}`,
        rowMode: 'array',
      })) as unknown as pg.QueryResult[]
      if (query === execute) done.add(name)
      return results.at(-1)?.rows as LockRow[] | undefined
    } catch (error) {
      // Prepared already (by a connection's earlier life the map did not see): the next step executes it.
      const code = (error as { code?: string }).code
      if (code === '42P05') done.add(name)
      // Deallocated by a migration (DEALLOCATE ALL, DISCARD ALL): prepared again by the next step.
      if (code === '26000') done.delete(name)
      await client.query('ROLLBACK TO SAVEPOINT migration_gate_observe').catch(() => {})
    }
  }
  return undefined
}
