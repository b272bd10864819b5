// irreversible-migration: a revision that cannot be downgraded (a downgrade that raises
// NotImplementedError, SQL without a down, a downgrade that does nothing while its upgrade changed
// the schema). No rollback past it; a warning by default, a notice when allow-listed with a reason.
import { build, type FindingEntry, type Place } from './entry.js'
import type { Finding, Severity } from '../report.js'

export const IRREVERSIBLE_MIGRATION: FindingEntry<'irreversible-migration'> = {
  id: 'irreversible-migration',
  severity: 'warning',
  checked: 'replay',
  happened:
    'a downgrade raises `NotImplementedError` (or `raise NotImplemented(...)`), has no down SQL, or does nothing while its upgrade changed the schema',
  seen: 'no rollback past it (allow-list with a reason)',
  revisionScoped: true,
  atDowngrade: true,
}

export function irreversibleMigration(
  facts: {
    /** The revision as the message names it ("ab12 (\"add x\")"). */
    what: string
    /** Why it cannot be downgraded, as a clause. */
    why: string
    /** The allow-list's reason, when the revision is on it: the finding is then a notice. */
    allowed?: string
    /** What a rollback past it does under this tool, as a sentence. */
    consequence: string
    fix: string
  },
  place: Place,
  /** The allow-irreversible policy's severity (warning, or error when the input asks). */
  severity: Severity,
): Finding {
  const { what, why, allowed } = facts
  if (allowed !== undefined) {
    return build(
      IRREVERSIBLE_MIGRATION,
      { message: `${what} cannot be downgraded (${why}); accepted by the allow-list: ${allowed}` },
      place,
      'notice',
    )
  }
  return build(
    IRREVERSIBLE_MIGRATION,
    { message: `${what} cannot be downgraded: ${why}. ${facts.consequence}.`, fix: facts.fix },
    place,
    severity,
  )
}
