// What an observed step sent and what the server saw it do (the dangerous-operation rules' input),
// part of the driver contract (driver.ts re-exports these). Kept apart, importing nothing, because
// the report's steps carry them too (src/report.ts) and report.ts must not import driver.ts, which
// imports it.

/**
 * A statement a step sent, as the server received it (bound parameters filled in where the tool binds
 * them client-side), the tool's own bookkeeping (its version table) left out.
 */
export interface SentStatement {
  sql: string
  /**
   * Where it came from, relative to the project dir: Alembic the revision file's innermost frame at
   * execute time; Django that too (a RunPython's function), else the line of the operation that sent
   * or deferred it; SQL tools the statement's first line in its file. Absent when no frame of a
   * migration file was on the stack (a statement env.py sent).
   */
  file?: string
  line?: number
}

/** A relation-level lock a step's backend held, as pg_locks names its mode. */
export interface ObservedLock {
  /** `schema.name` of the relation (a table, index, sequence, view). */
  relation: string
  /** The strongest granted mode: 'AccessExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', ... */
  mode: string
  /** The relation existed before the step (committed): false for what the step itself created. */
  existedBefore: boolean
  /**
   * For an index: the table it belongs to (`schema.name`). Queries on the table wait for a lock on
   * any of its indexes too (the planner opens them all), so rules judge such a lock as the table's.
   */
  table?: string
}

/**
 * What the server saw a step do, read on the step's own connection inside its own transaction just
 * before it committed (locks are released at commit), and from pg_class before and after the step.
 */
export interface StepObservation {
  /** One entry per relation the step's backend held a lock on at commit, strongest mode. */
  locks: ObservedLock[]
  /**
   * `schema.name` of relations that existed before the step and whose storage was rewritten
   * (relfilenode changed): a table, and its indexes, which a rewrite rebuilds too.
   */
  rewritten: string[]
  /** `schema.name` of relations the step created. */
  created: string[]
  /**
   * Whether the locks could be read: false for a step (or the part of one) that ran outside a
   * transaction the gate could look into before commit (an autocommit block; a SQL file or dbmate
   * `transaction:false` block that must run outside one, CREATE INDEX CONCURRENTLY, or that commits
   * by itself; see drivers/sql/split.ts sameInTransaction): its `locks` are then incomplete.
   */
  locksComplete: boolean
}
