// Reads a normalized, deterministic Snapshot of a database's schema: one query (SNAPSHOT_SQL), one row,
// then a pure normalize() step. The replay does not call takeSnapshot: its SnapshotProbe (probe.ts) keeps
// each capture on the server and normalizes a document only for a diff. takeSnapshot reads one directly
// (tests of the query, bench/), through the same SNAPSHOT_SQL and normalize().
import { SNAPSHOT_SQL } from './queries.js'
import type { Queryable, QueryRunner, RelationRef, Snapshot, SnapshotOptions } from './types.js'

export type { QueryRunner, Queryable, Snapshot, SnapshotOptions } from './types.js'

/** A QueryRunner from a pg client (or pool), or the runner itself. */
export function toRunner(source: Queryable | QueryRunner): QueryRunner {
  if (typeof source === 'function') return source
  return async (sql) => (await source.query(sql)).rows
}

const LISTS = ['schemas', 'extensions', 'types', 'sequences', 'relations', 'functions'] as const

/** The JSON text of SNAPSHOT_SQL's single row (a runner may also hand it over already parsed). */
function documentOf(rows: ReadonlyArray<Record<string, unknown>>): unknown {
  if (rows.length !== 1 || !rows[0] || !('snapshot' in rows[0])) {
    throw new Error(`schema snapshot: expected one row with a "snapshot" column, got ${rows.length} row(s)`)
  }
  const value = rows[0].snapshot
  return typeof value === 'string' ? JSON.parse(value) : value
}

/**
 * Turns the rows of SNAPSHOT_SQL into a Snapshot, leaving out the excluded tables. Pure: no I/O, and the
 * same rows always give the same value. The SQL already sorted everything and left out OIDs; this step
 * checks the shape and applies options that the SQL text deliberately does not take (so it stays a
 * constant any connection can run, and its fingerprint stays independent of options).
 */
export function normalize(rows: ReadonlyArray<Record<string, unknown>>, options: SnapshotOptions = {}): Snapshot {
  const doc = documentOf(rows)
  if (typeof doc !== 'object' || doc === null) throw new Error('schema snapshot: the document is not an object')
  const record = doc as Record<string, unknown>
  for (const key of LISTS) {
    if (!Array.isArray(record[key])) throw new Error(`schema snapshot: the document has no "${key}" list`)
  }
  const snapshot = doc as Snapshot
  const excluded = excludeMatcher(options.excludeTables ?? [])
  if (!excluded) return snapshot
  return {
    ...snapshot,
    relations: snapshot.relations.filter((r) => !excluded(r)),
    sequences: snapshot.sequences.filter((s) => !(s.ownedBy && excluded(s.ownedBy))),
  }
}

/** "schema.table" matches that schema; a bare "table" matches it in any schema. Null when nothing is excluded. */
function excludeMatcher(names: readonly string[]): ((ref: RelationRef) => boolean) | null {
  if (names.length === 0) return null
  const qualified = new Set<string>()
  const bare = new Set<string>()
  for (const n of names) {
    const dot = n.indexOf('.')
    if (dot > 0) qualified.add(`${n.slice(0, dot)}\u0000${n.slice(dot + 1)}`)
    else bare.add(n)
  }
  return (ref) => bare.has(ref.name) || qualified.has(`${ref.schema}\u0000${ref.name}`)
}

/** Reads the schema of the database `source` is connected to. */
export async function takeSnapshot(source: Queryable | QueryRunner, options: SnapshotOptions = {}): Promise<Snapshot> {
  return normalize(await toRunner(source)(SNAPSHOT_SQL), options)
}
