// A monorepo run: working-directory lists several project directories. Each is judged as a run of it
// alone would judge it (its own tool, config and findings), one after another, on one PostgreSQL
// server started once (checks/shared-server.ts). A project that cannot be judged (bad input) is
// reported as such and the others are still judged; the exit code is the worst of them.
import { SharedScratchServer } from './checks/shared-server.js'
import { describeFailure, EXIT_CODES } from './failure.js'
import { runGate, type GateDeps } from './gate.js'
import type { GateConfig } from './inputs.js'
import { projectLabel } from './project-label.js'
import {
  isProjectError,
  type GateReport,
  type Phase,
  type ProjectError,
  type ProjectFinding,
  type ProjectsReport,
} from './report.js'
import { ResourceTracker } from './resource-tracker.js'
import { registerSecrets, scrub, scrubbedLogger } from './scrub.js'

export interface ProjectsRun {
  report: ProjectsReport
  /** The worst of the projects' exit codes (failure.ts): 0 all pass, 1 findings, 2 an error, 3 a bug. */
  exitCode: number
  /** How many PostgreSQL servers the run started for its projects together (1 at most). */
  sharedServers: number
}

export async function runProjects(
  config: GateConfig & { projectDirs: string[] },
  deps: GateDeps & {
    /** Where the projects are named from in the log (the workspace); default: the current directory. */
    rootDir?: string
  },
): Promise<ProjectsRun> {
  const started = performance.now()
  registerSecrets(config.databaseUrl)
  const resources = deps.resources ?? new ResourceTracker()
  const logger = scrubbedLogger(deps.logger)
  const rootDir = deps.rootDir ?? process.cwd()
  const { projectDirs, ...common } = config
  const shared = new SharedScratchServer({ config: common, logger, resources })
  const projects: Array<GateReport | ProjectError> = []
  const notes: string[] = []
  let exitCode: number = EXIT_CODES.pass
  try {
    for (const [i, projectDir] of projectDirs.entries()) {
      const label = projectLabel(projectDir, rootDir)
      logger.info(`migration-gate: project ${label} (${i + 1} of ${projectDirs.length})`)
      // A tracker per project: runGate empties it on its way out, and the shared server is not in it.
      const project = { ...common, projectDir }
      try {
        const report = await runGate(project, { ...deps, logger, resources: resources.sibling(), shared })
        projects.push(report)
        if (report.result === 'fail') exitCode = Math.max(exitCode, EXIT_CODES.findings)
      } catch (error) {
        const failure = describeFailure(error)
        const line = scrub(failure.line)
        projects.push({ projectDir, result: 'error', error: line })
        notes.push(`${label}: not judged: ${line}`)
        logger.warn(`${label}: ${line}`)
        if (failure.bug && error instanceof Error) logger.debug(scrub(String(error.stack)))
        exitCode = Math.max(exitCode, failure.exitCode)
      }
    }
  } finally {
    await shared.stop()
    await resources.cleanupAll()
  }
  return {
    report: aggregate(config.mode, projects, notes, Math.round(performance.now() - started)),
    exitCode,
    sharedServers: shared.started,
  }
}

function aggregate(
  mode: GateConfig['mode'],
  projects: Array<GateReport | ProjectError>,
  notes: string[],
  totalMs: number,
): ProjectsReport {
  const findings: ProjectFinding[] = []
  const phases: Partial<Record<Phase, number>> = {}
  for (const p of projects) {
    if (isProjectError(p)) continue
    findings.push(...p.findings.map((f) => ({ ...f, projectDir: p.projectDir })))
    for (const [phase, ms] of Object.entries(p.timings.phases) as Array<[Phase, number]>) {
      phases[phase] = (phases[phase] ?? 0) + ms
    }
  }
  const fails = projects.some((p) => p.result !== 'pass')
  return { version: 1, result: fails ? 'fail' : 'pass', mode, projects, findings, notes, timings: { totalMs, phases } }
}
