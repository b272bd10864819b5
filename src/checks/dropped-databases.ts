// A migration that drops a database it did not create (`DROP DATABASE postgres` in an autocommit
// block) destroys more than its schema: on the deploy server, a database other applications or the
// operators rely on. The replay cannot see it in the scratch database's catalog, so the server's
// list of databases (the gate's own left out) is read after every step and compared with the list
// before it: a name that went is a finding at the revision whose step dropped it.
import type { MigrationSession, RevisionGraph } from '../drivers/driver.js'
import { afterSettling, stepLocation, watchSteps, type Direction } from './step-watch.js'
import type { Finding } from '../report.js'
import { databaseDropped } from '../findings/database-dropped.js'

export class DroppedDatabaseWatch {
  /** The server's databases as last seen, the gate's own left out; unknown until the first step. */
  private known: Set<string> | undefined
  private readonly dropped: Array<{ revision: string; direction: Direction; names: string[] }> = []

  /**
   * The session, with the server's databases listed before the first step and after every step: read
   * when the session is next used (its next step, a read of its revision, its end), so that the
   * catalog capture that follows a step lists them in its own round trip (`list` is the probe's).
   * Nothing but that capture runs in between; the list is the one the step left.
   */
  watch(session: MigrationSession, list: () => Promise<string[]>): MigrationSession {
    let pending: { revision: string; direction: Direction } | undefined
    const settle = async () => {
      if (!this.known) this.known = new Set(await list())
      if (!pending) return
      const { revision, direction } = pending
      pending = undefined
      const now = new Set(await list())
      const gone = [...this.known].filter((name) => !now.has(name))
      if (gone.length > 0) this.dropped.push({ revision, direction, names: gone.sort() })
      this.known = now
    }
    const watched = watchSteps(session, {
      before: settle,
      after: (revision, direction) => {
        pending = { revision, direction }
      },
    })
    return { ...watched, ...afterSettling(session, settle) }
  }

  findings(graph: RevisionGraph): Finding[] {
    const nodes = new Map(graph.nodes.map((n) => [n.id, n]))
    return this.dropped.map(({ revision, direction, names }) =>
      databaseDropped({ direction, revision, names }, { revision, ...stepLocation(nodes.get(revision), direction) }),
    )
  }
}
