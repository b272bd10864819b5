// The gate's ephemeral PostgreSQL for a phase that needs one (the replay; mode live, for the schema
// the chain builds): the provider the inputs choose, started, timed as the `postgres` phase, with
// what it says logged. The caller stops it.
import { findRoleStatement } from './shared-objects.js'
import type { RevisionGraph } from '../drivers/driver.js'
import type { GateConfig } from '../inputs.js'
import type { Logger } from '../logger.js'
import type { Timed } from '../phase-timer.js'
import type { Server } from '../postgres/provider.js'
import { chooseProvider } from '../postgres/select.js'
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
  graph: RevisionGraph
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
      ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
      ...(config.pgBin ? { pgBin: config.pgBin } : {}),
      image: config.postgresImage,
      roleStatement: () => findRoleStatement(config.projectDir, graph),
    },
    logger,
  )
  const server: Server = await timed('postgres', () => provider.start())
  logger.info(`postgres: ${server.provider} PostgreSQL ${server.serverVersion} ready in ${server.startMs} ms`)
  return {
    server,
    postgres: { provider: server.provider, serverVersion: server.serverVersion, startMs: server.startMs },
    notes: [...(server.notes ?? [])],
  }
}
