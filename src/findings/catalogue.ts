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
}

/** Every entry, in catalogue order. */
export const ENTRIES: readonly FindingEntry[] = Object.values(CATALOGUE)

/** The ids whose entries say `flag`. */
export function idsWhere(flag: 'revisionScoped' | 'atDowngrade'): ReadonlySet<FindingId> {
  return new Set(ENTRIES.filter((e) => e[flag]).map((e) => e.id))
}
