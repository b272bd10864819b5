// The gate's ephemeral PostgreSQL for a phase that needs one (the replay; mode live, for the schema
// the chain builds): the provider the inputs choose, started, timed as the `postgres` phase, with
// what it says logged. The caller stops it.
import { dirname } from 'node:path'
import { findRoleStatement } from './shared-objects.js'
import type { RevisionGraph } from '../drivers/driver.js'
import type { GateConfig } from '../inputs.js'
import type { Logger } from '../logger.js'
import type { Timed } from '../phase-timer.js'
import type { Server } from '../postgres/provider.js'
import { chooseProvider } from '../postgres/select.js'
import { defaultPostgresImage } from '../postgres/default-image.js'
import { checkServerMajor } from '../postgres/postgres-version.js'
import type { PostgresInfo } from '../report.js'
import type { ResourceTracker } from '../resource-tracker.js'

export interface ScratchServer {
  server: Server
  /** For the report. */
  postgres: PostgresInfo
  /** What the provider had to say (a fallback, a version it picked). */
  notes: string[]
}

export async function startScratchServer(input: {
  config: GateConfig
  /** For a url server's run role (whether the migrations manage roles); no other provider reads it. */
  graph?: RevisionGraph
  timed: Timed
  logger: Logger
  /** The run's: the server and its databases are cleaned through it. */
  resources: ResourceTracker
}): Promise<ScratchServer> {
  const { config, graph, timed, logger, resources } = input
  const provider = await chooseProvider(
    config.postgres,
    {
      resources,
      // Binaries the user named (pg-bin) are used as they are unless postgres-version was given too.
      version: config.pgBin && !config.postgresVersion.explicit ? 'any' : config.postgresVersion.version,
      ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
      ...(config.pgBin ? { pgBin: config.pgBin } : {}),
      image: config.postgresImage,
      ...(graph ? { roleStatement: () => findRoleStatement(config.projectDir, graph) } : {}),
    },
    logger,
  )
  const server: Server = await timed('postgres', async () => {
    const started = await provider.start()
    // Whatever served it (an image, pg-bin, a url), a server of another major than asked for answers
    // for a PostgreSQL production does not run.
    try {
      const named =
        started.provider === 'url' ||
        (started.provider === 'docker' &&
          config.postgresImage !== defaultPostgresImage(config.postgresVersion.version)) ||
        (started.provider !== 'docker' && Boolean(config.pgBin))
      checkServerMajor(config.postgresVersion, started.provider, started.serverVersion, named)
    } catch (error) {
      await started.stop().catch(() => undefined)
      throw error
    }
    return started
  })
  const where = server.dataDir?.inMemory
    ? ` (data in memory under ${dirname(server.dataDir.path)}; set TMPDIR to keep it on disk)`
    : ''
  logger.info(`postgres: ${server.provider} PostgreSQL ${server.serverVersion} ready in ${server.startMs} ms${where}`)
  const { version } = config.postgresVersion
  return {
    server,
    postgres: {
      provider: server.provider,
      version: String(version),
      serverVersion: server.serverVersion,
      startMs: server.startMs,
    },
    notes: [...(server.notes ?? [])],
  }
}

/**
 * A replay's scratch server started at the beginning of the run: starting it (initdb, a container)
 * needs nothing of the chain, so it runs beside the static and git phases and the interpreter's
 * check instead of after them. Only where no url server is possible (a url server's run role reads
 * the chain first). The replay takes it and stops it; a run that takes it not (the replay skipped,
 * an error before) discards it, waiting for the start to end: nothing it started outlives the run.
 */
export class EarlyScratchServer {
  private taken = false

  private constructor(private readonly starting: Promise<ScratchServer>) {
    // Its failure is the replay's to report, when it takes the server; unheard otherwise.
    starting.catch(() => undefined)
  }

  static start(
    input: Omit<Parameters<typeof startScratchServer>[0], 'graph'>,
    /** A monorepo run's one server (shared-server.ts): the project leases it instead of starting its own. */
    shared?: { lease(timed: Timed): Promise<ScratchServer> },
  ): EarlyScratchServer | undefined {
    const { config } = input
    if (!['roundtrip', 'stairway'].includes(config.mode) || config.databaseUrl || config.postgres === 'url')
      return undefined
    return new EarlyScratchServer(shared ? shared.lease(input.timed) : startScratchServer(input))
  }

  /** The server, for the phase that stops it. */
  take(): Promise<ScratchServer> {
    this.taken = true
    return this.starting
  }

  /** Stops it unless taken; never throws (a start that failed has nothing to stop). */
  async discard(): Promise<void> {
    if (this.taken) return
    this.taken = true
    const started = await this.starting.catch(() => undefined)
    await started?.server.stop().catch(() => undefined)
  }
}
