// A helper process started before it is needed. A helper's start is mostly the interpreter and the
// imports of Alembic and SQLAlchemy (~0.25 s of ~0.3 s), and a stairway that rebuilds a database
// (after a downgrade left residue) opens a new session each time: a spare pays that start while the
// gate still works on the current database, then gets its database's URL and loads env.py for it.
// The run's first database gets one started while the gate reads the chain and starts the server
// (driver.prepare); later ones only once a database was opened again (a rebuild, a checkpoint): a
// run that never rebuilds starts no helper it does not use.

/** What a spare must do (session.ts's HelperProcess): nothing here starts one itself. */
export interface SpareProcess {
  readonly alive: boolean
  /** Gives the spare its database. */
  begin(url: string): void
  stop(): Promise<void>
}

export class SpareHelpers<P extends SpareProcess> {
  private spare: P | undefined
  /** The interpreter the spare runs, when warm() started it. */
  private python: string | undefined
  private closed = 0

  /** The spare, given `url` and taken out of the pool; undefined when none is ready. */
  take(url: string): P | undefined {
    const spare = this.spare
    this.spare = undefined
    if (!spare?.alive) return undefined
    spare.begin(url)
    return spare
  }

  /**
   * One spare warms up now, unless one for the same interpreter does already (the run's first
   * database is coming). One started for a guessed interpreter that proved wrong is stopped.
   */
  warm(start: () => P, python: string): void {
    if (this.spare && this.python === python) return
    void this.spare?.stop().catch(() => {})
    this.spare = start()
    this.python = python
  }

  /** A session opened: once sessions are being opened again after others closed, one spare warms up. */
  opening(start: () => P): void {
    if (this.closed > 0 && !this.spare) {
      this.spare = start()
      this.python = undefined
    }
  }

  /** A session closed: the next open is a rebuild (or a checkpoint's reopen). */
  sessionClosed(): void {
    this.closed++
  }

  /** Ends the spare (it quits before running anything of the project). */
  async stop(): Promise<void> {
    const spare = this.spare
    this.spare = undefined
    await spare?.stop()
  }
}
