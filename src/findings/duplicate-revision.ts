// duplicate-revision: two files declare the same revision id (or SQL version): only one of them
// can ever run.
import { build, cap, type FindingEntry, type Place } from './entry.js'
import type { Finding } from '../report.js'

export const DUPLICATE_REVISION: FindingEntry<'duplicate-revision'> = {
  id: 'duplicate-revision',
  severity: 'error',
  checked: 'chain',
  happened: 'two files declare the same revision id (or SQL version)',
  seen: 'every `alembic` command fails, or one of the migrations silently never runs',
}

/** Two revision files with the same id (a tool whose revisions name their parents). */
export function duplicateRevision(
  facts: { id: string; files: string[]; consequence: string; newId: string; parentField: string },
  place: Place,
): Finding {
  return build(
    DUPLICATE_REVISION,
    {
      message: `Revision id '${facts.id}' is declared by ${facts.files.length} files: ${facts.files.join(', ')}. ${cap(facts.consequence)}.`,
      fix: `in the newer of the files, ${facts.newId}, and update any ${facts.parentField} that meant it.`,
    },
    place,
  )
}

/** Two migration files with the same version (a tool that orders by version). */
export function duplicateVersion(
  facts: { version: string; files: string[]; consequence: string; newest: string; rename: string },
  place: Place,
): Finding {
  return build(
    DUPLICATE_REVISION,
    {
      message: `Version ${facts.version} is declared by ${facts.files.length} files: ${facts.files.join(', ')}. ${facts.consequence}.`,
      fix: `give ${facts.newest} a version of its own: ${facts.rename}.`,
    },
    place,
  )
}
