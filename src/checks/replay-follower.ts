// A rebuild made ahead of need. Once a stairway has rebuilt (a chain with one broken downgrade usually
// has more), a second database follows it: it upgrades, plainly and one revision at a time, every
// revision the stairway has upgraded for the first time, exactly what a rebuild would upgrade on a
// fresh database (or a copy of the newest checkpoint). When the next rebuild comes, that database
// already stands where the rebuild would have brought a new one: it is taken as it is, and a new
// follower starts behind it. The follower's work runs on the core the stairway leaves idle (the
// stairway is a chain of strictly sequential round trips), so a rebuild costs the stairway a swap
// instead of a replay; measured on a real 109-revision chain that rebuilds three times: 7.05 → 6.6 s.
// It works at a low CPU priority (nice 10: its helper, and the server processes serving it where the
// gate runs the cluster here), so the stairway's own processes get the cores first: following from the
// start cost a 200-revision chain that never rebuilds ~20% at normal priority, ~4% at nice 10. It
// starts only after a first rebuild all the same: a chain that never rebuilds (most) pays nothing.
//
// The report cannot tell the two apart: the follower's database is built by the same plain upgrades a
// rebuild runs, in the same order, from the same start; an upgrade that fails there is the failure the
// rebuild would have met, reported as such. Only for a stairway on one database (slices have their own
// rebuild rules, replay-stairway.ts) with a second core to run on; MIGRATION_GATE_REBUILD_FOLLOWER=off
// turns it off (tests compare both; the bench times both).
import { availableParallelism } from 'node:os'
import type { StepResult } from '../drivers/driver.js'
import { oneLine } from '../errors.js'
import type { ReplayContext, ReplayDatabase } from './replay-context.js'
import type { RebuildCheckpoints } from './replay-checkpoints.js'

export interface FollowerTaken {
  db: ReplayDatabase
  /** The plain upgrade that failed on the follower: the rebuild fails there too. */
  failed?: { revision: string; result: StepResult }
}

/** Whether a stairway on one database may run a follower here. */
export function followerAllowed(): boolean {
  return process.env.MIGRATION_GATE_REBUILD_FOLLOWER !== 'off' && availableParallelism() >= 2
}

export class RebuildFollower {
  private db: ReplayDatabase | undefined
  /** How many of `applied` the follower's database has upgraded. */
  private done = 0
  private failed: { revision: string; result: StepResult } | undefined
  /** The catch-up under way; every nudge chains onto it. */
  private work: Promise<void>
  private taken = false
  /** A failure of the follower itself (its database could not open): a rebuild then runs as usual. */
  private broken: unknown

  /**
   * Starts following `applied` (the stairway's own list, read as it grows): opens its database (a copy
   * of the newest checkpoint on the way, else a fresh one) and upgrades what is applied so far.
   */
  constructor(
    private readonly ctx: ReplayContext,
    private readonly applied: readonly string[],
    private readonly checkpoints: RebuildCheckpoints | undefined,
  ) {
    this.work = this.open().then(() => this.catchUp())
    this.work.catch(() => {}) // kept in `broken`; take() says so
  }

  /** The stairway applied another revision: upgrade it here too, behind whatever runs. */
  nudge(): void {
    if (this.taken || this.broken !== undefined) return
    this.work = this.work.then(() => this.catchUp())
    this.work.catch(() => {})
  }

  /**
   * The database, standing where a rebuild up to the revisions applied so far would leave a new one
   * (waits for the follower to get there); undefined when the follower failed to run (then rebuild as
   * usual). The caller owns the database from here: this follower is done.
   */
  async take(): Promise<FollowerTaken | undefined> {
    this.nudge()
    await this.work.catch(() => {})
    this.taken = true
    if (this.broken !== undefined || !this.db) {
      this.ctx.logger.debug(`stairway: the rebuild follower failed (${oneLine(this.broken)}); rebuilding as usual`)
      await this.db?.dispose().catch(() => {})
      return undefined
    }
    await this.db.setBackground?.(false) // the stairway's own database from here
    return { db: this.db, ...(this.failed ? { failed: this.failed } : {}) }
  }

  /** The stairway ended: the follower's database goes. */
  async dispose(): Promise<void> {
    if (this.taken) return
    this.taken = true
    await this.work.catch(() => {})
    await this.db?.dispose()
  }

  private async open(): Promise<void> {
    try {
      const from = this.checkpoints?.newest(this.applied)
      const copy = from ? await this.checkpoints?.copy(from) : undefined
      this.done = copy && from ? from.applied.length : 0
      this.db = await this.ctx.open(copy)
      // Its work waits for cores the stairway leaves idle.
      await this.db.setBackground?.(true)
    } catch (error) {
      this.broken = error ?? new Error('the follower could not open its database')
      throw error
    }
  }

  /** Upgrades what the stairway applied and this database has not, in order; stops at a failure. */
  private async catchUp(): Promise<void> {
    if (this.taken || this.failed || this.broken !== undefined || !this.db) return
    try {
      while (this.done < this.applied.length && !this.taken) {
        const revision = this.applied[this.done] as string
        const result = await this.db.session.upgrade(revision)
        if (!result.ok) {
          this.failed = { revision, result }
          return
        }
        this.done++
      }
    } catch (error) {
      this.broken = error ?? new Error('a follower upgrade failed to run')
      throw error
    }
  }
}
