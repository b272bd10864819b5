// The stairway: for every revision from base to head, upgrade to it, downgrade it, upgrade it again,
// comparing the real catalog each time. One run reports every bad revision: a failed or dirty
// downgrade does not end it; only a failed first upgrade does (nothing after it can be replayed).
// Long chains are cut into slices replayed on databases side by side (replay-slices.ts). A slice's
// database first runs the same steps one database would have run before the slice (up, down, up per
// revision, rebuilding where a re-upgrade fails), without the comparisons, so it stands where one
// database would: data and sequence values a downgrade leaves behind included. The findings and steps
// come out in chain order, as from one database.
import { ReplayLog, type ReplayContext, type ReplayOutcome } from './replay-context.js'
import { FRESH_DATABASE, rebuildFailed, type SliceDatabase } from './replay-rebuild.js'
import { replayRevisionsChecked } from './replay-slice-checked.js'
import { replayPrefixUnchecked, type BlockedStep, type PrefixFailure } from './replay-slice-prefix.js'
import { planSlices, type Slice } from './replay-slices.js'
import { RebuildCheckpoints } from './replay-checkpoints.js'
import { followerAllowed } from './replay-follower.js'
import { ComparedRebuilds, SliceRestart, type SliceRun } from './replay-slice-runs.js'

/** What one slice found, and whether the stairway may go on after it. */
interface SliceOutcome {
  log: ReplayLog
  /** A first upgrade failed in the slice: the stairway ends there. */
  ended: boolean
  /** The slice could not even be reached: this step before it failed (it had passed on the database that checked it). */
  blocked?: BlockedStep
  /** Time spent opening the database and upgrading through the prefix. */
  prefixMs: number
  /** Steps of the unchecked replay that failed (checked against the slice that owns them when merging). */
  prefixFailures: PrefixFailure[]
  /** The slice's revisions were handed to the slice before it (Handovers): nothing of its own to merge. */
  handedOver?: boolean
}

export async function runStairway(ctx: ReplayContext): Promise<ReplayOutcome> {
  const slices = planSlices(ctx.order, ctx.workers ?? 1)
  if (slices.length > 1) {
    const ranges = slices.map((s) => `${s.prefix.length + 1}-${s.prefix.length + s.revisions.length}`).join(', ')
    ctx.logger.info(`stairway: ${ctx.order.length} revisions on ${slices.length} databases side by side (${ranges})`)
  }
  const checkpoints = new RebuildCheckpoints(ctx.copies, ctx.logger)
  try {
    return await runSlices(ctx, slices, checkpoints)
  } finally {
    await checkpoints.dropAll()
  }
}

async function runSlices(ctx: ReplayContext, slices: Slice[], checkpoints: RebuildCheckpoints): Promise<ReplayOutcome> {
  const board = new ComparedRebuilds(slices.length, ctx.logger)
  const handovers = new Handovers()
  const runs: Promise<SliceOutcome>[] = []
  for (const i of slices.keys()) {
    const earlier = [...runs]
    // Model drift runs on the database that reaches head (the last slice's, or the one it was handed
    // to), but only once every earlier slice went through and this run rebuilt exactly where they did.
    const mayReachHead = async (run: SliceRun) => (await wentThrough(earlier)) && run.agreesWith(board.before(i))
    runs.push(sliceUntilAgreed(ctx, slices, i, { board, handovers, checkpoints, earlier, mayReachHead }))
  }
  // Every slice finishes (and drops its database) before anything is reported or thrown.
  const settled = await Promise.allSettled(runs)

  const log = new ReplayLog(ctx.graph, ctx.logger)
  const notes: string[] = []
  for (const result of settled) {
    if (result.status === 'rejected') throw result.reason
    const outcome = result.value
    if (outcome.handedOver) continue // its steps and findings are in the slice before it, in order
    notes.push(...disagreements(outcome, log))
    const { blocked, ended } = outcome
    if (blocked) {
      // The slice's own revisions were never replayed: a step before them failed here although the
      // database that checked it went on (else the merge had stopped there). Said, and the replay
      // stops, so a gap can never pass quietly.
      blockedStep(log, blocked, ctx)
      break
    }
    log.findings.push(...outcome.log.findings)
    log.steps.push(...outcome.log.steps)
    if (ended) break
  }
  return { findings: log.findings, steps: log.steps, ...(notes.length ? { notes } : {}) }
}

interface SliceShared {
  board: ComparedRebuilds
  handovers: Handovers
  checkpoints: RebuildCheckpoints
  /** The slices before this one. */
  earlier: Promise<SliceOutcome>[]
  mayReachHead: (run: SliceRun) => Promise<boolean>
}

/**
 * Slices handed to the slice before them. A slice that must start again (an earlier slice rebuilt
 * where it did not) has lost what it did: rather than repeat it, it hands its revisions to the slice
 * before it, which checks them after its own on its database, as one database would. Slicing then
 * costs no more than one database; a slice that can no longer be handed over (the one before it has
 * finished, or was handed over itself) starts again.
 */
class Handovers {
  private readonly handed = new Set<number>()
  private readonly closed = new Set<number>()

  handOver(slice: number): boolean {
    if (slice === 0 || this.closed.has(slice - 1) || this.handed.has(slice - 1)) return false
    this.handed.add(slice)
    return true
  }

  /** Slice `slice` checked its own revisions: the next slice, if it was handed over (else none will be). */
  next(slice: number): number | undefined {
    if (this.handed.has(slice + 1)) return slice + 1
    this.closed.add(slice)
    return undefined
  }
}

/**
 * One slice, run again until it rebuilt exactly where the slices before it (as they finally ran) say
 * one database rebuilds. A run is stopped as soon as a point published by an earlier slice
 * contradicts it, also after it finished: it then starts again at once, while the earlier slices
 * still run, and its rebuilds start from the checkpoints they left.
 */
async function sliceUntilAgreed(
  ctx: ReplayContext,
  slices: Slice[],
  i: number,
  shared: SliceShared,
): Promise<SliceOutcome> {
  const { board, earlier, handovers } = shared
  for (let attempt = 1; ; attempt++) {
    if (attempt > 1 && handovers.handOver(i)) {
      ctx.logger.debug(
        `stairway slice ${i + 1}: handed to slice ${i}, which checks its revisions after its own (starting again would repeat what one database does once)`,
      )
      return {
        log: new ReplayLog(ctx.graph, ctx.logger),
        ended: false,
        prefixMs: 0,
        prefixFailures: [],
        handedOver: true,
      }
    }
    const run = board.begin(i)
    if (attempt > 1) ctx.logger.debug(`stairway slice ${i + 1}: run ${attempt}`)
    let outcome: SliceOutcome
    try {
      outcome = await timedSlice(ctx, slices, i, run, shared)
    } catch (error) {
      if (error instanceof SliceRestart) continue
      throw error
    }
    const agreed = await Promise.race([
      Promise.allSettled(earlier).then(() => run.agreesWith(board.before(i))),
      run.invalidated.then(() => false),
    ])
    if (agreed) return outcome
  }
}

/** One slice, with its wall time logged where there are several (what the planner's model is tuned on). */
function timedSlice(
  ctx: ReplayContext,
  slices: Slice[],
  i: number,
  run: SliceRun,
  shared: SliceShared,
): Promise<SliceOutcome> {
  const slice = slices[i] as Slice
  const started = performance.now()
  const { board, checkpoints, mayReachHead } = shared
  // Opened by runSlice; a rebuild swaps it.
  const database = { applied: [], checkpoints } as unknown as SliceDatabase
  // Later slices replay this one's revisions unchecked: they hear of its comparison rebuilds at once.
  if (i < slices.length - 1) database.compared = (revision) => board.add(i, revision)
  if (i === 0) database.trusted = true
  if (slices.length === 1 && followerAllowed()) database.followable = true
  const told = { has: run.told(() => board.before(i)) }
  const handed = () => {
    const next = shared.handovers.next(i)
    return next === undefined ? undefined : slices[next]?.revisions
  }
  const out = runSlice(run.context(ctx), slice, told, database, () => mayReachHead(run), handed)
  if (slices.length > 1) {
    const name = `stairway slice ${i + 1}/${slices.length} (${slice.revisions.length} revisions after ${slice.prefix.length} replayed unchecked)`
    out.then(
      (o) => ctx.logger.debug(`${name}: ${Math.round(performance.now() - started)} ms, prefix ${o.prefixMs} ms`),
      () => {},
    )
  }
  return out
}

/** Notes for unchecked steps that failed where the slice that checked them passed (mostly timeouts under load). */
function disagreements(outcome: SliceOutcome, log: ReplayLog): string[] {
  const notes: string[] = []
  for (const f of outcome.prefixFailures) {
    const checked = log.steps.find(
      (s) => s.revision === f.revision && s.direction === f.direction && s.phase === f.phase,
    )
    if (checked?.ok) {
      notes.push(
        `the ${f.direction} of ${f.revision} failed while a second database replayed the steps before its slice, although it passed where it was checked; that database went on from there, as one database would have after such a failure`,
      )
    }
  }
  return notes
}

/** The failed step and its finding, placed in chain order among what the earlier slices found. */
function blockedStep(log: ReplayLog, blocked: NonNullable<SliceOutcome['blocked']>, ctx: ReplayContext): void {
  const { revision, result, fresh } = blocked
  const position = new Map(ctx.order.map((id, i) => [id, i]))
  const at = position.get(revision) ?? Infinity
  const after = (r: string | undefined) => (r === undefined ? false : (position.get(r) ?? -1) > at)
  const own = new ReplayLog(ctx.graph, ctx.logger)
  rebuildFailed(
    own,
    revision,
    result,
    ctx,
    fresh && result.error?.kind !== 'timeout'
      ? FRESH_DATABASE
      : `this happened while a second database replayed the steps before its slice, although the same steps had passed on the database that checked ${revision}; the stairway stops here, so the revisions after it were not checked`,
  )
  // Said once: the database that checked it may have reported the same (a timed-out re-upgrade).
  const finding = own.findings[0]
  if (finding && log.findings.some((f) => f.id === finding.id && f.revision === revision)) own.findings.length = 0
  const stepAt = log.steps.findIndex((s) => after(s.revision))
  log.steps.splice(stepAt < 0 ? log.steps.length : stepAt, 0, ...own.steps)
  const findingAt = log.findings.findIndex((f) => after(f.revision))
  log.findings.splice(findingAt < 0 ? log.findings.length : findingAt, 0, ...own.findings)
}

/** True when every one of these slices ran to its end without ending the stairway. */
async function wentThrough(slices: Promise<SliceOutcome>[]): Promise<boolean> {
  const settled = await Promise.allSettled(slices)
  return settled.every((s) => s.status === 'fulfilled' && !s.value.ended && !s.value.blocked)
}

/**
 * One slice on a database of its own: the unchecked replay of its prefix (replay-slice-prefix.ts,
 * which says why it is not checked), then the checked replay of its own revisions
 * (replay-slice-checked.ts), then model drift where this database reached head.
 */
async function runSlice(
  ctx: ReplayContext,
  slice: Slice,
  rebuildAt: Pick<ReadonlySet<string>, 'has'>,
  database: SliceDatabase,
  mayReachHead?: () => Promise<boolean>,
  /** The revisions of the next slice when it was handed to this one (asked once this slice's are checked). */
  handed?: () => string[] | undefined,
): Promise<SliceOutcome> {
  const log = new ReplayLog(ctx.graph, ctx.logger)
  const started = performance.now()
  // Where the first slice already rebuilt within this prefix, start from its checkpoint there: one
  // database stands exactly so after that rebuild, whatever came before it.
  const from = slice.prefix.length ? database.checkpoints?.newest(slice.prefix, true) : undefined
  const copy = from ? await database.checkpoints?.copy(from) : undefined
  database.db = await ctx.open(copy)
  if (copy && from) {
    database.applied.push(...from.applied)
    ctx.logger.debug(`stairway: a slice starts from the checkpoint at ${from.applied.at(-1)}`)
  }
  try {
    const rest = slice.prefix.slice(database.applied.length)
    const prefix = await replayPrefixUnchecked(ctx, rest, rebuildAt, database)
    if (prefix.blocked) {
      return { log, ended: true, blocked: prefix.blocked, prefixMs: 0, prefixFailures: prefix.failures }
    }
    const prefixMs = Math.round(performance.now() - started)
    let { ended } = await replayRevisionsChecked(ctx, slice.revisions, database, log)
    const more = ended ? undefined : handed?.()
    if (more) ({ ended } = await replayRevisionsChecked(ctx, more, database, log))
    if (!ended && database.applied.length === ctx.order.length && (await (mayReachHead?.() ?? true))) {
      if (ctx.atHead) {
        await database.db.probe.release()
        await ctx.atHead(database.db.session)
      }
    }
    return { log, ended, prefixMs, prefixFailures: prefix.failures }
  } finally {
    const follower = database.follower
    database.follower = undefined
    // Both go whatever either throws; the first error is the slice's.
    const closed = await Promise.allSettled([database.db.dispose(), follower?.dispose()])
    const failed = closed.find((c) => c.status === 'rejected')
    if (failed) throw failed.reason
  }
}
