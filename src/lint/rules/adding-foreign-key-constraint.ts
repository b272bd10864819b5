// adding-foreign-key-constraint (Squawk's name): a foreign key added without NOT VALID to a table
// that existed before. Both tables are locked (SHARE ROW EXCLUSIVE: no writes) while every row of
// the referencing table is checked against the referenced one.
import { alterCommands, alterTable, constraint, nameOf } from '../ast.js'
import { existedBefore, lockClause, q } from '../facts.js'
import type { Rule } from '../rule.js'

export const ADDING_FOREIGN_KEY_CONSTRAINT: Rule<'adding-foreign-key-constraint'> = {
  id: 'adding-foreign-key-constraint',
  squawk: 'adding-foreign-key-constraint',
  what: 'a foreign key added without `NOT VALID` to a table that existed before the migration',
  why: 'every existing row is checked against the referenced table while both are locked against writes (SHARE ROW EXCLUSIVE) until commit',
  fix: 'add it `NOT VALID`, then `VALIDATE CONSTRAINT` in a later migration: validation takes only a SHARE UPDATE EXCLUSIVE lock on the table and a ROW SHARE lock on the referenced one',
  check(context) {
    const table = nameOf(alterTable(context.statement.stmt)?.relation)
    if (!table || !existedBefore(context, table)) return []
    return alterCommands(context.statement.stmt).flatMap((cmd) => {
      const con = constraint(cmd.def)
      if (cmd.subtype !== 'AT_AddConstraint' || con?.contype !== 'CONSTR_FOREIGN' || con.skip_validation) return []
      const target = nameOf(con.pktable) ?? '?'
      const name = con.conname ? `${q(con.conname)} ` : ''
      return [
        {
          relation: table,
          message: `Foreign key ${name}from ${q(table)} to ${q(target)} without NOT VALID checks every row of ${q(table)} while writes to both tables are blocked until commit${lockClause(context, table)}.`,
          fix: 'Add it NOT VALID (Alembic: `op.create_foreign_key(..., postgresql_not_valid=True)`), then VALIDATE CONSTRAINT in a later migration, which blocks no writes.',
        },
      ]
    })
  },
}
