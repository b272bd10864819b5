// What the server saw a step do (StepResult.observed), built the same way for every driver from
// readings on the step's own connection: a watermark before the step, and the relation locks its
// backend held just before each of its commits. The queries live here so that the Alembic helper
// (which runs them on its own connection) and the SQL session send the same text.
//
// The watermark is the greatest oid and file node in the database's pg_class before the step. Every
// oid and file node is drawn from one counter that only grows (it wraps after 2^32, which a run on a
// database the gate just created does not live to see), so a relation whose oid is above it was
// created by the step, and one below it whose file node is above it was rewritten by the step (a new
// file node is drawn from the same counter). One cheap read a step instead of two reads of every
// relation, before and after: the reading grows with what the step locked, not with the schema.
//
// A relation the step dropped is named by the DDL log (schema/ddl-log.ts), which records the names
// of dropped objects. Where the log is not installed (a server where the gate may not create event
// triggers) the relations before the step are read instead, for those names.
import { DDL_LOG_SCHEMA } from '../schema/ddl-log.js'
import type { ObservedLock, StepObservation } from './driver.js'

/**
 * Schemas whose relations are nobody's migration: the catalogs, TOAST and temporary schemas (every
 * `pg_` schema: user schemas cannot start so) and the gate's own DDL log, whose event trigger writes
 * to it during the step.
 */
const NOT_USER = `n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', '${DDL_LOG_SCHEMA}')`

/** The table an index belongs to (its bookkeeping is the tool's when the table's is), else the relation itself. */
const TABLE_OF = `COALESCE(tn.nspname || '.' || t.relname, n.nspname || '.' || c.relname)`
/** What TABLE_OF reads, joined to `c`. */
const INDEXED_TABLE = `LEFT JOIN pg_index i ON i.indexrelid = c.oid LEFT JOIN pg_class t ON t.oid = i.indrelid
  LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace`

/**
 * Before an observed step: the watermark, and whether the DDL log is installed (which decides how
 * dropped relations are named). No parameter and no `%`: the helper sends it through any DBAPI as it is.
 */
export const BEFORE_SQL = `SELECT greatest(max(oid::int8), max(relfilenode::int8)) AS watermark,
  to_regclass('${DDL_LOG_SCHEMA}.log') IS NOT NULL AS logged FROM pg_class`

/**
 * User relations with their storage. pg_relation_filenode() rather than relfilenode, which is 0 for
 * mapped relations; it is NULL for relations without storage (views, partitioned tables), which are
 * then never "rewritten". Read only where a lock row cannot say it: before a step without the DDL log
 * (the names of what it drops), after a step whose locks were not all read.
 */
export const RELATIONS_SQL = `SELECT c.oid::int8 AS oid, pg_relation_filenode(c.oid)::int8 AS filenode,
  n.nspname || '.' || c.relname AS name
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'i', 'I', 'S', 'v', 'm', 'f') AND ${NOT_USER}`

/** A dropped relation's `schema.name`, from the DDL log's entry for it (user schemas only). */
const DROPPED_NAME = `(SELECT g.name FROM ${DDL_LOG_SCHEMA}.log g
  WHERE g.dropped AND g.objid = l.relation AND g.objsubid = 0 AND g.classid = 'pg_class'::regclass
    AND g.name !~ '^(pg_|information_schema\\.|${DDL_LOG_SCHEMA}\\.)' LIMIT 1)`

/**
 * The relation locks this backend holds, in this database. LEFT JOINs: a relation the step dropped
 * has no pg_class row any more in its own transaction, but its lock is still held (DROP TABLE's
 * AccessExclusiveLock); `logged`: its name then comes from the DDL log, else from the relations read
 * before the step. Oids below FirstNormalObjectId (16384) are the system's. Sent as a prepared
 * statement where it can be (locksStatement): planning its joins cost twice what running it does.
 */
export function locksSql(logged: boolean): string {
  return `SELECT l.relation::int8 AS oid, l.mode AS mode,
  CASE WHEN n.nspname IS NULL THEN ${logged ? DROPPED_NAME : 'NULL'} ELSE n.nspname || '.' || c.relname END AS name,
  CASE WHEN n.nspname IS NULL THEN NULL ELSE ${TABLE_OF} END AS of,
  CASE WHEN n.nspname IS NULL THEN NULL ELSE pg_relation_filenode(c.oid)::int8 END AS filenode
  FROM pg_locks l LEFT JOIN pg_class c ON c.oid = l.relation LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
  ${INDEXED_TABLE}
  WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted AND l.relation >= 16384
    AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
    AND (n.nspname IS NULL OR (${NOT_USER}))`
}

/** The name each variant of the locks query is prepared under, on a connection that observes. */
export function locksStatement(logged: boolean): string {
  return logged ? 'migration_gate_locks_logged' : 'migration_gate_locks'
}

/**
 * What a Python helper's observer runs (the Alembic and Django helpers), sent with an observed step's
 * command, with the names to prepare the locks query under.
 */
export const OBSERVE_QUERIES = {
  before: BEFORE_SQL,
  relations: RELATIONS_SQL,
  locks: { text: locksSql(false), name: locksStatement(false) },
  locks_logged: { text: locksSql(true), name: locksStatement(true) },
}

/** [oid, filenode or null, schema.name] as RELATIONS_SQL gives it. */
export type RelationRow = [oid: string | number, filenode: string | number | null, name: string]
/**
 * [oid, mode, schema.name, of, filenode] as the locks query gives it. For a relation the step dropped
 * all are null but the mode and, from the DDL log where it is installed, the name.
 */
export type LockRow = [
  oid: string | number,
  mode: string,
  name: string | null,
  of: string | null,
  filenode: string | number | null,
]

/** pg_locks' table-level modes, weakest first (lock.h's numbering). */
const MODES = [
  'AccessShareLock',
  'RowShareLock',
  'RowExclusiveLock',
  'ShareUpdateExclusiveLock',
  'ShareLock',
  'ShareRowExclusiveLock',
  'ExclusiveLock',
  'AccessExclusiveLock',
]
const strength = (mode: string) => MODES.indexOf(mode)

export interface Readings {
  /** BEFORE_SQL's watermark: every oid and file node in the database before the step is at most this. */
  watermark: string | number
  /** The relations before the step, read only where the DDL log cannot name what the step dropped. */
  before?: RelationRow[]
  /**
   * The relations after the step; none when the locks are complete: every relation a step creates or
   * rewrites is locked (ACCESS EXCLUSIVE) until its commit, so the lock rows, which carry the file
   * node as it stood at that commit, say all of it.
   */
  after?: RelationRow[]
  /** Every commit's lock rows of the step, together, in the order of the commits. */
  locks: LockRow[]
  /** The locks of every part of the step were read (see StepObservation.locksComplete). */
  complete: boolean
  /** Bookkeeping tables (bare names or schema.name): their locks and creation, and their indexes', are the tool's. */
  bookkeeping: string[]
}

/**
 * An observed step's readings as a helper replies them (both helpers read the same queries); the
 * watermark is null when the reading before the step failed: nothing can be told then.
 */
export type ObservedReply = Omit<Readings, 'watermark' | 'bookkeeping'> & { watermark: string | number | null }

export function buildObservation(r: Readings): StepObservation {
  const mine = (name: string) =>
    !r.bookkeeping.some((b) => (b.includes('.') ? name === b : name.slice(name.indexOf('.') + 1) === b))
  const watermark = Number(r.watermark)
  const existed = (oid: string | number) => Number(oid) <= watermark
  const namedBefore = new Map((r.before ?? []).map(([oid, , name]) => [String(oid), name]))
  const strongest = new Map<string, ObservedLock>()
  for (const [oid, mode, named, namedOf] of r.locks) {
    const name = named ?? namedBefore.get(String(oid))
    // Created and dropped within the step (gone by its commit, and newer than the watermark): nothing
    // a running app sees. Or a dropped relation nothing names.
    const dropped = namedOf === null
    if (name === undefined || (dropped && !existed(oid)) || !mine(namedOf ?? name)) continue
    const held = strongest.get(name)
    if (held && strength(held.mode) >= strength(mode)) continue
    strongest.set(name, {
      relation: name,
      mode,
      existedBefore: existed(oid),
      ...(namedOf && namedOf !== name ? { table: namedOf } : {}),
    })
  }
  const rewritten: string[] = []
  const created: string[] = []
  for (const [oid, filenode, name, of] of r.after ?? afterFromLocks(r.locks)) {
    if (!mine(of ?? name)) continue
    if (!existed(oid)) created.push(name)
    // A file node newer than the watermark: drawn during the step, so the storage was rewritten.
    else if (filenode !== null && Number(filenode) > watermark) rewritten.push(name)
  }
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
  return {
    locks: [...strongest.values()].sort((a, b) => byName(a.relation, b.relation)),
    rewritten: rewritten.sort(byName),
    created: created.sort(byName),
    locksComplete: r.complete,
  }
}

/** The locked relations as the last commit that held them left them (a null name: dropped by then). */
function afterFromLocks(locks: LockRow[]): Array<[...RelationRow, of: string | null]> {
  const latest = new Map<string, LockRow>()
  for (const row of locks) latest.set(String(row[0]), row)
  const after: Array<[...RelationRow, of: string | null]> = []
  // A dropped relation (no `of`: it has no pg_class row at that commit) is in no list.
  for (const [oid, , name, of, filenode] of latest.values())
    if (name !== null && of !== null) after.push([oid, filenode, name, of])
  return after
}
