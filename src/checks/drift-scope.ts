// Model drift judged against the pull request. Two rules, both needing the drift comparison at the
// PR's head (checks/drift.ts):
// - models-changed-without-migration needs no migration where the models the changed files declare
//   match what the migrations build: a docstring or comment edit, an API schema class in a model
//   file. Then it is a notice that says so. It stays an error where any difference is, or may
//   be, the changed file's (a difference no file can be found for, e.g. a deleted model class).
// - A drift difference is this PR's when the PR changed the model file declaring its table, or a
//   migration naming that table; otherwise it was merged before (pre-existing: a notice unless
//   strict), so drift that reached the base once does not fail every later PR.
import type { DriftItem, ModelDrift, ModelsWording } from '../drivers/driver.js'
import type { Finding } from '../report.js'
import { driftFindings } from './drift.js'
import { modelsChangedNoMigrationNeeded } from '../findings/models-changed-without-migration.js'
import { asPreExisting } from '../findings/transform.js'
import { escapeRegExp } from '../regexp.js'

export interface DriftScopeInput {
  drift: ModelDrift
  /** Findings so far; models-changed-without-migration ones may be re-judged. */
  findings: Finding[]
  /** Model files the PR changed (relative to the project dir, as findings name files). */
  changedModels: ReadonlySet<string>
  /** The texts of the migration files the PR adds or changes. */
  changedMigrationTexts: string[]
  /** The tool's words for its models (the fix command, what the comparison covers), where it has them. */
  models?: ModelsWording
  base: string
  strict: boolean
}

export interface DriftScopeResult {
  /** The findings, models-changed-without-migration re-judged. */
  findings: Finding[]
  /** The drift findings, scoped. */
  drift: Finding[]
  notes: string[]
}

export function scopeDrift(input: DriftScopeInput): DriftScopeResult {
  const { drift } = input
  const fileOf = (item: DriftItem): string | undefined =>
    item.file ?? (item.table ? (drift.declaredIn[item.table] ?? undefined) : undefined)
  const unattributed = drift.items.filter((item) => fileOf(item) === undefined)
  const mentions = (table: string) => {
    const word = new RegExp(`(^|[^A-Za-z0-9_])${escapeRegExp(table)}([^A-Za-z0-9_]|$)`)
    return input.changedMigrationTexts.some((text) => word.test(text))
  }
  const isPrs = (item: DriftItem): boolean => {
    const file = fileOf(item)
    if (file !== undefined) return input.changedModels.has(file) || (item.table !== undefined && mentions(item.table))
    // No file declares it (a model class the PR may have deleted): the PR's if it touched any model.
    return input.changedModels.size > 0 || item.table === undefined || mentions(item.table)
  }

  const mine = drift.items.filter(isPrs)
  const old = drift.items.filter((item) => !isPrs(item))
  const findings: Finding[] = driftFindings(mine, input.models)
  const notes: string[] = []
  for (const f of driftFindings(old, input.models)) {
    findings.push(input.strict ? f : asPreExisting(f, 'notice'))
  }
  if (old.length > 0) {
    notes.push(
      `${old.length} model-drift difference${old.length === 1 ? '' : 's'} in tables whose models and migrations this change does not touch: already on ${input.base}${input.strict ? ' (strict: they count)' : ' (notices; strict: true fails on them)'}`,
    )
  }

  const tablesOf = (file: string) =>
    Object.entries(drift.declaredIn)
      .filter(([, declaring]) => declaring === file)
      .map(([table]) => table)
      .sort()
  const rejudged = input.findings.map((f): Finding => {
    if (f.id !== 'models-changed-without-migration' || f.severity !== 'error' || !f.file) return f
    const file = f.file
    if (unattributed.length > 0 || drift.items.some((item) => fileOf(item) === file)) return f
    const tables = tablesOf(file)
    const declared =
      tables.length > 0
        ? `the tables it declares (${tables.slice(0, 8).join(', ')}${tables.length > 8 ? ', ...' : ''}) match what the migrations build`
        : `it declares no table of ${input.models?.compared ?? 'the models model-drift compares'}`
    return modelsChangedNoMigrationNeeded(
      { file, declared },
      { file, ...(f.line !== undefined ? { line: f.line } : {}) },
    )
  })
  return { findings: rejudged, drift: findings, notes }
}
