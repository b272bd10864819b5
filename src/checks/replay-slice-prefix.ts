// The unchecked replay of a stairway slice's prefix: on a slice's own database, the steps one
// database would have run before the slice (up, down, up per revision, rebuilding where a re-upgrade
// fails), so the slice starts where one database would stand, data and sequence values a downgrade
// leaves behind included. Nothing is compared and nothing is reported here: the slice that owns
// these revisions checks them, and checking them twice would say each finding twice and double
// the time the slices were cut to save. Failures are only recorded, for the merge to compare with
// what the owning slice found (replay-stairway.ts).
import type { StepResult } from '../drivers/driver.js'
import type { ReplayContext } from './replay-context.js'
import { rebuild, type SliceDatabase } from './replay-rebuild.js'
import { repairAfterFailedUpgrade } from './replay-repair.js'

/** A step of the prefix that failed; the slice that checks the revision is asked how it went there. */
export interface PrefixFailure {
  revision: string
  direction: 'upgrade' | 'downgrade'
  phase: 'first' | 'down' | 're'
}

/** A step before the slice that failed so that the slice cannot be reached (`fresh`: while rebuilding). */
export interface BlockedStep {
  revision: string
  result: StepResult
  fresh: boolean
}

export interface PrefixOutcome {
  failures: PrefixFailure[]
  /** Set when the slice's own revisions cannot be replayed: nothing after it ran. */
  blocked?: BlockedStep
}

/**
 * Replays `prefix` unchecked on `database`. Where one database would repair or rebuild after a failed
 * re-upgrade, so does this. Where it rebuilt because a comparison said so, this can only know from
 * the slice that compared (`rebuildAt`, asked only where the re-upgrade passed, as those slices
 * publish them; see replay-slice-runs.ts).
 */
export async function replayPrefixUnchecked(
  ctx: ReplayContext,
  prefix: string[],
  rebuildAt: Pick<ReadonlySet<string>, 'has'>,
  database: SliceDatabase,
): Promise<PrefixOutcome> {
  const failures: PrefixFailure[] = []
  // The schema before each revision: what a failed re-upgrade is repaired against, as the slice that
  // checks the revision repairs it (replay-repair.ts). The one capture a revision costs here.
  const beforeKey = 'prefix:before'
  for (const revision of prefix) {
    const before = { key: beforeKey, fingerprint: await database.db.probe.capture(beforeKey) }
    const up = await database.db.session.upgrade(revision)
    if (!up.ok) return { failures, blocked: { revision, result: up, fresh: false } }
    database.applied.push(revision)
    const down = await database.db.session.downgrade(revision)
    if (!down.ok) {
      failures.push({ revision, direction: 'downgrade', phase: 'down' })
      continue // as the stairway: on from where the database stands
    }
    const re = await database.db.session.upgrade(revision)
    if (!re.ok) failures.push({ revision, direction: 'upgrade', phase: 're' })
    const repaired = re.ok ? null : await repairAfterFailedUpgrade(ctx, database, revision, before)
    if (repaired) await database.db.probe.forget(repaired.key)
    if ((re.ok || repaired) && !rebuildAt.has(revision)) continue
    const rebuilt = await rebuild(ctx, database, re.ok || repaired ? 'told' : 'failed')
    if (rebuilt.failed) return { failures, blocked: { ...rebuilt.failed, fresh: true } }
  }
  return { failures }
}
