// ban-drop-table (Squawk's name): DROP TABLE of a table that existed before. Its rows are gone. A
// notice by default: a drop is usually the point of the migration, and a table the models still
// declare is model-drift's error already.
import { dropStmt, nameList } from '../ast.js'
import { existedBefore, q } from '../facts.js'
import type { Rule } from '../rule.js'

export const BAN_DROP_TABLE: Rule<'ban-drop-table'> = {
  id: 'ban-drop-table',
  squawk: 'ban-drop-table',
  what: '`DROP TABLE` of a table that existed before the migration (a notice: usually deliberate)',
  why: 'its rows are lost (a downgrade brings the table back empty), and the app version still running during the deploy fails if it still uses it',
  fix: 'stop using the table in a release first (remove it from the models: model-drift reports a table the models still declare), then drop it',
  usual: 'notice',
  check(context) {
    const drop = dropStmt(context.statement.stmt)
    if (drop?.removeType !== 'OBJECT_TABLE') return []
    const tables = (drop.objects ?? []).map((o) => nameList(o).join('.')).filter((t) => existedBefore(context, t))
    if (tables.length === 0) return []
    const names = tables.map(q).join(', ')
    return [
      {
        relation: tables[0],
        message: `Dropping ${names} loses every row for good (a downgrade brings it back empty), and the app version still running during the deploy fails if it still uses it.`,
        fix: 'Make sure a released app version no longer uses it (the models no longer declare it) before dropping it; keep a backup if the data may be needed.',
      },
    ]
  },
}
