// adding-required-field (Squawk's name): ADD COLUMN ... NOT NULL without a default on a table that
// existed before. It passes on the empty scratch database and fails on a table with rows.
import { alterCommands, alterTable, columnConstraints, columnDef, nameOf } from '../ast.js'
import { existedBefore, q } from '../facts.js'
import type { Rule } from '../rule.js'

export const ADDING_REQUIRED_FIELD: Rule<'adding-required-field'> = {
  id: 'adding-required-field',
  squawk: 'adding-required-field',
  what: '`ADD COLUMN ... NOT NULL` without a default on a table that existed before the migration',
  why: 'the existing rows have no value for it: the migration fails on any table with rows ("column contains null values"), although it passed on the empty scratch database',
  fix: 'add the column nullable, backfill it, then `SET NOT NULL` (after a `CHECK (col IS NOT NULL) NOT VALID` constraint is validated, so the scan holds no ACCESS EXCLUSIVE lock); or give it a constant default',
  check(context) {
    const table = nameOf(alterTable(context.statement.stmt)?.relation)
    if (!table || !existedBefore(context, table)) return []
    return alterCommands(context.statement.stmt).flatMap((cmd) => {
      if (cmd.subtype !== 'AT_AddColumn') return []
      const col = columnDef(cmd.def)
      const kinds = columnConstraints(col).map((c) => c.contype)
      const notNull = kinds.includes('CONSTR_NOTNULL') || kinds.includes('CONSTR_PRIMARY')
      // A default, an identity or a generated column gives every existing row a value.
      const filled = ['CONSTR_DEFAULT', 'CONSTR_IDENTITY', 'CONSTR_GENERATED'].some((k) => kinds.includes(k as never))
      if (!notNull || filled) return []
      const column = col?.colname ?? '?'
      return [
        {
          relation: table,
          message: `ADD COLUMN ${q(column)} NOT NULL without a default fails on ${q(table)} as soon as it has a row ("column contains null values"): it passed here only because the scratch table is empty.`,
          fix: `Add ${q(column)} nullable, backfill it, then SET NOT NULL (validate a CHECK (${column} IS NOT NULL) NOT VALID constraint first so the scan holds no ACCESS EXCLUSIVE lock); or give it a constant DEFAULT.`,
        },
      ]
    })
  },
}
