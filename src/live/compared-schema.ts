// The part of a schema that live-drift compares: a snapshot without what the migrations do not manage,
// and its fingerprint, so that two databases whose compared parts are equal have equal fingerprints
// (the matching-revision search compares fingerprints before anything else).
//
// Left out by rule, whatever live-ignore says:
// - pg_catalog, information_schema, pg_toast and temporary schemas, and every member of an extension:
//   the snapshot query itself never reads them (schema/queries.ts); they belong to the server and to
//   the extension, which is listed as itself.
// - OTHER_TOOL_SCHEMAS below: schemas that other software puts in a database by its own documented
//   convention, not the application's migrations.
// - Extensions in the fingerprint: which extensions a server offers, and at which default version, is
//   the server's packaging (the scratch server is not production's), and monitoring extensions are
//   installed by DBAs and platforms; drift.ts still reports one the migrations create that the live
//   database lacks.
// - The migration tool's own version table: the caller names it (SnapshotOptions.excludeTables), as
//   the tool is configured to keep it (version_table_schema, x-migrations-table, ...).
import { createHash } from 'node:crypto'
import { ruleFor, type IgnoreRule } from './ignore.js'
import type { RelationInfo, Snapshot } from '../schema/types.js'

/**
 * Schemas of other tools. pgbouncer: PgBouncer's auth_query setup creates its lookup function
 * (pgbouncer.get_auth / user_lookup) in a schema of that name, by hand, in every database it serves.
 */
export const OTHER_TOOL_SCHEMAS: readonly string[] = ['pgbouncer']

/** An object live-ignore left out, and the rule that did. */
export interface IgnoredObject {
  /** "table public.audit_log", "column public.pdfs.legacy_id". */
  object: string
  rule: IgnoreRule
}

export interface ComparedSchema {
  snapshot: Snapshot
  /** sha256 of the compared snapshot without its extensions (see above). */
  fingerprint: string
  ignored: IgnoredObject[]
}

/** The compared part of `snapshot` under the rules above and the live-ignore `rules`. Pure. */
export function comparedSchema(snapshot: Snapshot, rules: readonly IgnoreRule[]): ComparedSchema {
  const ignored: IgnoredObject[] = []
  /** False (and recorded) when a rule leaves the object out. */
  const kept = (kind: string, names: string[]): boolean => {
    const rule = ruleFor(rules, names)
    if (rule) ignored.push({ object: `${kind} ${names[0]}`, rule })
    return !rule
  }
  const ours = (schema: string) => !OTHER_TOOL_SCHEMAS.includes(schema)
  const q = (x: { schema: string; name: string }) => `${x.schema}.${x.name}`

  const schemas = snapshot.schemas.filter((s) => ours(s.name) && kept('schema', [`${s.name}.*`]))
  const inSchema = new Set(schemas.map((s) => s.name))
  const keptIn = (x: { schema: string; name: string }, kind: string) => inSchema.has(x.schema) && kept(kind, [q(x)])

  const relations: RelationInfo[] = []
  const droppedRelations = new Set<string>()
  for (const r of snapshot.relations) {
    if (!keptIn(r, r.kind)) {
      droppedRelations.add(q(r))
      continue
    }
    relations.push(relationParts(r, kept))
  }
  const compared: Snapshot = {
    schemas,
    extensions: snapshot.extensions.filter((e) => keptIn(e, 'extension')),
    types: snapshot.types.filter((t) => keptIn(t, 'type')),
    // A serial's sequence goes with its table.
    sequences: snapshot.sequences.filter(
      (s) => !(s.ownedBy && droppedRelations.has(q(s.ownedBy))) && keptIn(s, 'sequence'),
    ),
    relations,
    functions: snapshot.functions.filter((f) => keptIn(f, f.kind)),
  }
  const { extensions: _left, ...fingerprinted } = compared
  const fingerprint = createHash('sha256').update(JSON.stringify(fingerprinted)).digest('hex')
  return { snapshot: compared, fingerprint, ignored }
}

/** The relation without the parts a rule leaves out ("schema.table.part"; an index also "schema.index"). */
function relationParts(r: RelationInfo, kept: (kind: string, names: string[]) => boolean): RelationInfo {
  const at = (part: string) => `${r.schema}.${r.name}.${part}`
  return {
    ...r,
    columns: r.columns.filter((c) => kept('column', [at(c.name)])),
    constraints: r.constraints.filter((c) => kept('constraint', [at(c.name)])),
    indexes: r.indexes.filter((i) => kept('index', [at(i.name), `${r.schema}.${i.name}`])),
    triggers: r.triggers.filter((t) => kept('trigger', [at(t.name)])),
    policies: r.policies.filter((p) => kept('policy', [at(p.name)])),
    rules: r.rules.filter((x) => kept('rule', [at(x.name)])),
  }
}
