// A run's liveness on a database-url server: while it runs, it holds a session advisory lock whose
// key comes from its run id, on a connection it keeps open for its whole lifetime. A process that
// dies in any way (SIGKILL included) loses its connection, and the server releases the lock with it.
// Taking a session advisory lock writes nothing to any database.
import { createHash } from 'node:crypto'
import pg from 'pg'
import { LOCK_APPLICATION_NAME } from './names.js'

/** First key of every run lock: "mgat", so the gate's locks are told apart from an application's own. */
const NAMESPACE = 0x6d676174

/**
 * The two int4 keys of a run's lock. The second is 31 bits of a hash of the run id: two runs that
 * collide only make a dead run look alive (its leftovers wait for a later sweep), never the reverse.
 */
export function runLockKeys(runId: string): [number, number] {
  const digest = createHash('sha256').update(`migration-gate run ${runId}`).digest()
  return [NAMESPACE, digest.readUInt32BE(0) & 0x7fffffff]
}

export interface RunLock {
  /** The connection holding the lock; also serves the run's catalog queries (isolation checks). */
  client: pg.Client
  /** Its backend pid, which the isolation check leaves out (it sits in the admin database). */
  pid: number
  release(): Promise<void>
}

/** Takes the run's lock on a connection kept open until release(). */
export async function holdRunLock(adminUrl: string, runId: string): Promise<RunLock> {
  const client = new pg.Client({
    connectionString: adminUrl,
    application_name: LOCK_APPLICATION_NAME,
    connectionTimeoutMillis: 10_000,
  })
  // A server that goes away ends the connection; the run's other work reports it, this must not crash.
  client.on('error', () => {})
  await client.connect()
  try {
    const r = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid, pg_advisory_lock($1, $2)', [
      ...runLockKeys(runId),
    ])
    const pid = r.rows[0]?.pid ?? 0
    return { client, pid, release: () => client.end().catch(() => {}) }
  } catch (error) {
    await client.end().catch(() => {})
    throw error
  }
}

/**
 * True when no session anywhere on the server holds the run's lock, so the run is gone for good
 * (run ids are never reused). On true, `client` holds the lock itself until it unlocks: a second
 * sweeper in the same database waits its turn instead of racing. Advisory locks belong to one
 * database, and a run holds its lock in its own admin database, which may not be this one:
 * pg_locks, which shows the locks of every database, is asked too.
 */
export async function lockIfGone(client: pg.Client, runId: string): Promise<boolean> {
  const [k1, k2] = runLockKeys(runId)
  const got = await client.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS got', [k1, k2])
  if (!got.rows[0]?.got) return false
  const elsewhere = await client.query(
    `SELECT 1 FROM pg_locks
      WHERE locktype = 'advisory' AND classid = $1::bigint::oid AND objid = $2::bigint::oid AND objsubid = 2
        AND granted AND pid <> pg_backend_pid()`,
    [k1, k2],
  )
  if (elsewhere.rowCount === 0) return true
  await unlock(client, runId)
  return false
}

export async function unlock(client: pg.Client, runId: string): Promise<void> {
  await client.query('SELECT pg_advisory_unlock($1, $2)', [...runLockKeys(runId)])
}
