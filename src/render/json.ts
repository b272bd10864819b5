// The JSON report (--report-json, the action's report-path): the GateReport of src/report.ts as it
// is, its free text bounded (bound.ts).
import type { GateReport } from '../report.js'
import { boundReport } from './bound.js'

export function renderJson(report: GateReport): string {
  return JSON.stringify(boundReport(report), null, 2) + '\n'
}
