// The JSON report (--report-json, the action's report-path): the GateReport of src/report.ts as it
// is, its free text bounded (bound.ts).
import { isProjectsReport, type AnyReport } from '../report.js'
import { boundProjects, boundReport } from './bound.js'

/** A monorepo run's report is a ProjectsReport (docs/report.md, "Monorepos"); one project's is as it always was. */
export function renderJson(report: AnyReport): string {
  return JSON.stringify(isProjectsReport(report) ? boundProjects(report) : boundReport(report), null, 2) + '\n'
}
