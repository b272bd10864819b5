// The stairway: for every revision from base to head, upgrade to it, downgrade it, upgrade it again,
// comparing the real catalog each time. One run reports every bad revision: a failed or dirty
// downgrade does not end it; only a failed first upgrade does (nothing after it can be replayed).
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

export async function runStairway(ctx: ReplayContext): Promise<ReplayOutcome> {
  const log = new ReplayLog(ctx.graph)
  let db: ReplayDatabase = await ctx.open()
  const applied: string[] = []
  try {
    let curKey = 'start'
    let curFp = await db.probe.capture(curKey)

    for (const revision of ctx.order) {
      const what = describeRevision(log, revision)
      const up = await db.session.upgrade(revision)
      log.step(revision, 'upgrade', 'first', up)
      if (!up.ok) {
        stepFailure(log, revision, 'upgrade', up, ctx)
        break
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
        db = await rebuild(ctx, db, applied)
        await db.probe.forget(curKey)
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
        db = await rebuild(ctx, db, applied)
        for (const k of [curKey, upKey, downKey, reKey]) await db.probe.forget(k)
        curKey = 'rebuilt'
        curFp = await db.probe.capture(curKey)
        continue
      }
      for (const k of [curKey, downKey, upKey]) await db.probe.forget(k)
      curKey = reKey
      curFp = reFp
    }
    if (applied.length === ctx.order.length) await ctx.atHead?.(db.session)
  } finally {
    await db.dispose()
  }
  return { findings: log.findings, steps: log.steps }
}

/** A downgrade that sent no statement of its own (`pass`, a docstring). */
function isEmptyDowngrade(result: StepResult): boolean {
  return result.statements === 0
}

/**
 * Puts the database back in the state "these revisions applied": a fresh database, upgraded one
 * revision at a time. Used only after a revision left the database in a state no revision describes.
 */
async function rebuild(ctx: ReplayContext, old: ReplayDatabase, applied: string[]): Promise<ReplayDatabase> {
  await old.dispose()
  const db = await ctx.open()
  ctx.logger.debug(`stairway: rebuilding the database up to ${applied.at(-1) ?? 'base'}`)
  for (const revision of applied) {
    const r = await db.session.upgrade(revision)
    if (!r.ok) throw new Error(`rebuilding the replay database failed at ${revision}: ${r.error?.message ?? ''}`)
  }
  return db
}
