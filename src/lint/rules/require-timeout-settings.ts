// require-timeout-settings (Squawk's require-lock-timeout, narrowed to the lock that matters): a
// statement taking an ACCESS EXCLUSIVE lock on a table that existed before, with no lock_timeout set earlier in the
// step. Waiting for that lock behind one long query queues every later query on the table behind
// it: an outage without the migration doing anything. With the locks observed, only a statement
// whose table the server saw locked ACCESS EXCLUSIVE counts; reported once per step.
import type { Node } from 'libpg-query'
import { alterCommands, alterTable, constraint, dropStmt, nameList, nameOf, renameStmt, variableSet } from '../ast.js'
import { existedBefore, locksSeen, observedLock, q } from '../facts.js'
import type { Rule, RuleContext, Statement } from '../rule.js'

/** ALTER TABLE subcommands that take less than ACCESS EXCLUSIVE. */
const WEAKER = new Set(['AT_ValidateConstraint', 'AT_SetStatistics', 'AT_ClusterOn', 'AT_DropCluster'])

/** The table a statement locks ACCESS EXCLUSIVE, by what PostgreSQL documents for it. */
export function accessExclusiveTarget(stmt: Node): string | undefined {
  const alter = alterTable(stmt)
  if (alter) {
    const cmds = alterCommands(stmt)
    const strong = cmds.some(
      (c) =>
        !WEAKER.has(c.subtype ?? '') &&
        !(c.subtype === 'AT_AddConstraint' && constraint(c.def)?.contype === 'CONSTR_FOREIGN'),
    )
    return strong ? nameOf(alter.relation) : undefined
  }
  const rename = renameStmt(stmt)
  if (rename?.renameType === 'OBJECT_TABLE' || rename?.renameType === 'OBJECT_COLUMN') return nameOf(rename.relation)
  const drop = dropStmt(stmt)
  if (drop?.removeType === 'OBJECT_TABLE' && drop.objects?.[0]) return nameList(drop.objects[0]).join('.')
  if ('TruncateStmt' in stmt)
    return nameOf(stmt.TruncateStmt.relations?.map((r) => ('RangeVar' in r ? r.RangeVar : {}))[0])
  if ('LockStmt' in stmt && (stmt.LockStmt.mode ?? 8) === 8) {
    const first = stmt.LockStmt.relations?.[0]
    return first && 'RangeVar' in first ? nameOf(first.RangeVar) : undefined
  }
  return undefined
}

/** The lock_timeout an earlier statement left set: SET / SET LOCAL to a non-zero value, not reset since. */
function lockTimeoutSet(before: readonly Statement[]): boolean {
  let set = false
  for (const s of before) {
    const v = variableSet(s.stmt)
    if (v?.name !== 'lock_timeout') continue
    if (v.kind === 'VAR_SET_VALUE') {
      const arg = v.args?.[0]
      const value = arg && 'A_Const' in arg ? (arg.A_Const.sval?.sval ?? String(arg.A_Const.ival?.ival ?? 0)) : ''
      set = value.trim() !== '' && !/^0+(\s*[a-z]*)?$/i.test(value.trim())
    } else set = false
  }
  return set
}

function qualifies(context: RuleContext, statement: Statement): string | undefined {
  const table = accessExclusiveTarget(statement.stmt)
  if (!table || !existedBefore({ ...context, statement }, table)) return undefined
  if (locksSeen(context) && observedLock(context, table)?.mode !== 'AccessExclusiveLock') return undefined
  return table
}

export const REQUIRE_TIMEOUT_SETTINGS: Rule<'require-timeout-settings'> = {
  id: 'require-timeout-settings',
  squawk: 'require-lock-timeout',
  what: 'an ACCESS EXCLUSIVE lock on a table that existed before the migration, with no `lock_timeout` set earlier in the migration',
  why: 'while the statement waits for its lock behind one long-running query, every later query on the table queues behind it: an outage although the migration itself is quick',
  fix: "`SET lock_timeout = '5s'` (or `SET LOCAL`) at the start of the migration, and retry the deploy when it times out",
  check(context) {
    const table = qualifies(context, context.statement)
    if (!table || lockTimeoutSet(context.before)) return []
    // Once per step: the first statement that needs it.
    if (context.before.some((s, i) => qualifies({ ...context, before: context.before.slice(0, i) }, s))) return []
    const seen = locksSeen(context) ? ' (observed)' : ''
    return [
      {
        relation: table,
        message: `This statement takes an ACCESS EXCLUSIVE lock on ${q(table)}${seen} with no lock_timeout set: waiting for it behind one long query, it makes every later query on ${q(table)} queue behind it, an outage although the migration itself is quick.`,
        fix: "SET lock_timeout = '5s' (or SET LOCAL, inside the migration's transaction) before it, at the start of the migration, and retry the deploy when it times out.",
      },
    ]
  },
}
