// How long the live database may keep the gate waiting, and how the gate names itself there. Short
// on purpose: every query takes ACCESS SHARE locks, which a deploy's ALTER TABLE would queue behind;
// the gate gives up (one line, exit 2) rather than hold anyone up.

export const LIVE_LIMITS = {
  /** Waiting for a lock another session holds: a deploy or a migration in progress. */
  lockTimeoutMs: 2_000,
  /** One query; the version table and the catalog answer in milliseconds. */
  statementTimeoutMs: 15_000,
  /** A transaction the gate left open (it died between two statements) is ended by the server. */
  idleInTransactionMs: 10_000,
  /** Opening the connection. */
  connectTimeoutMs: 10_000,
} as const

/** Seen in pg_stat_activity by the database's owners: who is reading, and that it only reads. */
export const LIVE_APPLICATION_NAME = 'migration-gate read-only'
