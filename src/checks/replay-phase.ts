// The replay phase of runGate: the server from the chosen provider, the stairway (or roundtrip) on
// its databases, model drift once a database stands at head, and the watches every session runs
// under (background processes, dropped databases, a url server's isolation). The server is stopped
// whatever happens; what was found is returned, and the gate puts it in the report.
import { availableParallelism, setPriority } from 'node:os'
import pg from 'pg'
import { BackgroundProcessWatch } from './background.js'
import { DroppedDatabaseWatch } from './dropped-databases.js'
import { startTimeoutOutcome, type DatabaseCopies, type ReplayContext, type ReplayDatabase } from './replay-context.js'
import { runRoundtrip } from './replay-roundtrip.js'
import { autoWorkers } from './replay-slices.js'
import { runStairway } from './replay-stairway.js'
import { findServerWideStatement, workersGiven, type ServerWideStatement } from './shared-objects.js'
import { startScratchServer, type ScratchServer } from './scratch-server.js'
import { checkServerSpace } from './server-space.js'
import { checkAfterStepsInBackground, watchSteps } from './step-watch.js'
import { topologicalOrder } from './topo.js'
import type { MigrationDriver, MigrationSession, ModelDrift, RevisionGraph, SentStatement } from '../drivers/driver.js'
import { oneLine } from '../errors.js'
import type { GateConfig } from '../inputs.js'
import type { Logger } from '../logger.js'
import type { Server } from '../postgres/provider.js'
import type { Timed } from '../phase-timer.js'
import type { Finding, FindingId, GateReport, Step } from '../report.js'
import type { ResourceTracker } from '../resource-tracker.js'
import { SnapshotProbe } from '../schema/probe.js'
import { BACKGROUND_NICE } from '../drivers/helper-process.js'
import { PROBE_APPLICATION_NAME } from '../postgres/names.js'
import { registerSecrets } from '../scrub.js'
import { modelDriftUnchecked } from '../findings/model-drift.js'

interface ReplayOutput {
  steps: Step[]
  findings: Finding[]
  notes: string[]
}

export interface ReplayPhaseResult extends ReplayOutput {
  postgres: NonNullable<GateReport['postgres']>
  /** What the models declare against what the migrations build, when the replay reached head. */
  drift?: ModelDrift
}

/** Chain problems that make a replay meaningless or impossible (the tool may not even load the chain). */
const BLOCKS_REPLAY: ReadonlySet<FindingId> = new Set([
  'missing-parent',
  'duplicate-revision',
  'revision-cycle',
  'unparseable-migration',
])

/** Why the replay cannot run on this chain (a note for the report), or undefined when it can. */
export function replaySkipped(findings: Finding[], graph: RevisionGraph, driver: MigrationDriver): string | undefined {
  const blocking = findings.filter((f) => BLOCKS_REPLAY.has(f.id) && !driver.replayDespite?.includes(f.id))
  if (blocking.length > 0) {
    return `replay skipped: the chain has ${[...new Set(blocking.map((f) => f.id))].join(', ')}; fix the chain first`
  }
  return graph.nodes.length === 0 ? 'replay skipped: no revisions' : undefined
}

/**
 * The replay: the stairway (or the roundtrip) on databases of an ephemeral server, model drift at
 * head, the watches on every session. `known` are the findings so far: a replay finding repeating
 * one of them (a SQL version without down SQL) is said once, statically.
 */
export async function runReplayPhase(input: {
  config: GateConfig
  driver: MigrationDriver
  graph: RevisionGraph
  known: Finding[]
  timed: Timed
  logger: Logger
  /** The run's: the server, its databases and the sessions' processes are cleaned through it. */
  resources: ResourceTracker
  /** The server, when the run started it early (gate.ts); this phase stops it. */
  server?: Promise<ScratchServer>
  /** driver.prepare(), when the run started it early beside the server. */
  prepared?: Promise<void>
  /** Revisions whose first upgrade is observed (ReplayContext.observe); none by default. */
  observe?: (revision: string) => boolean
  /** Told what each observed step sent, as it returns (the rules parse it during the replay). */
  onObserved?: (sent: SentStatement[]) => void
}): Promise<ReplayPhaseResult> {
  const { config, driver, graph, timed, logger, resources } = input
  const out: ReplayOutput = { steps: [], findings: [], notes: [] }
  await (input.prepared ?? driver.prepare?.())
  const { server, postgres, notes } = await (input.server ??
    startScratchServer({ config, graph, timed, logger, resources }))
  out.notes.push(...notes)
  let drift: ModelDrift | undefined
  try {
    let reachedHead = false
    const watches = { background: new BackgroundProcessWatch(), dropped: new DroppedDatabaseWatch() }
    const order = topologicalOrder(graph)
    // Read from the migration files only where it matters: a url server, or more than one database.
    let scanned: ServerWideStatement | null | undefined
    const sharedObjects = () =>
      scanned === undefined ? (scanned = findServerWideStatement(config.projectDir, graph)) : scanned
    const shared = server.provider === 'url' ? sharedObjects() : null
    if (shared) {
      // Not in the scratch database: in the server the user pointed us at, and it may stay there.
      const note = `${shared.file}:${shared.line} (${shared.text}) changes objects of the whole server behind database-url, not only the gate's scratch database: roles, tablespaces or databases the migrations leave behind stay on that server after the run`
      out.notes.push(note)
      logger.warn(note)
    }
    const ctx: ReplayContext = {
      graph,
      order,
      workers: config.mode === 'stairway' ? replayWorkers(config, sharedObjects, order.length, out, logger) : 1,
      tool: driver.tool,
      logger,
      irreversible: { severity: config.irreversibleSeverity, allow: config.allowIrreversible },
      open: (existing) => openDatabase(server, driver, config, watches, resources, logger, existing, input.onObserved),
      ...(rebuildCheckpoints() !== 'off' ? { copies: databaseCopies(server, rebuildCheckpoints() === 'always') } : {}),
      ...(residueRepair() ? {} : { repair: false }),
      ...observedRevisions(input.observe),
      ...(config.modelDrift
        ? {
            atHead: async (session: MigrationSession) => {
              reachedHead = true
              drift = await modelDrift(session, driver, config, out, timed)
            },
          }
        : {}),
    }
    // An environment that hangs while loading is a finding at the file that was loading, like a step that hangs.
    const outcome = await timed('replay', () =>
      (config.mode === 'roundtrip' ? runRoundtrip(ctx) : runStairway(ctx)).catch(startTimeoutOutcome),
    )
    if (config.modelDrift && !reachedHead) out.notes.push('model-drift skipped: the replay did not reach head')
    out.steps.push(...outcome.steps)
    out.notes.push(...(outcome.notes ?? []))
    // A replay finding repeating a static one (a SQL version without down SQL) is said once, statically.
    const known = new Set(input.known.filter((f) => f.revision).map((f) => `${f.id} ${f.revision}`))
    out.findings.push(...outcome.findings.filter((f) => !known.has(`${f.id} ${f.revision}`)))
    out.findings.push(...watches.background.findings(graph), ...watches.dropped.findings(graph))
  } finally {
    await server.stop()
  }
  return { postgres, ...out, ...(drift ? { drift } : {}) }
}

/**
 * How many databases the stairway runs on. auto stays on one where the migrations touch roles,
 * tablespaces or databases, which databases of one server share; an explicit count is kept, with a note.
 */
function replayWorkers(
  config: GateConfig,
  sharedObjects: () => ServerWideStatement | null,
  revisions: number,
  out: ReplayOutput,
  logger: Logger,
): number {
  const explicit = config.replayWorkers !== 'auto'
  const wanted = explicit ? (config.replayWorkers as number) : autoWorkers(revisions, availableParallelism())
  if (wanted <= 1) return 1
  const decided = workersGiven(wanted, explicit, sharedObjects())
  if (decided.note) {
    out.notes.push(decided.note)
    if (explicit) logger.warn(decided.note)
    else logger.info(decided.note)
  }
  return decided.workers
}

/**
 * model-drift, on the replay database once it stands at head. A comparison that cannot run is an
 * error: model-drift was asked for, and a gate that cannot check it must not pass as if it had.
 */
async function modelDrift(
  session: MigrationSession,
  driver: MigrationDriver,
  config: GateConfig,
  out: ReplayOutput,
  timed: Timed,
): Promise<ModelDrift | undefined> {
  if (!session.modelDrift) return undefined
  let drift
  try {
    drift = await timed('drift', () => session.modelDrift!({ compareServerDefault: config.compareServerDefault }))
  } catch (error) {
    // The models themselves may not load or compare; keep every finding the replay made.
    out.findings.push(
      modelDriftUnchecked({
        error: oneLine(error),
        trips: driver.models?.comparisonInputs ?? "the models' imports",
      }),
    )
    return undefined
  }
  if (drift === null) {
    out.notes.push(
      `model-drift skipped: ${driver.models?.nothingToCompare ?? 'the project gives no models to compare'}`,
    )
  }
  return drift ?? undefined
}

async function openDatabase(
  server: Server,
  driver: MigrationDriver,
  config: GateConfig,
  watches: { background: BackgroundProcessWatch; dropped: DroppedDatabaseWatch },
  resources: ResourceTracker,
  logger: Logger,
  /** A database the gate already created (a template copy, replay-checkpoints.ts); none: a new, empty one. */
  existing?: string,
  onObserved?: (sent: SentStatement[]) => void,
): Promise<ReplayDatabase> {
  const db = existing ? { name: existing, url: server.urlFor(existing) } : await server.createDatabase()
  // Its password may be one the gate made (a cluster's, a url run's own role's): as secret as the user's.
  registerSecrets(db.url)
  let session
  let probe
  try {
    // The probe first: its DDL log must exist before the tool's session opens a transaction, which
    // may stay open through the first step (SQLAlchemy 2.x) and would not see event triggers made after.
    probe = await SnapshotProbe.connect(db.url, driver.bookkeepingTables, { adminUrl: server.adminUrlFor(db.name) })
    session = await driver.open(db.url, { stepTimeoutSeconds: config.stepTimeoutSeconds, resources })
  } catch (error) {
    await session?.close()
    await probe?.close()
    await server.dropDatabase(db.name).catch(() => {})
    throw error
  }
  const p = probe
  const withLog = probe.incremental
  // After every step, a url server checks that the run stayed in its own databases: a migration's
  // own connection to another database is seen while it is open, before the helper's exit closes it.
  const check = server.checkIsolation?.bind(server)
  // The probe's list of databases, read with each capture, is stale the moment a step ran.
  const told = watchSteps(session, {
    after: (revision, direction, result) => {
      checkServerSpace(server, `${direction} of ${revision}`, result)
      if (result.sent) onObserved?.(result.sent)
      return p.stepped()
    },
  })
  const isolated = check
    ? checkAfterStepsInBackground(told, (revision, direction) => check(`${direction} ${revision}`))
    : told
  const s = watches.dropped.watch(watches.background.watch(isolated), () => p.otherDatabases())
  let disposed = false
  let detached = false
  // Idempotent: a stairway rebuild disposes a database that its slice's cleanup may dispose again.
  const dispose = async () => {
    if (disposed) return
    disposed = true
    // close() may throw what the last step's isolation check found: the probe and database go anyway.
    let closing: unknown
    await s.close().catch((error: unknown) => (closing = error ?? new Error('session close failed')))
    const counts = await p.counts().catch(() => null)
    if (counts) {
      const how = withLog ? 'with the DDL log' : 'without the DDL log'
      logger.debug(
        `catalog probe on ${db.name}: ${counts.captures} captures ${how}, ${counts.whole} read the whole schema`,
      )
    }
    await p.close()
    if (!detached) await server.dropDatabase(db.name)
    if (closing !== undefined) throw closing
  }
  return {
    session: s,
    probe: p,
    dispose,
    async detach() {
      detached = true
      await dispose()
      return db.name
    },
    async setBackground(background) {
      session.setBackground?.(background)
      if (server.dataDir) await reniceBackends(db.url, background ? BACKGROUND_NICE : 0)
    },
  }
}

/**
 * The server processes serving `url`'s database for the tool's sessions (not the probe's), at `nice`.
 * Only on a cluster the gate runs on this machine, where those processes are local. Best effort.
 */
async function reniceBackends(url: string, nice: number): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  client.on('error', () => {})
  try {
    await client.connect()
    const r = await client.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity
       WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name <> $1`,
      [PROBE_APPLICATION_NAME],
    )
    for (const { pid } of r.rows) {
      try {
        setPriority(pid, nice)
      } catch {
        // another user's process, or a priority the system will not raise back: left as it is
      }
    }
  } catch {
    // the priority is an optimisation; the replay goes on without it
  } finally {
    await client.end().catch(() => {})
  }
}

/** Template copies of the gate's databases, for stairway rebuilds (replay-checkpoints.ts). */
function databaseCopies(server: Server, always: boolean): DatabaseCopies {
  return {
    always,
    copy: async (template) => (await server.createDatabase({ template })).name,
    drop: (name) => server.dropDatabase(name),
  }
}

/**
 * MIGRATION_GATE_RESIDUE_REPAIR=off, an internal switch so the tests can prove a report with residue
 * removed in place (replay-repair.ts) equals one where every broken state rebuilds, and the bench can
 * time both.
 */
function residueRepair(): boolean {
  return process.env.MIGRATION_GATE_RESIDUE_REPAIR !== 'off'
}

/**
 * MIGRATION_GATE_REBUILD_CHECKPOINTS, an internal switch so the tests can prove a report with
 * checkpoints equals one without, and the bench can time both: off (rebuilds upgrade from base),
 * always (a checkpoint at every rebuild, however cheap its upgrades), else the gate decides.
 */
function rebuildCheckpoints(): 'off' | 'always' | 'auto' {
  const v = process.env.MIGRATION_GATE_REBUILD_CHECKPOINTS
  return v === 'off' || v === 'always' ? v : 'auto'
}

/**
 * Which first upgrades are observed: the caller's choice, or every revision with
 * MIGRATION_GATE_OBSERVE_STEPS=all, an internal switch so the bench can time the cost of observing.
 */
function observedRevisions(observe?: (revision: string) => boolean): Pick<ReplayContext, 'observe'> {
  if (process.env.MIGRATION_GATE_OBSERVE_STEPS === 'all') return { observe: () => true }
  return observe ? { observe } : {}
}
