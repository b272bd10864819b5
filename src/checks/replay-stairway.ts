// The stairway: for every revision from base to head, upgrade to it, downgrade it, upgrade it again,
// comparing the real catalog each time. One run reports every bad revision: a failed or dirty
// downgrade does not end it; only a failed first upgrade does (nothing after it can be replayed).
// Long chains are cut into slices replayed on databases side by side (replay-slices.ts). A slice's
// database first runs the same steps one database would have run before the slice (up, down, up per
// revision, rebuilding where a re-upgrade fails), without the comparisons, so it stands where one
// database would: data and sequence values a downgrade leaves behind included. The findings and steps
// come out in chain order, as from one database.
import type { StepResult } from '../drivers/driver.js'
import {
  residueFinding,
  describeRevision,
  irreversible,
  ReplayLog,
  stepFailure,
  type ReplayContext,
  type ReplayDatabase,
  type ReplayOutcome,
} from './replay-context.js'
import { planSlices, type Slice } from './replay-slices.js'
import { reupgradeDiffers, reupgradeFails } from '../findings/reupgrade-mismatch.js'

/** What one slice found, and whether the stairway may go on after it. */
interface SliceOutcome {
  log: ReplayLog
  /** A first upgrade failed in the slice: the stairway ends there. */
  ended: boolean
  /** The slice could not even be reached: this step before it failed (it had passed on the database that checked it). */
  blocked?: { revision: string; result: StepResult; fresh: boolean }
  /** Time spent opening the database and upgrading through the prefix. */
  prefixMs: number
  /**
   * Revisions after which this slice rebuilt its database because a comparison said so (a second
   * upgrade that built another schema): the one thing a later slice's unchecked replay cannot see.
   */
  rebuiltAt: string[]
  /** Steps of the unchecked replay that failed (checked against the slice that owns them when merging). */
  prefixFailures: Array<{ revision: string; direction: 'upgrade' | 'downgrade'; phase: 'first' | 'down' | 're' }>
}

export async function runStairway(ctx: ReplayContext): Promise<ReplayOutcome> {
  const slices = planSlices(ctx.order, ctx.workers ?? 1)
  if (slices.length > 1) {
    const ranges = slices.map((s) => `${s.prefix.length + 1}-${s.prefix.length + s.revisions.length}`).join(', ')
    ctx.logger.info(`stairway: ${ctx.order.length} revisions on ${slices.length} databases side by side (${ranges})`)
  }
  const runs: Promise<SliceOutcome>[] = []
  for (const [i, slice] of slices.entries()) {
    // Model drift runs on the last slice's database at head, but only once every earlier slice went
    // through and none rebuilt where this slice's unchecked replay could not (it then runs again).
    const earlier = [...runs]
    const mayReachHead =
      i === slices.length - 1
        ? async () => (await wentThrough(earlier)) && !mustReplayAgain(slice, await Promise.all(earlier))
        : undefined
    runs.push(timedSlice(ctx, slices, i, new Set(), mayReachHead))
  }
  // Every slice finishes (and drops its database) before anything is reported or thrown.
  const settled = await Promise.allSettled(runs)

  const log = new ReplayLog(ctx.graph, ctx.logger)
  const notes: string[] = []
  const kept: SliceOutcome[] = []
  for (const [i, first] of settled.entries()) {
    if (first.status === 'rejected') throw first.reason
    let outcome = first.value
    const slice = slices[i] as Slice
    if (mustReplayAgain(slice, kept)) {
      // An earlier slice rebuilt its database after a revision this slice replayed unchecked: replay
      // this slice again, rebuilding where that one did, so it stands where one database would.
      const at = rebuildPoints(kept)
      ctx.logger.debug(`stairway slice ${i + 1}: again, rebuilding after ${[...at].join(', ')}`)
      outcome = await timedSlice(ctx, slices, i, at, i === slices.length - 1 ? async () => true : undefined)
    }
    kept.push(outcome)
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

/** One slice, with its wall time logged where there are several (what the planner's model is tuned on). */
function timedSlice(
  ctx: ReplayContext,
  slices: Slice[],
  i: number,
  rebuildAt: ReadonlySet<string>,
  mayReachHead?: () => Promise<boolean>,
): Promise<SliceOutcome> {
  const slice = slices[i] as Slice
  const started = performance.now()
  const run = runSlice(ctx, slice, rebuildAt, mayReachHead)
  if (slices.length > 1) {
    const name = `stairway slice ${i + 1}/${slices.length} (${slice.revisions.length} revisions after ${slice.prefix.length} replayed unchecked)`
    run.then(
      (o) => ctx.logger.debug(`${name}: ${Math.round(performance.now() - started)} ms, prefix ${o.prefixMs} ms`),
      () => {},
    )
  }
  return run
}

const rebuildPoints = (outcomes: SliceOutcome[]) => new Set(outcomes.flatMap((o) => o.rebuiltAt))

/** True when an earlier slice rebuilt after a revision this slice's first run replayed without rebuilding. */
function mustReplayAgain(slice: Slice, earlier: SliceOutcome[]): boolean {
  const at = rebuildPoints(earlier)
  return slice.prefix.some((r) => at.has(r))
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

const FRESH_DATABASE =
  'this upgrade fails on a fresh database upgraded from base, although it ran in the stairway after the earlier revisions were downgraded and upgraded again: a deploy to an empty database stops here'

/** True when every one of these slices ran to its end without ending the stairway. */
async function wentThrough(slices: Promise<SliceOutcome>[]): Promise<boolean> {
  const settled = await Promise.allSettled(slices)
  return settled.every((s) => s.status === 'fulfilled' && !s.value.ended && !s.value.blocked)
}

/** A plain upgrade that failed while a database was being (re)built: its step, its finding, and where it happened. */
function rebuildFailed(
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

async function runSlice(
  ctx: ReplayContext,
  slice: Slice,
  rebuildAt: ReadonlySet<string>,
  mayReachHead?: () => Promise<boolean>,
): Promise<SliceOutcome> {
  const log = new ReplayLog(ctx.graph, ctx.logger)
  const started = performance.now()
  let db: ReplayDatabase = await ctx.open()
  const applied: string[] = []
  const rebuiltAt: string[] = []
  const prefixFailures: SliceOutcome['prefixFailures'] = []
  let prefixMs = 0
  const outcome = (ended: boolean, blocked?: SliceOutcome['blocked']): SliceOutcome => ({
    log,
    ended,
    ...(blocked ? { blocked } : {}),
    prefixMs,
    rebuiltAt,
    prefixFailures,
  })
  const stop = (revision: string, result: StepResult, fresh: boolean) => outcome(true, { revision, result, fresh })
  /**
   * Rebuilds after a broken state found by the checks. False when a plain upgrade then fails though
   * the same revision upgraded during the stairway (it depends on what earlier downgrades and upgrades
   * left behind): said as a finding, and the stairway ends.
   */
  const rebuildChecked = async (): Promise<boolean> => {
    const rebuilt = await rebuild(ctx, db, applied)
    db = rebuilt.db
    if (!rebuilt.failed) return true
    const { revision, result } = rebuilt.failed
    rebuildFailed(log, revision, result, ctx, result.error?.kind === 'timeout' ? null : FRESH_DATABASE)
    return false
  }
  try {
    // The steps one database runs before this slice, unchecked. Where it would rebuild after a failed
    // re-upgrade, so does this. Where it rebuilt because a comparison said so, this can only know from
    // the slice that compared (rebuildAt, on a second run of this slice; see runStairway).
    for (const revision of slice.prefix) {
      const up = await db.session.upgrade(revision)
      if (!up.ok) return stop(revision, up, false)
      applied.push(revision)
      const down = await db.session.downgrade(revision)
      if (!down.ok) {
        prefixFailures.push({ revision, direction: 'downgrade', phase: 'down' })
        continue // as the stairway: on from where the database stands
      }
      const re = await db.session.upgrade(revision)
      if (!re.ok) prefixFailures.push({ revision, direction: 'upgrade', phase: 're' })
      if (re.ok && !rebuildAt.has(revision)) continue
      const rebuilt = await rebuild(ctx, db, applied)
      db = rebuilt.db
      if (rebuilt.failed) return stop(rebuilt.failed.revision, rebuilt.failed.result, true)
    }
    prefixMs = Math.round(performance.now() - started)
    let curKey = 'start'
    let curFp = await db.probe.capture(curKey)

    for (const revision of slice.revisions) {
      const what = describeRevision(log, revision)
      const up = await db.session.upgrade(revision)
      log.step(revision, 'upgrade', 'first', up)
      if (!up.ok) {
        stepFailure(log, revision, 'upgrade', up, ctx)
        return outcome(true)
      }
      applied.push(revision)
      const upKey = `${revision}:up`
      const upFp = await db.probe.capture(upKey)

      const down = await db.session.downgrade(revision)
      log.step(revision, 'downgrade', 'down', down)
      if (!down.ok) {
        // Go on from where the database stands. Usually the failed step rolled back, but part of it
        // may have committed (autocommit blocks, several dbmate blocks): then say what stayed.
        stepFailure(log, revision, 'downgrade', down, ctx)
        await db.probe.forget(curKey)
        curKey = `${revision}:failed-down`
        curFp = await db.probe.capture(curKey)
        const partial = curFp === upFp ? [] : await db.probe.diff(upKey, curKey)
        const finding = log.findings.at(-1)
        if (partial.length > 0 && finding?.revision === revision) {
          finding.details = [...(finding.details ?? []), 'part of the failed downgrade stayed applied:', ...partial]
        }
        await db.probe.forget(upKey)
        continue
      }
      const downKey = `${revision}:down`
      const downFp = await db.probe.capture(downKey)
      // Fingerprints decide cheaply; the diff decides for real (it ignores what users cannot fix).
      const residue = downFp === curFp ? [] : await db.probe.changes(curKey, downKey)
      const broken = residue.length > 0
      if (broken) {
        if (isEmptyDowngrade(down)) {
          irreversible(log, revision, ctx, 'its downgrade does nothing while its upgrade changes the schema')
        } else {
          log.add(residueFinding(revision, what, residue))
        }
      }

      const re = await db.session.upgrade(revision)
      log.step(revision, 'upgrade', 're', re)
      if (!re.ok) {
        const residue = log.findings.at(-1)
        if (broken && residue?.revision === revision) {
          // The usual cause: the residue itself ("type ... already exists"). Say so on the residue.
          residue.details = [
            ...(residue.details ?? []),
            `upgrading again then fails: ${re.error?.message ?? 'unknown error'}`,
          ]
        } else if (re.error?.kind === 'timeout') {
          stepFailure(log, revision, 'upgrade', re, ctx)
        } else {
          log.add(
            reupgradeFails(
              { what, error: re.error?.message ?? 'unknown error' },
              { revision, details: re.error ? [re.error.message] : [] },
            ),
            re.error,
          )
        }
        if (!(await rebuildChecked())) return outcome(true)
        curKey = 'rebuilt'
        curFp = await db.probe.capture(curKey)
        continue
      }
      const reKey = `${revision}:re`
      const reFp = await db.probe.capture(reKey)
      const mismatch = reFp === upFp ? [] : await db.probe.diff(upKey, reKey)
      if (mismatch.length > 0) {
        const changes = mismatch
        if (!broken) {
          log.add(reupgradeDiffers({ what, differences: changes.length }, { revision, details: changes }))
        }
        // Either way the database is not in the state the next revision expects: rebuild it.
        rebuiltAt.push(revision)
        if (!(await rebuildChecked())) return outcome(true)
        curKey = 'rebuilt'
        curFp = await db.probe.capture(curKey)
        continue
      }
      for (const k of [curKey, downKey, upKey]) await db.probe.forget(k)
      curKey = reKey
      curFp = reFp
    }
    if (applied.length === ctx.order.length && (await (mayReachHead?.() ?? true))) await ctx.atHead?.(db.session)
    return outcome(false)
  } finally {
    await db.dispose()
  }
}

/** A downgrade that sent no statement of its own (`pass`, a docstring). */
function isEmptyDowngrade(result: StepResult): boolean {
  return result.statements === 0
}

/**
 * Puts the database back in the state "these revisions applied": a fresh database, upgraded one
 * revision at a time. Used only after a revision left the database in a state no revision describes.
 * The fresh database has its own probe: earlier captures went with the old one.
 */
async function rebuild(
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
