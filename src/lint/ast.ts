// Small readers of libpg-query's tree: which kind of statement a node is, the relation a statement
// works on, and how a relation in SQL matches one the server reported ('schema.name'). The tree is
// the parser's JSON: a node is an object with one key naming its type.
import type {
  AlterTableCmd,
  AlterTableStmt,
  ColumnDef,
  Constraint,
  DropStmt,
  IndexStmt,
  Node,
  RangeVar,
  RenameStmt,
  TransactionStmt,
  VariableSetStmt,
} from 'libpg-query'

/** The node's own object when it is of type `key`. */
function as<T>(node: Node | undefined, key: string): T | undefined {
  if (node === undefined || typeof node !== 'object' || !(key in node)) return undefined
  return (node as unknown as Record<string, T>)[key]
}

export const indexStmt = (n: Node | undefined) => as<IndexStmt>(n, 'IndexStmt')
export const alterTable = (n: Node | undefined) => as<AlterTableStmt>(n, 'AlterTableStmt')
export const renameStmt = (n: Node | undefined) => as<RenameStmt>(n, 'RenameStmt')
export const dropStmt = (n: Node | undefined) => as<DropStmt>(n, 'DropStmt')
export const variableSet = (n: Node | undefined) => as<VariableSetStmt>(n, 'VariableSetStmt')
export const transactionStmt = (n: Node | undefined) => as<TransactionStmt>(n, 'TransactionStmt')
export const columnDef = (n: Node | undefined) => as<ColumnDef>(n, 'ColumnDef')
export const constraint = (n: Node | undefined) => as<Constraint>(n, 'Constraint')
export const createTable = (n: Node | undefined) => as<{ relation?: RangeVar }>(n, 'CreateStmt')

/** The ALTER TABLE's subcommands (ALTER TABLE of a table only: not of an index, view or sequence). */
export function alterCommands(n: Node | undefined): AlterTableCmd[] {
  const alter = alterTable(n)
  if (!alter || (alter.objtype && alter.objtype !== 'OBJECT_TABLE')) return []
  return (alter.cmds ?? []).flatMap((c) => {
    const cmd = as<AlterTableCmd>(c, 'AlterTableCmd')
    return cmd ? [cmd] : []
  })
}

/** A column's constraints (NOT NULL, DEFAULT, REFERENCES, GENERATED ...). */
export function columnConstraints(col: ColumnDef | undefined): Constraint[] {
  return (col?.constraints ?? []).flatMap((c) => {
    const con = constraint(c)
    return con ? [con] : []
  })
}

/** A dotted name list (DROP TABLE s.t, DROP INDEX ix) as the strings it holds. */
export function nameList(n: Node): string[] {
  const list = as<{ items?: Node[] }>(n, 'List')
  return (list?.items ?? []).flatMap((i) => {
    const s = as<{ sval?: string }>(i, 'String')?.sval
    return s === undefined ? [] : [s]
  })
}

/** How a relation is written in the SQL: `schema.name`, or `name` alone. */
export function nameOf(r: RangeVar | undefined): string | undefined {
  if (!r?.relname) return undefined
  return r.schemaname ? `${r.schemaname}.${r.relname}` : r.relname
}

/**
 * Whether a relation as written in SQL (`name` or `schema.name`) is the one the server reported as
 * `schema.name`. Without a schema in the SQL, the name alone decides: the search path is the
 * session's, which the statement does not say.
 */
export function sameRelation(written: string, reported: string): boolean {
  if (written.includes('.')) return written === reported
  const dot = reported.lastIndexOf('.')
  return (dot === -1 ? reported : reported.slice(dot + 1)) === written
}

/** Every relation a statement names anywhere (its target, a referenced table, a FROM list). */
export function relationsNamed(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) relationsNamed(item, out)
  } else if (node !== null && typeof node === 'object') {
    const obj = node as Record<string, unknown>
    if (typeof obj.relname === 'string') out.add(nameOf(obj as RangeVar) as string)
    const drop = dropStmt(node as Node)
    if (drop) for (const o of drop.objects ?? []) out.add(nameList(o).join('.'))
    for (const value of Object.values(obj)) relationsNamed(value, out)
  }
  return out
}
