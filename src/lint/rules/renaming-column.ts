// renaming-column (Squawk's name): RENAME COLUMN on a table that existed before. The app version
// still running during the deploy keeps querying the old name and fails until it is replaced.
import { nameOf, renameStmt } from '../ast.js'
import { existedBefore, q } from '../facts.js'
import type { Rule } from '../rule.js'

export const RENAMING_COLUMN: Rule<'renaming-column'> = {
  id: 'renaming-column',
  squawk: 'renaming-column',
  what: '`RENAME COLUMN` on a table that existed before the migration',
  why: 'the version of the app still running during the deploy queries the old name and fails until every instance is replaced',
  fix: 'add the new column, write both, backfill, move reads, and drop the old column in a later release (or keep the old name in the database and rename only in the model)',
  check(context) {
    const rename = renameStmt(context.statement.stmt)
    const table = nameOf(rename?.relation)
    if (rename?.renameType !== 'OBJECT_COLUMN' || !table || !existedBefore(context, table)) return []
    return [
      {
        relation: table,
        message: `Renaming ${q(`${table}.${rename.subname ?? '?'}`)} to ${q(rename.newname ?? '?')} breaks the app version still running during the deploy: its queries name ${q(rename.subname ?? '?')} and fail until every instance is replaced.`,
        fix: 'Add the new column, write both from the app, backfill, move reads, and drop the old one in a later release; or keep the column name in the database and rename only the model attribute.',
      },
    ]
  },
}
