// A monorepo run's annotations: each project's, planned as its own run plans them (files from the
// repository root, through each project's own directory), the per-step caps shared by all of them.
import { isProjectError, type ProjectsReport, type Severity } from '../report.js'
import { planAnnotations, type AnnotationOptions, type AnnotationPlan } from './annotations.js'

export function planProjectsAnnotations(report: ProjectsReport, options: AnnotationOptions): AnnotationPlan {
  const used: Record<Severity, number> = { error: 0, warning: 0, notice: 0 }
  const plan: AnnotationPlan = { annotations: [], omitted: [] }
  for (const p of report.projects) {
    if (isProjectError(p)) continue
    const reserved = {
      error: (options.reserved?.error ?? 0) + used.error,
      warning: (options.reserved?.warning ?? 0) + used.warning,
      notice: (options.reserved?.notice ?? 0) + used.notice,
    }
    const own = planAnnotations(p, { ...options, reserved })
    for (const a of own.annotations) used[a.severity]++
    plan.annotations.push(...own.annotations)
    plan.omitted.push(...own.omitted)
  }
  return plan
}
