// renaming-table (Squawk's name): ALTER TABLE ... RENAME TO on a table that existed before. The app
// version still running during the deploy keeps querying the old name and fails.
import { nameOf, renameStmt } from '../ast.js'
import { existedBefore, q } from '../facts.js'
import type { Rule } from '../rule.js'

export const RENAMING_TABLE: Rule<'renaming-table'> = {
  id: 'renaming-table',
  squawk: 'renaming-table',
  what: '`ALTER TABLE ... RENAME TO` of a table that existed before the migration',
  why: 'the version of the app still running during the deploy queries the old name and fails until every instance is replaced',
  fix: 'rename in two releases: create a view under the old name (or the new one) so both versions work, then drop it once the old version is gone; or rename only the model',
  check(context) {
    const rename = renameStmt(context.statement.stmt)
    const table = nameOf(rename?.relation)
    if (rename?.renameType !== 'OBJECT_TABLE' || !table || !existedBefore(context, table)) return []
    return [
      {
        relation: table,
        message: `Renaming ${q(table)} to ${q(rename.newname ?? '?')} breaks the app version still running during the deploy: its queries name ${q(table)} and fail until every instance is replaced.`,
        fix: 'Rename in two releases with a view under the other name so both app versions work meanwhile; or keep the table name and rename only the model.',
      },
    ]
  },
}
