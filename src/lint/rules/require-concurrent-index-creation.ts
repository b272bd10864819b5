// require-concurrent-index-creation (Squawk's name): CREATE INDEX without CONCURRENTLY on a table
// that existed before the migration. The build holds a SHARE lock: no writes for as long as it takes.
import { indexStmt, nameOf } from '../ast.js'
import { existedBefore, lockClause, q } from '../facts.js'
import type { Rule } from '../rule.js'

export const NO_TRANSACTION =
  'in a migration without a transaction (Alembic: inside `with op.get_context().autocommit_block():`; golang-migrate: a file holding that one statement; dbmate: `-- migrate:up transaction:false`; Django: a migration with `atomic = False`)'

export const REQUIRE_CONCURRENT_INDEX_CREATION: Rule<'require-concurrent-index-creation'> = {
  id: 'require-concurrent-index-creation',
  squawk: 'require-concurrent-index-creation',
  what: '`CREATE INDEX` without `CONCURRENTLY` on a table that existed before the migration',
  why: 'the build holds a SHARE lock on the table until commit: every INSERT, UPDATE and DELETE waits for as long as the build takes, minutes on a big table',
  fix: `\`CREATE INDEX CONCURRENTLY\` ${NO_TRANSACTION}; Alembic: \`op.create_index(..., postgresql_concurrently=True)\`; Django: \`AddIndexConcurrently\` (django.contrib.postgres.operations)`,
  check({ statement, ...context }) {
    const index = indexStmt(statement.stmt)
    const table = nameOf(index?.relation)
    if (!index || index.concurrent || !table || !existedBefore({ statement, ...context }, table)) return []
    const name = index.idxname ? `${q(index.idxname)} ` : ''
    return [
      {
        relation: table,
        message: `CREATE INDEX ${name}ON ${q(table)} blocks writes to ${q(table)} (SHARE lock held until commit) for as long as the build takes: minutes on a big table${lockClause({ statement, ...context }, table)}.`,
        fix: `Use CREATE INDEX CONCURRENTLY ${NO_TRANSACTION}; Alembic: \`op.create_index(..., postgresql_concurrently=True)\` inside the autocommit block; Django: \`AddIndexConcurrently\` (django.contrib.postgres.operations) instead of AddIndex.`,
      },
    ]
  },
}
