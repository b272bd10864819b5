// mode live, data risks from statistics (issue 14, item 7): for each pending migration's SQL, the
// statements existing rows can make fail (risky-statements.ts), judged against the live tables'
// planner statistics (table-statistics.ts, cast-probe.ts), read through the caller's read-only query
// function: NULLs under SET NOT NULL, rows under a new NOT NULL column without a default, duplicates
// under a unique index, values that will not convert under a type change. Each is a
// `pending-data-risk` warning with the estimate. Where the statistics cannot tell (never analyzed, an
// expression index, a USING expression), a note says so: never a silent pass.
import type { LiveQuery } from '../drivers/driver.js'
import { clipMiddle } from '../clip.js'
import {
  duplicatesBlockUnique,
  nullsBlockNotNull,
  rowsBlockNotNullColumn,
  valuesBlockType,
} from '../findings/pending-data-risk.js'
import type { Place } from '../findings/entry.js'
import type { Finding } from '../report.js'
import { castFailures, castPlan } from './cast-probe.js'
import { riskyStatements, type RiskyStatement, type TableRef } from './risky-statements.js'
import { readTableStatistics, type ColumnStatistics, type TableStatistics } from './table-statistics.js'

/** A pending revision and the SQL it will run (pending-sql.ts); one without SQL is passed over. */
export interface PendingSqlInput {
  revision: string
  file: string
  line: number
  sql?: string
}

export interface DataRisks {
  findings: Finding[]
  notes: string[]
}

/** Statements that change rows before a risky one: an UPDATE of the column, a DELETE from the table. */
type Preparation = Extract<RiskyStatement, { kind: 'update' | 'delete' }> & { revision: string }

export async function pendingDataRisks(pending: PendingSqlInput[], query: LiveQuery): Promise<DataRisks> {
  const findings: Finding[] = []
  const notes: string[] = []
  const tables = new Map<string, Promise<TableStatistics | null>>()
  const statisticsOf = (table: TableRef) => {
    const key = tableName(table)
    if (!tables.has(key)) tables.set(key, readTableStatistics(query, table))
    return tables.get(key) as Promise<TableStatistics | null>
  }
  // Tables a pending migration creates are new (no rows yet): their statements are not judged.
  const prepared: Preparation[] = []
  for (const p of pending) {
    if (p.sql === undefined) continue
    const place: Place = { revision: p.revision, file: p.file, line: p.line }
    for (const s of riskyStatements(p.sql)) {
      if (s.kind === 'update' || s.kind === 'delete') {
        prepared.push({ ...s, revision: p.revision })
        continue
      }
      const stats = await statisticsOf(s.table)
      if (!stats) continue
      const judged = await judge(s, stats, query, place)
      if (!judged) continue
      if ('note' in judged) {
        notes.push(`${judged.note} (\`${shortStatement(s.text)}\` in ${p.revision})`)
        continue
      }
      // An UPDATE or DELETE before it may have prepared the rows: the statistics predate it.
      const before = preparedBy(prepared, s)
      if (before) {
        notes.push(
          `${judged.finding.message} A ${before.kind === 'update' ? 'preceding UPDATE' : 'preceding DELETE'} (\`${shortStatement(before.text)}\` in ${before.revision}) may fix them first; the statistics cannot tell.`,
        )
        continue
      }
      findings.push(judged.finding)
    }
  }
  return { findings, notes }
}

type Judgement = { finding: Finding } | { note: string } | null

async function judge(s: RiskyStatement, table: TableStatistics, query: LiveQuery, place: Place): Promise<Judgement> {
  const statement = shortStatement(s.text)
  const written = tableName(s.table)
  // An empty table cannot fail any of these; reltuples is 0 only once ANALYZE or VACUUM counted it.
  if (table.rows === 0) return null
  if (s.kind === 'add-not-null') {
    // A column the live database has already: live-drift's to say, not a data risk.
    if (table.columns.has(s.column)) return null
    if (table.rows < 0) return { note: noStatistics(written) }
    return {
      finding: rowsBlockNotNullColumn(
        { statement, column: `${written}.${s.column}`, rows: table.rows, table: written },
        place,
      ),
    }
  }
  if (s.kind === 'set-not-null') {
    const column = table.columns.get(s.column)
    if (!column || column.notNull) return null
    const stats = readable(column, table)
    if (!stats) return { note: noStatistics(`${written}.${s.column}`) }
    if (stats.nullFrac <= 0) return null
    return {
      finding: nullsBlockNotNull(
        {
          statement,
          column: `${written}.${s.column}`,
          nulls: Math.max(1, stats.nullFrac * table.rows),
          rows: table.rows,
          nullFrac: stats.nullFrac,
          table: written,
          columnName: s.column,
        },
        place,
      ),
    }
  }
  if (s.kind === 'unique') return judgeUnique(s, table, statement, written, place)
  if (s.kind === 'type') {
    const column = table.columns.get(s.column)
    if (!column) return null
    const stats = readable(column, table)
    if (!stats) return { note: noStatistics(`${written}.${s.column}`) }
    const plan = castPlan(s.column, s.type, s.using)
    if ('cannot' in plan)
      return { note: `whether the values of ${written}.${s.column} convert cannot be told: ${plan.cannot}` }
    let failures
    try {
      failures = await castFailures(query, column.type, plan.casts, stats)
    } catch (error) {
      const code = (error as { code?: unknown }).code
      if (typeof code !== 'string' || !/^42/.test(code)) throw error
      // A type the pending migrations create, or no cast between the two: the conversion cannot be
      // tried on the live database (the prediction on the schema copy meets the latter).
      return {
        note: `whether the values of ${written}.${s.column} convert to ${s.type} cannot be told on the live database: ${(error as Error).message}`,
      }
    }
    if (!failures) return null
    return {
      finding: valuesBlockType(
        {
          statement,
          column: `${written}.${s.column}`,
          type: s.type,
          values: failures.values.slice(0, 5).map((v) => `'${clipMiddle(v, 100)}'`),
          ...(failures.fraction > 0 ? { fraction: failures.fraction } : {}),
          rows: table.rows,
          table: written,
          columnName: s.column,
        },
        place,
      ),
    }
  }
  return null
}

function judgeUnique(
  s: Extract<RiskyStatement, { kind: 'unique' }>,
  table: TableStatistics,
  statement: string,
  written: string,
  place: Place,
): Judgement {
  const what = s.columns ? `(${s.columns.join(', ')})` : 'its expression'
  if (!s.columns || s.partial) {
    return {
      note: `whether ${written} ${what} holds duplicates cannot be told from column statistics (${s.partial ? 'a partial index' : 'an expression index'}); check with a GROUP BY ... HAVING count(*) > 1 query`,
    }
  }
  const columns = s.columns.map((c) => [c, table.columns.get(c)] as const)
  // A column the live database lacks is made by a pending migration: its values cannot be told.
  if (columns.some(([, c]) => !c)) return null
  const stats = columns.map(([name, c]) => [name, readable(c as ColumnStatistics, table)] as const)
  const missing = stats.find(([, st]) => !st)
  if (missing) return { note: noStatistics(`${written}.${missing[0]}`) }
  const estimates = stats.map(([name, st]) => ({ name, ...duplicatesOf(st!, table.rows), st: st! }))
  // One column without duplicates makes every combination unique.
  if (estimates.some((e) => e.duplicates < 1)) return null
  if (estimates.length > 1) {
    return {
      note: `whether ${written} (${s.columns.join(', ')}) holds duplicate combinations cannot be told: pg_stats sees one column at a time, and each repeats values; check with \`SELECT ${s.columns.join(', ')}, count(*) FROM ${written} GROUP BY ${s.columns.map((_, i) => i + 1).join(', ')} HAVING count(*) > 1\``,
    }
  }
  const e = estimates[0]!
  return {
    finding: duplicatesBlockUnique(
      {
        statement,
        column: `${written}.${e.name}`,
        duplicates: e.duplicates,
        rows: e.nonNull,
        distinct: e.distinct,
        common: e.st.mostCommon
          .slice(0, 3)
          .map((v, i) => `'${clipMiddle(v, 100)}' (${((e.st.mostCommonFreqs[i] ?? 0) * 100).toFixed(1)}%)`),
        table: written,
        columnName: e.name,
      },
      place,
    ),
  }
}

/**
 * Rows beyond the first of each value, among the non-NULL ones. n_distinct < 0 is minus the share of
 * rows that are distinct; ANALYZE writes exactly -(1 - null_frac) when its sample repeats no value.
 */
function duplicatesOf(
  st: NonNullable<ColumnStatistics['stats']>,
  rows: number,
): { duplicates: number; nonNull: number; distinct: number } {
  const nonNull = rows * (1 - st.nullFrac)
  const distinct = Math.min(nonNull, st.nDistinct < 0 ? -st.nDistinct * rows : st.nDistinct)
  const duplicates = Math.round(nonNull - distinct)
  return { duplicates, nonNull, distinct }
}

/** The column's statistics, where the table was analyzed and the role may read them. */
function readable(column: ColumnStatistics, table: TableStatistics): ColumnStatistics['stats'] | undefined {
  return table.rows < 0 ? undefined : column.stats
}

function noStatistics(what: string): string {
  return `no statistics for ${what}: run ANALYZE or accept the risk`
}

/** The UPDATE or DELETE on the same table before `s` that may change what the statistics show. */
function preparedBy(prepared: Preparation[], s: RiskyStatement): Preparation | undefined {
  const key = tableName(s.table)
  const column = 'column' in s ? s.column : undefined
  return [...prepared]
    .reverse()
    .find(
      (p) =>
        tableName(p.table) === key &&
        (p.kind === 'delete' ? s.kind === 'unique' : column === undefined || p.columns.includes(column)),
    )
}

function tableName(t: TableRef): string {
  return t.schema ? `${t.schema}.${t.name}` : t.name
}

/** The statement on one line, short enough for a message. */
function shortStatement(text: string): string {
  return clipMiddle(text.replace(/\s+/g, ' ').trim(), 160)
}
