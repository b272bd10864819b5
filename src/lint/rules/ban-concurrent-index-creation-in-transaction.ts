// ban-concurrent-index-creation-in-transaction (Squawk's name): CREATE INDEX CONCURRENTLY (or DROP
// INDEX CONCURRENTLY) inside a transaction block fails: "cannot run inside a transaction block".
// Seen from the statements (an explicit BEGIN before it, or several statements sent in one text,
// which PostgreSQL runs as one implicit transaction), or from the step failing at it.
import { dropStmt, indexStmt, transactionStmt } from '../ast.js'
import type { RuleContext, Rule } from '../rule.js'
import { NO_TRANSACTION } from './require-concurrent-index-creation.js'

/** Whether an explicit BEGIN among the statements before is still open. */
function openTransaction(context: RuleContext): boolean {
  let open = false
  for (const s of context.before) {
    const kind = transactionStmt(s.stmt)?.kind
    if (kind === 'TRANS_STMT_BEGIN' || kind === 'TRANS_STMT_START') open = true
    if (kind === 'TRANS_STMT_COMMIT' || kind === 'TRANS_STMT_ROLLBACK') open = false
  }
  return open
}

export const BAN_CONCURRENT_INDEX_CREATION_IN_TRANSACTION: Rule<'ban-concurrent-index-creation-in-transaction'> = {
  id: 'ban-concurrent-index-creation-in-transaction',
  squawk: 'ban-concurrent-index-creation-in-transaction',
  what: '`CREATE INDEX CONCURRENTLY` (or `DROP INDEX CONCURRENTLY`) inside a transaction',
  why: 'PostgreSQL refuses it ("cannot run inside a transaction block"): the migration fails on every database it is run on',
  fix: `run it ${NO_TRANSACTION}`,
  check(context) {
    const { statement } = context
    const concurrent = indexStmt(statement.stmt)?.concurrent || dropStmt(statement.stmt)?.concurrent
    if (!concurrent) return []
    const failedHere = context.error !== undefined && context.after.length === 0
    const why = failedHere
      ? `the step failed at it: ${context.error}`
      : openTransaction(context)
        ? 'an explicit BEGIN earlier in the step is still open'
        : statement.multi
          ? 'it was sent in one text with other statements, which PostgreSQL runs as one implicit transaction'
          : undefined
    if (why === undefined) return []
    return [
      {
        message: `${indexStmt(statement.stmt) ? 'CREATE' : 'DROP'} INDEX CONCURRENTLY cannot run inside a transaction block and fails on every database (${why}).`,
        fix: `Run it ${NO_TRANSACTION}.`,
      },
    ]
  },
}
