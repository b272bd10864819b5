// The checked replay of a stairway slice's own revisions: for each, upgrade, downgrade, upgrade
// again, comparing the real catalog each time, and report what went wrong. A failed or dirty
// downgrade does not end it; a failed first upgrade does (nothing after it can be replayed).
import type { StepResult } from '../drivers/driver.js'
import {
  residueFinding,
  describeRevision,
  firstUpgradeOptions,
  irreversible,
  ReplayLog,
  stepFailure,
  type ReplayContext,
} from './replay-context.js'
import { FRESH_DATABASE, rebuild, rebuildFailed, type RebuildReason, type SliceDatabase } from './replay-rebuild.js'
import { reupgradeDiffers, reupgradeFails } from '../findings/reupgrade-mismatch.js'
import { repairAfterFailedUpgrade } from './replay-repair.js'

export interface CheckedOutcome {
  /** A first upgrade failed, or a rebuild did: the stairway ends here. */
  ended: boolean
  /**
   * Revisions after which the database was rebuilt because a comparison said so (a second upgrade
   * that built another schema): the one thing a later slice's unchecked replay cannot see.
   */
  rebuiltAt: string[]
}

/** Replays `revisions` checked on `database`, which stands where one database would before them. */
export async function replayRevisionsChecked(
  ctx: ReplayContext,
  revisions: string[],
  database: SliceDatabase,
  log: ReplayLog,
): Promise<CheckedOutcome> {
  const rebuiltAt: string[] = []
  /**
   * Rebuilds after a broken state found by the checks. False when a plain upgrade then fails though
   * the same revision upgraded during the stairway (it depends on what earlier downgrades and upgrades
   * left behind): said as a finding, and the stairway ends.
   */
  const rebuildChecked = async (why: RebuildReason): Promise<boolean> => {
    const rebuilt = await rebuild(ctx, database, why)
    if (!rebuilt.failed) return true
    const { revision, result } = rebuilt.failed
    rebuildFailed(log, revision, result, ctx, result.error?.kind === 'timeout' ? null : FRESH_DATABASE)
    return false
  }
  const { applied } = database
  let curKey = 'start'
  let curFp = await database.db.probe.capture(curKey)

  for (const revision of revisions) {
    const { session, probe } = database.db
    const what = describeRevision(log, revision)
    const up = await session.upgrade(revision, firstUpgradeOptions(ctx, revision))
    log.step(revision, 'upgrade', 'first', up)
    if (!up.ok) {
      stepFailure(log, revision, 'upgrade', up, ctx)
      return { ended: true, rebuiltAt }
    }
    applied.push(revision)
    database.follower?.nudge()
    const upKey = `${revision}:up`
    const upFp = await probe.capture(upKey)

    const down = await session.downgrade(revision)
    log.step(revision, 'downgrade', 'down', down)
    if (!down.ok) {
      // Go on from where the database stands. Usually the failed step rolled back, but part of it
      // may have committed (autocommit blocks, several dbmate blocks): then say what stayed.
      stepFailure(log, revision, 'downgrade', down, ctx)
      await probe.forget(curKey)
      curKey = `${revision}:failed-down`
      curFp = await probe.capture(curKey)
      const partial = curFp === upFp ? [] : await probe.diff(upKey, curKey)
      const finding = log.findings.at(-1)
      if (partial.length > 0 && finding?.revision === revision) {
        finding.details = [...(finding.details ?? []), 'part of the failed downgrade stayed applied:', ...partial]
      }
      await probe.forget(upKey)
      continue
    }
    const downKey = `${revision}:down`
    const downFp = await probe.capture(downKey)
    // Fingerprints decide cheaply; the diff decides for real (it ignores what users cannot fix).
    const residue = downFp === curFp ? [] : await probe.changes(curKey, downKey)
    const broken = residue.length > 0
    if (broken) {
      if (isEmptyDowngrade(down)) {
        irreversible(log, revision, ctx, 'its downgrade does nothing while its upgrade changes the schema')
      } else {
        log.add(residueFinding(revision, what, residue))
      }
    }

    const re = await session.upgrade(revision)
    log.step(revision, 'upgrade', 're', re)
    if (!re.ok) {
      const found = log.findings.at(-1)
      if (broken && found?.revision === revision) {
        // The usual cause: the residue itself ("type ... already exists"). Say so on the residue.
        found.details = [
          ...(found.details ?? []),
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
      // Objects the downgrade left (what blocked the upgrade) are removed in place where that restores the
      // schema; a later slice's prefix does the same from the same captures (replay-repair.ts).
      const repaired = await repairAfterFailedUpgrade(ctx, database, revision, { key: curKey, fingerprint: curFp })
      if (repaired && repaired.fingerprint === upFp) {
        for (const k of [curKey, downKey, upKey]) await probe.forget(k)
        curKey = repaired.key
        curFp = repaired.fingerprint
        continue
      }
      // Repaired, but the upgrade then built another schema: as any second upgrade that does, a rebuild
      // later slices are told of. Not repaired: a rebuild, which they see for themselves.
      if (repaired) rebuiltAt.push(revision)
      if (!(await rebuildChecked(repaired ? 'compared' : 'failed'))) return { ended: true, rebuiltAt }
      curKey = 'rebuilt'
      curFp = await database.db.probe.capture(curKey)
      continue
    }
    const reKey = `${revision}:re`
    const reFp = await probe.capture(reKey)
    const mismatch = reFp === upFp ? [] : await probe.diff(upKey, reKey)
    if (mismatch.length > 0) {
      const changes = mismatch
      if (!broken) {
        log.add(reupgradeDiffers({ what, differences: changes.length }, { revision, details: changes }))
      }
      // Either way the database is not in the state the next revision expects: rebuild it.
      rebuiltAt.push(revision)
      if (!(await rebuildChecked('compared'))) return { ended: true, rebuiltAt }
      curKey = 'rebuilt'
      curFp = await database.db.probe.capture(curKey)
      continue
    }
    for (const k of [curKey, downKey, upKey]) await probe.forget(k)
    curKey = reKey
    curFp = reFp
  }
  return { ended: false, rebuiltAt }
}

/** A downgrade that sent no statement of its own (`pass`, a docstring). */
function isEmptyDowngrade(result: StepResult): boolean {
  return result.statements === 0
}
