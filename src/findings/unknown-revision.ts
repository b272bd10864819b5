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
}): Finding {
  const found = facts.origin
    ? `The file that declared it was ${facts.origin}.`
    : "No commit reachable from this repository's refs (nor its reflog) declares it: it came from another clone, or a branch deleted before this checkout was made."
  return build(
    UNKNOWN_REVISION,
    {
      message: `The live database is at revision ${facts.revision} (${facts.table}), which none of the project's migrations declares: the tool cannot find the way from there to head, so the deploy's upgrade stops before running anything. ${found}`,
      fix: `${facts.restore ? `restore the file (\`${facts.restore}\`) and merge it into the chain` : 'restore the migration that declares it'}, or, once the database's schema is known to match a revision of the chain, record that one instead: ${facts.stamp}.`,
    },
    { revision: facts.revision },
  )
}
