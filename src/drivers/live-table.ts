// Reading a tool's version table on the live database, shared by the drivers' readLiveState: does the
// table exist (to_regclass, which takes no lock and needs no privilege on the table), under which
// schema, and its rows. The caller's reader runs each query read-only.
import type { LiveReader } from './driver.js'

/** "x" -> "\"x\"": an identifier as SQL text. */
export const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`

export interface VersionTable {
  /** Where the tool keeps it; no schema: the first schema of the search_path that has it. */
  schema?: string
  table: string
}

/** The table as configured, for messages: schema.table or table. */
export const tableName = (t: VersionTable): string => (t.schema ? `${t.schema}.${t.table}` : t.table)

/**
 * The table's rows (the given columns, as text), or null when there is no such table. `order` is the
 * SQL after ORDER BY, if the rows have one.
 */
export async function readVersionTable(
  reader: LiveReader,
  where: VersionTable,
  columns: string[],
  order?: string,
): Promise<{ name: string; rows: Array<Record<string, string | null>> } | null> {
  const qualified = where.schema ? `${quoteIdent(where.schema)}.${quoteIdent(where.table)}` : quoteIdent(where.table)
  const [found] = await reader.query<{ schema: string; name: string; regclass: string }>(
    `SELECT n.nspname AS schema, c.relname AS name, c.oid::regclass::text AS regclass
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.oid = pg_catalog.to_regclass($1)`,
    [qualified],
  )
  if (!found) return null
  const list = columns.map((c) => `${quoteIdent(c)}::text AS ${quoteIdent(c)}`).join(', ')
  // regclass::text is the table's name quoted as SQL needs it (schema-qualified where the search_path would not find it).
  const rows = await reader.query<Record<string, string | null>>(
    `SELECT ${list} FROM ${found.regclass}${order ? ` ORDER BY ${order}` : ''}`,
  )
  return { name: `${found.schema}.${found.name}`, rows }
}
