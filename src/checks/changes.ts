// The git rules over the files a PR changed: models-changed-without-migration (the models moved and
// no migration came with them: the database keeps the old schema and the code using the change
// fails in production) and migration-edited (a migration the base already has was changed, so the
// databases that applied it and a fresh one no longer agree). Pure: the git side (git/phase.ts)
// supplies the changed files, the path rules, the exemption and the lines.
import type { Exemption, ExemptionResult } from '../git/exemption.js'
import { EXEMPTION_KEY } from '../git/exemption.js'
import type { ChangedFile } from '../git/repo.js'
import type { Finding, Severity } from '../report.js'
import { migrationEdited } from '../findings/migration-edited.js'
import { modelsChangedExempt, modelsChangedWithoutMigration } from '../findings/models-changed-without-migration.js'

export interface ChangeRules {
  /** The PR's changed files, repository-relative. */
  changed: ChangedFile[]
  isModel(repoPath: string): boolean
  isMigration(repoPath: string): boolean
  /** The path findings show (relative to the project directory). */
  shown(repoPath: string): string
  /** First changed line of a file, where known (repository-relative path). */
  lines: ReadonlyMap<string, number>
  /** Revision ids by repository-relative path, for the revisions the working tree has. */
  revisions: ReadonlyMap<string, string>
  /** How reports name the base ("main"). */
  base: string
}

export interface ModelRules extends ChangeRules {
  /** The command that writes the migration (the driver's MigrationLayout.newMigrationCommand). */
  newMigrationCommand: string
  /** The no-migration exemption, looked up only when the rule fires. */
  exemption: () => Promise<ExemptionResult>
  /** The no-migration-label input. */
  label: string
  /**
   * Where migrations belong to scopes (Django's apps: MigrationLayout.scopes), the scope of a
   * repository-relative file: a model file then needs a migration added in its own scope.
   */
  scopes?: { noun: string; of(repoPath: string): string | undefined; newMigrationCommand(scope: string): string }
}

/** A rename that only moved the file (git's similarity 100) changes nothing a database sees. */
const pureRename = (f: ChangedFile): boolean => f.status === 'R' && f.similarity === 100

/** Migration files the PR adds: new files, or files moved in from outside the migration paths. */
export function addedMigrations(rules: ChangeRules): ChangedFile[] {
  return rules.changed.filter(
    (f) =>
      rules.isMigration(f.path) &&
      (f.status === 'A' || (f.status === 'R' && !(f.oldPath !== undefined && rules.isMigration(f.oldPath)))),
  )
}

export async function checkModelChanges(rules: ModelRules): Promise<{ findings: Finding[]; exemption?: Exemption }> {
  const models = rules.changed.filter(
    (f) =>
      !pureRename(f) &&
      !rules.isMigration(f.path) &&
      (rules.isModel(f.path) || (f.oldPath !== undefined && rules.isModel(f.oldPath))),
  )
  const added = addedMigrations(rules)
  const scopes = rules.scopes
  const scopeOf = (f: ChangedFile) =>
    scopes ? (scopes.of(f.path) ?? (f.oldPath !== undefined ? scopes.of(f.oldPath) : undefined)) : undefined
  const addedScopes = added.map(scopeOf)
  // By scope only where every added migration has one (migration-paths may name files in none).
  const byScope = scopes !== undefined && addedScopes.every((s) => s !== undefined)
  const unmigrated = models.filter((f) => {
    if (added.length === 0) return true
    const scope = byScope ? scopeOf(f) : undefined
    return scope !== undefined && !addedScopes.includes(scope)
  })
  if (unmigrated.length === 0) return { findings: [] }
  const result = await rules.exemption()
  const exemption = 'exemption' in result ? result.exemption : undefined
  const hint = 'hint' in result && result.hint ? ` (Not exempt: ${result.hint}.)` : ''
  const findings = unmigrated.map((f): Finding => {
    const file = rules.shown(f.path)
    const scope = scopeOf(f)
    const deleted = f.status === 'D'
    const line = rules.lines.get(f.path)
    const place = { file, ...(line !== undefined && !deleted ? { line } : {}) }
    return exemption
      ? modelsChangedExempt({ file, deleted, source: exemption.source, reason: exemption.reason }, place)
      : modelsChangedWithoutMigration(
          {
            file,
            deleted,
            command: scope !== undefined && scopes ? scopes.newMigrationCommand(scope) : rules.newMigrationCommand,
            ...(scope !== undefined && scopes ? { scope: `${scopes.noun} ${scope}` } : {}),
            exemptionKey: EXEMPTION_KEY,
            label: rules.label,
            ...(hint ? { notExempt: hint } : {}),
          },
          place,
        )
  })
  return exemption ? { findings, exemption } : { findings }
}

export function checkMigrationEdits(rules: ChangeRules, severity: Severity): Finding[] {
  const findings: Finding[] = []
  for (const f of rules.changed) {
    const before = f.status === 'R' ? f.oldPath : f.path
    if (before === undefined || f.status === 'A' || !rules.isMigration(before)) continue
    // Moved within the migration paths unchanged: the revision is the same.
    if (pureRename(f) && rules.isMigration(f.path)) continue
    const shownBefore = rules.shown(before)
    const did =
      f.status === 'D'
        ? 'deletes it'
        : f.status === 'R' && !rules.isMigration(f.path)
          ? `moves it out of the migrations (to \`${rules.shown(f.path)}\`)`
          : f.status === 'R'
            ? `renames it to \`${rules.shown(f.path)}\` and changes it`
            : 'modifies it'
    const gone = f.status === 'D' || (f.status === 'R' && !rules.isMigration(f.path))
    const revision = rules.revisions.get(f.path) ?? rules.revisions.get(before)
    const line = rules.lines.get(f.path)
    findings.push(
      migrationEdited(
        { file: shownBefore, ...(revision ? { revision } : {}), base: rules.base, did, gone },
        {
          file: gone && f.status === 'D' ? shownBefore : rules.shown(f.path),
          ...(revision ? { revision } : {}),
          ...(line !== undefined && !gone ? { line } : {}),
        },
        severity,
      ),
    )
  }
  return findings
}
