// What rules ask of a step besides the statement itself: whether a relation existed before the step
// (the observation's `created`, else a CREATE TABLE earlier in the step), and the clauses that say
// what the server observed, or that nothing was observed and the statement alone was judged.
import type { ObservedLock } from '../drivers/driver.js'
import { createTable, nameOf, sameRelation } from './ast.js'
import type { RuleContext } from './rule.js'

/**
 * Whether `written` names a relation that existed before the step: not one the server saw the step
 * create, nor one an earlier statement of the step creates (what a step without observation shows).
 */
export function existedBefore(context: RuleContext, written: string | undefined): boolean {
  if (written === undefined) return true
  const observed = context.observed
  if (observed?.created.some((r) => sameRelation(written, r))) return false
  if (observed?.locks.some((l) => !l.existedBefore && sameRelation(written, l.relation))) return false
  return !context.before.some((s) => {
    const created = nameOf(createTable(s.stmt)?.relation)
    return created !== undefined && sameRelation(created, written)
  })
}

/** The observed lock on `written`, when the server reported one. */
export function observedLock(context: RuleContext, written: string): ObservedLock | undefined {
  return context.observed?.locks.find((l) => sameRelation(written, l.relation))
}

/** Whether locks were observed in full for this step. */
export const locksSeen = (context: RuleContext) => context.observed?.locksComplete === true

/**
 * " (observed: the migration as a whole held AccessExclusiveLock on public.orders until commit)" (the
 * strongest lock of any of its statements), or the reason none can be told:
 * said in the message, so a reader knows what the finding rests on.
 */
export function lockClause(context: RuleContext, written: string): string {
  if (!context.observed) return ' (judged from the statement alone: this step was not observed)'
  const lock = observedLock(context, written)
  if (lock) return ` (observed: the migration as a whole held ${lock.mode} on ${lock.relation} until commit)`
  if (!context.observed.locksComplete)
    return ' (judged from the statement: part of the step ran outside a transaction the gate could look into, so its locks were not all seen)'
  return ''
}

/** Whether the server saw `written` rewritten; undefined when the step was not observed. */
export function rewriteObserved(context: RuleContext, written: string): boolean | undefined {
  if (!context.observed) return undefined
  return context.observed.rewritten.some((r) => sameRelation(written, r))
}

/** "orders" in backticks, for messages (Markdown). */
export const q = (name: string) => `\`${name}\``
