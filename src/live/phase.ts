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
import type { Finding, LiveInfo, PostgresInfo } from '../report.js'
import { startScratchServer } from '../checks/scratch-server.js'
import { SharedScratchServer } from '../checks/shared-server.js'
import type { Timed } from '../phase-timer.js'
import type { ResourceTracker } from '../resource-tracker.js'
import { compareLiveSchema } from './compare.js'
import { dirtyProgress } from './dirty-progress.js'
import { matchingRevision } from './schema-match.js'
import type { DirtyProgress } from '../findings/dirty-database.js'
import type { SchemaMatch } from '../findings/unknown-revision.js'
import { predictPendingUpgrade } from './predict.js'
import { pendingUpgradeUnchecked } from '../findings/pending-upgrade-failed.js'
import { pendingDataRisks } from './data-risks.js'
import { readPendingSql, shownSql, type PendingSqlResult } from './pending-sql.js'
import type { ScratchServer } from '../checks/scratch-server.js'
import { registerSecrets } from '../scrub.js'
import { LiveConnection } from './connection.js'
import { judgeLive } from './judge.js'
import { liveStanding, type LiveStanding } from './pending.js'
import { describeLive, resolveLiveTarget, splitLiveUrl } from './url.js'

export interface LivePhaseResult {
  info: LiveInfo
  /** The scratch server the chain's schema was built on, when live drift was compared. */
  postgres?: PostgresInfo
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
  timed: Timed
  /** The run's: the scratch server, its databases and the driver's sessions are cleaned through it. */
  resources: ResourceTracker
  /** A monorepo run's one server, for the schema the chain builds (gate.ts). */
  shared?: SharedScratchServer
}): Promise<LivePhaseResult> {
  const { config, driver, graph, logger, timed, resources } = input
  const target = resolveLiveTarget(config)
  if (!target) throw new Error('runLivePhase outside mode live')
  if (!driver.readLiveState || !driver.liveWording) {
    throw new GateError(
      `mode: live is not available for ${driver.tool} (it cannot read the live version table)`,
      'mode',
    )
  }
  const wording = driver.liveWording
  registerSecrets(target.url)
  const { connect, toolParams } = splitLiveUrl(target.url)
  const where = describeLive(target.url)
  const drift: { findings: Finding[]; notes: string[] } = { findings: [], notes: [] }
  const readState = driver.readLiveState.bind(driver)
  let serverVersion = 'unknown'
  let scratchPostgres: PostgresInfo | undefined
  let state: LiveState
  /** Where it stands against the chain: what `upgrade head` applies, which rows the chain lacks. */
  let standing: LiveStanding
  /** Whether the pending migrations are tried on a copy of the live schema (after the connection closes). */
  let predict = false
  let tables = 0
  let counted: { queries: number; longestTransactionMs: number }
  let scratch: ScratchServer | undefined
  let pendingSql: PendingSqlResult | undefined
  let progress: DirtyProgress | undefined
  let match: SchemaMatch | undefined
  try {
    // Opened first: a database that refuses, or a URL that names none, is said before anything starts.
    const connection = await timed('live', () => LiveConnection.open(connect, where, target.input))
    try {
      state = await timed('live', async () => {
        const [version] = await connection.query<{ server_version: string }>('SHOW server_version')
        // "15.8 (Debian 15.8-1.pgdg120+1)": the version, without the packager's words.
        serverVersion = version?.server_version.split(' ')[0] ?? 'unknown'
        const read = await readState({ query: connection.query, toolParams })
        if (read.revisions.length === 0) {
          tables = (await connection.query<{ n: number }>(USER_TABLES, [read.table]))[0]?.n ?? 0
        }
        return read
      })
      const read = state
      standing = liveStanding(graph, read)
      const pendingNodes = standing.pending ?? []
      predict = predictable(config, read, pendingNodes.length, tables)
      const compare = needsComparison(config, read)
      const chainSchema = needsChainSchema(graph, read, standing)
      // What the pending migrations will run, and what the live rows say about it (planner statistics).
      pendingSql = await timed('live', () =>
        readPendingSql(driver, pendingNodes, { timeoutSeconds: config.stepTimeoutSeconds, resources }),
      )
      const revisionsSql = pendingSql.revisions
      const risks = await timed('live', () => pendingDataRisks(revisionsSql, connection.query))
      drift.findings.push(...risks.findings)
      drift.notes.push(...pendingSql.notes, ...risks.notes)
      if (compare || predict || chainSchema) {
        // The connection stays open meanwhile, idle and outside any transaction: it holds no lock.
        // A project whose migrations change roles keeps them off the server the others share.
        const shared =
          input.shared &&
          SharedScratchServer.serves(config) &&
          !SharedScratchServer.ownServerReason(config.projectDir, graph)
            ? input.shared
            : undefined
        scratch = await (shared?.lease(timed) ?? startScratchServer({ config, graph, timed, logger, resources }))
        scratchPostgres = scratch.postgres
        drift.notes.push(...scratch.notes)
      }
      if (scratch && compare) {
        const server = scratch.server
        const compared = await timed('drift', () =>
          compareLiveSchema({ config, driver, graph, state: read, server, resources, live: connection.query }),
        )
        drift.findings.push(...compared.findings)
        drift.notes.push(...compared.notes)
      } else if (config.liveDriftSeverity === 'off') {
        drift.notes.push('live-drift off (live-drift-severity: off): the live schema was not compared')
      } else if (read.dirty !== undefined) {
        drift.notes.push(`live-drift not compared: version ${read.dirty} is marked dirty (see dirty-database)`)
      }
      if (scratch && chainSchema) {
        // For dirty-database and unknown-revision: the live schema against the chain's, read the same way.
        const chain = { driver, graph, server: scratch.server, ignore: config.liveIgnore, resources }
        const limits = { stepTimeoutSeconds: config.stepTimeoutSeconds, state: read, live: connection.query }
        progress = await timed('drift', () => dirtyProgress({ ...chain, ...limits }))
        match = await timed('drift', () => matchingRevision({ ...chain, ...limits, wording }))
      }
    } finally {
      counted = { queries: connection.queries, longestTransactionMs: connection.longestTransactionMs }
      await connection.close()
    }
    // After the live connection is closed: the prediction reads the live schema with pg_dump alone.
    const pending = standing.pending ?? []
    if (!config.livePredict && pending.length > 0) {
      drift.notes.push('the pending migrations were not tried on a copy of the live schema (live-predict: false)')
    }
    if (scratch && predict) {
      const server = scratch.server
      const copy = await server.createDatabase()
      try {
        const prediction = await timed('replay', () =>
          predictPendingUpgrade({
            driver,
            state,
            pending: standing.pending,
            liveUrl: connect,
            toolParams,
            serverVersion,
            scratchUrl: copy.url,
            drift: drift.findings,
            stepTimeoutSeconds: config.stepTimeoutSeconds,
            resources,
            logger,
          }),
        )
        drift.findings.push(...prediction.findings)
        if (prediction.skipped === undefined) drift.notes.push(...prediction.notes)
        else {
          const first = pending[0]
          const place = first ? { revision: first.id, file: first.file, line: first.line } : {}
          drift.findings.push(pendingUpgradeUnchecked({ reason: prediction.skipped, pending: pending.length }, place))
        }
      } finally {
        await server.dropDatabase(copy.name)
      }
    }
  } finally {
    await scratch?.server.stop()
  }
  if (scratchPostgres && majorOf(serverVersion) !== majorOf(scratchPostgres.serverVersion)) {
    drift.notes.push(
      `the scratch PostgreSQL is ${scratchPostgres.serverVersion} and the live one ${serverVersion}: definitions may print differently between majors, so check live-drift differences in defaults and expressions (postgres-image, pg-bin choose the scratch version)`,
    )
  }
  logger.info(
    `live: ${where} (PostgreSQL ${serverVersion}) at ${state.revisions.join(', ') || 'no revision'} in ${state.table}`,
  )
  const unknown = standing.unknown
  const origins = await timed('live', () => originsOf(config, driver, unknown))
  const judged = judgeLive({
    graph,
    state,
    tables,
    expect: config.liveExpect,
    wording,
    origins,
    ...(progress ? { dirtyProgress: progress } : {}),
    ...(match ? { schemaMatch: match } : {}),
  })
  const info: LiveInfo = {
    database: where,
    serverVersion,
    versionTable: state.table,
    revisions: state.revisions,
    heads: heads(graph),
    pending: withSql(judged.pending, pendingSql),
    behind: judged.pending?.length ?? null,
    ...(state.dirty !== undefined ? { dirty: state.dirty } : {}),
    expect: config.liveExpect,
    ...counted,
  }
  return {
    info,
    ...(scratchPostgres ? { postgres: scratchPostgres } : {}),
    findings: [...judged.findings, ...drift.findings],
    notes: [...judged.notes, ...drift.notes],
  }
}

/** Where each revision the chain lacks came from, from git (none where the driver has no git layout). */
async function originsOf(
  config: GateConfig,
  driver: MigrationDriver,
  unknown: readonly string[],
): Promise<Map<string, RevisionOrigin>> {
  const origins = new Map<string, RevisionOrigin>()
  const layout = driver.gitLayout?.()
  if (!layout) return origins
  for (const revision of unknown) {
    const origin = await revisionOrigin(config.projectDir, layout, revision)
    if (origin) origins.set(revision, origin)
  }
  return origins
}

/** "15.8" -> "15"; "9.6.24" -> "9.6". */
function majorOf(version: string): string {
  const [a = '', b = ''] = version.split('.')
  return Number(a) >= 10 ? a : `${a}.${b}`
}

/**
 * Whether there are pending migrations to predict on a copy of the live schema (predict.ts says the
 * rest). Not on an unversioned database with tables: every migration would meet what is there, and
 * unversioned-database already says the tool cannot migrate it.
 */
function predictable(config: GateConfig, state: LiveState, pending: number, tables: number): boolean {
  if (!config.livePredict || !state.exists || state.dirty !== undefined) return false
  if (state.revisions.length === 0 && tables > 0) return false
  return pending > 0
}

/**
 * Whether live drift has something to compare: it is on, and the database stands at a revision
 * (none, or a dirty one, has its own finding and no schema the chain gives).
 */
function needsComparison(config: GateConfig, state: LiveState): boolean {
  return config.liveDriftSeverity !== 'off' && state.revisions.length > 0 && state.dirty === undefined
}

/**
 * Whether a finding needs the chain's schema to say more: a dirty version of the chain (what of its
 * up SQL is applied), or a revision the chain lacks (which revision's schema the database has).
 */
function needsChainSchema(graph: RevisionGraph, state: LiveState, standing: LiveStanding): boolean {
  const dirtyKnown = state.dirty !== undefined && graph.nodes.some((n) => n.id === state.dirty)
  return dirtyKnown || standing.unknown.length > 0
}

/** The pending list with each revision's SQL where the driver could tell it (bounded for the report). */
function withSql(pending: LiveInfo['pending'], sql: PendingSqlResult | undefined): LiveInfo['pending'] {
  if (!pending || !sql) return pending
  const sqlOf = new Map(sql.revisions.map((r) => [r.revision, r.sql]))
  return pending.map((p) => {
    const text = sqlOf.get(p.revision)
    return text !== undefined ? { ...p, sql: shownSql(text) } : p
  })
}
