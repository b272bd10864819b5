// Annotations at file:line for findings that have a file, titled by finding id. GitHub shows at most
// 10 errors, 10 warnings and 10 notices per step; what does not fit is in the summary.
import { isAbsolute, join, relative } from 'node:path'
import type { GateReport, Severity } from '../report.js'

export interface Annotation {
  severity: Severity
  title: string
  message: string
  /** Relative to the repository root. */
  file?: string
  line?: number
}

export const ANNOTATIONS_PER_SEVERITY = 10

/** `rootDir`: the repository root (GITHUB_WORKSPACE); finding files are relative to the project dir. */
export function renderAnnotations(report: GateReport, rootDir = process.cwd()): Annotation[] {
  const used: Record<Severity, number> = { error: 0, warning: 0, notice: 0 }
  const out: Annotation[] = []
  for (const f of report.findings) {
    if (used[f.severity] >= ANNOTATIONS_PER_SEVERITY) continue
    used[f.severity]++
    const details = (f.details ?? []).slice(0, 20).map((d) => `- ${d}`)
    const a: Annotation = {
      severity: f.severity,
      title: `migration-gate: ${f.id}${f.revision ? ` (${f.revision})` : ''}`,
      message: [f.message, ...details].join('\n'),
    }
    if (f.file) {
      const abs = isAbsolute(f.file) ? f.file : join(report.projectDir, f.file)
      a.file = relative(rootDir, abs).split('\\').join('/')
      if (f.line) a.line = f.line
    }
    out.push(a)
  }
  return out
}
