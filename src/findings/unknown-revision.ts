// unknown-revision: the live database is at a revision none of the project's migrations declares
// (stamped from a branch that was never merged, or whose file was deleted since), so the tool cannot
// find its way from there to head and the deploy's migration step stops.
import { build, type FindingEntry } from './entry.js'
import type { Finding } from '../report.js'

export const UNKNOWN_REVISION: FindingEntry<'unknown-revision'> = {
  id: 'unknown-revision',
  severity: 'error',
  checked: 'live',
  happened: 'the live database is at a revision no migration file declares (a branch never merged, a file deleted)',
  seen: "`Can't locate revision identified by '...'`, the deploy stops",
}

/**
 * Which revision of the chain has exactly the live schema (the chain built from an empty database,
 * step by step): its revisions (several: a merge point), others with the same schema, or none; or why
 * that could not be told.
 */
export type SchemaMatch =
  | { revisions: string[]; alsoMatching: string[]; stamp: string }
  | { none: true; searched: string }
  | { unknown: string }

export function unknownRevision(facts: {
  revision: string
  /** The version table, as found. */
  table: string
  /** Where its file came from in git ("added in abc1234 on feature/x, never merged into main"), when found. */
  origin?: string
  /** `git checkout <sha> -- <file>`, when the file was found in a commit. */
  restore?: string
  /** How to record a revision as applied (the tool's stamp, as Markdown), with REVISION to fill in. */
  stamp: string
  /** The revision whose schema the live database has, when searched. */
  match?: SchemaMatch
}): Finding {
  const found = facts.origin
    ? `The file that declared it was ${facts.origin}.`
    : "No commit reachable from this repository's refs (nor its reflog) declares it: it came from another clone, or a branch deleted before this checkout was made."
  const restore = facts.restore
    ? `restore the file (\`${facts.restore}\`) and merge it into the chain`
    : 'restore the migration that declares it'
  const { match } = facts
  let fix = `${restore}, or, once the database's schema is known to match a revision of the chain, record that one instead: ${facts.stamp}.`
  if (match && 'revisions' in match) {
    const name = match.revisions.join(', ')
    const also =
      match.alsoMatching.length > 0
        ? ` (as are ${match.alsoMatching.join(', ')}'s: the revisions between change no schema, so check whether their data changes ran)`
        : ''
    fix = `its schema is exactly ${name}'s${also}: ${restore}, or stamp ${name}: ${match.stamp}.`
  } else if (match && 'none' in match) {
    fix = `${restore}; its schema is no revision's of the chain (${match.searched}), so no stamp fits without changing the schema first.`
  } else if (match) {
    fix = `${restore}, or, once the database's schema is known to match a revision of the chain, record that one instead: ${facts.stamp} (the gate could not tell which: ${match.unknown}).`
  }
  return build(
    UNKNOWN_REVISION,
    {
      message: `The live database is at revision ${facts.revision} (${facts.table}), which none of the project's migrations declares: the tool cannot find the way from there to head, so the deploy's upgrade stops before running anything. ${found}`,
      fix,
    },
    { revision: facts.revision },
  )
}
