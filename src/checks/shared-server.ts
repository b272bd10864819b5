// A monorepo run's one PostgreSQL server (projects.ts): started once, when the first project needs
// it, and stopped when the last project is done. Each project gets a lease on it: the same server,
// whose stop() drops only the databases that project created, so one project's scratch databases
// never outlive it and never meet another's.
import type { RevisionGraph } from '../drivers/driver.js'
import type { GateConfig } from '../inputs.js'
import type { Logger } from '../logger.js'
import type { Timed } from '../phase-timer.js'
import type { Server } from '../postgres/provider.js'
import type { ResourceTracker } from '../resource-tracker.js'
import { findServerWideStatement } from './shared-objects.js'
import { startScratchServer, type ScratchServer } from './scratch-server.js'

export class SharedScratchServer {
  private starting: Promise<ScratchServer> | undefined
  /** Servers started so far: one at most (the run's log and the tests read it). */
  started = 0

  constructor(
    private readonly run: {
      config: GateConfig
      logger: Logger
      /** The run's own tracker, not a project's: emptying a project's leaves the server running. */
      resources: ResourceTracker
    },
  ) {}

  /**
   * Whether a project's server comes from here: the gate's own servers (local, embedded, docker),
   * whose start is what sharing saves. A url server is one server already: each project creates its
   * databases there (and its run role) as a single run does.
   */
  static serves(config: GateConfig): boolean {
    return ['roundtrip', 'stairway', 'live'].includes(config.mode) && !config.databaseUrl && config.postgres !== 'url'
  }

  /**
   * Why a project must not use the shared server: its migrations create, alter or drop roles,
   * tablespaces or databases, which every database of a server shares; they would stay behind for
   * the next project ("role ... already exists"). Such a project gets a server of its own.
   */
  static ownServerReason(projectDir: string, graph: RevisionGraph): string | undefined {
    const found = findServerWideStatement(projectDir, graph)
    if (!found) return undefined
    return `${found.file}:${found.line} (${found.text}) changes objects every database of a server shares: this project was replayed on a PostgreSQL server of its own, not on the one the other projects share`
  }

  /** The server for one project, started on the first call (timed as that project's postgres phase). */
  lease(timed: Timed): Promise<ScratchServer> {
    if (!this.starting) {
      this.started++
      this.starting = startScratchServer({ ...this.run, timed })
      // Each project that leases it hears a failed start; nobody may be left to.
      this.starting.catch(() => undefined)
    }
    return this.starting.then((s) => ({ ...s, server: leased(s.server) }))
  }

  /** Stops the server, if one was started; never throws (a start that failed has nothing to stop). */
  async stop(): Promise<void> {
    const started = await this.starting?.catch(() => undefined)
    await started?.server.stop().catch(() => undefined)
  }
}

/** The server for one project: the same server, whose stop() drops that project's databases only. */
function leased(server: Server): Server {
  const mine = new Set<string>()
  return {
    provider: server.provider,
    serverVersion: server.serverVersion,
    startMs: server.startMs,
    ...(server.notes ? { notes: server.notes } : {}),
    ...(server.checkIsolation ? { checkIsolation: server.checkIsolation.bind(server) } : {}),
    urlFor: (name) => server.urlFor(name),
    adminUrlFor: (name) => server.adminUrlFor(name),
    async createDatabase(options) {
      const db = await server.createDatabase(options)
      mine.add(db.name)
      return db
    },
    async dropDatabase(name) {
      if (!mine.has(name)) throw new Error(`refusing to drop database ${name}: this project did not create it`)
      await server.dropDatabase(name)
      mine.delete(name)
    },
    async stop() {
      const problems: string[] = []
      for (const name of [...mine]) {
        await server.dropDatabase(name).then(
          () => mine.delete(name),
          (error: unknown) => problems.push(`${name}: ${error instanceof Error ? error.message : String(error)}`),
        )
      }
      // The server's own stop drops what is left; the project's run says what it could not drop.
      if (problems.length) throw new Error(`scratch databases not dropped: ${problems.join('; ')}`)
    },
  }
}
