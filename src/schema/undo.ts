// The statements that would remove what a downgrade left behind: "DROP TYPE mood" for an enum type
// the downgrade forgot. Objects present after the downgrade and absent before it are the residue; a
// statement per object, dependents first (an index before its table, a column before its type).
// A constraint it left under another name is renamed back. Objects the downgrade removed or changed
// otherwise have no one statement that restores them: none is given.
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

/** A name as SQL must write it: quoted unless it is a plain lower-case identifier ("uuid-ossp"). */
function ident(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`
}

/** A display name ("mood", "app.mood", "touch(a integer)") with each part quoted where it must be. */
function qualified(name: string): string {
  const paren = name.indexOf('(')
  const head = paren >= 0 ? name.slice(0, paren) : name
  const args = paren >= 0 ? name.slice(paren) : ''
  return head.split('.').map(ident).join('.') + args
}

export function undoStatements(residue: SchemaChange[]): string[] {
  const renames = residue.filter(isConstraintRename).map(renameBack)
  const drops = residue
    .filter((c) => c.change === 'added')
    .sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind))
    .map(undo)
    .filter((s): s is string => s !== undefined)
  return [...drops, ...renames]
}

/** A constraint the downgrade left as it was but under another name (diff's constraintRenames). */
export function isConstraintRename(c: SchemaChange): boolean {
  return c.kind === 'constraint' && c.change === 'changed' && c.attribute === 'name'
}

function renameBack(c: SchemaChange): string {
  return `ALTER TABLE ${qualified(c.table ?? '')} RENAME CONSTRAINT ${ident(String(c.after))} TO ${ident(String(c.before))}`
}

function undo(c: SchemaChange): string | undefined {
  const on = qualified(c.table ?? '')
  const name = qualified(c.name)
  switch (c.kind) {
    case 'trigger':
    case 'policy':
    case 'rule':
      return `DROP ${c.kind.toUpperCase()} ${ident(c.name)} ON ${on}`
    case 'constraint':
      return `ALTER TABLE ${on} DROP CONSTRAINT ${ident(c.name)}`
    case 'column':
      return `ALTER TABLE ${on} DROP COLUMN ${ident(c.name)}`
    case 'index': {
      // An index lives in its table's schema.
      const table = c.table ?? ''
      const dot = table.lastIndexOf('.')
      return `DROP INDEX ${dot > 0 ? `${qualified(table.slice(0, dot))}.` : ''}${ident(c.name)}`
    }
    case 'type':
      return `${TYPE_DROP[c.variant ?? ''] ?? 'DROP TYPE'} ${name}`
    case 'window function':
      return `DROP FUNCTION ${name}`
    default:
      return `DROP ${c.kind.toUpperCase()} ${name}`
  }
}
