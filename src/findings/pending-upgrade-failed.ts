// pending-upgrade-failed: a migration `upgrade head` will apply to the live database fails on a copy
// of the live schema (mode live's prediction). The deploy would stop at it. Where live-drift explains
// the failure (the column the migration adds is in production already, added by hand), the message
// says so: the migration is fine, the database is not what the migrations built.
import { build, type FindingEntry, type Place, stop } from './entry.js'
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
      message: `\`${facts.upgrade}\` would fail on the live database at ${facts.what}: on a copy of its schema, ${stop(facts.error)} The deploy stops there: the live database is left ${left}${after}.${because}`,
      fix,
    },
    place,
  )
}

/**
 * The prediction could not run (no pg_dump of the live major, a role that may not read the tables,
 * a copy that could not be made): whether the deploy works there is unchecked, and a check that
 * cannot run must not pass. The fix names what it lacked, or how to turn the prediction off.
 */
export function pendingUpgradeUnchecked(facts: { reason: string; pending: number }, place: Place): Finding {
  const { reason } = facts
  const lacks = /permission denied/i.test(reason)
    ? "grant the live role SELECT on the application's tables (pg_dump reads and locks each one, ACCESS SHARE), "
    : /pg_dump/i.test(reason) && /major|version|found/i.test(reason)
      ? "install PostgreSQL's client binaries of at least the live server's major (postgresql-client-N), "
      : ''
  return build(
    PENDING_UPGRADE_FAILED,
    {
      message: `The ${facts.pending === 1 ? 'pending migration was' : `${facts.pending} pending migrations were`} not tried on a copy of the live schema: ${reason}. Whether the deploy can apply ${facts.pending === 1 ? 'it' : 'them'} there is unchecked, so this gate cannot pass.`,
      fix: `${lacks}${lacks ? 'or ' : ''}turn the prediction off with live-predict: false.`,
    },
    place,
    'error',
  )
}
