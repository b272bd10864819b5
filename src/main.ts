// Action glue only: inputs -> runGate -> renderers -> outputs, PR comment, annotations, job summary
// -> setFailed. The same entry serves the `post:` step, which removes whatever the main step
// recorded and could not remove itself. The only file that talks to @actions/core.
import * as core from '@actions/core'
import { getOctokit } from '@actions/github'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { oneLine } from './errors.js'
import { describeFailure, EXIT_CODES } from './failure.js'
import { runGate } from './gate.js'
import { syncStickyComment, type CommentOutcome, type CommentsApi } from './github/comment.js'
import { processGitHubEnvironment, readGitHubContext, runContext, type RunContext } from './github/context.js'
import { readActionInputs, readConfig, type ActionInputs, type GateConfig } from './inputs.js'
import type { Logger } from './logger.js'
import { writeOutputFile } from './output-file.js'
import { cleanupLedger } from './postgres/ledger-cleanup.js'
import { runProjects, type ProjectsRun } from './projects.js'
import { isProjectError, type GateReport } from './report.js'
import { planAnnotations, type AnnotationPlan } from './render/annotations.js'
import { renderComment, renderPassingComment, type CommentOptions } from './render/comment.js'
import { planProjectsAnnotations } from './render/projects-annotations.js'
import {
  renderProjectsComment,
  renderProjectsPassingComment,
  renderProjectsSummary,
} from './render/projects-markdown.js'
import { renderProjectsSarifJson } from './render/projects-sarif.js'
import { renderProjectsTerminal } from './render/projects-terminal.js'
import { inertCommandText, inertLog } from './render/escape.js'
import { renderJson } from './render/json.js'
import { renderSarifJson } from './render/sarif.js'
import { renderSummary } from './render/summary.js'
import { renderTerminal } from './render/terminal.js'
import { ResourceTracker } from './resource-tracker.js'
import { registerSecrets, scrub } from './scrub.js'

/**
 * The database-url's credentials: scrubbed from everything the gate writes, and masked by the runner
 * too, for whatever reaches the log another way.
 */
function protectDatabaseUrl(): string | undefined {
  const url = core.getInput('database-url') || undefined
  for (const secret of registerSecrets(url)) core.setSecret(secret)
  return url
}

/** The live database's credentials (mode live), from the input or the variable it names: as secret as the database-url's. */
function protectLiveDatabaseUrl(): void {
  const env = core.getInput('live-database-url-env')
  const url =
    core.getInput('live-database-url') || (/^[A-Za-z_][A-Za-z0-9_]*$/.test(env) ? process.env[env] : undefined)
  for (const secret of registerSecrets(url)) core.setSecret(secret)
}

async function post(): Promise<void> {
  const ledger = core.getState('ledger')
  if (!ledger) return
  const result = await cleanupLedger(ledger, { databaseUrl: protectDatabaseUrl() })
  for (const line of result.removed) core.info(scrub(`removed ${line}`))
  for (const line of result.problems) core.warning(inertCommandText(scrub(`could not remove ${line}`)))
}

async function run(): Promise<void> {
  core.saveState('isPost', 'true')
  protectDatabaseUrl()
  protectLiveDatabaseUrl()
  const ledger = join(process.env.RUNNER_TEMP || tmpdir(), `migration-gate-ledger-${process.pid}.json`)
  core.saveState('ledger', ledger)
  // The run's resources, listed in the ledger as they come to exist: what a killed or timed-out step
  // leaves, the post step removes. runGate empties the tracker on its way out, whatever the outcome.
  const resources = new ResourceTracker({ ledger })

  const get = (name: string) => core.getInput(name)
  const config = readConfig(get)
  const action = readActionInputs(get)
  // The run's event (the pull request's base, labels, description, number), read once for the git
  // checks and for the comment's pull request and links.
  const github = readGitHubContext(processGitHubEnvironment())
  const ctx = runContext(github, process.cwd())
  // Warnings are annotations too and count against the same per-step cap as the findings'.
  let warnings = 0
  const warn = (message: string) => {
    warnings++
    core.warning(inertCommandText(message))
  }
  // Core code logs user text (revision messages, database errors): never as a workflow command.
  const info = (message: string) => core.info(inertLog(message))
  const logger: Logger = { info, warn, debug: (message) => core.debug(inertCommandText(message)) }

  // A directory of its own per step: two gate steps in one job must not overwrite each other's report.
  const reportPath =
    config.reportJson ??
    join(mkdtempSync(join(process.env.RUNNER_TEMP || tmpdir(), 'migration-gate-report-')), 'report.json')
  if (config.projectDirs) {
    const projects = { ...config, projectDirs: config.projectDirs }
    await runProjectsAction(projects, { reportPath, action, ctx, warn, info, warnings: () => warnings }, () =>
      runProjects(projects, { logger, github, resources, rootDir: ctx.workspace }),
    )
    return
  }
  const report = await runGate(config, { logger, github, resources })
  writeFileSync(reportPath, renderJson(report))
  if (config.sarif) writeOutputFile('sarif', config.sarif, renderSarifJson(report))
  // Outputs first: later steps (if: always()) can read them even if the summary cannot be written.
  core.setOutput('result', report.result)
  core.setOutput('heads', (report.chain?.heads ?? []).join(' '))
  core.setOutput('findings', String(report.findings.length))
  core.setOutput('report-path', reportPath)
  core.setOutput('sarif-path', config.sarif ?? '')
  core.setOutput('live-revision', (report.live?.revisions ?? []).join(' '))
  core.setOutput('pending', (report.live?.pending ?? []).map((p) => p.revision).join(' '))
  info(renderTerminal(report, { colour: false }))

  const bodies = {
    result: report.result,
    failing: (o: CommentOptions) => renderComment(report, o),
    passing: (o: CommentOptions) => renderPassingComment(report, o),
  }
  const commentNote = action.comment ? await comment(bodies, action.githubToken, ctx, warn) : undefined

  const plan = planAnnotations(report, {
    rootDir: ctx.workspace,
    reserved: { error: report.result === 'fail' ? 1 : 0, warning: warnings },
  })
  annotate(plan)
  if (process.env.GITHUB_STEP_SUMMARY) {
    const links = { rootDir: ctx.workspace, ...(ctx.blobUrl ? { blobUrl: ctx.blobUrl } : {}) }
    const text = renderSummary(report, { ...links, annotations: plan, ...(commentNote ? { commentNote } : {}) })
    await writeSummary(text, warn)
  }
  if (report.result === 'fail') {
    const errors = report.findings.filter((f) => f.severity === 'error').length
    core.setFailed(`migration-gate: ${errors} error finding${errors === 1 ? '' : 's'}`)
  }
}

/**
 * A monorepo run (working-directory lists several directories): the same steps as one project's,
 * each output aggregated (findings summed, heads and revisions of every project, the worst verdict),
 * one JSON report, one summary and one comment with a section per project.
 */
async function runProjectsAction(
  config: GateConfig,
  glue: {
    reportPath: string
    action: ActionInputs
    ctx: RunContext
    warn: (message: string) => void
    info: (message: string) => void
    warnings: () => number
  },
  start: () => Promise<ProjectsRun>,
): Promise<void> {
  const { reportPath, action, ctx, warn, info } = glue
  const { report, exitCode } = await start()
  const judged = report.projects.filter((p): p is GateReport => !isProjectError(p))
  writeFileSync(reportPath, renderJson(report))
  if (config.sarif) writeOutputFile('sarif', config.sarif, renderProjectsSarifJson(report, ctx.workspace))
  core.setOutput('result', report.result)
  core.setOutput('heads', judged.flatMap((p) => p.chain?.heads ?? []).join(' '))
  core.setOutput('findings', String(report.findings.length))
  core.setOutput('report-path', reportPath)
  core.setOutput('sarif-path', config.sarif ?? '')
  core.setOutput('live-revision', judged.flatMap((p) => p.live?.revisions ?? []).join(' '))
  core.setOutput('pending', judged.flatMap((p) => (p.live?.pending ?? []).map((x) => x.revision)).join(' '))
  info(renderProjectsTerminal(report, { colour: false, rootDir: ctx.workspace }))
  const bodies = {
    result: report.result,
    failing: (o: CommentOptions) => renderProjectsComment(report, o),
    passing: (o: CommentOptions) => renderProjectsPassingComment(report, o),
  }
  const commentNote = action.comment ? await comment(bodies, action.githubToken, ctx, warn) : undefined
  const plan = planProjectsAnnotations(report, {
    rootDir: ctx.workspace,
    reserved: { error: report.result === 'fail' ? 1 : 0, warning: glue.warnings() },
  })
  annotate(plan)
  if (process.env.GITHUB_STEP_SUMMARY) {
    const links = { rootDir: ctx.workspace, ...(ctx.blobUrl ? { blobUrl: ctx.blobUrl } : {}) }
    const text = renderProjectsSummary(report, {
      ...links,
      annotations: plan,
      ...(commentNote ? { commentNote } : {}),
    })
    await writeSummary(text, warn)
  }
  if (report.result === 'fail') {
    const errors = report.findings.filter((f) => f.severity === 'error').length
    const unjudged = report.projects.length - judged.length
    const said = [
      errors ? `${errors} error finding${errors === 1 ? '' : 's'}` : '',
      unjudged ? `${unjudged} project${unjudged === 1 ? '' : 's'} not judged (see the job summary)` : '',
    ].filter(Boolean)
    core.setFailed(`migration-gate: ${said.join('; ')}`)
  }
  // A bug in one project exits as a bug (3), as a single run's would; otherwise setFailed's 1.
  if (exitCode === EXIT_CODES.bug) process.exitCode = exitCode
}

/** The annotations of a plan, as workflow commands. */
function annotate(plan: AnnotationPlan): void {
  for (const a of plan.annotations) {
    const props = {
      title: inertCommandText(a.title),
      ...(a.file ? { file: a.file } : {}),
      ...(a.line ? { startLine: a.line } : {}),
    }
    const message = inertCommandText(a.message)
    if (a.severity === 'error') core.error(message, props)
    else if (a.severity === 'warning') core.warning(message, props)
    else core.notice(message, props)
  }
}

/** The job summary; the verdict is the gate's: a summary that cannot be written is a warning, not a failure. */
async function writeSummary(text: string, warn: (message: string) => void): Promise<void> {
  await core.summary
    .addRaw(text)
    .write()
    .catch((error: unknown) => warn(`job summary not written: ${oneLine(error)}`))
}

/** The real comments client (honours GITHUB_API_URL, so GHES works). Only glue imports @actions/*. */
function commentsApi(token: string): CommentsApi {
  const { issues, users } = getOctokit(token).rest
  return {
    getAuthenticated: () => users.getAuthenticated(),
    listComments: (params) => issues.listComments(params),
    createComment: (params) => issues.createComment(params),
    updateComment: (params) => issues.updateComment(params),
  }
}

/** The sticky PR comment; a problem is a warning and a line in the summary, never a failed gate. */
async function comment(
  bodies: { result: 'pass' | 'fail'; failing: (o: CommentOptions) => string; passing: (o: CommentOptions) => string },
  token: string | undefined,
  ctx: RunContext,
  warn: (message: string) => void,
): Promise<string> {
  if (!ctx.pullRequest) return 'No PR comment: this run is not for a pull request.'
  if (!token) {
    warn('comment: true needs github-token (the default ${{ github.token }} was empty)')
    return 'No PR comment: no github-token.'
  }
  const options: CommentOptions = {
    rootDir: ctx.workspace,
    ...(ctx.blobUrl ? { blobUrl: ctx.blobUrl } : {}),
    ...(ctx.runUrl ? { runUrl: ctx.runUrl } : {}),
    ...(ctx.sha ? { sha: ctx.sha } : {}),
  }
  const outcome: CommentOutcome = await syncStickyComment(commentsApi(token), ctx.pullRequest, {
    result: bodies.result,
    failing: () => bodies.failing(options),
    passing: () => bodies.passing(options),
  })
  if (outcome.action === 'failed') {
    warn(outcome.warning)
    return `The PR comment could not be written: ${outcome.warning}`
  }
  const said = {
    created: 'PR comment created',
    updated: 'PR comment updated',
    unchanged: 'PR comment already up to date',
    none: 'No PR comment: the gate passes and there was none to update',
  }[outcome.action]
  core.info(inertLog(`${said}${'url' in outcome && outcome.url ? `: ${outcome.url}` : ''}`))
  return `${said}.`
}

const isPost = core.getState('isPost') === 'true'
;(isPost ? post() : run()).catch((error: unknown) => {
  // A post step warns and never fails the job; the main step fails with the one-line message.
  if (isPost) {
    core.warning(inertCommandText(`migration-gate cleanup: ${scrub(oneLine(error))}`))
    return
  }
  const failure = describeFailure(error)
  // A bug says so in the annotation, like the CLI; its stack is for the step's debug log only.
  if (failure.bug && error instanceof Error) core.debug(inertCommandText(scrub(String(error.stack))))
  core.setFailed(inertCommandText(`migration-gate: ${scrub(failure.line)}`))
  // The CLI's exit code for a bug (3), so a wrapper script tells it from a verdict; a usage or
  // infrastructure error keeps setFailed's 1, as the action always exited.
  if (failure.bug) process.exitCode = failure.exitCode
})
