// dirty-database: the tool marked the live database as dirty at a version (golang-migrate): that
// migration failed half way, and the tool refuses to run anything until someone clears the mark.
import { build, count, type FindingEntry, type Place } from './entry.js'
import type { Finding } from '../report.js'

export const DIRTY_DATABASE: FindingEntry<'dirty-database'> = {
  id: 'dirty-database',
  severity: 'error',
  checked: 'live',
  happened: 'the live database is marked dirty: its last migration failed half way (golang-migrate)',
  seen: '`Dirty database version N. Fix and force version.`, the deploy stops',
}

/**
 * What the live schema shows of the dirty version's up SQL: its differences from the schema the
 * migrations build at the version before (one line each, "table x: present in the live database,
 * absent in the migrations"), or why that could not be told.
 */
export type DirtyProgress = { before: string; differences: string[] } | { unknown: string }

export function dirtyDatabase(
  facts: {
    version: string
    table: string
    /** The tool's command clearing the mark at `version`, and at the version before it. */
    forceThis: string
    forcePrevious?: string
    /** Set when the live schema was compared with the version before's. */
    progress?: DirtyProgress
  },
  place: Place,
): Finding {
  const { version, progress } = facts
  const previous = facts.forcePrevious ? `\`${facts.forcePrevious}\`` : undefined
  let seen = ''
  let fix = `compare the schema with ${version}'s up SQL; if it is all applied, \`${facts.forceThis}\`${previous ? `; if none of it is, ${previous} (the version before) so that it runs again` : ''}; if part of it is, undo that part by hand first.`
  if (progress && 'unknown' in progress) {
    seen = ` Which part of it is in the schema could not be told: ${progress.unknown}.`
  } else if (progress && progress.differences.length === 0) {
    seen = ` None of ${version}'s up SQL is in the schema (it equals the one the migrations build at ${progress.before}): it failed before changing the schema.`
    fix = `${previous ? `${previous} (the version before) so that it runs again` : `clear the mark so that ${version} runs again`}, once its cause is fixed; data changes of its up SQL, if it makes any, are not visible in the schema, so check them first.`
  } else if (progress) {
    seen = ` ${count(progress.differences.length, 'object')} of ${version}'s up SQL ${progress.differences.length === 1 ? 'is' : 'are'} in the schema (the differences from the one the migrations build at ${progress.before}, listed): it stopped after ${progress.differences.length === 1 ? 'it' : 'them'}.`
    fix = `either undo ${progress.differences.length === 1 ? 'it' : 'them'} by hand${previous ? ` and ${previous} (the version before)` : ''} so that ${version} runs again, or finish the rest of ${version}'s up SQL by hand and \`${facts.forceThis}\`.`
  }
  return build(
    DIRTY_DATABASE,
    {
      message: `The live database is marked dirty at version ${version} (${facts.table}): that migration failed half way, so part of its up SQL may be applied and part not, and the tool refuses to migrate until the mark is cleared: the deploy's migrate step fails.${seen}`,
      fix,
    },
    progress && 'differences' in progress && progress.differences.length > 0
      ? { ...place, details: progress.differences }
      : place,
  )
}
