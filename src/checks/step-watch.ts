// What runs around every step of a session without the replay knowing: the watches (processes a
// step left running, databases it dropped, a url server's isolation). One wrapper for all of them,
// and one way to place what they find at the revision.
import type { MigrationSession, RevisionNode, StepResult } from '../drivers/driver.js'

export type Direction = 'upgrade' | 'downgrade'

/**
 * The session, with `before` run ahead of every upgrade and downgrade and `after` once it returned
 * (with its result); the session itself is left as it is.
 */
export function watchSteps(
  session: MigrationSession,
  hooks: {
    before?: () => Promise<void>
    after: (revision: string, direction: Direction, result: StepResult) => Promise<void> | void
  },
): MigrationSession {
  const step = async (revision: string, direction: Direction, run: () => Promise<StepResult>) => {
    await hooks.before?.()
    const result = await run()
    await hooks.after(revision, direction, result)
    return result
  }
  return {
    // `options` (observe) pass through unchanged: a watch never decides what a step records.
    upgrade: (target, options) => step(target, 'upgrade', () => session.upgrade(target, options)),
    downgrade: (revision) => step(revision, 'downgrade', () => session.downgrade(revision)),
    current: () => session.current(),
    close: () => session.close(),
    ...(session.modelDrift ? { modelDrift: (options) => session.modelDrift!(options) } : {}),
  }
}

/** Where a finding about a revision's step points: its downgrade (`def downgrade()`, the down file) for a downgrade, else its declaration. */
export function stepLocation(node: RevisionNode | undefined, direction: Direction): { file?: string; line?: number } {
  const atDown = direction === 'downgrade' && node?.downgradeLine !== undefined
  const file = atDown ? (node?.downgradeFile ?? node?.file) : node?.file
  const line = atDown ? node?.downgradeLine : node?.line
  return { ...(file ? { file } : {}), ...(line ? { line } : {}) }
}

/**
 * The session, with `check` started once each step returned and awaited only before the next step
 * (or any other command, or close): the check (a url server's look for sessions in other databases,
 * ~1 ms) then overlaps the catalog capture that follows every step instead of adding to it. It still
 * starts the moment the step returned, while the connections that step left open are open. What it
 * throws is thrown by the next command, or by close() once the session is closed.
 */
export function checkAfterStepsInBackground(
  session: MigrationSession,
  check: (revision: string, direction: Direction) => Promise<void>,
): MigrationSession {
  let pending: Promise<unknown> | undefined
  const settle = async () => {
    const p = pending
    pending = undefined
    const outcome = await p
    if (outcome instanceof Failed) throw outcome.error
  }
  const watched = watchSteps(session, {
    before: settle,
    after: (revision, direction) => {
      pending = check(revision, direction).then(
        () => undefined,
        (error: unknown) => new Failed(error),
      )
    },
  })
  return { ...watched, ...afterSettling(session, settle) }
}

/**
 * The session's commands other than steps, each run once `settle` (what a deferred watch still owes
 * for the last step) has run; close() closes the session even when settle throws, then throws.
 */
export function afterSettling(
  session: MigrationSession,
  settle: () => Promise<void>,
): Pick<MigrationSession, 'current' | 'close' | 'modelDrift'> {
  return {
    current: async () => (await settle(), session.current()),
    close: async () => {
      try {
        await settle()
      } finally {
        await session.close()
      }
    },
    ...(session.modelDrift ? { modelDrift: async (options) => (await settle(), session.modelDrift!(options)) } : {}),
  }
}

/** A check's error, held as a value until it is thrown (a rejected promise nobody awaits yet would be unhandled). */
class Failed {
  constructor(readonly error: unknown) {}
}
