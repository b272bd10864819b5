// Snapshot x Snapshot -> SchemaChange[]: what differs, one line per object attribute, in a stable order
// (schemas, extensions, types, sequences, relations with their parts, functions; by name within each).
// Each line names the object kind, its name (schema 'public' omitted), and either present/absent or the
// attribute with both values: "column users.email: type character varying(100) now, character varying(255) before".
import type {
  ColumnInfo,
  ConstraintInfo,
  ExtensionInfo,
  FunctionInfo,
  FunctionKind,
  IndexInfo,
  PolicyInfo,
  RelationInfo,
  RelationKind,
  RelationRef,
  RuleInfo,
  SchemaInfo,
  SequenceInfo,
  Snapshot,
  TriggerInfo,
  TypeInfo,
} from './types.js'

export type ObjectKind =
  | 'schema'
  | 'extension'
  | 'type'
  | 'sequence'
  | RelationKind
  | 'column'
  | 'constraint'
  | 'index'
  | 'trigger'
  | 'policy'
  | 'rule'
  | FunctionKind

export type DiffValue = string | boolean | null | string[]

export interface SchemaChange {
  kind: ObjectKind
  /** The object's name; schema-qualified unless in public. Functions carry their argument types: "f(integer)". */
  name: string
  /** The relation a column, constraint, index, trigger, policy or rule belongs to. */
  table?: string
  change: 'added' | 'removed' | 'changed'
  /** For 'changed': which attribute ("type", "onDelete", "definition", "column order", "comment", ...). */
  attribute?: string
  before?: DiffValue
  after?: DiffValue
  /** One readable line naming the kind, the object, and what differs. */
  message: string
  /** For types: enum, domain, composite or range (what a statement dropping it must say). */
  variant?: string
}

export interface DiffOptions {
  /**
   * Report a change in the order of columns present on both sides (default true). A downgrade cannot put
   * a dropped column back in the middle of a table, so callers may prefer to grade or skip these.
   */
  columnOrder?: boolean
  /**
   * The words naming the two sides in messages (default "now" and "before": a migration step's
   * effect). A comparison of two databases names them instead: "in the live database", "in the migrations".
   */
  sides?: Sides
  /**
   * A constraint gone and one new on the same table that differ in nothing but their names are one
   * change, attribute "name" (default false: two). Django drops and recreates the foreign keys to a
   * primary key whose type it alters under new names, so its downgrade leaves the same constraint
   * renamed; what restores that is a rename, not the DROP CONSTRAINT an added constraint calls for.
   */
  constraintRenames?: boolean
}

export interface Sides {
  /** The side passed as `after`. */
  after: string
  /** The side passed as `before`. */
  before: string
}

const STEP_SIDES: Sides = { after: 'now', before: 'before' }

/** How one attribute of an object is compared and shown. */
interface Attr<T> {
  name: string
  get(x: T): DiffValue
  /** Words before the values ("type", "ON DELETE"); empty when `show` already says it ("NOT NULL"). */
  label: string
  show?: (v: DiffValue) => string
  /** Reported only when no other attribute explains the difference (a definition that embeds them all). */
  fallback?: boolean
  /** When it differs the object is a different thing (a table became a view): report only this. */
  exclusive?: boolean
}

const attr = <T>(
  name: string,
  get: (x: T) => DiffValue,
  label: string = name,
  extra: Partial<Attr<T>> = {},
): Attr<T> => ({
  name,
  get,
  label,
  ...extra,
})
const flag = <T>(name: string, get: (x: T) => boolean, yes: string, no: string): Attr<T> =>
  attr(name, get, '', { show: (v) => (v ? yes : no) })
const quoted = (v: DiffValue) => (v === null ? 'none' : `"${String(v)}"`)
const commentAttr = <T extends { comment: string | null }>(): Attr<T> =>
  attr('comment', (x) => x.comment, 'comment', { show: quoted })

/** "name" in public, "schema.name" elsewhere. */
export function displayName(schema: string, name: string): string {
  return schema === 'public' ? name : `${schema}.${name}`
}
const refName = (r: RelationRef | null) => (r ? displayName(r.schema, r.name) : null)

// ---- rendering values -------------------------------------------------------------------------------

const SHORT = 60

function plain(v: DiffValue): string {
  if (v === null) return 'none'
  if (Array.isArray(v)) return v.length ? v.join(', ') : '(none)'
  return String(v)
}

/** "X now, Y before", or for long or multi-line values an excerpt around the first difference. */
function phrase(a: Attr<unknown>, before: DiffValue, after: DiffValue, sides: Sides): string {
  const show = a.show ?? plain
  const b = show(before)
  const n = show(after)
  const lead = a.label ? `${a.label} ` : ''
  if (b.length <= SHORT && n.length <= SHORT && !b.includes('\n') && !n.includes('\n')) {
    return `${lead}${n} ${sides.after}, ${b} ${sides.before}`
  }
  const [eb, en] = excerpts(b, n)
  if (eb === en) return `${lead}differs in whitespace only`
  return `${lead}differs: "${en}" ${sides.after}, "${eb}" ${sides.before}`
}

/** The neighbourhood of the first difference in each text, whitespace collapsed. */
function excerpts(before: string, after: string): [string, string] {
  const b = before.replace(/\s+/g, ' ').trim()
  const a = after.replace(/\s+/g, ' ').trim()
  if (a === b) return [b, a]
  let i = 0
  while (i < a.length && i < b.length && a[i] === b[i]) i++
  const start = Math.max(0, i - 20)
  const cut = (s: string) => (start > 0 ? '…' : '') + s.slice(start, start + 50) + (s.length > start + 50 ? '…' : '')
  return [cut(b), cut(a)]
}

// ---- comparing lists of objects ---------------------------------------------------------------------

/** Describes one kind of object: its identity, its headline, its attributes, its parts. */
interface Spec<T> {
  key(x: T): string
  kind(x: T): ObjectKind
  name(x: T): string
  /** "index ix on chats", "column users.email", "type mood (enum)". */
  head(x: T): string
  attrs: Attr<T>[]
  /** A type's kind (enum, domain, ...), carried on changes. */
  variant?(x: T): string
  /** Differences in the object's parts (a relation's columns, ...), when it exists on both sides. */
  parts?(before: T, after: T, out: SchemaChange[], sides: Sides): void
}

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

function compareLists<T>(
  spec: Spec<T>,
  before: readonly T[],
  after: readonly T[],
  out: SchemaChange[],
  sides: Sides,
  table?: string,
): void {
  const b = new Map(before.map((x) => [spec.key(x), x]))
  const a = new Map(after.map((x) => [spec.key(x), x]))
  const keys = [...new Set([...b.keys(), ...a.keys()])].sort(byKey)
  const where = table === undefined ? {} : { table }
  for (const key of keys) {
    const x = b.get(key)
    const y = a.get(key)
    if (x !== undefined && y === undefined) {
      out.push({
        kind: spec.kind(x),
        name: spec.name(x),
        ...where,
        change: 'removed',
        message: `${spec.head(x)}: absent ${sides.after}, present ${sides.before}`,
        ...(spec.variant ? { variant: spec.variant(x) } : {}),
      })
    } else if (x === undefined && y !== undefined) {
      out.push({
        kind: spec.kind(y),
        name: spec.name(y),
        ...where,
        change: 'added',
        message: `${spec.head(y)}: present ${sides.after}, absent ${sides.before}`,
        ...(spec.variant ? { variant: spec.variant(y) } : {}),
      })
    } else if (x !== undefined && y !== undefined) {
      compareObject(spec, x, y, out, where, sides)
    }
  }
}

function compareObject<T>(
  spec: Spec<T>,
  x: T,
  y: T,
  out: SchemaChange[],
  where: { table?: string },
  sides: Sides,
): void {
  const differing = spec.attrs.filter((a) => !sameValue(a.get(x), a.get(y)))
  const exclusive = differing.find((a) => a.exclusive)
  const substantive = differing.filter((a) => !a.fallback && a.name !== 'comment')
  const report = exclusive ? [exclusive] : differing.filter((a) => !a.fallback || substantive.length === 0)
  for (const a of report) {
    const before = a.get(x)
    const after = a.get(y)
    out.push({
      kind: spec.kind(y),
      name: spec.name(y),
      ...where,
      change: 'changed',
      attribute: a.name,
      before,
      after,
      message: `${spec.head(y)}: ${phrase(a as Attr<unknown>, before, after, sides)}`,
    })
  }
  if (!exclusive) spec.parts?.(x, y, out, sides)
}

function sameValue(a: DiffValue, b: DiffValue): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i])
  return a === b
}

// ---- the kinds --------------------------------------------------------------------------------------

const qualifiedKey = (x: { schema: string; name: string }) => `${x.schema}\u0000${x.name}`

const schemaSpec: Spec<SchemaInfo> = {
  key: (x) => x.name,
  kind: () => 'schema',
  name: (x) => x.name,
  head: (x) => `schema ${x.name}`,
  attrs: [commentAttr()],
}

const extensionSpec: Spec<ExtensionInfo> = {
  key: (x) => x.name,
  kind: () => 'extension',
  name: (x) => x.name,
  head: (x) => `extension ${x.name}`,
  attrs: [attr('version', (x) => x.version), attr('schema', (x) => x.schema), commentAttr()],
}

const typeSpec: Spec<TypeInfo> = {
  key: qualifiedKey,
  kind: () => 'type',
  name: (x) => displayName(x.schema, x.name),
  head: (x) => `type ${displayName(x.schema, x.name)} (${x.kind})`,
  variant: (x) => x.kind,
  attrs: [
    attr('kind', (x) => x.kind, 'kind', { exclusive: true }),
    attr('labels', (x) => x.labels),
    attr('baseType', (x) => x.baseType, 'base type'),
    flag('notNull', (x) => x.notNull, 'NOT NULL', 'nullable'),
    attr('default', (x) => x.default),
    attr('collation', (x) => x.collation),
    attr('constraints', (x) => x.constraints),
    attr('attributes', (x) => x.attributes),
    commentAttr(),
  ],
}

const ownerName = (o: SequenceInfo['ownedBy']) => (o ? `${displayName(o.schema, o.name)}.${o.column}` : null)

const sequenceSpec: Spec<SequenceInfo> = {
  key: qualifiedKey,
  kind: () => 'sequence',
  name: (x) => displayName(x.schema, x.name),
  head: (x) => `sequence ${displayName(x.schema, x.name)}`,
  attrs: [
    attr('type', (x) => x.type),
    attr('start', (x) => x.start),
    attr('increment', (x) => x.increment),
    attr('min', (x) => x.min, 'minvalue'),
    attr('max', (x) => x.max, 'maxvalue'),
    attr('cache', (x) => x.cache),
    flag('cycle', (x) => x.cycle, 'CYCLE', 'NO CYCLE'),
    attr('persistence', (x) => x.persistence),
    attr('ownedBy', (x) => ownerName(x.ownedBy), 'owned by'),
    commentAttr(),
  ],
}

const functionSpec: Spec<FunctionInfo> = {
  key: (x) => `${x.schema}\u0000${x.name}\u0000${x.arguments}`,
  kind: (x) => x.kind,
  name: (x) => `${displayName(x.schema, x.name)}(${x.arguments})`,
  head: (x) => `${x.kind} ${displayName(x.schema, x.name)}(${x.arguments})`,
  attrs: [
    attr('kind', (x) => x.kind, 'kind', { exclusive: true }),
    attr('result', (x) => x.result, 'returns'),
    attr('language', (x) => x.language),
    attr('volatility', (x) => x.volatility),
    flag('strict', (x) => x.strict, 'STRICT', 'not strict'),
    flag('securityDefiner', (x) => x.securityDefiner, 'SECURITY DEFINER', 'SECURITY INVOKER'),
    attr('body', (x) => x.body),
    attr('definition', (x) => x.definition, 'definition', { fallback: true }),
    commentAttr(),
  ],
}

// Parts of a relation: named by `table`, headed "<kind> <name> on <table>" (columns: "column table.name").
function partSpec<T extends { name: string }>(kind: ObjectKind, table: string, attrs: Attr<T>[]): Spec<T> {
  return {
    key: (x) => x.name,
    kind: () => kind,
    name: (x) => x.name,
    head: (x) => (kind === 'column' ? `column ${table}.${x.name}` : `${kind} ${x.name} on ${table}`),
    attrs,
  }
}

const columnAttrs: Attr<ColumnInfo>[] = [
  attr('type', (x) => x.type),
  flag('notNull', (x) => x.notNull, 'NOT NULL', 'nullable'),
  attr('default', (x) => x.default),
  attr('identity', (x) => x.identity, 'identity', {
    show: (v) => (v === null ? 'none' : `GENERATED ${String(v).toUpperCase()}`),
  }),
  attr('generated', (x) => x.generated, 'generated', { show: (v) => (v === null ? 'none' : String(v)) }),
  attr('collation', (x) => x.collation),
  commentAttr(),
]

const constraintAttrs: Attr<ConstraintInfo>[] = [
  attr('type', (x) => x.type),
  attr('references', (x) => refName(x.references)),
  attr('onDelete', (x) => x.onDelete, 'ON DELETE'),
  attr('onUpdate', (x) => x.onUpdate, 'ON UPDATE'),
  attr('match', (x) => x.match, 'MATCH'),
  flag('deferrable', (x) => x.deferrable, 'DEFERRABLE', 'NOT DEFERRABLE'),
  flag('deferred', (x) => x.deferred, 'INITIALLY DEFERRED', 'INITIALLY IMMEDIATE'),
  flag('validated', (x) => x.validated, 'validated', 'NOT VALID'),
  attr('definition', (x) => x.definition, 'definition', { fallback: true }),
  commentAttr(),
]

const indexAttrs: Attr<IndexInfo>[] = [
  flag('unique', (x) => x.unique, 'unique', 'not unique'),
  attr('method', (x) => x.method, 'method'),
  attr('predicate', (x) => x.predicate, 'predicate'),
  flag('valid', (x) => x.valid, 'valid', 'invalid'),
  attr('definition', (x) => x.definition, 'definition', { fallback: true }),
  commentAttr(),
]

const triggerAttrs: Attr<TriggerInfo>[] = [
  attr('enabled', (x) => x.enabled),
  attr('definition', (x) => x.definition),
  commentAttr(),
]

const policyAttrs: Attr<PolicyInfo>[] = [
  attr('command', (x) => x.command, 'FOR'),
  flag('permissive', (x) => x.permissive, 'PERMISSIVE', 'RESTRICTIVE'),
  attr('roles', (x) => x.roles, 'TO'),
  attr('using', (x) => x.using, 'USING'),
  attr('check', (x) => x.check, 'WITH CHECK'),
  commentAttr(),
]

const ruleAttrs: Attr<RuleInfo>[] = [
  attr('enabled', (x) => x.enabled),
  attr('definition', (x) => x.definition),
  commentAttr(),
]

const relationAttrs: Attr<RelationInfo>[] = [
  attr('kind', (x) => x.kind, 'kind', { exclusive: true }),
  attr('persistence', (x) => x.persistence, ''),
  attr('partitionKey', (x) => x.partitionKey, 'partition key'),
  attr('partitionOf', (x) => refName(x.partitionOf), 'partition of'),
  attr('partitionBound', (x) => x.partitionBound, 'partition bound'),
  attr('inherits', (x) => x.inherits.map((r) => displayName(r.schema, r.name)), 'inherits'),
  attr('options', (x) => x.options, 'options'),
  flag('rowSecurity', (x) => x.rowSecurity, 'row level security enabled', 'row level security disabled'),
  flag('forceRowSecurity', (x) => x.forceRowSecurity, 'row level security forced', 'row level security not forced'),
  attr('replicaIdentity', (x) => x.replicaIdentity, 'replica identity'),
  attr('definition', (x) => x.definition),
  commentAttr(),
]

const TABLE_KINDS: ReadonlySet<RelationKind> = new Set(['table', 'partitioned table', 'foreign table'])

function relationSpec(options: Required<DiffOptions>): Spec<RelationInfo> {
  return {
    key: qualifiedKey,
    kind: (x) => x.kind,
    name: (x) => displayName(x.schema, x.name),
    head: (x) => `${x.kind} ${displayName(x.schema, x.name)}`,
    attrs: relationAttrs,
    parts(x, y, out, sides) {
      const table = displayName(y.schema, y.name)
      // A view's columns follow from its definition, already compared: only tables have an order of their own.
      if (options.columnOrder && TABLE_KINDS.has(y.kind)) columnOrder(x, y, table, out, sides)
      compareLists(partSpec('column', table, columnAttrs), x.columns, y.columns, out, sides, table)
      const constraints = partSpec('constraint', table, constraintAttrs)
      if (options.constraintRenames) compareRenamable(constraints, x.constraints, y.constraints, out, sides, table)
      else compareLists(constraints, x.constraints, y.constraints, out, sides, table)
      compareLists(partSpec('index', table, indexAttrs), x.indexes, y.indexes, out, sides, table)
      compareLists(partSpec('trigger', table, triggerAttrs), x.triggers, y.triggers, out, sides, table)
      compareLists(partSpec('policy', table, policyAttrs), x.policies, y.policies, out, sides, table)
      compareLists(partSpec('rule', table, ruleAttrs), x.rules, y.rules, out, sides, table)
    },
  }
}

/**
 * One change when the columns present on both sides stand in a different order. Adding or dropping a
 * column shifts the others but is reported as that column alone, so positions are not compared one by one.
 */
function columnOrder(x: RelationInfo, y: RelationInfo, table: string, out: SchemaChange[], sides: Sides): void {
  const before = x.columns.map((c) => c.name)
  const after = y.columns.map((c) => c.name)
  const inAfter = new Set(after)
  const inBefore = new Set(before)
  const common = (names: string[], other: Set<string>) => names.filter((n) => other.has(n))
  if (sameValue(common(before, inAfter), common(after, inBefore))) return
  const a: Attr<unknown> = attr('columnOrder', () => null, 'column order')
  out.push({
    kind: y.kind,
    name: table,
    change: 'changed',
    attribute: 'column order',
    before,
    after,
    message: `${y.kind} ${table}: ${phrase(a, before, after, sides)}`,
  })
}

/**
 * compareLists, where an object only `before` has and one only `after` has that agree in every
 * attribute are one object renamed: a change of attribute "name" (named by its new name), in the
 * order of the rest. Each pairs with the first such object by name, so the result is deterministic.
 */
function compareRenamable<T extends { name: string }>(
  spec: Spec<T>,
  before: readonly T[],
  after: readonly T[],
  out: SchemaChange[],
  sides: Sides,
  table: string,
): void {
  const names = (list: readonly T[]) => new Set(list.map((x) => x.name))
  const inAfter = names(after)
  const inBefore = names(before)
  const gone = before.filter((x) => !inAfter.has(x.name)).sort((a, b) => byKey(a.name, b.name))
  const fresh = after.filter((y) => !inBefore.has(y.name)).sort((a, b) => byKey(a.name, b.name))
  const paired = new Set<T>()
  const changes: SchemaChange[] = []
  const rename = attr<T>('name', (o) => o.name)
  for (const x of gone) {
    const y = fresh.find((c) => !paired.has(c) && spec.attrs.every((a) => sameValue(a.get(x), a.get(c))))
    if (!y) continue
    paired.add(x).add(y)
    changes.push({
      kind: spec.kind(y),
      name: y.name,
      table,
      change: 'changed',
      attribute: 'name',
      before: x.name,
      after: y.name,
      message: `${spec.head(y)}: ${phrase(rename as Attr<unknown>, x.name, y.name, sides)}`,
    })
  }
  const rest = (list: readonly T[]) => list.filter((o) => !paired.has(o))
  compareLists(spec, rest(before), rest(after), changes, sides, table)
  // Stable by name, as compareLists orders them (the sort keeps each object's own changes in order).
  out.push(...changes.sort((a, b) => byKey(a.name, b.name)))
}

/** What changed from `before` to `after`, in a deterministic order; empty when the snapshots are equal. */
export function diff(before: Snapshot, after: Snapshot, options: DiffOptions = {}): SchemaChange[] {
  const opts: Required<DiffOptions> = {
    columnOrder: options.columnOrder ?? true,
    sides: options.sides ?? STEP_SIDES,
    constraintRenames: options.constraintRenames ?? false,
  }
  const out: SchemaChange[] = []
  const sides = opts.sides
  compareLists(schemaSpec, before.schemas, after.schemas, out, sides)
  compareLists(extensionSpec, before.extensions, after.extensions, out, sides)
  compareLists(typeSpec, before.types, after.types, out, sides)
  compareLists(sequenceSpec, before.sequences, after.sequences, out, sides)
  compareLists(relationSpec(opts), before.relations, after.relations, out, sides)
  compareLists(functionSpec, before.functions, after.functions, out, sides)
  return out
}
