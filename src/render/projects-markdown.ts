// A monorepo run's job summary and PR comment: the run's verdict at the top, a table of the projects,
// then one section per project (its directory and tool, and what a run of it alone would show, one
// heading level down). Each section gets an equal share of the size limit. Pure.
import { projectLabel } from '../project-label.js'
import { isProjectError, type GateReport, type ProjectError, type ProjectsReport } from '../report.js'
import type { AnnotationPlan } from './annotations.js'
import { boundProjects } from './bound.js'
import { COMMENT_LIMIT, COMMENT_MARKER, footer, renderComment, type CommentOptions } from './comment.js'
import { code, md } from './escape.js'
import { count, facts, plural, seconds, verdict, type LinkOptions } from './markdown.js'
import { renderSummary, SUMMARY_LIMIT } from './summary.js'

/** Room kept for the run's own lines (verdict, projects table, notes) before the sections share the rest. */
const SUMMARY_HEAD_ROOM = 64 * 1024
const COMMENT_HEAD_ROOM = 8 * 1024

/** "❌ migration-gate: fail (1 error) · 2 projects: 1 fails, 1 passes". */
export function projectsVerdict(report: ProjectsReport): string {
  const n = (result: string) => report.projects.filter((p) => p.result === result).length
  const said = [
    [n('fail'), 'fails'],
    [n('error'), 'not judged'],
    [n('pass'), 'passes'],
  ]
    .filter(([k]) => (k as number) > 0)
    .map(([k, word]) => `${k} ${word}`)
    .join(', ')
  return `${verdict(report)} · ${plural(report.projects.length, 'project')}: ${said}`
}

/** A project's section heading: its directory and tool. */
function sectionName(p: GateReport, rootDir: string | undefined): string {
  return `${code(projectLabel(p.projectDir, rootDir))} (${md(p.tool)})`
}

function notJudged(p: ProjectError, rootDir: string | undefined, level: string): string[] {
  return [`${level} ⛔ ${code(projectLabel(p.projectDir, rootDir))}: not judged`, '', `> ${md(p.error)}`, '']
}

/** One row per project: where, which tool, its verdict, its findings. */
function projectsTable(report: ProjectsReport, rootDir: string | undefined): string[] {
  const rows = report.projects.map((p) => {
    const where = code(projectLabel(p.projectDir, rootDir))
    if (isProjectError(p)) return `| ${where} | | ⛔ not judged | |`
    const tally = (['error', 'warning', 'notice'] as const)
      .filter((s) => count(p, s) > 0)
      .map((s) => plural(count(p, s), s))
      .join(', ')
    return `| ${where} | ${md(p.tool)} | ${p.result === 'pass' ? '✅ pass' : '❌ fail'} | ${tally || 'none'} |`
  })
  return ['| project | tool | result | findings |', '|---|---|---|---|', ...rows]
}

export interface ProjectsSummaryOptions extends LinkOptions {
  /** The annotations made for the whole run: findings they left out are counted once, at the end. */
  annotations?: AnnotationPlan
  maxDiagramNodes?: number
  commentNote?: string
}

export function renderProjectsSummary(whole: ProjectsReport, options: ProjectsSummaryOptions = {}): string {
  const report = boundProjects(whole)
  const { rootDir } = options
  const out = [`## ${projectsVerdict(report)}`, '', ...projectsTable(report, rootDir), '']
  for (const note of report.notes) out.push(`> ${md(note)}`, '')
  const limit = Math.floor((SUMMARY_LIMIT - SUMMARY_HEAD_ROOM) / Math.max(1, report.projects.length))
  const { annotations, commentNote, ...each } = options
  for (const p of report.projects) {
    if (isProjectError(p)) out.push(...notJudged(p, rootDir, '###'))
    else out.push(renderSummary(p, { ...each, section: { name: sectionName(p, rootDir), limit } }))
  }
  const omitted = annotations?.omitted ?? []
  if (omitted.length > 0) {
    out.push(
      `GitHub shows at most 10 annotations of each severity per step, so ${plural(omitted.length, 'finding')} ` +
        `(${[...new Set(omitted.map((f) => f.id))].join(', ')}) have no annotation in the diff: the tables above and the JSON report list them.`,
      '',
    )
  }
  if (commentNote) out.push(md(commentNote), '')
  out.push(`_${plural(report.projects.length, 'project')} judged in ${seconds(report.timings.totalMs)}._`, '')
  return out.join('\n')
}

export function renderProjectsComment(whole: ProjectsReport, options: CommentOptions = {}): string {
  const report = boundProjects(whole)
  const { rootDir } = options
  const out = [COMMENT_MARKER, `### ${projectsVerdict(report)}`, '', ...projectsTable(report, rootDir), '']
  for (const note of report.notes) out.push(`> ${md(note)}`, '')
  const limit = Math.floor((COMMENT_LIMIT - COMMENT_HEAD_ROOM) / Math.max(1, report.projects.length))
  for (const p of report.projects) {
    if (isProjectError(p)) out.push(...notJudged(p, rootDir, '####'))
    else out.push(renderComment(p, options, { name: sectionName(p, rootDir), limit }))
  }
  out.push(footer(options), '')
  return out.join('\n')
}

/** What the comment becomes once every project passes again. */
export function renderProjectsPassingComment(whole: ProjectsReport, options: CommentOptions = {}): string {
  const report = boundProjects(whole)
  const lines = [COMMENT_MARKER, `### ✅ migration-gate passes now`, '']
  for (const p of report.projects) {
    if (!isProjectError(p)) lines.push(`- ${sectionName(p, options.rootDir)}: ${facts(p)}`)
  }
  lines.push('', footer(options), '')
  return lines.join('\n')
}
