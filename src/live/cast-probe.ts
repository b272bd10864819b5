// Which of a column's sampled values (the statistics' most common values and histogram bounds) will
// not convert to a new type, tried on the live database itself, read only: a SELECT of the conversion
// over the values given as a parameter, nothing else. One query when every value converts; one per
// value (bounded) to name those that do not. Only conversions written as plain casts of the column
// are tried: a USING expression that calls anything is the migration's code, not run here.
import type { LiveQuery } from '../drivers/driver.js'

/** A type name as ALTER ... TYPE writes it: words, dots, a modifier in parentheses, array brackets. */
const TYPE_NAME =
  /^(?:"[^"]+"|[A-Za-z_][A-Za-z0-9_$]*)(?:\s*\.\s*(?:"[^"]+"|[A-Za-z_][A-Za-z0-9_$]*))*(?:\s+(?:varying|precision|with(?:out)?\s+time\s+zone))*(?:\s*\(\s*\d+(?:\s*,\s*\d+)?\s*\))?(?:\s+(?:with(?:out)?\s+time\s+zone))?(?:\s*\[\s*\d*\s*\])*$/i

/** At most this many values are tried one by one. */
const PROBES = 40

export type CastPlan = { casts: string[] } | { cannot: string }

/**
 * The casts the column's values go through: `TYPE t` alone is the column cast to t; `USING col::a::b`
 * or `USING CAST(col AS b)` the chain written; any other USING cannot be told.
 */
export function castPlan(column: string, type: string, using?: string): CastPlan {
  if (!TYPE_NAME.test(type.trim())) return { cannot: `the type ${type} is not a plain type name` }
  if (using === undefined) return { casts: [type.trim()] }
  const col = `(?:"${escapeRegExp(column)}"|${escapeRegExp(column)})`
  const u = using.trim()
  const chain = new RegExp(`^\\(?\\s*${col}\\s*\\)?((?:\\s*::\\s*[^:]+?)+)\\s*$`, 'i').exec(u)
  if (chain?.[1]) {
    const casts = chain[1]
      .split('::')
      .map((s) => s.trim())
      .filter(Boolean)
    if (casts.every((c) => TYPE_NAME.test(c))) return { casts }
  }
  const cast = new RegExp(`^cast\\s*\\(\\s*${col}\\s+as\\s+(.+)\\)$`, 'i').exec(u)
  if (cast?.[1] && TYPE_NAME.test(cast[1].trim())) return { casts: [cast[1].trim()] }
  return { cannot: `USING ${u} is not a plain cast of the column, and the gate does not run it` }
}

export interface CastFailures {
  /** The values that do not convert (as the statistics hold them). */
  values: string[]
  /** Share of the rows holding one of them, counted over the most common values only. */
  fraction: number
}

/**
 * The values among `mostCommon` and `histogram` that fail the conversion from `oldType` through
 * `casts`; null when all convert. Throws the database's error when the conversion cannot be tried at
 * all (a type the pending migrations create): the caller says so as a note.
 */
export async function castFailures(
  query: LiveQuery,
  oldType: string,
  casts: string[],
  sample: { mostCommon: string[]; mostCommonFreqs: number[]; histogram: string[] },
): Promise<CastFailures | null> {
  const convert = (value: string) => `((${value})::${oldType})${casts.map((c) => `::${c}`).join('')}`
  const values = [...sample.mostCommon, ...sample.histogram]
  if (values.length === 0) return null
  try {
    await query(`SELECT count(${convert('v')}) AS n FROM pg_catalog.unnest($1::text[]) AS v`, [values])
    return null
  } catch (error) {
    if (!isDataError(error)) throw error
  }
  const failing: string[] = []
  let fraction = 0
  for (const [i, value] of values.slice(0, PROBES).entries()) {
    try {
      await query(`SELECT ${convert('$1::text')} AS v`, [value])
    } catch (error) {
      if (!isDataError(error)) throw error
      if (!failing.includes(value)) failing.push(value)
      if (i < sample.mostCommon.length) fraction += sample.mostCommonFreqs[i] ?? 0
    }
  }
  // Past the probes' bound (or a value that fails only beside others): still a failure, unnamed.
  return { values: failing, fraction }
}

/** SQLSTATE class 22: the value itself does not fit (invalid input syntax, out of range, ...). */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code
  return typeof code === 'string' && code.startsWith('22')
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
