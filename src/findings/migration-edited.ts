// migration-edited: the pull request modifies, moves or deletes a migration the base branch already
// has. Databases that applied it never run the new version, so they and fresh ones fork.
import { build, type FindingEntry, type Place } from './entry.js'
import type { Finding, Severity } from '../report.js'

export const MIGRATION_EDITED: FindingEntry<'migration-edited'> = {
  id: 'migration-edited',
  severity: 'error',
  checked: 'git',
  happened:
    'the pull request modifies or deletes a migration the base branch already has (severity from `migration-edited-severity`)',
  seen: 'databases that applied it and fresh ones fork',
}

export function migrationEdited(
  facts: {
    /** The file as the base has it. */
    file: string
    revision?: string
    base: string
    /** What the PR does to it, as a clause ("deletes it", "renames it to `x` and changes it"). */
    did: string
    /** Whether it is gone from the migrations (deleted or moved out). */
    gone: boolean
  },
  place: Place,
  severity: Severity,
): Finding {
  const consequence = facts.gone
    ? 'Databases that applied it keep what it did, and the tool can no longer find the revision they record.'
    : 'It may already be applied somewhere (staging, production, other developers): those databases never run the edited version, so their schema and a fresh database built from the migrations fork.'
  return build(
    MIGRATION_EDITED,
    {
      message: `\`${facts.file}\`${facts.revision ? ` (revision ${facts.revision})` : ''} exists on ${facts.base} and this PR ${facts.did}. ${consequence}`,
      fix: `restore the file as ${facts.base} has it and put the change in a new migration.`,
    },
    place,
    severity,
  )
}
