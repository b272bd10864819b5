// The CLI's view of a monorepo run: one block per project (what a run of it alone prints, its verdict
// line starting with its directory), then the run's verdict in one line. Pure.
import { projectLabel } from '../project-label.js'
import { isProjectError, type ProjectsReport } from '../report.js'
import { boundProjects } from './bound.js'
import { inertLog } from './escape.js'
import { renderTerminal } from './terminal.js'

export function renderProjectsTerminal(whole: ProjectsReport, options: { colour: boolean; rootDir?: string }): string {
  const report = boundProjects(whole)
  const paint = (code: string, text: string) => (options.colour ? `${code}${text}\x1b[0m` : text)
  const blocks: string[] = []
  for (const p of report.projects) {
    const label = projectLabel(p.projectDir, options.rootDir)
    if (isProjectError(p)) blocks.push(`${label}: ${paint('\x1b[31m', 'ERROR')} (not judged)\n  ${p.error}\n`)
    else blocks.push(renderTerminal(p, { colour: options.colour, label }))
  }
  const n = (result: string) => report.projects.filter((p) => p.result === result).length
  const tally = [
    [n('fail'), 'failed'],
    [n('error'), 'not judged'],
    [n('pass'), 'passed'],
  ]
    .filter(([k]) => (k as number) > 0)
    .map(([k, word]) => `${k} ${word}`)
    .join(', ')
  const colour = report.result === 'pass' ? '\x1b[32m' : '\x1b[31m'
  const seconds = (report.timings.totalMs / 1000).toFixed(1)
  const last = `migration-gate: ${paint(colour, report.result.toUpperCase())} (${report.projects.length} projects: ${tally}) · ${seconds} s\n`
  // Also read by the runner when the CLI runs in a workflow step: no line may be a workflow command.
  return inertLog([...blocks, last].join('\n'))
}
