// disallowed-unique-constraint (Squawk's name): ADD CONSTRAINT ... UNIQUE on a table that existed
// before, without USING INDEX: the unique index is built while the ALTER TABLE's ACCESS EXCLUSIVE
// lock is held.
import { alterCommands, alterTable, constraint, nameOf } from '../ast.js'
import { existedBefore, lockClause, q } from '../facts.js'
import type { Rule } from '../rule.js'

export const DISALLOWED_UNIQUE_CONSTRAINT: Rule<'disallowed-unique-constraint'> = {
  id: 'disallowed-unique-constraint',
  squawk: 'disallowed-unique-constraint',
  what: '`ADD CONSTRAINT ... UNIQUE` without `USING INDEX` on a table that existed before the migration',
  why: 'the unique index is built while the ALTER TABLE holds an ACCESS EXCLUSIVE lock: no reads or writes of the table for as long as the build takes',
  fix: '`CREATE UNIQUE INDEX CONCURRENTLY` first (in a migration without a transaction), then `ADD CONSTRAINT ... UNIQUE USING INDEX`, which only takes over the index',
  check(context) {
    const table = nameOf(alterTable(context.statement.stmt)?.relation)
    if (!table || !existedBefore(context, table)) return []
    return alterCommands(context.statement.stmt).flatMap((cmd) => {
      const con = constraint(cmd.def)
      if (cmd.subtype !== 'AT_AddConstraint' || con?.contype !== 'CONSTR_UNIQUE' || con.indexname) return []
      const name = con.conname ? `${q(con.conname)} ` : ''
      return [
        {
          relation: table,
          message: `ADD CONSTRAINT ${name}UNIQUE on ${q(table)} builds its index under an ACCESS EXCLUSIVE lock: no reads or writes of ${q(table)} for as long as the build takes${lockClause(context, table)}.`,
          fix: 'CREATE UNIQUE INDEX CONCURRENTLY first (in a migration without a transaction), then ADD CONSTRAINT ... UNIQUE USING INDEX, which takes the index over at once.',
        },
      ]
    })
  },
}
