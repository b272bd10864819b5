// The live phase of runGate (mode live): connect to the database about to be migrated, read where it
// stands through the driver (its version table) and how many tables it has, every query read only
// (connection.ts); then judge it against the chain (judge.ts), with git telling where an unknown
// revision came from. Returns the report's `live` object and the findings.
import { heads } from '../checks/topo.js'
import type { LiveState, MigrationDriver, RevisionGraph } from '../drivers/driver.js'
import { GateError } from '../errors.js'
import { revisionOrigin, type RevisionOrigin } from '../git/revision-origin.js'
import type { GateConfig } from '../inputs.js'
import type { Logger } from '../logger.js'
import type { Finding, LiveInfo } from '../report.js'
import { registerSecrets } from '../scrub.js'
import { LiveConnection } from './connection.js'
import { judgeLive } from './judge.js'
import { liveStanding } from './pending.js'
import { describeLive, resolveLiveTarget, splitLiveUrl } from './url.js'

export interface LivePhaseResult {
  info: LiveInfo
  findings: Finding[]
  notes: string[]
}

/** Tables besides the tool's version table; an extension's own (PostGIS's spatial_ref_sys) are not the application's. */
const USER_TABLES = `SELECT count(*)::int AS n
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'
   AND n.nspname || '.' || c.relname <> $1
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                    WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')`

export async function runLivePhase(input: {
  config: GateConfig
  driver: MigrationDriver
  graph: RevisionGraph
  logger: Logger
}): Promise<LivePhaseResult> {
  const { config, driver, graph, logger } = input
  const target = resolveLiveTarget(config)
  if (!target) throw new Error('runLivePhase outside mode live')
  if (!driver.readLiveState || !driver.liveWording) {
    throw new GateError(
      `mode: live is not available for ${driver.tool} (it cannot read the live version table)`,
      'mode',
    )
  }
  registerSecrets(target.url)
  const { connect, toolParams } = splitLiveUrl(target.url)
  const where = describeLive(target.url)
  const connection = await LiveConnection.open(connect, where, target.input)
  let serverVersion: string
  let state: LiveState
  let tables = 0
  try {
    const [version] = await connection.query<{ server_version: string }>('SHOW server_version')
    // "15.8 (Debian 15.8-1.pgdg120+1)": the version, without the packager's words.
    serverVersion = version?.server_version.split(' ')[0] ?? 'unknown'
    state = await driver.readLiveState({ query: connection.query, toolParams })
    if (state.revisions.length === 0) {
      tables = (await connection.query<{ n: number }>(USER_TABLES, [state.table]))[0]?.n ?? 0
    }
    // Live drift belongs here, while the connection is open: src/live/drift.ts compares the live
    // schema (read with connection.query) with the schema the chain builds at state.revisions on a
    // scratch server, and its findings join those judged below.
  } finally {
    await connection.close()
  }
  logger.info(
    `live: ${where} (PostgreSQL ${serverVersion}) at ${state.revisions.join(', ') || 'no revision'} in ${state.table}`,
  )
  const origins = await originsOf(config, driver, graph, state)
  const judged = judgeLive({ graph, state, tables, expect: config.liveExpect, wording: driver.liveWording, origins })
  const info: LiveInfo = {
    database: where,
    serverVersion,
    versionTable: state.table,
    revisions: state.revisions,
    heads: heads(graph),
    pending: judged.pending,
    behind: judged.pending?.length ?? null,
    ...(state.dirty !== undefined ? { dirty: state.dirty } : {}),
    expect: config.liveExpect,
    queries: connection.queries,
    longestTransactionMs: connection.longestTransactionMs,
  }
  return { info, findings: judged.findings, notes: judged.notes }
}

/** Where each revision the chain lacks came from, from git (none where the driver has no git layout). */
async function originsOf(
  config: GateConfig,
  driver: MigrationDriver,
  graph: RevisionGraph,
  state: LiveState,
): Promise<Map<string, RevisionOrigin>> {
  const origins = new Map<string, RevisionOrigin>()
  const layout = driver.gitLayout?.()
  if (!layout) return origins
  for (const revision of liveStanding(graph, state).unknown) {
    const origin = await revisionOrigin(config.projectDir, layout, revision)
    if (origin) origins.set(revision, origin)
  }
  return origins
}
