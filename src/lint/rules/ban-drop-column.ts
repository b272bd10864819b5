// ban-drop-column (Squawk's name): DROP COLUMN on a table that existed before. Its data is gone,
// and a downgrade brings the column back empty. A notice by default: a drop is usually the point of
// the migration, and a column the models still declare is model-drift's error already.
import { alterCommands, alterTable, nameOf } from '../ast.js'
import { existedBefore, q } from '../facts.js'
import type { Rule } from '../rule.js'

export const BAN_DROP_COLUMN: Rule<'ban-drop-column'> = {
  id: 'ban-drop-column',
  squawk: 'ban-drop-column',
  what: '`DROP COLUMN` on a table that existed before the migration (a notice: usually deliberate)',
  why: "the column's data is lost (a downgrade brings the column back empty), and the app version still running during the deploy fails if it still reads or writes it",
  fix: 'stop using the column in a release first (remove it from the model: model-drift reports a column the models still declare), then drop it',
  usual: 'notice',
  check(context) {
    const table = nameOf(alterTable(context.statement.stmt)?.relation)
    if (!table || !existedBefore(context, table)) return []
    const columns = alterCommands(context.statement.stmt)
      .filter((c) => c.subtype === 'AT_DropColumn')
      .map((c) => c.name ?? '?')
    if (columns.length === 0) return []
    const names = columns.map((c) => q(`${table}.${c}`)).join(', ')
    return [
      {
        relation: table,
        message: `Dropping ${names} loses its data for good (a downgrade brings it back empty), and the app version still running during the deploy fails if it still uses it.`,
        fix: 'Make sure a released app version no longer reads or writes it (the model no longer declares it) before dropping it; keep a backup if the data may be needed.',
      },
    ]
  },
}
