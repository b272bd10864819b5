// dirty-database: the tool marked the live database as dirty at a version (golang-migrate): that
// migration failed half way, and the tool refuses to run anything until someone clears the mark.
import { build, type FindingEntry, type Place } from './entry.js'
import type { Finding } from '../report.js'

export const DIRTY_DATABASE: FindingEntry<'dirty-database'> = {
  id: 'dirty-database',
  severity: 'error',
  checked: 'live',
  happened: 'the live database is marked dirty: its last migration failed half way (golang-migrate)',
  seen: '`Dirty database version N. Fix and force version.`, the deploy stops',
}

export function dirtyDatabase(
  facts: {
    version: string
    table: string
    /** The tool's command clearing the mark at `version`, and at the version before it. */
    forceThis: string
    forcePrevious?: string
  },
  place: Place,
): Finding {
  return build(
    DIRTY_DATABASE,
    {
      message: `The live database is marked dirty at version ${facts.version} (${facts.table}): that migration failed half way, so part of its up SQL may be applied and part not, and the tool refuses to migrate until the mark is cleared: the deploy's migrate step fails.`,
      fix: `compare the schema with ${facts.version}'s up SQL; if it is all applied, \`${facts.forceThis}\`${facts.forcePrevious ? `; if none of it is, \`${facts.forcePrevious}\` (the version before) so that it runs again` : ''}; if part of it is, undo that part by hand first.`,
    },
    place,
  )
}
