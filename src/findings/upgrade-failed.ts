// upgrade-failed: an upgrade fails on a real database. A deploy running it stops half way.
import { build, type FindingEntry, type Place, stop } from './entry.js'
import type { Finding } from '../report.js'

export const UPGRADE_FAILED: FindingEntry<'upgrade-failed'> = {
  id: 'upgrade-failed',
  severity: 'error',
  checked: 'replay',
  happened: 'an upgrade fails on a real database',
  seen: 'the deploy stops half way',
  revisionScoped: true,
}

/** `hint`: the fix the driver recognised in the error, when it did. */
export function upgradeFailed(facts: { what: string; error: string; hint?: string }, place: Place): Finding {
  return build(
    UPGRADE_FAILED,
    {
      message: `Upgrading to ${facts.what} fails: ${stop(facts.error)} A deploy running this migration would stop here.`,
      fix: facts.hint ?? 'fix the upgrade.',
    },
    place,
  )
}
