// downgrade-failed: a downgrade crashes (`op.drop_constraint(None, ...)`, SQL that fails): the
// rollback you need in an incident fails.
import { build, type FindingEntry, type Place, stop } from './entry.js'
import type { Finding } from '../report.js'

export const DOWNGRADE_FAILED: FindingEntry<'downgrade-failed'> = {
  id: 'downgrade-failed',
  severity: 'error',
  checked: 'replay',
  happened: 'a downgrade crashes (`op.drop_constraint(None, ...)`)',
  seen: 'the rollback you need fails',
  revisionScoped: true,
  atDowngrade: true,
}

/** `hint`: the fix the driver recognised in the error, when it did. */
export function downgradeFailed(facts: { what: string; error: string; hint?: string }, place: Place): Finding {
  return build(
    DOWNGRADE_FAILED,
    {
      message: `Downgrading ${facts.what} fails: ${stop(facts.error)} A rollback would stop here.`,
      fix: facts.hint ?? 'fix the downgrade so it undoes the upgrade.',
    },
    place,
  )
}
