// The JSON report (--report-json, the action's report-path): the GateReport of src/report.ts as it is.
import type { GateReport } from '../report.js'

export function renderJson(report: GateReport): string {
  return JSON.stringify(report, null, 2) + '\n'
}
