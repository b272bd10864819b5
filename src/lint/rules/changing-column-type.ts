// changing-column-type (Squawk's name): ALTER COLUMN ... TYPE on a table that existed before. Most
// type changes rewrite the table (and rebuild its indexes) under an ACCESS EXCLUSIVE lock; the
// binary-coercible ones (varchar(n) to text, to a longer varchar) do not. The observation says which.
import { alterCommands, alterTable, nameOf } from '../ast.js'
import { existedBefore, lockClause, q, rewriteObserved } from '../facts.js'
import type { Rule } from '../rule.js'

export const CHANGING_COLUMN_TYPE: Rule<'changing-column-type'> = {
  id: 'changing-column-type',
  squawk: 'changing-column-type',
  what: '`ALTER COLUMN ... TYPE` on a table that existed before the migration (reported with whether the server rewrote the table)',
  why: 'it holds an ACCESS EXCLUSIVE lock until commit, and unless the change is binary-coercible the table and its indexes are rewritten under it: no reads or writes for minutes on a big table; the running app may also break on the new type',
  fix: 'add a column of the new type, write both from the app, backfill in batches, switch reads, then drop the old column',
  check(context) {
    const table = nameOf(alterTable(context.statement.stmt)?.relation)
    if (!table || !existedBefore(context, table)) return []
    const columns = alterCommands(context.statement.stmt)
      .filter((c) => c.subtype === 'AT_AlterColumnType')
      .map((c) => c.name ?? '?')
    if (columns.length === 0) return []
    const rewritten = rewriteObserved(context, table)
    const seen =
      rewritten === true
        ? `the server rewrote ${q(table)} and its indexes under an ACCESS EXCLUSIVE lock (observed)`
        : rewritten === false
          ? `no rewrite was observed (a binary-coercible change), but the ACCESS EXCLUSIVE lock on ${q(table)} is held until commit${lockClause(context, table)}`
          : `unless the change is binary-coercible it rewrites ${q(table)} and its indexes under an ACCESS EXCLUSIVE lock${lockClause(context, table)}`
    return [
      {
        relation: table,
        message: `Changing the type of ${columns.map((c) => q(`${table}.${c}`)).join(', ')}: ${seen}; no reads or writes of ${q(table)} until it commits, and the app version still running may not handle the new type.`,
        fix: 'Add a column of the new type, write both from the app, backfill in batches, switch reads to it, then drop the old column.',
      },
    ]
  },
}
