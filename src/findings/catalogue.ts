// Every finding the gate can report, in the order the README's table lists them. A Record over
// FindingId, so a new id without its entry (or an entry without its id) does not compile. To add a
// finding: its id in report.ts, a file here with its entry and constructors, a line below, then
// `npm run action-yml` to regenerate the tables in README.md and docs/report.md.
import type { FindingId } from '../report.js'
import type { FindingEntry } from './entry.js'
import { BACKGROUND_PROCESS } from './background-process.js'
import { DATABASE_DROPPED } from './database-dropped.js'
import { DOWNGRADE_FAILED } from './downgrade-failed.js'
import { DOWNGRADE_RESIDUE } from './downgrade-residue.js'
import { DUPLICATE_REVISION } from './duplicate-revision.js'
import { EMPTY_MIGRATION } from './empty-migration.js'
import { IRREVERSIBLE_MIGRATION } from './irreversible-migration.js'
import { LIVE_DRIFT } from './live-drift.js'
import { MIGRATION_EDITED } from './migration-edited.js'
import { MISSING_PARENT } from './missing-parent.js'
import { MODEL_DRIFT } from './model-drift.js'
import { MODELS_CHANGED_WITHOUT_MIGRATION } from './models-changed-without-migration.js'
import { MULTIPLE_BASES } from './multiple-bases.js'
import { MULTIPLE_HEADS } from './multiple-heads.js'
import { REUPGRADE_MISMATCH } from './reupgrade-mismatch.js'
import { REVISION_CYCLE } from './revision-cycle.js'
import { STALE_PARENT } from './stale-parent.js'
import { STEP_TIMEOUT } from './step-timeout.js'
import { TOOL_DISAGREEMENT } from './tool-disagreement.js'
import { UNPARSEABLE_MIGRATION } from './unparseable-migration.js'
import { UPGRADE_FAILED } from './upgrade-failed.js'
import { DIRTY_DATABASE } from './dirty-database.js'
import { PENDING_DATA_RISK } from './pending-data-risk.js'
import { PENDING_MIGRATIONS } from './pending-migrations.js'
import { UNKNOWN_REVISION } from './unknown-revision.js'
import { UNVERSIONED_DATABASE } from './unversioned-database.js'
import { PENDING_UPGRADE_FAILED } from './pending-upgrade-failed.js'
import { PENDING_ROLLBACK_FAILED } from './pending-rollback-failed.js'
import { ADDING_REQUIRED_FIELD } from './adding-required-field.js'
import { REQUIRE_CONCURRENT_INDEX_CREATION } from './require-concurrent-index-creation.js'
import { REQUIRE_CONCURRENT_INDEX_DELETION } from './require-concurrent-index-deletion.js'
import { BAN_CONCURRENT_INDEX_CREATION_IN_TRANSACTION } from './ban-concurrent-index-creation-in-transaction.js'
import { CONSTRAINT_MISSING_NOT_VALID } from './constraint-missing-not-valid.js'
import { ADDING_FOREIGN_KEY_CONSTRAINT } from './adding-foreign-key-constraint.js'
import { DISALLOWED_UNIQUE_CONSTRAINT } from './disallowed-unique-constraint.js'
import { CHANGING_COLUMN_TYPE } from './changing-column-type.js'
import { ADDING_FIELD_WITH_DEFAULT } from './adding-field-with-default.js'
import { RENAMING_COLUMN } from './renaming-column.js'
import { RENAMING_TABLE } from './renaming-table.js'
import { BAN_DROP_COLUMN } from './ban-drop-column.js'
import { BAN_DROP_TABLE } from './ban-drop-table.js'
import { REQUIRE_TIMEOUT_SETTINGS } from './require-timeout-settings.js'
import { OBSERVED_ACCESS_EXCLUSIVE_LOCK } from './observed-access-exclusive-lock.js'
import { LINT_SUPPRESSION } from './lint-suppression.js'

export const CATALOGUE: { readonly [I in FindingId]: FindingEntry<I> } = {
  'multiple-heads': MULTIPLE_HEADS,
  'missing-parent': MISSING_PARENT,
  'duplicate-revision': DUPLICATE_REVISION,
  'revision-cycle': REVISION_CYCLE,
  'multiple-bases': MULTIPLE_BASES,
  'unparseable-migration': UNPARSEABLE_MIGRATION,
  'tool-disagreement': TOOL_DISAGREEMENT,
  'upgrade-failed': UPGRADE_FAILED,
  'downgrade-failed': DOWNGRADE_FAILED,
  'downgrade-residue': DOWNGRADE_RESIDUE,
  'reupgrade-mismatch': REUPGRADE_MISMATCH,
  'irreversible-migration': IRREVERSIBLE_MIGRATION,
  'step-timeout': STEP_TIMEOUT,
  'background-process': BACKGROUND_PROCESS,
  'empty-migration': EMPTY_MIGRATION,
  'database-dropped': DATABASE_DROPPED,
  'model-drift': MODEL_DRIFT,
  'models-changed-without-migration': MODELS_CHANGED_WITHOUT_MIGRATION,
  'migration-edited': MIGRATION_EDITED,
  'stale-parent': STALE_PARENT,
  'unknown-revision': UNKNOWN_REVISION,
  'dirty-database': DIRTY_DATABASE,
  'unversioned-database': UNVERSIONED_DATABASE,
  'pending-migrations': PENDING_MIGRATIONS,
  'live-drift': LIVE_DRIFT,
  'pending-upgrade-failed': PENDING_UPGRADE_FAILED,
  'pending-rollback-failed': PENDING_ROLLBACK_FAILED,
  'pending-data-risk': PENDING_DATA_RISK,
  'adding-required-field': ADDING_REQUIRED_FIELD,
  'require-concurrent-index-creation': REQUIRE_CONCURRENT_INDEX_CREATION,
  'require-concurrent-index-deletion': REQUIRE_CONCURRENT_INDEX_DELETION,
  'ban-concurrent-index-creation-in-transaction': BAN_CONCURRENT_INDEX_CREATION_IN_TRANSACTION,
  'constraint-missing-not-valid': CONSTRAINT_MISSING_NOT_VALID,
  'adding-foreign-key-constraint': ADDING_FOREIGN_KEY_CONSTRAINT,
  'disallowed-unique-constraint': DISALLOWED_UNIQUE_CONSTRAINT,
  'changing-column-type': CHANGING_COLUMN_TYPE,
  'adding-field-with-default': ADDING_FIELD_WITH_DEFAULT,
  'renaming-column': RENAMING_COLUMN,
  'renaming-table': RENAMING_TABLE,
  'ban-drop-column': BAN_DROP_COLUMN,
  'ban-drop-table': BAN_DROP_TABLE,
  'require-timeout-settings': REQUIRE_TIMEOUT_SETTINGS,
  'observed-access-exclusive-lock': OBSERVED_ACCESS_EXCLUSIVE_LOCK,
  'lint-suppression': LINT_SUPPRESSION,
}

/** Every entry, in catalogue order. */
export const ENTRIES: readonly FindingEntry[] = Object.values(CATALOGUE)

/** The ids whose entries say `flag`. */
export function idsWhere(flag: 'revisionScoped' | 'atDowngrade'): ReadonlySet<FindingId> {
  return new Set(ENTRIES.filter((e) => e[flag]).map((e) => e.id))
}
