// A stairway slice's database, and its rebuild: after a revision left the database in a state no
// revision describes, a fresh database is upgraded through what was applied. Shared by the
// unchecked prefix replay (replay-slice-prefix.ts), the checked replay (replay-slice-checked.ts) and
// the merge of slices (replay-stairway.ts), which reports a rebuild that failed.
import type { StepResult } from '../drivers/driver.js'
import { ReplayLog, stepFailure, type ReplayContext, type ReplayDatabase } from './replay-context.js'
import type { RebuildCheckpoints } from './replay-checkpoints.js'
import { RebuildFollower } from './replay-follower.js'

/** The database a slice replays on, and the revisions applied to it in order (what a rebuild upgrades again). */
export interface SliceDatabase {
  /** Swapped by a rebuild; the slice disposes whichever is current when it ends. */
  db: ReplayDatabase
  applied: string[]
  /** Template copies rebuilds start from, shared by the run's slices; none: every rebuild upgrades from base. */
  checkpoints?: RebuildCheckpoints
  /**
   * Set where later slices replay this one's revisions unchecked: told at once when a comparison
   * makes this database rebuild (those slices must rebuild there too, and cannot see why).
   */
  compared?(revision: string): void
  /** The first of several slices: what it rebuilds, one database rebuilds too (replay-checkpoints.ts). */
  trusted?: boolean
  /** A stairway on one database with a core to spare: once it rebuilt, the next rebuild is made ahead (replay-follower.ts). */
  followable?: boolean
  /** The rebuild made ahead of need, told of every revision applied (nudge()). */
  follower?: RebuildFollower
}

/** Why a database is rebuilt: a re-upgrade failed, a comparison said so, or another slice's comparison did. */
export type RebuildReason = 'failed' | 'compared' | 'told'

export const FRESH_DATABASE =
  'this upgrade fails on a fresh database upgraded from base, although it ran in the stairway after the earlier revisions were downgraded and upgraded again: a deploy to an empty database stops here'

/**
 * Puts the database back in the state "these revisions applied": a fresh database (a copy of the
 * newest checkpoint on the way, replay-checkpoints.ts), upgraded one revision at a time. Used only
 * after a revision left the database in a state no revision describes. The new database has its own
 * probe: earlier captures went with the old one. Sets `database.db`, also when an upgrade fails.
 */
export async function rebuild(
  ctx: ReplayContext,
  database: SliceDatabase,
  why: RebuildReason,
): Promise<{ failed?: { revision: string; result: StepResult } }> {
  // The old database goes while the new one is built: its helper's exit and the drop (~0.3 s on a
  // busy machine) need nothing of the rebuild. Awaited before returning, so its errors are not lost
  // and nothing of it outlives the rebuild. Idempotent: the caller's finally may dispose it again.
  const disposing = database.db.dispose()
  disposing.catch(() => {}) // handled where awaited below
  const follower = database.follower
  database.follower = undefined
  let out: { failed?: { revision: string; result: StepResult } }
  try {
    out = (follower && (await takeFollower(ctx, database, follower))) || (await rebuildOnto(ctx, database, why))
  } catch (error) {
    await disposing.catch(() => {})
    throw error
  }
  await disposing
  // Where one rebuild happened more follow: the next one is made ahead, on the core the stairway leaves idle.
  if (database.followable && !out.failed) {
    database.follower = new RebuildFollower(ctx, database.applied, database.checkpoints)
  }
  return out
}

/** The follower's database, where it stands where the rebuild would; undefined: rebuild as usual. */
async function takeFollower(
  ctx: ReplayContext,
  database: SliceDatabase,
  follower: RebuildFollower,
): Promise<{ failed?: { revision: string; result: StepResult } } | undefined> {
  const waiting = performance.now()
  const taken = await follower.take()
  if (!taken) return undefined
  database.db = taken.db
  ctx.logger.debug(
    `stairway: rebuilt up to ${database.applied.at(-1) ?? 'base'}: the follower's database, ready after ${Math.round(performance.now() - waiting)} ms`,
  )
  return taken.failed ? { failed: taken.failed } : {}
}

async function rebuildOnto(
  ctx: ReplayContext,
  database: SliceDatabase,
  why: RebuildReason,
): Promise<{ failed?: { revision: string; result: StepResult } }> {
  const { applied, checkpoints } = database
  const from = checkpoints?.newest(applied)
  const copy = from ? await checkpoints?.copy(from) : undefined
  const done = copy && from ? from.applied.length : 0
  const start = copy ? ` from the checkpoint at ${from?.applied.at(-1)}` : ''
  ctx.logger.debug(`stairway: rebuilding the database up to ${applied.at(-1) ?? 'base'}${start}`)
  const opening = performance.now()
  database.db = await ctx.open(copy)
  const openMs = performance.now() - opening
  const upgrading = performance.now()
  // Later slices hear of a comparison rebuild once its checkpoint is kept: one that must start again
  // then starts from it.
  const publish = () => why === 'compared' && database.compared?.(applied.at(-1) ?? '')
  for (const revision of applied.slice(done)) {
    const result = await database.db.session.upgrade(revision)
    if (!result.ok) {
      publish()
      return { failed: { revision, result } }
    }
  }
  // A checkpoint costs closing the session, a copy and opening it again: kept where the upgrades it
  // saves the next rebuild took longer than that (the last one measured, else one open), or where a
  // later slice will rebuild at the same revision.
  const upgradeMs = performance.now() - upgrading
  const worth =
    upgradeMs > (checkpoints?.saveMs ?? openMs) || (why === 'compared' && !!database.compared) || !!checkpoints?.always
  const kept = checkpoints?.enabled && done < applied.length && worth
  if (kept) database.db = await checkpoints.save(ctx, database.db, applied, !!database.trusted)
  ctx.logger.debug(
    `stairway: rebuilt up to ${applied.at(-1) ?? 'base'}: open ${Math.round(openMs)} ms, ${applied.length - done} upgrades ${Math.round(upgradeMs)} ms${kept ? `, checkpoint ${Math.round(checkpoints?.saveMs ?? 0)} ms` : ''}`,
  )
  publish()
  return {}
}

/** A plain upgrade that failed while a database was being (re)built: its step, its finding, and where it happened. */
export function rebuildFailed(
  log: ReplayLog,
  revision: string,
  result: StepResult,
  ctx: ReplayContext,
  where: string | null,
): void {
  log.step(revision, 'upgrade', 'rebuild', result)
  stepFailure(log, revision, 'upgrade', result, ctx)
  const finding = log.findings.at(-1)
  if (where && finding?.revision === revision) finding.details = [...(finding.details ?? []), where]
}
