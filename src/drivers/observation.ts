// What the server saw a step do (StepResult.observed), built the same way for every driver from three
// readings on the step's own connection: the user relations before the step, the relation locks its
// backend held just before each of its commits, and the user relations after it. The queries live
// here so that the Alembic helper (which runs them on its own connection) and the SQL session send
// the same text.
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
 * User relations with their storage. pg_relation_filenode() rather than relfilenode, which is 0 for
 * mapped relations; it is NULL for relations without storage (views, partitioned tables), which are
 * then never "rewritten". No parameter and no `%`: the helper sends it through any DBAPI as it is.
 * Without the table of each index (TABLE_OF), which doubled its cost: it is read every observed step
 * over the whole schema, and an index of the tool's bookkeeping table is never created or rewritten
 * by a step; the lock rows, where it is locked every step, carry it.
 */
export const RELATIONS_SQL = `SELECT c.oid::int8 AS oid, pg_relation_filenode(c.oid)::int8 AS filenode,
  n.nspname || '.' || c.relname AS name
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'i', 'I', 'S', 'v', 'm', 'f') AND ${NOT_USER}`

/**
 * The relation locks this backend holds, in this database. LEFT JOINs: a relation the step dropped
 * has no pg_class row any more in its own transaction, but its lock is still held (DROP TABLE's
 * AccessExclusiveLock); its name then comes from the relations read before the step. Oids below
 * FirstNormalObjectId (16384) are the system's.
 */
export const LOCKS_SQL = `SELECT l.relation::int8 AS oid, l.mode AS mode,
  CASE WHEN n.nspname IS NULL THEN NULL ELSE n.nspname || '.' || c.relname END AS name,
  CASE WHEN n.nspname IS NULL THEN NULL ELSE ${TABLE_OF} END AS of,
  CASE WHEN n.nspname IS NULL THEN NULL ELSE pg_relation_filenode(c.oid)::int8 END AS filenode
  FROM pg_locks l LEFT JOIN pg_class c ON c.oid = l.relation LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
  ${INDEXED_TABLE}
  WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted AND l.relation >= 16384
    AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
    AND (n.nspname IS NULL OR (${NOT_USER}))`

/** [oid, filenode or null, schema.name] as RELATIONS_SQL gives it. */
export type RelationRow = [oid: string | number, filenode: string | number | null, name: string]
/** [oid, mode, schema.name, of, filenode] as LOCKS_SQL gives it; all null but the mode for a relation the step dropped. */
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
  before: RelationRow[]
  /**
   * The relations after the step; none when the locks are complete: every relation a step creates or
   * rewrites is locked (ACCESS EXCLUSIVE) until its commit, so the lock rows, which carry the file
   * node as it stood at that commit, say all of it, and a step costs one read of pg_class, not two.
   */
  after?: RelationRow[]
  /** Every commit's lock rows of the step, together, in the order of the commits. */
  locks: LockRow[]
  /** The locks of every part of the step were read (see StepObservation.locksComplete). */
  complete: boolean
  /** Bookkeeping tables (bare names or schema.name): their locks and creation, and their indexes', are the tool's. */
  bookkeeping: string[]
}

export function buildObservation(r: Readings): StepObservation {
  const mine = (name: string) =>
    !r.bookkeeping.some((b) => (b.includes('.') ? name === b : name.slice(name.indexOf('.') + 1) === b))
  const before = new Map(r.before.map(([oid, filenode, name]) => [String(oid), { filenode, name }]))
  const strongest = new Map<string, ObservedLock>()
  for (const [oid, mode, named, namedOf] of r.locks) {
    const earlier = before.get(String(oid))
    const name = named ?? earlier?.name
    // Created and dropped within the step: nothing to name it by, and nothing a running app sees.
    if (name === undefined || !mine(namedOf ?? name)) continue
    const held = strongest.get(name)
    if (held && strength(held.mode) >= strength(mode)) continue
    strongest.set(name, {
      relation: name,
      mode,
      existedBefore: earlier !== undefined,
      ...(namedOf && namedOf !== name ? { table: namedOf } : {}),
    })
  }
  const rewritten: string[] = []
  const created: string[] = []
  for (const [oid, filenode, name, of] of r.after ?? afterFromLocks(r.locks)) {
    if (!mine(of ?? name)) continue
    const was = before.get(String(oid))
    if (!was) created.push(name)
    else if (was.filenode !== null && filenode !== null && String(was.filenode) !== String(filenode))
      rewritten.push(name)
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
  for (const [oid, , name, of, filenode] of latest.values()) if (name !== null) after.push([oid, filenode, name, of])
  return after
}
