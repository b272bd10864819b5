// runGate(config, deps): picks the driver and the Postgres provider, runs the checks, returns a
// GateReport. Knows nothing of GitHub or terminals; renderers read the report.
import { existsSync, readFileSync, statSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { checkChain } from './checks/chain.js'
import { driftFindings } from './checks/drift.js'
import { scopeDrift } from './checks/drift-scope.js'
import { withRepositoryPaths } from './checks/repo-paths.js'
import { runRoundtrip } from './checks/replay-roundtrip.js'
import { autoWorkers } from './checks/replay-slices.js'
import {
  findRoleStatement,
  findServerWideStatement,
  workersGiven,
  type ServerWideStatement,
} from './checks/shared-objects.js'
import { runStairway } from './checks/replay-stairway.js'
import { scopeFindings } from './checks/scope.js'
import { BackgroundProcessWatch } from './checks/background.js'
import { DroppedDatabaseWatch } from './checks/dropped-databases.js'
import { startTimeoutOutcome, type ReplayContext, type ReplayDatabase } from './checks/replay-context.js'
import { bases, heads, topologicalOrder } from './checks/topo.js'
import { createDriver } from './drivers/detect.js'
import type { MigrationDriver, MigrationSession, ModelDrift, RevisionGraph } from './drivers/driver.js'
import { GateError, oneLine } from './errors.js'
import type { GitHubEnvironment } from './git/event.js'
import { planGit, runGitPhase } from './git/phase.js'
import { projectPathInRepository } from './git/root.js'
import type { GateConfig } from './inputs.js'
import type { Logger } from './logger.js'
import type { Server } from './postgres/provider.js'
import { chooseProvider } from './postgres/select.js'
import { resultOf, type Finding, type FindingId, type GateReport, type Phase } from './report.js'
import { SnapshotProbe } from './schema/probe.js'
import { registerSecrets, scrubbedLogger, scrubDeep, scrubError } from './scrub.js'

export interface GateDeps {
  logger: Logger
  /** The GitHub run's environment and event payload (the action passes it; the CLI uses --base-ref only). */
  github?: GitHubEnvironment
}

/** Chain problems that make a replay meaningless or impossible (Alembic cannot even load the map). */
const BLOCKS_REPLAY: ReadonlySet<FindingId> = new Set([
  'missing-parent',
  'duplicate-revision',
  'revision-cycle',
  'unparseable-migration',
])

/**
 * Nothing the run says carries a credential of the database-url: log lines, the report (every
 * renderer reads only it) and the error it may end with are scrubbed on the way out.
 */
export async function runGate(config: GateConfig, deps: GateDeps): Promise<GateReport> {
  registerSecrets(config.databaseUrl)
  try {
    return scrubDeep(await gate(config, { ...deps, logger: scrubbedLogger(deps.logger) }))
  } catch (error) {
    throw scrubError(error)
  }
}

async function gate(config: GateConfig, deps: GateDeps): Promise<GateReport> {
  const started = performance.now()
  const { logger } = deps
  if (!existsSync(config.projectDir) || !statSync(config.projectDir).isDirectory()) {
    throw new GateError(`working-directory: ${config.projectDir} is not a directory`, 'working-directory')
  }
  const phases: Partial<Record<Phase, number>> = {}
  const timed = async <T>(phase: Phase, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now()
    try {
      return await fn()
    } finally {
      phases[phase] = Math.round((phases[phase] ?? 0) + performance.now() - t0)
    }
  }

  const driver = createDriver(config, logger)
  const findings: Finding[] = []
  // What the models declare against what the migrations build, when the replay reached head.
  let drift: ModelDrift | undefined
  const notes: string[] = []

  // Where the tool runs here, its own view of the heads must agree with the static one. Asking it
  // costs a Python start (~0.5 s): it runs beside the git phase, Postgres start-up and the replay.
  let crossCheck: Promise<Finding[]> = Promise.resolve([])
  const graph = await timed('static', async () => {
    const g = await driver.graph()
    findings.push(...g.problems, ...checkChain(g, driver.chainWording ?? { tool: driver.tool }))
    crossCheck =
      driver.crossCheck?.(heads(g), [...findings]).catch((error: unknown) => {
        notes.push(`cross-check with the tool's own view skipped: ${oneLine(error)}`)
        return []
      }) ?? crossCheck
    return g
  })
  // The git checks run only against a known base: the base-ref input, or the pull request's event.
  const gitPlan = planGit(config, deps.github, logger)
  const git = gitPlan
    ? await timed('git', () => runGitPhase({ plan: gitPlan, config, driver, graph, findings: [...findings], logger }))
    : undefined
  if (git?.replacesMultipleHeads)
    findings.splice(0, findings.length, ...findings.filter((f) => f.id !== 'multiple-heads'))
  findings.push(...(git?.findings ?? []))
  notes.push(...(git?.notes ?? []))
  const report: GateReport = {
    version: 1,
    result: 'pass',
    tool: driver.tool,
    mode: config.mode,
    projectDir: config.projectDir,
    chain: { revisions: graph.nodes.length, heads: heads(graph), bases: bases(graph) },
    graph: { nodes: graph.nodes.map(({ id, parents, file, line, message }) => ({ id, parents, file, line, message })) },
    ...(git ? { git: git.info } : {}),
    steps: [],
    findings,
    notes,
    timings: { totalMs: 0, phases },
  }

  if (config.mode !== 'static') {
    const blocking = findings.filter((f) => BLOCKS_REPLAY.has(f.id) && !driver.replayDespite?.includes(f.id))
    if (blocking.length > 0) {
      notes.push(
        `replay skipped: the chain has ${[...new Set(blocking.map((f) => f.id))].join(', ')}; fix the chain first`,
      )
    } else if (graph.nodes.length === 0) {
      notes.push('replay skipped: no revisions')
    } else {
      drift = await replay(config, driver, graph, report, timed, logger)
    }
  }
  findings.push(...loadedOnline(await crossCheck, report))
  if (drift) {
    const judged = judgeDrift(drift, findings, git, config, driver)
    findings.splice(0, findings.length, ...judged.findings)
    notes.push(...judged.notes)
  }
  if (git && report.git) {
    // Judge the PR, not the whole history: replay findings on revisions the base has are pre-existing.
    const scope = { steps: report.steps, prRevisions: git.prRevisions, base: git.info.base, strict: config.strict }
    const scoped = scopeFindings({ findings, ...scope })
    findings.splice(0, findings.length, ...scoped.findings)
    notes.push(...scoped.notes)
    report.git.preExisting = scoped.preExisting
  }
  // Messages name files from the repository root, as annotations and links do.
  const projectPath = projectPathInRepository(config.projectDir)
  if (projectPath !== undefined) {
    report.projectPath = projectPath
    const files = [...graph.nodes.flatMap((n) => [n.file, n.downgradeFile ?? '']), ...findings.map((f) => f.file ?? '')]
    findings.splice(0, findings.length, ...withRepositoryPaths(findings, projectPath, files))
  }
  report.result = resultOf(findings)
  report.timings.totalMs = Math.round(performance.now() - started)
  return report
}

async function replay(
  config: GateConfig,
  driver: MigrationDriver,
  graph: RevisionGraph,
  report: GateReport,
  timed: <T>(phase: Phase, fn: () => Promise<T>) => Promise<T>,
  logger: Logger,
): Promise<ModelDrift | undefined> {
  await driver.prepare?.()
  const provider = await chooseProvider(
    config.postgres,
    {
      ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
      ...(config.pgBin ? { pgBin: config.pgBin } : {}),
      image: config.postgresImage,
      roleStatement: () => findRoleStatement(config.projectDir, graph),
    },
    logger,
  )
  const server: Server = await timed('postgres', () => provider.start())
  report.postgres = { provider: server.provider, serverVersion: server.serverVersion, startMs: server.startMs }
  logger.info(`postgres: ${server.provider} PostgreSQL ${server.serverVersion} ready in ${server.startMs} ms`)
  report.notes.push(...(server.notes ?? []))
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
      report.notes.push(note)
      logger.warn(note)
    }
    const ctx: ReplayContext = {
      graph,
      order,
      workers: config.mode === 'stairway' ? replayWorkers(config, sharedObjects, order.length, report, logger) : 1,
      tool: driver.tool,
      logger,
      irreversible: { severity: config.irreversibleSeverity, allow: config.allowIrreversible },
      open: () => openDatabase(server, driver, config, watches),
      ...(config.modelDrift
        ? {
            atHead: async (session: MigrationSession) => {
              reachedHead = true
              drift = await modelDrift(session, config, report, timed)
            },
          }
        : {}),
    }
    // An environment that hangs while loading is a finding at env.py, like a step that hangs.
    const outcome = await timed('replay', () =>
      (config.mode === 'roundtrip' ? runRoundtrip(ctx) : runStairway(ctx)).catch(startTimeoutOutcome),
    )
    if (config.modelDrift && !reachedHead) report.notes.push('model-drift skipped: the replay did not reach head')
    report.steps.push(...outcome.steps)
    report.notes.push(...(outcome.notes ?? []))
    // A replay finding repeating a static one (a SQL version without down SQL) is said once, statically.
    const known = new Set(report.findings.filter((f) => f.revision).map((f) => `${f.id} ${f.revision}`))
    report.findings.push(...outcome.findings.filter((f) => !known.has(`${f.id} ${f.revision}`)))
    report.findings.push(...watches.background.findings(graph), ...watches.dropped.findings(graph))
  } finally {
    await server.stop()
  }
  return drift
}

/**
 * How many databases the stairway runs on. auto stays on one where the migrations touch roles,
 * tablespaces or databases, which databases of one server share; an explicit count is kept, with a note.
 */
function replayWorkers(
  config: GateConfig,
  sharedObjects: () => ServerWideStatement | null,
  revisions: number,
  report: GateReport,
  logger: Logger,
): number {
  const explicit = config.replayWorkers !== 'auto'
  const wanted = explicit ? (config.replayWorkers as number) : autoWorkers(revisions, availableParallelism())
  if (wanted <= 1) return 1
  const decided = workersGiven(wanted, explicit, sharedObjects())
  if (decided.note) {
    report.notes.push(decided.note)
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
  config: GateConfig,
  report: GateReport,
  timed: <T>(phase: Phase, fn: () => Promise<T>) => Promise<T>,
): Promise<ModelDrift | undefined> {
  if (!session.modelDrift) return undefined
  let drift
  try {
    drift = await timed('drift', () => session.modelDrift!({ compareServerDefault: config.compareServerDefault }))
  } catch (error) {
    // The models themselves may not load or compare; keep every finding the replay made.
    report.findings.push({
      id: 'model-drift',
      severity: 'error',
      message: `The models could not be compared with the migrated database: ${oneLine(error)}. Model drift is unchecked, so this gate cannot pass: fix what the comparison trips on (the models' imports, env.py's target_metadata or include_object), or turn the check off with model-drift: false.`,
    })
    return undefined
  }
  if (drift === null) report.notes.push('model-drift skipped: env.py gives Alembic no target_metadata to compare')
  return drift ?? undefined
}

/**
 * The drift findings, and the findings re-judged by them: against the pull request where the git
 * checks ran (checks/drift-scope.ts), else every difference as it is.
 */
function judgeDrift(
  drift: ModelDrift,
  findings: Finding[],
  git: Awaited<ReturnType<typeof runGitPhase>> | undefined,
  config: GateConfig,
  driver: MigrationDriver,
): { findings: Finding[]; notes: string[] } {
  const command = newMigrationCommand(driver)
  if (!git) {
    return {
      findings: [...findings, ...driftFindings(drift.items, driver.tool, command.newMigrationCommand)],
      notes: [],
    }
  }
  const scoped = scopeDrift({
    drift,
    findings,
    changedModels: git.changedModels,
    changedMigrationTexts: git.changedMigrations.map(readText),
    tool: driver.tool,
    ...command,
    base: git.info.base,
    strict: config.strict,
  })
  return { findings: [...scoped.findings, ...scoped.drift], notes: scoped.notes }
}

/** The command the driver's layout gives for a new migration (`flask db migrate` for Flask-Migrate). */
function newMigrationCommand(driver: MigrationDriver): { newMigrationCommand?: string } {
  const command = driver.gitLayout?.().newMigrationCommand
  return command ? { newMigrationCommand: command } : {}
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return ''
  }
}

/**
 * After every step, the server checks that the run stayed in its own databases (a url server: a
 * migration's own connection to another database is seen while it is open, so right after the step
 * that opened it, before the helper's exit closes it).
 */
function checkedAfterEachStep(session: MigrationSession, check: (step: string) => Promise<void>): void {
  const upgrade = session.upgrade.bind(session)
  const downgrade = session.downgrade.bind(session)
  session.upgrade = async (target) => {
    const result = await upgrade(target)
    await check(`upgrade ${target}`)
    return result
  }
  session.downgrade = async (revision) => {
    const result = await downgrade(revision)
    await check(`downgrade ${revision}`)
    return result
  }
}

async function openDatabase(
  server: Server,
  driver: MigrationDriver,
  config: GateConfig,
  watches: { background: BackgroundProcessWatch; dropped: DroppedDatabaseWatch },
): Promise<ReplayDatabase> {
  const db = await server.createDatabase()
  // Its password may be one the gate made (a cluster's, a url run's own role's): as secret as the user's.
  registerSecrets(db.url)
  let session
  let probe
  try {
    session = await driver.open(db.url, { stepTimeoutSeconds: config.stepTimeoutSeconds })
    if (server.checkIsolation) checkedAfterEachStep(session, server.checkIsolation.bind(server))
    probe = await SnapshotProbe.connect(db.url, driver.bookkeepingTables)
  } catch (error) {
    await session?.close()
    await server.dropDatabase(db.name).catch(() => {})
    throw error
  }
  const p = probe
  const s = watches.dropped.watch(watches.background.watch(session), () => p.otherDatabases())
  let disposed = false
  return {
    session: s,
    probe: p,
    // Idempotent: a stairway rebuild disposes a database that its slice's cleanup may dispose again.
    async dispose() {
      if (disposed) return
      disposed = true
      await s.close()
      await p.close()
      await server.dropDatabase(db.name)
    },
  }
}

/**
 * The tool could not load the chain for the cross-check (an error: nothing showed it can), yet the
 * replay ran steps through the tool: it loads online, where env.py has its database. A warning then.
 */
function loadedOnline(crossCheck: Finding[], report: GateReport): Finding[] {
  if (!report.steps.some((s) => s.ok)) return crossCheck
  return crossCheck.map((f) =>
    f.id === 'tool-disagreement' && f.severity === 'error'
      ? {
          ...f,
          severity: 'warning',
          message: f.message.replace(
            'and no replay showed that commands running env.py online load it',
            'while the replay, running env.py online, loaded it',
          ),
        }
      : f,
  )
}
