// unparseable-migration: a migration file the gate cannot read, and usually the tool neither (the
// message says which): a chain nobody can walk, or a migration that silently never runs.
import { build, type FindingEntry, type Place } from './entry.js'
import type { Finding } from '../report.js'

export const UNPARSEABLE_MIGRATION: FindingEntry<'unparseable-migration'> = {
  id: 'unparseable-migration',
  severity: 'error',
  checked: 'chain',
  happened: 'a migration file the gate (and usually the tool) cannot read',
  seen: 'every `alembic` command fails, or the migration silently never runs',
}

/**
 * A file the gate cannot use. `problem` completes "<file> ..." ("is not valid Python: ..."); the
 * consequence says who else fails on it (the tool, or only the gate's static reading).
 */
export function unparseableMigration(
  facts: { file: string; problem: string; consequence?: string; fix: string },
  place: Place,
): Finding {
  return build(
    UNPARSEABLE_MIGRATION,
    {
      message: `${facts.file} ${facts.problem}.${facts.consequence ? ` ${facts.consequence}` : ''}`,
      fix: facts.fix,
    },
    place,
  )
}
