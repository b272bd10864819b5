// Annotations at file:line for every finding that has a file, titled by finding id. GitHub keeps
// at most 10 error, 10 warning and 10 notice annotations per step (and 50 per job); more are
// dropped silently, so the plan says which findings did not fit and the summary names them.
import { isAbsolute, join, relative } from 'node:path'
import type { Finding, GateReport, Severity } from '../report.js'
import { boundReport } from './bound.js'
import { clip } from './escape.js'

export interface Annotation {
  severity: Severity
  title: string
  message: string
  /** Relative to the repository root, POSIX separators; absent when the file lies outside it. */
  file?: string
  line?: number
}

export interface AnnotationPlan {
  annotations: Annotation[]
  /** Findings with a file that got no annotation: their severity's per-step cap was reached. */
  omitted: Finding[]
}

/** GitHub's per-step cap, for each severity. */
export const ANNOTATIONS_PER_SEVERITY = 10
const DETAIL_LINES = 20

export interface AnnotationOptions {
  /** The repository root (GITHUB_WORKSPACE); findings' files are relative to the project dir. */
  rootDir: string
  /**
   * Annotations of each severity the step makes besides these: the failing step's own error
   * (setFailed), warnings logged during the run. They count against the same caps.
   */
  reserved?: Partial<Record<Severity, number>>
}

export function planAnnotations(whole: GateReport, options: AnnotationOptions): AnnotationPlan {
  const report = boundReport(whole)
  const room: Record<Severity, number> = { error: 0, warning: 0, notice: 0 }
  for (const s of ['error', 'warning', 'notice'] as const) {
    room[s] = Math.max(0, ANNOTATIONS_PER_SEVERITY - (options.reserved?.[s] ?? 0))
  }
  const plan: AnnotationPlan = { annotations: [], omitted: [] }
  // This change's findings first: when a cap is reached, pre-existing ones are the ones left out.
  const ordered = [...report.findings.filter((f) => !f.preExisting), ...report.findings.filter((f) => f.preExisting)]
  for (const f of ordered) {
    if (!f.file) continue
    if (room[f.severity] === 0) {
      plan.omitted.push(f)
      continue
    }
    room[f.severity]--
    const details = (f.details ?? []).slice(0, DETAIL_LINES).map((d) => `- ${clip(d, 500)}`)
    const more = (f.details?.length ?? 0) - DETAIL_LINES
    if (more > 0) details.push(`- … ${more} more in the job summary`)
    const a: Annotation = {
      severity: f.severity,
      title: `migration-gate: ${f.id}${f.revision ? ` (${f.revision})` : ''}`,
      message: [
        f.message,
        ...(f.statement ? [`SQL: ${clip(f.statement.replace(/\s+/g, ' '), 300)}`] : []),
        ...(f.fix ? [`Fix: ${f.fix}`] : []),
        ...details,
      ].join('\n'),
    }
    const file = repositoryPath(report.projectDir, f.file, options.rootDir)
    if (file) {
      a.file = file
      if (f.line) a.line = f.line
    }
    plan.annotations.push(a)
  }
  return plan
}

/** A finding's file relative to the repository root, or undefined when it is outside the root. */
export function repositoryPath(projectDir: string, file: string, rootDir: string): string | undefined {
  const abs = isAbsolute(file) ? file : join(projectDir, file)
  const rel = relative(rootDir, abs).split('\\').join('/')
  return rel === '' || rel.startsWith('../') || rel === '..' || isAbsolute(rel) ? undefined : rel
}
