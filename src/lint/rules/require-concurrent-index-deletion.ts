// require-concurrent-index-deletion (Squawk's name): DROP INDEX without CONCURRENTLY. It takes an
// ACCESS EXCLUSIVE lock on the index's table: no reads or writes until commit.
import { dropStmt, nameList } from '../ast.js'
import { existedBefore, lockClause, q } from '../facts.js'
import type { Rule } from '../rule.js'
import { NO_TRANSACTION } from './require-concurrent-index-creation.js'

export const REQUIRE_CONCURRENT_INDEX_DELETION: Rule<'require-concurrent-index-deletion'> = {
  id: 'require-concurrent-index-deletion',
  squawk: 'require-concurrent-index-deletion',
  what: '`DROP INDEX` without `CONCURRENTLY` of an index that existed before the migration',
  why: "it takes an ACCESS EXCLUSIVE lock on the index's table: every query on the table, reads included, waits behind it (and behind any long query already running there)",
  fix: `\`DROP INDEX CONCURRENTLY\` ${NO_TRANSACTION}; Alembic: \`op.drop_index(..., postgresql_concurrently=True)\`; Django: \`RemoveIndexConcurrently\` (django.contrib.postgres.operations)`,
  check(context) {
    const drop = dropStmt(context.statement.stmt)
    if (!drop || drop.removeType !== 'OBJECT_INDEX' || drop.concurrent) return []
    const indexes = (drop.objects ?? []).map((o) => nameList(o).join('.')).filter((n) => existedBefore(context, n))
    if (indexes.length === 0) return []
    const names = indexes.map(q).join(', ')
    return [
      {
        relation: indexes[0],
        message: `DROP INDEX ${names} takes an ACCESS EXCLUSIVE lock on the table of ${names} until commit: every query on it, reads included, waits${lockClause(context, indexes[0] as string)}.`,
        fix: `Use DROP INDEX CONCURRENTLY ${NO_TRANSACTION}; Alembic: \`op.drop_index(..., postgresql_concurrently=True)\` inside the autocommit block; Django: \`RemoveIndexConcurrently\` (django.contrib.postgres.operations) instead of RemoveIndex.`,
      },
    ]
  },
}
