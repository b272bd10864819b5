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
  describeRevision,
  irreversible,
  ReplayLog,
  stepFailure,
  type ReplayContext,
  type ReplayDatabase,
  type ReplayOutcome,
} from './replay-context.js'
import { planSlices, type Slice } from './replay-slices.js'

/** What one slice found, and whether the stairway may go on after it. */
interface SliceOutcome {
  log: ReplayLog
  /** A first upgrade failed in the slice: the stairway ends there. */
  ended: boolean
  /** The slice could not even be reached: this step before it failed (it had passed on the database that checked it). */
  blocked?: { revision: string; result: StepResult; fresh: boolean }
  /** Time spent opening the database and upgrading through the prefix. */
  prefixMs: number
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
    // through: a stairway that ended earlier never reaches head.
    const earlier = [...runs]
    const mayReachHead = i === slices.length - 1 ? () => wentThrough(earlier) : undefined
    const started = performance.now()
    const run = runSlice(ctx, slice, mayReachHead)
    if (slices.length > 1) {
      // Where the time goes per database: what the slice planner's cost model is tuned against.
      const name = `stairway slice ${i + 1}/${slices.length} (${slice.revisions.length} revisions after ${slice.prefix.length} replayed unchecked)`
      run.then(
        (o) => ctx.logger.debug(`${name}: ${Math.round(performance.now() - started)} ms, prefix ${o.prefixMs} ms`),
        () => {},
      )
    }
    runs.push(run)
  }
  // Every slice finishes (and drops its database) before anything is reported or thrown.
  const settled = await Promise.allSettled(runs)

  const log = new ReplayLog(ctx.graph)
  for (const outcome of settled) {
    if (outcome.status === 'rejected') throw outcome.reason
    const { blocked, ended } = outcome.value
    if (blocked) {
      // The slice's own revisions were never replayed: a step before them failed here although the
      // database that checked it went on (else the merge had stopped there). Said, and the replay
      // stops, so a gap can never pass quietly.
      blockedStep(log, blocked, ctx)
      break
    }
    log.findings.push(...outcome.value.log.findings)
    log.steps.push(...outcome.value.log.steps)
    if (ended) break
  }
  return { findings: log.findings, steps: log.steps }
}

/** The failed step and its finding, placed in chain order among what the earlier slices found. */
function blockedStep(log: ReplayLog, blocked: NonNullable<SliceOutcome['blocked']>, ctx: ReplayContext): void {
  const { revision, result, fresh } = blocked
  const position = new Map(ctx.order.map((id, i) => [id, i]))
  const at = position.get(revision) ?? Infinity
  const after = (r: string | undefined) => (r === undefined ? false : (position.get(r) ?? -1) > at)
  const own = new ReplayLog(ctx.graph)
  own.step(revision, 'upgrade', 'rebuild', result)
  stepFailure(own, revision, 'upgrade', result, ctx)
  const finding = own.findings[0]
  if (finding && result.error?.kind !== 'timeout') {
    finding.details = [
      ...(finding.details ?? []),
      fresh
        ? FRESH_DATABASE
        : 'this upgrade failed while a second database replayed the steps before its slice, although the same steps had run without error on the first: the migration does not behave the same way twice',
    ]
  }
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

/**
 * A plain upgrade that failed while (re)building a database from base, though the same revision
 * upgraded during the stairway: it depends on something the earlier revisions' downgrades and
 * upgrades left behind, so a deploy to an empty database stops there.
 */
function freshUpgradeFailed(log: ReplayLog, revision: string, result: StepResult, ctx: ReplayContext): void {
  log.step(revision, 'upgrade', 'rebuild', result)
  stepFailure(log, revision, 'upgrade', result, ctx)
  const finding = log.findings.at(-1)
  if (finding?.revision === revision && result.error?.kind !== 'timeout') {
    finding.details = [...(finding.details ?? []), FRESH_DATABASE]
  }
}

async function runSlice(
  ctx: ReplayContext,
  slice: Slice,
  mayReachHead?: () => Promise<boolean>,
): Promise<SliceOutcome> {
  const log = new ReplayLog(ctx.graph)
  const started = performance.now()
  let db: ReplayDatabase = await ctx.open()
  const applied: string[] = []
  try {
    // The steps one database runs before this slice, unchecked. Where it would rebuild after a failed
    // re-upgrade, so does this; a rebuild after a re-upgrade that builds a different schema cannot be
    // told without the comparisons (that revision's own slice reports it, and the run fails there).
    for (const revision of slice.prefix) {
      const up = await db.session.upgrade(revision)
      if (!up.ok) return { log, ended: true, blocked: { revision, result: up, fresh: false }, prefixMs: 0 }
      applied.push(revision)
      const down = await db.session.downgrade(revision)
      if (!down.ok) continue // as the stairway: on from where the database stands
      const re = await db.session.upgrade(revision)
      if (re.ok) continue
      const rebuilt = await rebuild(ctx, db, applied)
      db = rebuilt.db
      if (rebuilt.failed) {
        const { revision: failedAt, result } = rebuilt.failed
        return { log, ended: true, blocked: { revision: failedAt, result, fresh: true }, prefixMs: 0 }
      }
    }
    const prefixMs = Math.round(performance.now() - started)
    let curKey = 'start'
    let curFp = await db.probe.capture(curKey)

    for (const revision of slice.revisions) {
      const what = describeRevision(log, revision)
      const up = await db.session.upgrade(revision)
      log.step(revision, 'upgrade', 'first', up)
      if (!up.ok) {
        stepFailure(log, revision, 'upgrade', up, ctx)
        return { log, ended: true, prefixMs }
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
      const residue = downFp === curFp ? [] : await db.probe.diff(curKey, downKey)
      const broken = residue.length > 0
      if (broken) {
        if (isEmptyDowngrade(down)) {
          irreversible(log, revision, ctx, 'its downgrade does nothing while its upgrade changes the schema')
        } else {
          const changes = residue
          log.add({
            id: 'downgrade-residue',
            severity: 'error',
            revision,
            message: `Downgrading ${what} does not restore the schema it started from (${changes.length} difference${changes.length === 1 ? '' : 's'}). A rollback leaves the database in a state no revision describes, and the next upgrade may fail; make the downgrade undo everything the upgrade does.`,
            details: changes,
          })
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
            {
              id: 'reupgrade-mismatch',
              severity: 'error',
              revision,
              message: `Upgrading to ${what} a second time, after a clean downgrade, fails: ${re.error?.message ?? 'unknown error'}. The migration depends on state its downgrade does not reset; a deploy that rolls back and forward again would fail.`,
              details: re.error ? [re.error.message] : [],
            },
            re.error,
          )
        }
        const rebuilt = await rebuild(ctx, db, applied)
        db = rebuilt.db
        if (rebuilt.failed) {
          freshUpgradeFailed(log, rebuilt.failed.revision, rebuilt.failed.result, ctx)
          return { log, ended: true, prefixMs }
        }
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
          log.add({
            id: 'reupgrade-mismatch',
            severity: 'error',
            revision,
            message: `Upgrading to ${what} again after its downgrade builds a different schema than the first time (${changes.length} difference${changes.length === 1 ? '' : 's'}). Environments that rolled back and forward will differ from fresh ones.`,
            details: changes,
          })
        }
        // Either way the database is not in the state the next revision expects: rebuild it.
        const rebuilt = await rebuild(ctx, db, applied)
        db = rebuilt.db
        if (rebuilt.failed) {
          freshUpgradeFailed(log, rebuilt.failed.revision, rebuilt.failed.result, ctx)
          return { log, ended: true, prefixMs }
        }
        curKey = 'rebuilt'
        curFp = await db.probe.capture(curKey)
        continue
      }
      for (const k of [curKey, downKey, upKey]) await db.probe.forget(k)
      curKey = reKey
      curFp = reFp
    }
    if (applied.length === ctx.order.length && (await (mayReachHead?.() ?? true))) await ctx.atHead?.(db.session)
    return { log, ended: false, prefixMs }
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
