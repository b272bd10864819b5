// Putting a database back after a downgrade left objects behind, without rebuilding it. The
// comparison already names the residue (an index, an enum type, a table the downgrade forgot) and the
// statements that remove it (schema/undo.ts, the ones the downgrade-residue finding tells users to
// add). The gate runs them in its own database, checks that the catalog is again exactly the one
// captured before the upgrade, and upgrades the revision again: the database then stands where the
// next revision expects it, for ~10 ms where a rebuild costs a new database and every upgrade since
// the last checkpoint. Where any of that fails, the caller rebuilds as before.
//
// Both the slice that checks a revision and a later slice replaying it unchecked (its prefix) repair
// the same way, from the same captures, so they stay in the same state (replay-slice-prefix.ts).
import type { SchemaChange } from '../schema/diff.js'
import { isConstraintRename, undoStatements } from '../schema/undo.js'
import type { ReplayContext } from './replay-context.js'
import type { SliceDatabase } from './replay-rebuild.js'

/**
 * After an upgrade failed on the database a downgrade left (the failed step rolled back): what
 * changed since the capture `before` (taken before the revision's first upgrade) is captured now and,
 * when it is only objects that are there in excess, removed and the upgrade tried again. The
 * database's state alone decides, so every slice that replays the revision decides alike.
 */
export async function repairAfterFailedUpgrade(
  ctx: ReplayContext,
  database: SliceDatabase,
  revision: string,
  before: { key: string; fingerprint: string },
): Promise<Repaired | null> {
  if (ctx.repair === false) return null
  const { probe } = database.db
  const nowKey = `${revision}:failed-re`
  const now = await probe.capture(nowKey)
  const residue = now === before.fingerprint ? [] : await probe.changes(before.key, nowKey)
  await probe.forget(nowKey)
  return repairResidue(ctx, database, revision, residue, before)
}

export interface Repaired {
  /** The capture of the repaired database with `revision` upgraded again. */
  key: string
  fingerprint: string
}

/**
 * Removes `residue` (changes from the capture `before` to the database as it stands, after a
 * downgrade and a failed upgrade that rolled back) and upgrades `revision` again. Null when the
 * residue holds something no statement restores (a dropped or changed object), when a statement
 * fails, when the catalog is not then the one captured as `before`, or when the upgrade fails.
 */
async function repairResidue(
  ctx: ReplayContext,
  database: SliceDatabase,
  revision: string,
  residue: SchemaChange[],
  before: { key: string; fingerprint: string },
): Promise<Repaired | null> {
  if (residue.length === 0 || residue.some((c) => c.change !== 'added' && !isConstraintRename(c))) return null
  const statements = undoStatements(residue)
  if (statements.length !== residue.length) return null
  const { probe, session } = database.db
  try {
    await probe.undo(statements)
  } catch (error) {
    ctx.logger.debug(`stairway: could not remove what ${revision}'s downgrade left (${String(error)}); rebuilding`)
    return null
  }
  const cleanKey = `${revision}:repaired-down`
  const clean = await probe.capture(cleanKey)
  await probe.forget(cleanKey)
  if (clean !== before.fingerprint) {
    ctx.logger.debug(`stairway: removing what ${revision}'s downgrade left did not restore the schema; rebuilding`)
    return null
  }
  const up = await session.upgrade(revision)
  if (!up.ok) return null
  const key = `${revision}:repaired`
  ctx.logger.debug(`stairway: repaired ${revision} in place (${statements.join('; ')}) and upgraded it again`)
  return { key, fingerprint: await probe.capture(key) }
}
