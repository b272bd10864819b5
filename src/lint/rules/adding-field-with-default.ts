// adding-field-with-default (Squawk's name): ADD COLUMN with a default the server cannot store once
// for all rows (a volatile one: random(), clock_timestamp(), gen_random_uuid(), nextval()), or a
// STORED generated column: PostgreSQL rewrites the whole table under an ACCESS EXCLUSIVE lock. A
// constant default (PostgreSQL 11+) is only recorded in the catalog. Whether the server rewrote the
// table is what the observation says; without it, any default that is not a plain constant counts.
import type { Node } from 'libpg-query'
import { alterCommands, alterTable, columnConstraints, columnDef, nameOf } from '../ast.js'
import { existedBefore, lockClause, q, rewriteObserved } from '../facts.js'
import type { Rule } from '../rule.js'

/**
 * Functions PostgreSQL marks stable, not volatile, that defaults commonly use: a default calling one
 * is evaluated once when the column is added, no rewrite. (clock_timestamp() is volatile.)
 */
const STABLE = new Set(['now', 'transaction_timestamp', 'statement_timestamp'])

/**
 * A default that is no rewrite whatever the server: a literal, possibly cast ('x'::text, 0, true,
 * NULL), CURRENT_TIMESTAMP and its kin, or a stable function of STABLE. Anything else may be volatile:
 * without an observation it counts; with one, the observed rewrite decides.
 */
function constant(expr: Node | undefined): boolean {
  if (!expr) return true
  if ('A_Const' in expr || 'SQLValueFunction' in expr) return true
  if ('TypeCast' in expr) return constant(expr.TypeCast.arg)
  if ('FuncCall' in expr) {
    const name = expr.FuncCall.funcname?.at(-1)
    const fn = name && 'String' in name ? name.String.sval : undefined
    return fn !== undefined && STABLE.has(fn) && (expr.FuncCall.args ?? []).length === 0
  }
  return false
}

export const ADDING_FIELD_WITH_DEFAULT: Rule<'adding-field-with-default'> = {
  id: 'adding-field-with-default',
  squawk: 'adding-field-with-default',
  what: '`ADD COLUMN` with a volatile default (or a `STORED` generated column) on a table that existed before the migration: the server rewrote the table',
  why: 'every row is rewritten under an ACCESS EXCLUSIVE lock: no reads or writes of the table until the rewrite commits, minutes on a big table (a constant default is only recorded in the catalog)',
  fix: 'add the column without a default (or with a constant one), backfill it in batches, then `SET DEFAULT` for new rows',
  check(context) {
    const table = nameOf(alterTable(context.statement.stmt)?.relation)
    if (!table || !existedBefore(context, table)) return []
    const rewritten = rewriteObserved(context, table)
    return alterCommands(context.statement.stmt).flatMap((cmd) => {
      if (cmd.subtype !== 'AT_AddColumn') return []
      const col = columnDef(cmd.def)
      const cons = columnConstraints(col)
      const stored = cons.some((c) => c.contype === 'CONSTR_GENERATED')
      const fallback = cons.find((c) => c.contype === 'CONSTR_DEFAULT' && !constant(c.raw_expr))
      if (!stored && !fallback) return []
      // The server's word wins: a default it could store once (now()) is no rewrite.
      if (rewritten === false) return []
      const column = q(col?.colname ?? '?')
      const seen =
        rewritten === true
          ? `the server rewrote ${q(table)} (observed)`
          : `a default that is not a constant may rewrite ${q(table)}${lockClause(context, table)}`
      return [
        {
          relation: table,
          message: `ADD COLUMN ${column} with ${stored ? 'a STORED generated value' : 'a volatile default'}: ${seen}, every row under an ACCESS EXCLUSIVE lock, so no reads or writes of ${q(table)} until it commits, minutes on a big table.`,
          fix: `Add ${column} without a default (or with a constant one), backfill it in batches, then SET DEFAULT for new rows.`,
        },
      ]
    })
  },
}
