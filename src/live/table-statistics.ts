// The planner's statistics of one live table, read through the caller's read-only query function (one
// query per table): its estimated rows (pg_class.reltuples) and, per column, its type, whether it is
// NOT NULL already, and what ANALYZE saw (pg_stats: null_frac, n_distinct, the most common values
// and their frequencies, the histogram's bounds). pg_stats shows a column only to a role that may
// read it; what it does not show counts as no statistics.
import type { LiveQuery } from '../drivers/driver.js'
import type { TableRef } from './risky-statements.js'

export interface ColumnStatistics {
  type: string
  notNull: boolean
  /** Absent: ANALYZE never ran on the table, or the role may not read the column. */
  stats?: {
    nullFrac: number
    /** > 0: the number of distinct values; < 0: minus their share of the rows (-1: all distinct). */
    nDistinct: number
    mostCommon: string[]
    mostCommonFreqs: number[]
    histogram: string[]
  }
}

export interface TableStatistics {
  /** schema.table as the database names it. */
  qualified: string
  /** Estimated rows; -1 when the table was never analyzed nor vacuumed. */
  rows: number
  columns: Map<string, ColumnStatistics>
}

interface Row {
  schema: string
  name: string
  rows: number
  column: string
  type: string
  not_null: boolean
  has_stats: boolean
  null_frac: number | null
  n_distinct: number | null
  mcv: string[] | null
  mcf: number[] | null
  hist: string[] | null
}

// The table as the statement names it, looked up the way the migration's session will (search_path);
// the statistics of the table itself first (inherited = false), else those over its children.
const STATISTICS = `
SELECT n.nspname AS schema, c.relname AS name, c.reltuples::float8 AS rows,
       a.attname AS column, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
       s.attname IS NOT NULL AS has_stats, s.null_frac::float8 AS null_frac, s.n_distinct::float8 AS n_distinct,
       s.most_common_vals::text::text[] AS mcv, s.most_common_freqs::float8[] AS mcf,
       s.histogram_bounds::text::text[] AS hist
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN LATERAL (
        SELECT st.attname, st.null_frac, st.n_distinct, st.most_common_vals, st.most_common_freqs, st.histogram_bounds
          FROM pg_catalog.pg_stats st
         WHERE st.schemaname = n.nspname AND st.tablename = c.relname AND st.attname = a.attname
         ORDER BY st.inherited LIMIT 1) s ON true
 WHERE c.oid = pg_catalog.to_regclass($1)`

/** "users", "app.users", with quotes where the name needs them: the form to_regclass reads. */
export function regclassText(table: TableRef): string {
  const q = (name: string) => (/^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`)
  return table.schema ? `${q(table.schema)}.${q(table.name)}` : q(table.name)
}

/** Null when the live database has no such table (a pending migration creates it). */
export async function readTableStatistics(query: LiveQuery, table: TableRef): Promise<TableStatistics | null> {
  const rows = await query<Row>(STATISTICS, [regclassText(table)])
  const first = rows[0]
  if (!first) return null
  const columns = new Map<string, ColumnStatistics>()
  for (const r of rows) {
    columns.set(r.column, {
      type: r.type,
      notNull: r.not_null,
      ...(r.has_stats
        ? {
            stats: {
              nullFrac: r.null_frac ?? 0,
              nDistinct: r.n_distinct ?? 0,
              mostCommon: r.mcv ?? [],
              mostCommonFreqs: (r.mcf ?? []).map(Number),
              histogram: r.hist ?? [],
            },
          }
        : {}),
    })
  }
  return { qualified: `${first.schema}.${first.name}`, rows: Number(first.rows), columns }
}
