// The statements that would remove what a downgrade left behind: "DROP TYPE mood" for an enum type
// the downgrade forgot. Objects present after the downgrade and absent before it are the residue; a
// statement per object, dependents first (an index before its table, a column before its type).
// Objects the downgrade removed or changed have no one statement that restores them: none is given.
import type { ObjectKind, SchemaChange } from './diff.js'

/** Dependents before what they depend on. */
const ORDER: ObjectKind[] = [
  'trigger',
  'policy',
  'rule',
  'constraint',
  'index',
  'column',
  'view',
  'materialized view',
  'foreign table',
  'table',
  'partitioned table',
  'sequence',
  'function',
  'procedure',
  'aggregate',
  'window function',
  'type',
  'extension',
  'schema',
]

const TYPE_DROP: Record<string, string> = { domain: 'DROP DOMAIN' }

export function undoStatements(residue: SchemaChange[]): string[] {
  return residue
    .filter((c) => c.change === 'added')
    .sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind))
    .map(undo)
    .filter((s): s is string => s !== undefined)
}

function undo(c: SchemaChange): string | undefined {
  const on = c.table ?? ''
  switch (c.kind) {
    case 'trigger':
    case 'policy':
    case 'rule':
      return `DROP ${c.kind.toUpperCase()} ${c.name} ON ${on}`
    case 'constraint':
      return `ALTER TABLE ${on} DROP CONSTRAINT ${c.name}`
    case 'column':
      return `ALTER TABLE ${on} DROP COLUMN ${c.name}`
    case 'index': {
      // An index lives in its table's schema.
      const dot = on.lastIndexOf('.')
      return `DROP INDEX ${dot > 0 ? `${on.slice(0, dot)}.` : ''}${c.name}`
    }
    case 'type':
      return `${TYPE_DROP[c.variant ?? ''] ?? 'DROP TYPE'} ${c.name}`
    case 'window function':
      return `DROP FUNCTION ${c.name}`
    default:
      return `DROP ${c.kind.toUpperCase()} ${c.name}`
  }
}
