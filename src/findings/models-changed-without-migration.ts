// models-changed-without-migration: the pull request changes model files and adds no migration:
// the database keeps the old schema and the code using the change fails in production. A notice
// when the change is exempt with a reason, or when model drift shows the models still match.
import { build, type FindingEntry, type Place } from './entry.js'
import type { Finding } from '../report.js'

export const MODELS_CHANGED_WITHOUT_MIGRATION: FindingEntry<'models-changed-without-migration'> = {
  id: 'models-changed-without-migration',
  severity: 'error',
  checked: 'git',
  happened: 'the pull request changes model files and adds no migration (unless exempt with a reason)',
  seen: '`column ... does not exist` in production, after the merge',
}

/** "`app/models.py` changed" (or "was deleted"): how the messages open. */
function opening(file: string, deleted: boolean): string {
  return deleted ? `\`${file}\` was deleted` : `\`${file}\` changed`
}

export function modelsChangedWithoutMigration(
  facts: {
    file: string
    deleted: boolean
    /** The tool's command that writes a new migration. */
    command: string
    /** Where the migration belongs, for tools with scopes: "app orders". */
    scope?: string
    /** The commit-message key and the label that exempt a change. */
    exemptionKey: string
    label: string
    /** Why an exemption that was offered did not count, as a sentence in parentheses. */
    notExempt?: string
  },
  place: Place,
): Finding {
  return build(
    MODELS_CHANGED_WITHOUT_MIGRATION,
    {
      message: `${opening(facts.file, facts.deleted)}, a model file, but this PR adds no migration${facts.scope ? ` in ${facts.scope}` : ''}: the database keeps the old schema, and code using the change fails in production ("column ... does not exist").`,
      fix:
        `run \`${facts.command}\`, review the file it writes, and commit it. ` +
        `If the change needs no migration, give the reason: a line \`${facts.exemptionKey}: <reason>\` in a commit message, or the label "${facts.label}" with that line in the PR description.${facts.notExempt ?? ''}`,
    },
    place,
  )
}

/** The change is exempt: accepted without a migration, with the reason given (a notice). */
export function modelsChangedExempt(
  facts: { file: string; deleted: boolean; source: string; reason: string },
  place: Place,
): Finding {
  return build(
    MODELS_CHANGED_WITHOUT_MIGRATION,
    {
      message: `${opening(facts.file, facts.deleted)} and this PR adds no migration; accepted without one (${facts.source}): ${facts.reason}`,
    },
    place,
    'notice',
  )
}

/**
 * Model drift compared the models with the migrated database and found nothing of this file's:
 * no migration is needed (a docstring, a comment, an API class in a models file). A notice.
 */
export function modelsChangedNoMigrationNeeded(facts: { file: string; declared: string }, place: Place): Finding {
  return build(
    MODELS_CHANGED_WITHOUT_MIGRATION,
    {
      message: `\`${facts.file}\` changed and this PR adds no migration, but none is needed: model-drift compared the models with the migrated database, and ${facts.declared}.`,
    },
    place,
    'notice',
  )
}
