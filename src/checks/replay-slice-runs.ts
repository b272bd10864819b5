// How the stairway's slices, running side by side, learn where an earlier slice rebuilt its database
// because a comparison said so (a second upgrade that built another schema): the one rebuild a
// later slice's unchecked prefix replay cannot see by itself (replay-slice-prefix.ts). Each point is
// published the moment the earlier slice decides it. A later slice that has not reached the revision
// yet simply rebuilds there too; one that already went past it without rebuilding (or rebuilt on a
// point since withdrawn) is stopped at its next migration step and starts again at once, instead of
// being replayed again after every slice ended (which made two databases slower than one).
import type { MigrationSession } from '../drivers/driver.js'
import type { Logger } from '../logger.js'
import type { ReplayContext, ReplayDatabase } from './replay-context.js'

/** Thrown into a slice's replay (at its next migration step) when its run must start again. */
export class SliceRestart extends Error {
  constructor() {
    super('stairway slice restarted')
  }
}

/** One attempt of one slice. */
export class SliceRun {
  /** For each prefix revision whose re-upgrade passed: whether this run rebuilt after it (told to). */
  readonly decided = new Map<string, boolean>()
  aborted = false
  /** Resolves when a point published after this run decided makes it wrong. */
  readonly invalidated: Promise<void>
  private invalidate!: () => void

  constructor() {
    this.invalidated = new Promise((resolve) => (this.invalidate = resolve))
  }

  abort(): void {
    this.aborted = true
    this.invalidate()
  }

  /** True when this run rebuilt exactly where the earlier slices' comparisons say one database does. */
  agreesWith(points: ReadonlySet<string>): boolean {
    for (const [revision, rebuilt] of this.decided) if (rebuilt !== points.has(revision)) return false
    return true
  }

  /** What the prefix replay asks: rebuild after `revision`? The answer is recorded, to be checked later. */
  told(points: () => ReadonlySet<string>): (revision: string) => boolean {
    return (revision) => {
      const rebuilt = points().has(revision)
      this.decided.set(revision, rebuilt)
      return rebuilt
    }
  }

  /** `ctx` whose databases' sessions throw SliceRestart at the first step after the run was aborted. */
  context(ctx: ReplayContext): ReplayContext {
    return { ...ctx, open: async (existing) => this.watched(await ctx.open(existing)) }
  }

  private watched(db: ReplayDatabase): ReplayDatabase {
    const session = db.session
    const check = () => {
      if (this.aborted) throw new SliceRestart()
    }
    const s: MigrationSession = {
      upgrade: async (target, options) => (check(), session.upgrade(target, options)),
      downgrade: async (revision) => (check(), session.downgrade(revision)),
      current: () => session.current(),
      close: () => session.close(),
      ...(session.modelDrift ? { modelDrift: (o) => session.modelDrift!(o) } : {}),
    }
    return { ...db, session: s }
  }
}

/** The comparison rebuild points each slice's current run published, and the runs that listen. */
export class ComparedRebuilds {
  private readonly points: Set<string>[]
  private readonly runs: (SliceRun | undefined)[]

  constructor(
    slices: number,
    private readonly logger: Logger,
  ) {
    this.points = Array.from({ length: slices }, () => new Set<string>())
    this.runs = Array.from({ length: slices }, () => undefined)
  }

  /** The points of the slices before `slice`. */
  before(slice: number): Set<string> {
    return new Set(this.points.slice(0, slice).flatMap((p) => [...p]))
  }

  /** A new run of `slice`: what its previous run published no longer counts. */
  begin(slice: number): SliceRun {
    const run = new SliceRun()
    this.runs[slice] = run
    if ((this.points[slice]?.size ?? 0) > 0) {
      this.points[slice] = new Set()
      this.recheck(slice)
    }
    return run
  }

  /** `slice` rebuilt after `revision` because a comparison said so. */
  add(slice: number, revision: string): void {
    this.points[slice]?.add(revision)
    this.recheck(slice)
  }

  /** Stops the later slices' runs that this slice's points now contradict. */
  private recheck(from: number): void {
    for (let i = from + 1; i < this.runs.length; i++) {
      const run = this.runs[i]
      if (!run || run.aborted || run.agreesWith(this.before(i))) continue
      this.logger.debug(
        `stairway slice ${i + 1}: starting again now, an earlier slice rebuilt its database where this one did not (or no longer)`,
      )
      run.abort()
    }
  }
}
