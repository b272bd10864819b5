// pending-rollback-failed: after the pending migrations applied on the copy of the live schema, their
// downgrades, newest first, do not (the rollback plan of the release does not work). A warning: the
// deploy itself works; the way back in an incident does not.
import { build, type FindingEntry, type Place, stop } from './entry.js'
import type { Finding } from '../report.js'

export const PENDING_ROLLBACK_FAILED: FindingEntry<'pending-rollback-failed'> = {
  id: 'pending-rollback-failed',
  severity: 'warning',
  checked: 'live',
  happened:
    "a pending migration's downgrade fails on the copy of the live schema after the upgrade (the release's rollback plan)",
  seen: 'a rollback during the incident that stops half way',
  atDowngrade: true,
}

export function pendingRollbackFailed(
  facts: {
    /** "revision abc123 (add processing_started_at)". */
    what: string
    error: string
    /** The downgrade refuses by design (NotImplementedError, no down file). */
    refuses: boolean
    /** Downgrades after it (older pending migrations) that would not run. */
    notRun: number
    hint?: string
  },
  place: Place,
): Finding {
  const after =
    facts.notRun === 0
      ? ''
      : facts.notRun === 1
        ? ' and the downgrade before it never runs'
        : ` and the ${facts.notRun} downgrades before it never run`
  return build(
    PENDING_ROLLBACK_FAILED,
    {
      message: facts.refuses
        ? `Rolling the release back stops at ${facts.what}: its downgrade refuses (${facts.error}), so after the deploy the live database cannot go back past it${after}.`
        : `Rolling the release back fails at ${facts.what}: on the copy of the live schema with the pending migrations applied, its downgrade fails: ${stop(facts.error)} A rollback after the deploy stops there${after}.`,
      fix: facts.refuses
        ? 'write the downgrade if the release must be reversible, or plan the way back (a restore) before deploying.'
        : (facts.hint ?? 'fix the downgrade so it undoes the upgrade on the live schema.'),
    },
    place,
  )
}
