// pending-upgrade-failed: a migration `upgrade head` will apply to the live database fails on a copy
// of the live schema (mode live's prediction). The deploy would stop at it. Where live-drift explains
// the failure (the column the migration adds is in production already, added by hand), the message
// says so: the migration is fine, the database is not what the migrations built.
import { build, type FindingEntry, type Place } from './entry.js'
import type { Finding } from '../report.js'

export const PENDING_UPGRADE_FAILED: FindingEntry<'pending-upgrade-failed'> = {
  id: 'pending-upgrade-failed',
  severity: 'error',
  checked: 'live',
  happened:
    "a pending migration fails on a copy of the live database's schema (its version table included), often because production was changed by hand",
  seen: 'the deploy stops half way, on production, at that migration: `column "..." already exists`',
}

export function pendingUpgradeFailed(
  facts: {
    /** "revision abc123 (add processing_started_at)". */
    what: string
    /** The database error, one line. */
    error: string
    /** The command the deploy runs (`alembic upgrade head`). */
    upgrade: string
    /** Where the live database is left: the revision before this one (or the live revision when it is the first). */
    stopsAt: string
    /** Where it stands now, when the tool may roll every pending migration back together (it stays there). */
    liveRevision: string
    /** Pending migrations after this one that would not run. */
    notRun: number
    /** How production differs from the migrations in what the error names (live-drift's differences), when it does. */
    drift: string[]
    /** The fix the tool recognised in the error, when it did. */
    hint?: string
  },
  place: Place,
): Finding {
  const left =
    facts.stopsAt === facts.liveRevision
      ? `at ${facts.liveRevision}`
      : `at ${facts.stopsAt} (or at ${facts.liveRevision} where the tool runs the pending migrations in one transaction)`
  const after =
    facts.notRun === 0
      ? ''
      : facts.notRun === 1
        ? ', the migration after it never runs'
        : `, the ${facts.notRun} migrations after it never run`
  const because =
    facts.drift.length > 0 ? ` Production is not what the migrations built: ${facts.drift.join('; ')}.` : ''
  const fix =
    facts.drift.length > 0
      ? 'make production match the migrations before the deploy (drop what was added by hand, if nothing relies on it), or make this migration skip what exists (IF NOT EXISTS, or a check of the catalog) and stamp past it where it is already done.'
      : (facts.hint ?? 'fix the migration so it applies to the live schema, then run the check again.')
  return build(
    PENDING_UPGRADE_FAILED,
    {
      message: `\`${facts.upgrade}\` would fail on the live database at ${facts.what}: on a copy of its schema, ${facts.error}. The deploy stops there: the live database is left ${left}${after}.${because}`,
      fix,
    },
    place,
  )
}
