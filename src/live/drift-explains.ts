// Which of live-drift's differences explain a pending migration's failure on the copy of the live
// schema: those naming the object the database error names (the column the migration adds again, the
// index it creates again), so the prediction can say why production differs instead of blaming the
// migration. Read from the findings' text, as live-drift words each difference
// ("column pdfs.x: present in the live database, absent in the migrations"; drift.ts, schema/diff.ts).
import type { Finding } from '../report.js'

/** One difference: its object ("column pdfs.x"), the object's own name and relation, and which way it goes. */
interface Difference {
  object: string
  name: string
  relation?: string
  direction: 'extra' | 'missing' | 'differs'
}

const EXTRA = 'present in the live database, absent in the migrations'
const MISSING = 'absent in the live database, present in the migrations'

/** "column pdfs.x: present in ..." -> its parts; null for a text that is not one difference. */
export function parseDifference(text: string): Difference | null {
  const colon = text.indexOf(': ')
  if (colon < 0) return null
  const object = text.slice(0, colon)
  // "<kind> <name>[ (<what>)][ on <relation>]"; kinds are one or two words (materialized view).
  const m = /^([a-z]+(?: [a-z]+)?) ("(?:[^"]|"")+"|\S+)(?: \([^)]*\))?(?: on (\S+))?$/.exec(object)
  if (!m) return null
  const [, kind = '', qualified = '', on] = m
  const parts = qualified.split('.')
  const name = unquote(parts.at(-1) ?? qualified)
  // A column or a constraint is named relation.name; other objects schema.name.
  const relation = on
    ? unquote(on.split('.').at(-1)!)
    : kind === 'column' && parts.length > 1
      ? unquote(parts.at(-2)!)
      : undefined
  const rest = text.slice(colon + 2)
  const direction = rest.startsWith(EXTRA) ? 'extra' : rest.startsWith(MISSING) ? 'missing' : 'differs'
  return { object, name, ...(relation ? { relation } : {}), direction }
}

const unquote = (s: string) => (s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1).replaceAll('""', '"') : s)

/** Every difference live-drift reported: one per finding, or the list of a finding that names another revision. */
function differences(drift: readonly Finding[]): Difference[] {
  const found: Difference[] = []
  for (const f of drift) {
    if (f.id !== 'live-drift') continue
    for (const text of [f.message, ...(f.details ?? [])]) {
      const d = parseDifference(text)
      if (d) found.push(d)
    }
  }
  return found
}

/** Whether `word` is in `text` as a whole identifier. */
function mentions(text: string, word: string): boolean {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`(^|[^A-Za-z0-9_$])${escaped}($|[^A-Za-z0-9_$])`).test(text)
}

/**
 * The differences that explain `error`, each as a clause for the message ("column pdfs.x already
 * exists in production, added by hand: no migration before this one creates it, and this one creates
 * it again"). A difference explains it when the
 * error names the object; and when it belongs to a relation and the error names other objects too,
 * the relation must be one of them (a column `id` of another table explains nothing).
 */
export function driftExplaining(error: string, drift: readonly Finding[]): string[] {
  const quoted = [...error.matchAll(/"((?:[^"]|"")+)"/g)].map((m) => m[1]!.replaceAll('""', '"'))
  const clauses: string[] = []
  for (const d of differences(drift)) {
    if (!mentions(error, d.name)) continue
    const others = quoted.filter((q) => q !== d.name)
    if (d.relation && others.length > 0 && !others.includes(d.relation)) continue
    const clause = {
      extra: `${d.object} already exists in production, added by hand: no migration before this one creates it, and this one creates it again`,
      missing: `${d.object} is missing in production, though the migrations before this one build it`,
      differs: `${d.object} is in production otherwise than the migrations before this one build it`,
    }[d.direction]
    if (!clauses.includes(clause)) clauses.push(clause)
  }
  return clauses
}
