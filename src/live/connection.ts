// The only connection the gate opens to the live database. Every query is a READ ONLY transaction of
// its own with its timeouts set LOCAL, so nothing depends on session state and it works the same
// through a pooler in transaction mode (PgBouncer); nothing is created there: no temp table, no
// function, no named prepared statement (pg's unnamed statement lives until the next query). Queries
// are counted for the report.
import pg from 'pg'
import type { LiveQuery } from '../drivers/driver.js'
import { liveError } from './connection-errors.js'
import { LIVE_APPLICATION_NAME, LIVE_LIMITS } from './limits.js'

/** The statement that opens each query's transaction: read only, with its own limits. */
export const BEGIN_READ_ONLY = [
  'BEGIN READ ONLY',
  `SET LOCAL statement_timeout = ${LIVE_LIMITS.statementTimeoutMs}`,
  `SET LOCAL lock_timeout = ${LIVE_LIMITS.lockTimeoutMs}`,
  `SET LOCAL idle_in_transaction_session_timeout = ${LIVE_LIMITS.idleInTransactionMs}`,
  // Also said at connect time; said again here for a pooler that does not pass it on.
  `SET LOCAL application_name = '${LIVE_APPLICATION_NAME}'`,
].join('; ')

export class LiveConnection {
  /** Queries run so far (each its own transaction), the gate's bookkeeping statements not counted. */
  queries = 0
  /**
   * The longest of its transactions, BEGIN to COMMIT (ms): the longest any lock the gate took there
   * (ACCESS SHARE, released at commit) was held.
   */
  longestTransactionMs = 0

  private constructor(
    private readonly client: pg.Client,
    /** host:port/database, for messages. */
    private readonly where: string,
    private readonly input: string,
  ) {}

  /** Connects to `url`; a refused or failed connection is a one-line GateError naming `input`. */
  static async open(url: string, where: string, input: string): Promise<LiveConnection> {
    const client = new pg.Client({
      connectionString: url,
      application_name: LIVE_APPLICATION_NAME,
      connectionTimeoutMillis: LIVE_LIMITS.connectTimeoutMs,
      // The client's own limit, a little past the server's: a server or network that stops answering
      // must not hang the run.
      query_timeout: LIVE_LIMITS.statementTimeoutMs + 5_000,
      keepAlive: true,
    })
    // An error after connecting (the server went away) surfaces at the next query; not as a crash.
    client.on('error', () => {})
    try {
      await client.connect()
    } catch (error) {
      await client.end().catch(() => {})
      throw liveError(error, where, input)
    }
    return new LiveConnection(client, where, input)
  }

  /** One read-only query in its own transaction. */
  readonly query: LiveQuery = async <R extends object>(sql: string, params: unknown[] = []) => {
    this.queries++
    const t0 = performance.now()
    try {
      await this.client.query(BEGIN_READ_ONLY)
      const result = await this.client.query<R>(sql, params)
      await this.client.query('COMMIT')
      return result.rows
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => {})
      throw liveError(error, this.where, this.input)
    } finally {
      this.longestTransactionMs = Math.max(this.longestTransactionMs, Math.round(performance.now() - t0))
    }
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => {})
  }
}
