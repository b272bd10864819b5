// A stairway slice's database, and its rebuild: after a revision left the database in a state no
// revision describes, a fresh database is upgraded through what was applied. Shared by the
// unchecked prefix replay (replay-slice-prefix.ts), the checked replay (replay-slice-checked.ts) and
// the merge of slices (replay-stairway.ts), which reports a rebuild that failed.
import type { StepResult } from '../drivers/driver.js'
import { ReplayLog, stepFailure, type ReplayContext, type ReplayDatabase } from './replay-context.js'

/** The database a slice replays on, and the revisions applied to it in order (what a rebuild upgrades again). */
export interface SliceDatabase {
  /** Swapped by a rebuild; the slice disposes whichever is current when it ends. */
  db: ReplayDatabase
  applied: string[]
}

export const FRESH_DATABASE =
  'this upgrade fails on a fresh database upgraded from base, although it ran in the stairway after the earlier revisions were downgraded and upgraded again: a deploy to an empty database stops here'

/**
 * Puts the database back in the state "these revisions applied": a fresh database, upgraded one
 * revision at a time. Used only after a revision left the database in a state no revision describes.
 * The fresh database has its own probe: earlier captures went with the old one.
 */
export async function rebuild(
  ctx: ReplayContext,
  old: ReplayDatabase,
  applied: string[],
): Promise<{ db: ReplayDatabase; failed?: { revision: string; result: StepResult } }> {
  await old.dispose() // idempotent: the caller's finally may dispose it again if open() throws
  const db = await ctx.open()
  ctx.logger.debug(`stairway: rebuilding the database up to ${applied.at(-1) ?? 'base'}`)
  try {
    for (const revision of applied) {
      const result = await db.session.upgrade(revision)
      if (!result.ok) return { db, failed: { revision, result } }
    }
  } catch (error) {
    await db.dispose()
    throw error
  }
  return { db }
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
