// Stops a step that outlives the step timeout. A statement is cancelled from a second connection
// (pg_cancel_backend: the step's own connection is busy waiting for the server); a backend that
// ignores the cancel for a while is terminated, and the session reconnects. Killing only the client
// would not do: the server goes on running the statement and holding its locks.
import pg from 'pg'

/** Time between the cancel and the terminate, for a statement that does not notice the cancel. */
const TERMINATE_AFTER_MS = 5_000

export class Watchdog {
  /** The step ran past the timeout and was cancelled. */
  fired = false
  /** The backend had to be terminated: its connection is gone. */
  terminated = false
  private readonly timers: NodeJS.Timeout[] = []
  private work: Promise<void> = Promise.resolve()

  constructor(
    private readonly url: string,
    private readonly pid: number,
    timeoutMs: number,
  ) {
    this.timers.push(
      setTimeout(() => {
        this.fired = true
        this.work = this.signal('pg_cancel_backend')
        this.timers.push(
          setTimeout(() => {
            this.terminated = true
            this.work = this.work.then(() => this.signal('pg_terminate_backend'))
          }, TERMINATE_AFTER_MS),
        )
      }, timeoutMs),
    )
  }

  /** The step is over: no more signals; waits for one already on its way. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t)
    await this.work
  }

  private async signal(fn: 'pg_cancel_backend' | 'pg_terminate_backend'): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, application_name: 'migration-gate-watchdog' })
    client.on('error', () => {})
    try {
      await client.connect()
      await client.query(`SELECT ${fn}($1)`, [this.pid])
    } catch {
      // The server is gone or the backend ended by itself: the step's own query reports it.
    } finally {
      await client.end().catch(() => {})
    }
  }
}
