// Checkpoints for stairway rebuilds: template copies of databases that stand exactly where a fresh
// database upgraded through a list of revisions stands. A rebuild up to revision k starts from a copy
// of the newest checkpoint whose revisions are a prefix of the ones applied, and upgrades only the
// rest, instead of every revision from base again: a chain with a bad downgrade every few revisions
// no longer costs (chain length x rebuilds) upgrades. A checkpoint's state depends only on its
// revisions (a fresh database, plain upgrades), so the slices of a run share them.
// Where the server cannot copy (a url server whose role may not use another database as template),
// the first failed copy turns them off for the run: rebuilds then upgrade from base, as before.
import type { DatabaseCopies, ReplayContext, ReplayDatabase } from './replay-context.js'
import { oneLine } from '../errors.js'
import type { Logger } from '../logger.js'

export interface Checkpoint {
  /** The copy's database: nobody ever connects to it, so it can serve as a template at any time. */
  name: string
  /** Revisions upgraded, in order, on a fresh database to make it. */
  applied: readonly string[]
  /**
   * Made by the first slice (or the only database), which never runs again: one database rebuilds
   * after its last revision too, so a later slice may start its prefix replay from here.
   */
  trusted: boolean
}

export class RebuildCheckpoints {
  private readonly saved: Checkpoint[] = []
  private off = false
  /** What keeping the last checkpoint took (closing the session, the copy, opening it again). */
  saveMs: number | undefined

  constructor(
    private readonly copies: DatabaseCopies | undefined,
    private readonly logger: Logger,
  ) {}

  /**
   * The newest checkpoint whose revisions are a prefix of `applied`, if any: where a rebuild up to
   * `applied` can start. `trustedOnly`: only those the first slice made (a later slice's prefix replay).
   */
  newest(applied: readonly string[], trustedOnly = false): Checkpoint | undefined {
    let best: Checkpoint | undefined
    for (const c of this.saved) {
      if (trustedOnly && !c.trusted) continue
      if (c.applied.length > applied.length || (best && c.applied.length <= best.applied.length)) continue
      if (c.applied.every((r, i) => applied[i] === r)) best = c
    }
    return best
  }

  /** A new database copied from `checkpoint`; undefined when copies cannot be made here. */
  async copy(checkpoint: Checkpoint): Promise<string | undefined> {
    if (!this.copies || this.off) return undefined
    try {
      return await this.copies.copy(checkpoint.name)
    } catch (error) {
      this.turnOff(error)
      return undefined
    }
  }

  /**
   * Keeps a copy of `db`, which stands where a fresh database upgraded through `applied` stands, as a
   * checkpoint: its session and probe are closed for the copy (PostgreSQL copies only a database
   * nobody is connected to), then opened again on it. Returns the database to go on with.
   */
  async save(
    ctx: ReplayContext,
    db: ReplayDatabase,
    applied: readonly string[],
    trusted: boolean,
  ): Promise<ReplayDatabase> {
    if (!this.copies || this.off || !db.detach) return db
    const started = performance.now()
    const name = await db.detach()
    try {
      this.saved.push({ name: await this.copies.copy(name), applied: [...applied], trusted })
      ctx.logger.debug(`stairway: checkpoint kept at ${applied.at(-1) ?? 'base'} (${applied.length} revisions)`)
    } catch (error) {
      this.turnOff(error)
    }
    const reopened = await ctx.open(name)
    this.saveMs = performance.now() - started
    return reopened
  }

  get enabled(): boolean {
    return !!this.copies && !this.off
  }

  /** Every rebuild keeps a checkpoint (MIGRATION_GATE_REBUILD_CHECKPOINTS=always). */
  get always(): boolean {
    return !!this.copies?.always
  }

  /**
   * Drops every checkpoint, once every slice has ended (nobody copies from them any more). A drop that
   * fails is left to the server's stop, which drops every database the gate created.
   */
  async dropAll(): Promise<void> {
    for (const c of this.saved.splice(0)) {
      await this.copies?.drop(c.name).catch((error: unknown) => {
        this.logger.debug(
          `stairway: checkpoint ${c.name} not dropped yet (${oneLine(error)}); the server's stop drops it`,
        )
      })
    }
  }

  private turnOff(error: unknown): void {
    this.off = true
    this.logger.debug(`stairway: rebuilds upgrade from base: a template copy failed (${oneLine(error)})`)
  }
}
