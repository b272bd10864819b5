// constraint-missing-not-valid (Squawk's name): ADD CONSTRAINT ... CHECK without NOT VALID on a
// table that existed before (the scan of every row happens under the ALTER TABLE's ACCESS EXCLUSIVE
// lock), and VALIDATE CONSTRAINT in the same transaction as the NOT VALID that was meant to avoid
// it. Foreign keys without NOT VALID are adding-foreign-key-constraint's, so one statement is
// reported once.
import { alterCommands, alterTable, constraint, nameOf } from '../ast.js'
import { existedBefore, lockClause, q } from '../facts.js'
import type { Hit, Rule, RuleContext } from '../rule.js'

/** Constraints added NOT VALID by the statements before, by name. */
function addedNotValid(context: RuleContext): Set<string> {
  const names = new Set<string>()
  for (const s of context.before) {
    for (const cmd of alterCommands(s.stmt)) {
      const con = constraint(cmd.def)
      if (cmd.subtype === 'AT_AddConstraint' && con?.skip_validation && con.conname) names.add(con.conname)
    }
  }
  return names
}

export const CONSTRAINT_MISSING_NOT_VALID: Rule<'constraint-missing-not-valid'> = {
  id: 'constraint-missing-not-valid',
  squawk: 'constraint-missing-not-valid',
  what: '`ADD CONSTRAINT ... CHECK` without `NOT VALID` on a table that existed before the migration, or `VALIDATE CONSTRAINT` in the same transaction that added it `NOT VALID`',
  why: 'every row is scanned while the ALTER TABLE holds its ACCESS EXCLUSIVE lock: no reads or writes of the table for as long as the scan takes',
  fix: 'add it `NOT VALID` (existing rows are not checked, new ones are), then `VALIDATE CONSTRAINT` in a later migration or transaction: validation takes only a SHARE UPDATE EXCLUSIVE lock',
  check(context) {
    const table = nameOf(alterTable(context.statement.stmt)?.relation)
    if (!table || !existedBefore(context, table)) return []
    const earlier = addedNotValid(context)
    return alterCommands(context.statement.stmt).flatMap((cmd): Hit[] => {
      const con = constraint(cmd.def)
      if (cmd.subtype === 'AT_AddConstraint' && con?.contype === 'CONSTR_CHECK' && !con.skip_validation) {
        const name = con.conname ? `${q(con.conname)} ` : ''
        return [
          {
            relation: table,
            message: `ADD CONSTRAINT ${name}CHECK on ${q(table)} scans every row while holding an ACCESS EXCLUSIVE lock: no reads or writes of ${q(table)} until the scan and the migration finish${lockClause(context, table)}.`,
            fix: 'Add it NOT VALID (new rows are checked at once), then VALIDATE CONSTRAINT in a later migration or transaction, which takes only a SHARE UPDATE EXCLUSIVE lock.',
          },
        ]
      }
      if (cmd.subtype === 'AT_ValidateConstraint' && cmd.name && earlier.has(cmd.name)) {
        return [
          {
            relation: table,
            message: `VALIDATE CONSTRAINT ${q(cmd.name)} runs in the same transaction that added it NOT VALID: the scan happens while the ADD's ACCESS EXCLUSIVE lock on ${q(table)} is still held, which NOT VALID was meant to avoid.`,
            fix: 'Move VALIDATE CONSTRAINT to a later migration (or, in a migration without a transaction, after a COMMIT).',
          },
        ]
      }
      return []
    })
  },
}
