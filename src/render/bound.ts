// Every renderer starts here: a report whose free text is bounded, so that no output (the terminal,
// the JSON report, annotations, the job summary, the PR comment) carries megabytes, whatever a check
// or a driver put in it: a migration's megabyte of error text, a docstring the size of a book,
// thousands of detail lines. Both ends of a long text are kept: the start says what failed, the end
// often names the object, and a message ends with its fix. The drivers clip their own errors far
// below these bounds (600 characters); these catch whatever path nothing else bounds.
import { clipMiddle } from '../clip.js'
import { isProjectError, type Finding, type GateReport, type ProjectsReport } from '../report.js'
import { mapText } from '../findings/transform.js'

export const BOUNDS = {
  message: 4000,
  fix: 2000,
  detail: 1000,
  /** Detail lines per finding (a residue list of every object a downgrade forgot stays well below). */
  details: 200,
  revision: 200,
  note: 2000,
  stepError: 1000,
  /** One statement an observed step sent (a data migration's INSERT may be megabytes). */
  sentSql: 20000,
  nodeMessage: 500,
} as const

export function boundReport(report: GateReport): GateReport {
  return {
    ...report,
    notes: report.notes.map((n) => clipMiddle(n, BOUNDS.note)),
    steps: report.steps.map((s) => ({
      ...s,
      ...(s.error === undefined ? {} : { error: clipMiddle(s.error, BOUNDS.stepError) }),
      ...(s.sent ? { sent: s.sent.map((x) => ({ ...x, sql: clipMiddle(x.sql, BOUNDS.sentSql) })) } : {}),
    })),
    findings: report.findings.map(boundFinding),
    ...(report.graph
      ? {
          graph: {
            nodes: report.graph.nodes.map((n) =>
              n.message === undefined ? n : { ...n, message: clipMiddle(n.message, BOUNDS.nodeMessage) },
            ),
          },
        }
      : {}),
    ...(report.live?.pending
      ? {
          live: {
            ...report.live,
            pending: report.live.pending.map((p) =>
              p.message === undefined ? p : { ...p, message: clipMiddle(p.message, BOUNDS.nodeMessage) },
            ),
          },
        }
      : {}),
  }
}

/** A monorepo run's report: each project's bounded as its own report would be, and the aggregate too. */
export function boundProjects(report: ProjectsReport): ProjectsReport {
  return {
    ...report,
    notes: report.notes.map((n) => clipMiddle(n, BOUNDS.note)),
    projects: report.projects.map((p) =>
      isProjectError(p) ? { ...p, error: clipMiddle(p.error, BOUNDS.note) } : boundReport(p),
    ),
    findings: report.findings.map((f) => ({ ...boundFinding(f), projectDir: f.projectDir })),
  }
}

export function boundFinding(f: Finding): Finding {
  return mapText(f, {
    message: (text) => clipMiddle(text, BOUNDS.message),
    fix: (text) => clipMiddle(text, BOUNDS.fix),
    revision: (text) => clipMiddle(text, BOUNDS.revision),
    detail: (text) => clipMiddle(text, BOUNDS.detail),
    details: (lines) => {
      const more = lines.length - BOUNDS.details
      return more > 0
        ? [...lines.slice(0, BOUNDS.details), `… ${more} more detail line${more === 1 ? '' : 's'} left out`]
        : lines
    },
  })
}
