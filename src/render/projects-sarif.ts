// A monorepo run as SARIF: one run holding every project's results (paths from the repository root,
// as a project's own SARIF has them), one rule per finding id that occurs in any project. A project
// that could not be judged is a configuration notification, and the run is not a successful one.
import { projectLabel } from '../project-label.js'
import { isProjectError, type FindingId, type ProjectsReport } from '../report.js'
import { VERSION } from '../version.js'
import {
  INFORMATION_URI,
  renderSarif,
  SARIF_SCHEMA,
  type SarifLog,
  type SarifNotification,
  type SarifResult,
  type SarifRule,
} from './sarif.js'

export function renderProjectsSarif(report: ProjectsReport, rootDir?: string): SarifLog {
  const rules: SarifRule[] = []
  const index = new Map<FindingId, number>()
  const results: SarifResult[] = []
  const notifications: SarifNotification[] = []
  const configuration: Array<{ level: 'error'; message: { text: string } }> = []
  const ruleIndex = (rule: SarifRule) => {
    if (!index.has(rule.id)) {
      index.set(rule.id, rules.length)
      rules.push(rule)
    }
    return index.get(rule.id) as number
  }
  for (const p of report.projects) {
    if (isProjectError(p)) {
      configuration.push({
        level: 'error',
        message: { text: `${projectLabel(p.projectDir, rootDir)}: not judged: ${p.error}` },
      })
      continue
    }
    const log = renderSarif(p, p.projectPath ?? p.projectDir)
    const run = log.runs[0]
    const own = run.tool.driver.rules
    for (const r of run.results) results.push({ ...r, ruleIndex: ruleIndex(own[r.ruleIndex] as SarifRule) })
    for (const n of run.invocations[0].toolExecutionNotifications ?? []) {
      const rule = own[n.associatedRule.index] as SarifRule
      notifications.push({ ...n, associatedRule: { id: rule.id, index: ruleIndex(rule) } })
    }
  }
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'migration-gate', version: VERSION, informationUri: INFORMATION_URI, rules } },
        invocations: [
          {
            executionSuccessful: configuration.length === 0,
            ...(notifications.length ? { toolExecutionNotifications: notifications } : {}),
            ...(configuration.length ? { toolConfigurationNotifications: configuration } : {}),
          },
        ],
        results,
      },
    ],
  }
}

export function renderProjectsSarifJson(report: ProjectsReport, rootDir?: string): string {
  return JSON.stringify(renderProjectsSarif(report, rootDir), null, 2) + '\n'
}
