// runGate(config, deps): picks the driver and the Postgres provider, runs the checks, returns a
// GateReport. Knows nothing of GitHub or terminals; renderers read the report.
import { judgeFindings } from './checks/judge-phase.js'
import { lintScope, observedRevisions, runLintPhase } from './checks/lint-phase.js'
import { ParseAhead } from './lint/parse-ahead.js'
import { loadedOnline } from './checks/loaded-online.js'
import { replaySkipped, runReplayPhase } from './checks/replay-phase.js'
import { inRepository } from './checks/repo-paths.js'
import { EarlyScratchServer } from './checks/scratch-server.js'
import { SharedScratchServer } from './checks/shared-server.js'
import { runStaticPhase } from './checks/static-phase.js'
import { bases, heads } from './checks/topo.js'
import { createDriver } from './drivers/detect.js'
import { GateError } from './errors.js'
import type { MigrationDriver, ModelDrift, SentStatement } from './drivers/driver.js'
import { requireDirectory } from './errors.js'
import { planGit, runGitPhase } from './git/phase.js'
import type { GitHubContext } from './github/context.js'
import type { GateConfig } from './inputs.js'
import { runLivePhase } from './live/phase.js'
import type { Logger } from './logger.js'
import { phaseTimer, type Timed } from './phase-timer.js'
import { resultOf, type GateReport } from './report.js'
import { ResourceTracker } from './resource-tracker.js'
import { registerSecrets, scrubbedLogger, scrubDeep, scrubError } from './scrub.js'

export interface GateDeps {
  logger: Logger
  /** What the GitHub run's event says (the action passes it; the CLI uses --base-ref only). */
  github?: GitHubContext
  /**
   * The run's resource tracker (main.ts passes one that writes the ledger); by default one made for
   * the run. Whoever made it, runGate empties it before it returns or throws.
   */
  resources?: ResourceTracker
  /**
   * A monorepo run's one PostgreSQL server (projects.ts): the project creates its scratch databases
   * there instead of starting a server of its own. Absent: the run starts what it needs, as always.
   */
  shared?: SharedScratchServer
}

type RunDeps = GateDeps & { resources: ResourceTracker }

/**
 * Nothing the run says carries a credential of the database-url: log lines, the report (every
 * renderer reads only it) and the error it may end with are scrubbed on the way out.
 */
export async function runGate(config: GateConfig, deps: GateDeps): Promise<GateReport> {
  registerSecrets(config.databaseUrl)
  const resources = deps.resources ?? new ResourceTracker()
  try {
    return scrubDeep(await gate(config, { ...deps, resources, logger: scrubbedLogger(deps.logger) }))
  } catch (error) {
    throw scrubError(error)
  } finally {
    // Each server, session and cross-check stops itself on the way out; this is for what a failure
    // cut short (the cross-check still running when the replay failed). Problems here add nothing
    // to the run's own error.
    await resources.cleanupAll()
  }
}

async function gate(config: GateConfig, deps: RunDeps): Promise<GateReport> {
  const started = performance.now()
  const { logger, resources } = deps
  requireDirectory(config.projectDir, 'working-directory')
  const { phases, timed } = phaseTimer()
  const driver = createDriver(config, logger)
  // Before a server starts for nothing: a tool whose live state the gate cannot read says so in one line.
  if (config.mode === 'live' && !driver.readLiveState)
    throw new GateError(
      `mode: mode live is not supported for ${driver.chainWording?.tool ?? driver.tool} projects yet; --mode stairway or roundtrip (action input mode) replays the migrations`,
      'mode',
    )
  const early = EarlyScratchServer.start({ config, timed, logger, resources }, deps.shared)
  // What the replay needs besides the database (Alembic: an interpreter that imports it), checked
  // beside the server's start too; its error is the replay's to throw, when there is a replay.
  // In every replay mode (a url server too): with it the driver starts the first session's helper.
  const replays = config.mode === 'roundtrip' || config.mode === 'stairway'
  const prepared = replays ? driver.prepare?.({ resources }) : undefined
  prepared?.catch(() => undefined)
  try {
    return await gateWith(config, deps, { started, driver, timed, phases, early, prepared })
  } finally {
    // The replay took it, or nothing will: a server started for nothing is stopped before the run ends.
    // The driver's spare helper goes here on every path, replayed or not (static findings blocked it).
    await early?.discard()
    await driver.release?.().catch(() => {})
  }
}

async function gateWith(
  config: GateConfig,
  deps: RunDeps,
  run: {
    started: number
    driver: MigrationDriver
    timed: Timed
    phases: GateReport['timings']['phases']
    early: EarlyScratchServer | undefined
    prepared: Promise<void> | undefined
  },
): Promise<GateReport> {
  const { logger, resources } = deps
  const { started, driver, timed, phases, early, prepared } = run
  const notes: string[] = []
  // Every mode but static starts a server and runs migrations beside the cross-check.
  const background = config.mode !== 'static'
  const { graph, findings, crossCheck } = await timed('static', () =>
    runStaticPhase(driver, notes, resources, { background }),
  )
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

  if (config.mode === 'live') {
    const live = await runLivePhase({
      config,
      driver,
      graph,
      logger,
      timed,
      resources,
      ...(deps.shared ? { shared: deps.shared } : {}),
    })
    report.live = live.info
    if (live.postgres) report.postgres = live.postgres
    findings.push(...live.findings)
    notes.push(...live.notes)
  }
  let drift: ModelDrift | undefined
  // mode live judges the live database, not the chain's replay (that is what the pull request's run did).
  const skipped = ['static', 'live'].includes(config.mode) ? 'static' : replaySkipped(findings, graph, driver)
  if (skipped === undefined) {
    // Before the server is taken: a run that cannot replay (no interpreter) leaves it to discard().
    await prepared
    // A monorepo's project whose migrations change roles (or tablespaces, databases) would leave them
    // on the server the next project replays on: it replays on a server of its own (started below).
    const own = early && deps.shared ? SharedScratchServer.ownServerReason(config.projectDir, graph) : undefined
    if (own) {
      await early?.discard()
      notes.push(own)
    }
    // The dangerous-operation rules judge what the pull request's first upgrades sent and did.
    const lintScoped = lintScope(config, git)
    const observe = observedRevisions(config, lintScoped)
    // Their statements are parsed while the replay waits on the database, not after it.
    const ahead = observe ? new ParseAhead() : undefined
    const replayed = await runReplayPhase({
      config,
      driver,
      graph,
      known: findings,
      timed,
      logger,
      resources,
      ...(early && !own ? { server: early.take() } : {}),
      ...(prepared ? { prepared } : {}),
      ...(observe ? { observe } : {}),
      ...(ahead ? { onObserved: (sent: SentStatement[]) => ahead.add(sent) } : {}),
    })
    report.postgres = replayed.postgres
    report.steps.push(...replayed.steps)
    findings.push(...replayed.findings)
    notes.push(...replayed.notes)
    drift = replayed.drift
    if (observe) {
      const linted = await timed('lint', () =>
        runLintPhase({ config, graph, steps: report.steps, scope: lintScoped, ...(ahead ? { ahead } : {}) }),
      )
      findings.push(...linted.findings)
      notes.push(...linted.notes)
      if (linted.revisions.length > 0) report.lint = { revisions: linted.revisions }
    }
  } else if (skipped !== 'static') notes.push(skipped)
  findings.push(...loadedOnline(await crossCheck, report.steps, driver.loadedOnlineWording))
  const judged = judgeFindings({ findings, drift, git, steps: report.steps, config, driver })
  findings.splice(0, findings.length, ...judged.findings)
  notes.push(...judged.notes)
  if (report.git && judged.preExisting !== undefined) report.git.preExisting = judged.preExisting
  // Messages name files from the repository root, as annotations and links do.
  const located = inRepository(config.projectDir, graph, findings)
  if (located.projectPath !== undefined) report.projectPath = located.projectPath
  findings.splice(0, findings.length, ...located.findings)
  report.result = resultOf(findings)
  report.timings.totalMs = Math.round(performance.now() - started)
  return report
}
