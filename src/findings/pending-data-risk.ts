// pending-data-risk: a pending migration's statement that the rows already in the live database will
// make fail (or that will fail on them): SET NOT NULL over NULLs, a NOT NULL column added without a
// default to a table with rows, a unique constraint or index over duplicates, a type change over
// values that do not cast. Told from the planner's statistics, read only: an estimate, never a count,
// and each message says so.
import { build, type FindingEntry, type Place } from './entry.js'
import type { Finding } from '../report.js'

export const PENDING_DATA_RISK: FindingEntry<'pending-data-risk'> = {
  id: 'pending-data-risk',
  severity: 'warning',
  checked: 'live',
  happened:
    "a pending migration sets NOT NULL, adds a unique constraint or changes a type where the live database's statistics show NULLs, duplicates or values that will not cast (an estimate from `pg_stats`)",
  seen: 'a deploy that stops half way: `column "..." contains null values`, `could not create unique index`, `invalid input syntax for type`',
}

/** Where the estimate comes from, said in every message. */
const ESTIMATE = 'an estimate from the planner statistics (pg_stats, as of the last ANALYZE), not a count'

interface Common {
  /** The statement as the migration has it, shortened. */
  statement: string
  /** schema.table.column as messages name it ("users.email"). */
  column: string
}

/** "12,345" */
const n = (value: number) => Math.round(value).toLocaleString('en-US')
const pct = (fraction: number) => `${(fraction * 100).toFixed(fraction < 0.01 ? 2 : 1)}%`

export function nullsBlockNotNull(
  facts: Common & { nulls: number; rows: number; nullFrac: number; table: string; columnName: string },
  place: Place,
): Finding {
  return build(
    PENDING_DATA_RISK,
    {
      message: `\`${facts.statement}\` will fail on the live database: about ${n(facts.nulls)} of its ~${n(facts.rows)} rows (${pct(facts.nullFrac)}) hold NULL in ${facts.column} (${ESTIMATE}), and the deploy stops at this migration.`,
      fix: `fill the NULLs in the migration before it sets NOT NULL (\`UPDATE ${facts.table} SET ${facts.columnName} = ... WHERE ${facts.columnName} IS NULL\`), or give the column a default; count them with \`SELECT count(*) FROM ${facts.table} WHERE ${facts.columnName} IS NULL\`.`,
    },
    place,
  )
}

export function rowsBlockNotNullColumn(facts: Common & { rows: number; table: string }, place: Place): Finding {
  return build(
    PENDING_DATA_RISK,
    {
      message: `\`${facts.statement}\` will fail on the live database: ${facts.table} has about ${n(facts.rows)} rows (${ESTIMATE}), and the new NOT NULL column ${facts.column} has no default to fill them with, so the deploy stops at this migration.`,
      fix: 'give the column a server default, or add it nullable, fill it, then set NOT NULL in a later step.',
    },
    place,
  )
}

export function duplicatesBlockUnique(
  facts: Common & {
    duplicates: number
    rows: number
    distinct: number
    /** The most common values with their share of rows, as the statistics keep them: "'bob' (3.1%)". */
    common: string[]
    table: string
    columnName: string
  },
  place: Place,
): Finding {
  const common = facts.common.length > 0 ? `; most common: ${facts.common.join(', ')}` : ''
  return build(
    PENDING_DATA_RISK,
    {
      message: `\`${facts.statement}\` will fail on the live database: about ${n(facts.duplicates)} of the ~${n(facts.rows)} non-NULL rows of ${facts.column} repeat a value (~${n(facts.distinct)} distinct values${common}; ${ESTIMATE}), and a unique index cannot be built over duplicates.`,
      fix: `remove or merge the duplicates first (in the migration or before the deploy); list them with \`SELECT ${facts.columnName}, count(*) FROM ${facts.table} GROUP BY 1 HAVING count(*) > 1\`.`,
    },
    place,
  )
}

export function valuesBlockType(
  facts: Common & {
    type: string
    /** The values that do not cast, quoted, at most a few. */
    values: string[]
    /** The share of rows holding one of them, when the statistics can tell (most common values). */
    fraction?: number
    rows: number
    table: string
    columnName: string
  },
  place: Place,
): Finding {
  const share =
    facts.fraction !== undefined && facts.fraction > 0
      ? `about ${n(facts.fraction * facts.rows)} of its ~${n(facts.rows)} rows (${pct(facts.fraction)}) hold values`
      : 'some of its rows hold values'
  return build(
    PENDING_DATA_RISK,
    {
      message: `\`${facts.statement}\` will fail on the live database: ${share} of ${facts.column} that do not convert to ${facts.type}${facts.values.length > 0 ? `, such as ${facts.values.join(', ')}` : ''} (${ESTIMATE}), and the deploy stops at this migration.`,
      fix: `clean those values first, or convert them in a USING expression that handles them; find them by trying the conversion on a copy of ${facts.table}.`,
    },
    place,
  )
}
