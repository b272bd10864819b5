// The JSON report (--report-json, the action's report-path), per the contract in shared/DESIGN.md.
import type { GateReport } from '../report.js'

export function renderJson(report: GateReport): string {
  return JSON.stringify(report, null, 2) + '\n'
}
