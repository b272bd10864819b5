// The roundtrip: upgrade to head, downgrade to base (the schema must be the empty start again),
// upgrade to head again (the schema must equal the first head). Cheaper than the stairway, but a
// difference cannot be pinned on one revision. Steps still go one revision at a time, so a failing
// step is named.
import type { MigrationSession } from '../drivers/driver.js'
import { undoStatements } from '../schema/undo.js'
import { ReplayLog, stepFailure, type ReplayContext, type ReplayOutcome } from './replay-context.js'

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
        const statements = undoStatements(changes)
        log.add({
          id: 'downgrade-residue',
          severity: 'error',
          message: `Downgrading every revision back to base does not restore the empty start (${changes.length} difference${changes.length === 1 ? '' : 's'})${statements.length > 0 ? `: removing it takes ${statements.map((s) => `\`${s}\``).join(', ')}` : ''}. Run the stairway mode to find which revision leaves it.`,
          details: changes.map((c) => c.message),
        })
      }
    }
    // Upgrade again from wherever the downgrade stopped.
    if (!(await upAll(ctx, log, db.session, ctx.order.slice(downTo), 're')))
      return { findings: log.findings, steps: log.steps }
    const againFp = await db.probe.capture('head-again')
    const changes = againFp === headFp ? [] : await db.probe.diff('head', 'head-again')
    if (changes.length > 0) {
      log.add({
        id: 'reupgrade-mismatch',
        severity: 'error',
        message: `Upgrading to head again after the downgrade builds a different schema than the first time (${changes.length} difference${changes.length === 1 ? '' : 's'}).`,
        details: changes,
      })
    }
    await ctx.atHead?.(db.session)
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
    const r = await session.upgrade(revision)
    log.step(revision, 'upgrade', phase, r)
    if (!r.ok) {
      if (phase === 'first') stepFailure(log, revision, 'upgrade', r, ctx)
      else
        log.add(
          {
            id: 'reupgrade-mismatch',
            severity: 'error',
            revision,
            message: `Upgrading to ${revision} again after the downgrade fails: ${r.error?.message ?? 'unknown error'}. Something the downgrades left behind stops the upgrade.`,
            details: r.error ? [r.error.message] : [],
          },
          r.error,
        )
      return false
    }
  }
  return true
}
