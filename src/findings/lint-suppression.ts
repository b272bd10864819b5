// lint-suppression: a `migration-gate: allow <rule> -- <reason>` comment, or a lint-allow entry,
// that cannot be honoured (no reason, a rule id that does not exist: an error, since what it meant
// to accept is then reported as if it were not there) or that accepted nothing (a notice: the
// statement it was for changed or is gone, and the comment now only misleads).
import { build, type FindingEntry, type Place } from './entry.js'
import type { Finding } from '../report.js'

export const LINT_SUPPRESSION: FindingEntry<'lint-suppression'> = {
  id: 'lint-suppression',
  severity: 'error',
  checked: 'lint',
  happened:
    'a `migration-gate: allow RULE -- reason` comment (or a `lint-allow` entry) without a reason or naming no rule (an error), or one that accepted nothing (a notice)',
  seen: 'a dangerous operation accepted without anyone saying why, or a stale suppression silently waiting for the next one',
  revisionScoped: true,
}

/** A suppression comment or allow-list entry the gate cannot honour. */
export function invalidSuppression(facts: { what: string; problem: string; fix: string }, place: Place): Finding {
  return build(
    LINT_SUPPRESSION,
    { message: `${facts.what} ${facts.problem}: it accepts nothing until fixed.`, fix: facts.fix },
    place,
    'error',
  )
}

/** A valid suppression that matched no finding. */
export function unusedSuppression(facts: { what: string; rule: string }, place: Place): Finding {
  return build(
    LINT_SUPPRESSION,
    {
      message: `${facts.what} allows ${facts.rule}, but no statement it covers tripped ${facts.rule}: the statement changed or is gone.`,
      fix: 'Remove the suppression, or move it onto (or just above) the statement it is meant for.',
    },
    place,
    'notice',
  )
}
