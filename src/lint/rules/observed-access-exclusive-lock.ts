// observed-access-exclusive-lock (the gate's own: no SQL linter can see it): the server saw the step
// hold an ACCESS EXCLUSIVE lock on a relation that existed before it, whatever statement took it (a
// function, a trigger, a DO block included). Reported at the first statement naming the relation
// (which the message says: it need not be the statement that took the lock), else at the step's last
// statement; the engine leaves out a relation another finding of the step already names, so one
// statement is not reported twice for the same lock.
import { relationsNamed, sameRelation } from '../ast.js'
import type { Hit, Rule, Statement } from '../rule.js'

const names = (s: Statement, relation: string) => [...relationsNamed(s.stmt)].some((w) => sameRelation(w, relation))

export const OBSERVED_ACCESS_EXCLUSIVE_LOCK: Rule<'observed-access-exclusive-lock'> = {
  id: 'observed-access-exclusive-lock',
  what: 'the server saw the migration hold an ACCESS EXCLUSIVE lock on a relation that existed before it (named), whichever statement took it',
  why: 'until the migration commits, nothing can read or write that table: every query on it waits, and the wait grows with the migration and with any long query it queued behind',
  fix: 'keep the locking statement alone in a short migration with a `lock_timeout`, or use the form that takes a weaker lock (CONCURRENTLY, NOT VALID then VALIDATE, a new column then a backfill)',
  check({ statement, before, after, observed }) {
    // An index's lock is its table's (queries on the table open every index of it): one hit per table,
    // named by the table, whether the table itself or only an index of it was locked.
    const tables = new Map<string, string[]>()
    for (const l of observed?.locks ?? []) {
      if (l.mode !== 'AccessExclusiveLock' || !l.existedBefore) continue
      const table = l.table ?? l.relation
      tables.set(table, [...(tables.get(table) ?? []), ...(l.table ? [l.relation] : [])])
    }
    return [...tables].flatMap(([relation, indexes]): Hit[] => {
      const named = (s: Statement) => [relation, ...indexes].some((r) => names(s, r))
      const here = named(statement) && !before.some(named)
      const leftover = after.length === 0 && ![statement, ...before].some(named)
      if (!here && !leftover) return []
      const tableLocked = (observed?.locks ?? []).some(
        (l) => l.relation === relation && l.mode === 'AccessExclusiveLock',
      )
      const through = tableLocked
        ? ''
        : ` (through its ${indexes.length > 1 ? 'indexes' : 'index'} ${indexes.map((i) => `\`${i}\``).join(', ')}, which every query on it opens)`
      return [
        {
          relation,
          ...(indexes.length ? { also: indexes } : {}),
          ...(here ? {} : { stepLevel: true }),
          // The locks are read at the commit: the transaction's, not one statement's. The first
          // statement naming the table is where it is reported, not necessarily what took it (a
          // dropped foreign key locks the table it referenced without naming it).
          message: here
            ? `The server saw the migration hold an ACCESS EXCLUSIVE lock on \`${relation}\`${through} until it committed (this is its first statement naming \`${relation}\`): no query could read or write it meanwhile.`
            : `The server saw the step (no statement names it: a function, a trigger or a DO block took it) hold an ACCESS EXCLUSIVE lock on \`${relation}\`${through} until the migration committed: no query could read or write it meanwhile.`,
          fix: 'Keep the locking statement alone in a short migration with a lock_timeout, or use the form taking a weaker lock (CONCURRENTLY, NOT VALID then VALIDATE, a new column then a backfill).',
        },
      ]
    })
  },
}
