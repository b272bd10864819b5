// The roundtrip: upgrade to head, downgrade to base (the schema must be the empty start again),
// upgrade to head again (the schema must equal the first head). Cheaper than the stairway, but a
// difference cannot be pinned on one revision. Steps still go one revision at a time, so a failing
// step is named.
import type { MigrationSession } from '../drivers/driver.js'
import { undoStatements } from '../schema/undo.js'
import { downgradeResidueAtBase } from '../findings/downgrade-residue.js'
import { reupgradeDiffersAfterAll, reupgradeFailsAfterAll } from '../findings/reupgrade-mismatch.js'
import {
  firstUpgradeOptions,
  ReplayLog,
  stepFailure,
  type ReplayContext,
  type ReplayOutcome,
} from './replay-context.js'

export async function runRoundtrip(ctx: ReplayContext): Promise<ReplayOutcome> {
  const log = new ReplayLog(ctx.graph, ctx.logger)
  const db = await ctx.open()
  try {
    await db.probe.capture('base')
    if (!(await upAll(ctx, log, db.session, ctx.order, 'first'))) return { findings: log.findings, steps: log.steps }
    const headFp = await db.probe.capture('head')

    let downTo = ctx.order.length
    for (const revision of [...ctx.order].reverse()) {
      const r = await db.session.downgrade(revision)
      log.step(revision, 'downgrade', 'down', r)
      if (!r.ok) {
        stepFailure(log, revision, 'downgrade', r, ctx)
        break
      }
      downTo--
    }
    if (downTo === 0) {
      await db.probe.capture('base-again')
      const changes = await db.probe.changes('base', 'base-again')
      if (changes.length > 0) {
        log.add(
          downgradeResidueAtBase(
            { differences: changes.length, statements: undoStatements(changes) },
            { details: changes.map((c) => c.message) },
          ),
        )
      }
    }
    // Upgrade again from wherever the downgrade stopped.
    if (!(await upAll(ctx, log, db.session, ctx.order.slice(downTo), 're')))
      return { findings: log.findings, steps: log.steps }
    const againFp = await db.probe.capture('head-again')
    const changes = againFp === headFp ? [] : await db.probe.diff('head', 'head-again')
    if (changes.length > 0) {
      log.add(reupgradeDiffersAfterAll({ differences: changes.length }, { details: changes }))
    }
    if (ctx.atHead) {
      await db.probe.release()
      await ctx.atHead(db.session)
    }
  } finally {
    await db.dispose()
  }
  return { findings: log.findings, steps: log.steps }
}

async function upAll(
  ctx: ReplayContext,
  log: ReplayLog,
  session: MigrationSession,
  revisions: string[],
  phase: 'first' | 're',
): Promise<boolean> {
  for (const revision of revisions) {
    const r = await session.upgrade(revision, phase === 'first' ? firstUpgradeOptions(ctx, revision) : undefined)
    log.step(revision, 'upgrade', phase, r)
    if (!r.ok) {
      // A re-upgrade that hangs is a step-timeout, as in the stairway: not a mismatch.
      if (phase === 'first' || r.error?.kind === 'timeout') stepFailure(log, revision, 'upgrade', r, ctx)
      else
        log.add(
          reupgradeFailsAfterAll(
            { revision, error: r.error?.message ?? 'unknown error' },
            { revision, details: r.error ? [r.error.message] : [] },
          ),
          r.error,
        )
      return false
    }
  }
  return true
}
