// A synthetic migration history, tool-agnostic: a deterministic plan of revisions, each a list of
// schema and data operations whose inverses are exact, so a replay (roundtrip or stairway) of the
// rendered chain finds nothing. generate-alembic.ts renders it as an Alembic project,
// generate-sql.ts as a golang-migrate directory. The mix follows what real histories hold: tables
// created (some with an inline enum, a foreign key, a unique code), columns added (some NOT NULL
// with a default), indexes (single, composite, partial), enum types created and dropped with their
// column, foreign keys added to existing tables, check constraints and default changes, data
// migrations (rows inserted and a counter updated; a backfill of a new column), and now and then a
// two-revision branch closed by an empty merge revision (Alembic only; the SQL rendering is linear).

export type ColumnType =
  | { kind: 'int' | 'bigint' | 'text' | 'bool' | 'timestamptz' | 'date' | 'jsonb' }
  | { kind: 'varchar'; length: number }
  | { kind: 'numeric'; precision: number; scale: number }
  | { kind: 'enum'; name: string; values: string[] }

/** A server default: now(), or an SQL literal ('false', '0', "'new'"). */
export type ColumnDefault = { kind: 'now' } | { kind: 'literal'; sql: string }

export interface Column {
  name: string
  type: ColumnType
  nullable: boolean
  default?: ColumnDefault
}

export interface ForeignKey {
  name: string
  column: string
  refTable: string
}

export type Op =
  | {
      op: 'createTable'
      table: string
      /** The serial primary key `id` comes first and is not listed here. */
      columns: Column[]
      unique: string[]
      foreignKeys: ForeignKey[]
      /** A realistic defect (autogenerate's): the downgrade drops the table but leaves its enum types behind. */
      keepEnumsOnDowngrade?: boolean
    }
  | { op: 'createEnum'; name: string; values: string[] }
  | { op: 'addColumn'; table: string; column: Column }
  | {
      op: 'createIndex'
      table: string
      name: string
      columns: string[]
      unique: boolean
      where?: string
      /** A realistic defect: the downgrade forgets this index (it stays behind on a table that stays). */
      keepOnDowngrade?: boolean
    }
  | { op: 'addForeignKey'; table: string; fk: ForeignKey }
  | { op: 'addCheck'; table: string; name: string; expr: string }
  /** ALTER COLUMN ... SET DEFAULT; the downgrade restores `from` (or drops the default). */
  | { op: 'setDefault'; table: string; column: string; type: ColumnType; from?: ColumnDefault; to: ColumnDefault }
  /** Rows identified by their unique `code`; the downgrade deletes exactly those. */
  | { op: 'insertRows'; table: string; rows: Array<Record<string, string | number | boolean>> }
  /** UPDATE table SET column = column + delta; the downgrade subtracts it again. */
  | { op: 'bumpCounter'; table: string; column: string; delta: number }
  /** UPDATE table SET column = expr (a column this revision added, so the downgrade drops it with the data). */
  | { op: 'backfill'; table: string; column: string; expr: string }
  /** UPDATE table SET column = expr whose old values are lost: the downgrade raises NotImplementedError. */
  | { op: 'irreversibleUpdate'; table: string; column: string; expr: string }

export interface Revision {
  /** 0-based position in the file order. */
  index: number
  /** Alembic-style 12 hex digits. */
  id: string
  parents: string[]
  message: string
  ops: Op[]
  /** An empty revision joining two heads (`alembic merge heads`). */
  merge: boolean
  /** The defect planted in this revision (realistic chains only); what the gate must find depends on it. */
  defect?: Defect
  /** index-residue: the position of the revision that created the index's table (a full downgrade drops it there). */
  defectTableAt?: number
}

/**
 * index-residue: its downgrade forgets one of the two indexes it creates; enum-residue: its
 * downgrade drops its table but not the table's enum type; irreversible: a data migration whose
 * downgrade raises NotImplementedError.
 */
export type Defect = 'index-residue' | 'enum-residue' | 'irreversible'

export interface ChainPlan {
  revisions: Revision[]
  tables: number
  enums: number
}

/** How wide the schema at head is: what a catalog capture has to read. */
export function schemaWidth(plan: ChainPlan): { tables: number; indexes: number; foreignKeys: number; enums: number } {
  const ops = plan.revisions.flatMap((r) => r.ops)
  let indexes = 0
  let foreignKeys = 0
  for (const o of ops) {
    // Every table has its primary key and the unique index on code.
    if (o.op === 'createTable') {
      indexes += 2
      foreignKeys += o.foreignKeys.length
    }
    if (o.op === 'createIndex') indexes++
    if (o.op === 'addForeignKey') foreignKeys++
  }
  return { tables: plan.tables, indexes, foreignKeys, enums: plan.enums }
}

export interface PlanOptions {
  /** Seed of the pseudo-random choices (same seed, same chain). */
  seed?: number
  /** A branch of two revisions and their merge every this many revisions; 0 for none. */
  mergeEvery?: number
  /**
   * A defective revision every this many revisions (at positions 10, 30, 50, ... for 20), taking
   * turns: index-residue, enum-residue, irreversible. 0 (the default): every downgrade is exact.
   */
  defectEvery?: number
}

/** mulberry32: small, fast, deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const NOUNS = [
  'account',
  'invoice',
  'customer',
  'product',
  'order',
  'shipment',
  'ticket',
  'project',
  'task',
  'comment',
  'payment',
  'address',
  'team',
  'member',
  'document',
  'report',
  'webhook',
  'session',
  'plan',
  'coupon',
]

/** Columns later revisions add: name, type, nullable, default. */
const ADDABLE: Array<[string, ColumnType, boolean, ColumnDefault?]> = [
  ['description', { kind: 'text' }, true],
  ['note', { kind: 'varchar', length: 200 }, true],
  ['amount', { kind: 'numeric', precision: 12, scale: 2 }, false, { kind: 'literal', sql: '0' }],
  ['quantity', { kind: 'int' }, true],
  ['archived_at', { kind: 'timestamptz' }, true],
  ['is_active', { kind: 'bool' }, false, { kind: 'literal', sql: 'true' }],
  ['metadata', { kind: 'jsonb' }, true],
  ['external_ref', { kind: 'varchar', length: 64 }, true],
  ['due_date', { kind: 'date' }, true],
  ['score', { kind: 'int' }, false, { kind: 'literal', sql: '0' }],
  ['locale', { kind: 'varchar', length: 10 }, false, { kind: 'literal', sql: "'en'" }],
  ['updated_at', { kind: 'timestamptz' }, true],
  ['owner_email', { kind: 'varchar', length: 320 }, true],
  ['total_cents', { kind: 'bigint' }, true],
]

const ENUM_SETS: Array<[string, string[]]> = [
  ['status', ['draft', 'open', 'closed']],
  ['severity', ['low', 'medium', 'high', 'critical']],
  ['channel', ['email', 'sms', 'push']],
  ['tier', ['free', 'pro', 'team', 'enterprise']],
  ['visibility', ['private', 'internal', 'public']],
]

interface TableState {
  name: string
  columns: Column[]
  indexes: Set<string>
  indexedColumns: Set<string>
  checks: number
  seeded: number
  /** Position of the revision that creates it. */
  createdAt: number
}

type Kind = 'createTable' | 'addColumn' | 'createIndex' | 'enum' | 'foreignKey' | 'data' | 'alter'
const WEIGHTS: Array<[Kind, number]> = [
  ['createTable', 20],
  ['addColumn', 18],
  ['createIndex', 10],
  ['enum', 10],
  ['foreignKey', 14],
  ['data', 20],
  ['alter', 8],
]

export function planChain(count: number, options: PlanOptions = {}): ChainPlan {
  const random = prng(options.seed ?? 20240601 + count)
  const mergeEvery = options.mergeEvery ?? 100
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T
  const ids = new Set<string>()
  const newId = (): string => {
    for (;;) {
      const half = () =>
        Math.floor(random() * 0x1000000)
          .toString(16)
          .padStart(6, '0')
      const id = half() + half()
      if (!ids.has(id)) {
        ids.add(id)
        return id
      }
    }
  }
  const tables: TableState[] = []
  let enumCount = 0

  const freshColumnName = (t: TableState, base: string): string => {
    let name = base
    for (let i = 2; t.columns.some((c) => c.name === name); i++) name = `${base}_${i}`
    return name
  }

  /** refLimit: only the first refLimit tables may be referenced (a branch must not see its sibling's table). */
  const createTable = (refLimit = tables.length, forceEnum = false): { message: string; ops: Op[] } => {
    const name = `${NOUNS[tables.length % NOUNS.length]}_${tables.length}`
    const columns: Column[] = [
      { name: 'code', type: { kind: 'varchar', length: 40 }, nullable: false },
      { name: 'name', type: { kind: 'varchar', length: 120 }, nullable: false },
      { name: 'position', type: { kind: 'int' }, nullable: false, default: { kind: 'literal', sql: '0' } },
    ]
    const ops: Op[] = []
    const state: TableState = {
      name,
      columns,
      indexes: new Set(),
      indexedColumns: new Set(),
      checks: 0,
      seeded: 0,
      createdAt: revisions.length,
    }
    if (random() < 0.3 || forceEnum) {
      const [label, values] = pick(ENUM_SETS)
      const type: ColumnType = { kind: 'enum', name: `${name}_${label}`, values }
      columns.push({ name: label, type, nullable: false, default: { kind: 'literal', sql: `'${values[0]}'` } })
      enumCount++
    }
    const foreignKeys: ForeignKey[] = []
    if (refLimit > 0 && random() < 0.5) {
      const ref = pick(tables.slice(0, refLimit))
      const column = `${ref.name}_id`
      columns.push({ name: column, type: { kind: 'int' }, nullable: true })
      foreignKeys.push({ name: `fk_${name}_${column}`, column, refTable: ref.name })
    }
    if (random() < 0.5) columns.push({ name: 'payload', type: { kind: 'jsonb' }, nullable: true })
    columns.push({ name: 'created_at', type: { kind: 'timestamptz' }, nullable: false, default: { kind: 'now' } })
    ops.push({ op: 'createTable', table: name, columns, unique: ['code'], foreignKeys })
    for (const fk of foreignKeys) ops.push(indexOp(state, [fk.column]))
    if (random() < 0.4) ops.push(indexOp(state, ['created_at']))
    tables.push(state)
    return { message: `create ${name}`, ops }
  }

  const indexOp = (t: TableState, columns: string[], where?: string): Op => {
    let name = `ix_${t.name}_${columns.join('_')}`
    if (name.length > 60 || t.indexes.has(name)) name = `ix_${t.name}_${t.indexes.size + 1}`
    t.indexes.add(name)
    for (const c of columns) t.indexedColumns.add(c)
    return { op: 'createIndex', table: t.name, name, columns, unique: false, ...(where ? { where } : {}) }
  }

  const addColumn = (): { message: string; ops: Op[] } => {
    const t = pick(tables)
    const [base, type, nullable, dflt] = pick(ADDABLE)
    const column: Column = { name: freshColumnName(t, base), type, nullable, ...(dflt ? { default: dflt } : {}) }
    t.columns.push(column)
    const ops: Op[] = [{ op: 'addColumn', table: t.name, column }]
    if (random() < 0.4 && type.kind !== 'jsonb') ops.push(indexOp(t, [column.name]))
    return { message: `add ${column.name} to ${t.name}`, ops }
  }

  const createIndex = (): { message: string; ops: Op[] } => {
    const t = pick(tables)
    const candidates = t.columns.filter((c) => !t.indexedColumns.has(c.name) && c.type.kind !== 'jsonb')
    const first = candidates.length > 0 ? pick(candidates) : pick(t.columns.filter((c) => c.type.kind !== 'jsonb'))
    const r = random()
    const archived = t.columns.some((c) => c.name === 'archived_at')
    if (r < 0.3 && first.name !== 'created_at') {
      return {
        message: `index ${t.name} by ${first.name} and created_at`,
        ops: [indexOp(t, [first.name, 'created_at'])],
      }
    }
    if (r < 0.5 && archived && first.name !== 'archived_at') {
      return {
        message: `partial index on live ${t.name} rows`,
        ops: [indexOp(t, [first.name], 'archived_at IS NULL')],
      }
    }
    return { message: `index ${t.name}.${first.name}`, ops: [indexOp(t, [first.name])] }
  }

  const enumColumn = (): { message: string; ops: Op[] } => {
    const t = pick(tables)
    const [label, values] = pick(ENUM_SETS)
    const column = freshColumnName(t, label)
    const name = `${t.name}_${column}`
    const type: ColumnType = { kind: 'enum', name, values }
    const col: Column = { name: column, type, nullable: false, default: { kind: 'literal', sql: `'${values[0]}'` } }
    t.columns.push(col)
    enumCount++
    return {
      message: `add ${column} enum to ${t.name}`,
      ops: [{ op: 'createEnum', name, values }, { op: 'addColumn', table: t.name, column: col }, indexOp(t, [column])],
    }
  }

  const foreignKey = (): { message: string; ops: Op[] } => {
    const t = pick(tables)
    const ref = pick(tables.filter((x) => x !== t))
    const column = freshColumnName(t, `${ref.name}_id`)
    t.columns.push({ name: column, type: { kind: 'int' }, nullable: true })
    const fk: ForeignKey = { name: `fk_${t.name}_${column}`, column, refTable: ref.name }
    return {
      message: `link ${t.name} to ${ref.name}`,
      ops: [
        { op: 'addColumn', table: t.name, column: { name: column, type: { kind: 'int' }, nullable: true } },
        { op: 'addForeignKey', table: t.name, fk },
        indexOp(t, [column]),
      ],
    }
  }

  const data = (index: number): { message: string; ops: Op[] } => {
    const t = pick(tables)
    if (random() < 0.3) {
      // A backfill: a new column filled from an existing one.
      const column = freshColumnName(t, 'name_normalized')
      t.columns.push({ name: column, type: { kind: 'varchar', length: 120 }, nullable: true })
      return {
        message: `backfill ${t.name}.${column}`,
        ops: [
          {
            op: 'addColumn',
            table: t.name,
            column: { name: column, type: { kind: 'varchar', length: 120 }, nullable: true },
          },
          { op: 'backfill', table: t.name, column, expr: 'lower(name)' },
        ],
      }
    }
    const rows = Array.from({ length: 3 + Math.floor(random() * 8) }, (_, i) => ({
      code: `r${index}_${i}`,
      name: `Seed ${index}/${i}`,
      position: i,
    }))
    t.seeded += rows.length
    return {
      message: `seed ${t.name} rows`,
      ops: [
        { op: 'insertRows', table: t.name, rows },
        { op: 'bumpCounter', table: t.name, column: 'position', delta: 1 + Math.floor(random() * 9) },
      ],
    }
  }

  const alter = (): { message: string; ops: Op[] } => {
    const t = pick(tables)
    const numeric = t.columns.filter((c) => c.name === 'position' || c.name.startsWith('score'))
    if (random() < 0.5 && numeric.length > 0) {
      const c = pick(numeric)
      t.checks++
      return {
        message: `check ${t.name}.${c.name} is not negative`,
        ops: [{ op: 'addCheck', table: t.name, name: `ck_${t.name}_${c.name}_${t.checks}`, expr: `${c.name} >= 0` }],
      }
    }
    const textual = t.columns.filter((c) => c.type.kind === 'varchar' && c.default === undefined && c.name !== 'code')
    if (textual.length === 0) {
      t.checks++
      return {
        message: `check ${t.name}.position is not negative`,
        ops: [{ op: 'addCheck', table: t.name, name: `ck_${t.name}_position_${t.checks}`, expr: 'position >= 0' }],
      }
    }
    const c = pick(textual)
    const to: ColumnDefault = { kind: 'literal', sql: "'unnamed'" }
    c.default = to
    return {
      message: `default for ${t.name}.${c.name}`,
      ops: [{ op: 'setDefault', table: t.name, column: c.name, type: c.type, to }],
    }
  }

  /** Two indexes on one table; the downgrade drops only the first (the second stays behind). */
  const indexResidue = (): { message: string; ops: Op[]; tableAt: number } => {
    const t = pick(tables)
    const a = pick(t.columns.filter((c) => c.type.kind !== 'jsonb'))
    // The forgotten index is on columns the table was created with: only dropping the table removes it.
    const b = pick(['code', 'name', 'position'].filter((c) => c !== a.name))
    const second = indexOp(t, [b, 'created_at'])
    return {
      message: `index ${t.name} for the listing pages`,
      ops: [indexOp(t, [a.name]), { ...second, keepOnDowngrade: true } as Op],
      tableAt: t.createdAt,
    }
  }

  /** A table with an enum column whose downgrade forgets the type (the autogenerate bug). */
  const enumResidue = (): { message: string; ops: Op[] } => {
    const made = createTable(tables.length, true)
    const [first, ...rest] = made.ops
    return { message: made.message, ops: [{ ...(first as Op), keepEnumsOnDowngrade: true } as Op, ...rest] }
  }

  /** A data migration that cannot be undone (the old values are lost). */
  const irreversible = (): { message: string; ops: Op[] } => {
    const t = pick(tables)
    return {
      message: `normalize ${t.name} names`,
      ops: [{ op: 'irreversibleUpdate', table: t.name, column: 'name', expr: 'trim(name)' }],
    }
  }

  const DEFECTS: Defect[] = ['index-residue', 'enum-residue', 'irreversible']
  const defectAt = (n: number): Defect | undefined => {
    const every = options.defectEvery ?? 0
    if (every <= 0 || n % every !== Math.floor(every / 2) || tables.length < 3) return undefined
    return DEFECTS[Math.floor(n / every) % DEFECTS.length]
  }
  const defective = (defect: Defect): { message: string; ops: Op[]; tableAt?: number } =>
    defect === 'index-residue' ? indexResidue() : defect === 'enum-residue' ? enumResidue() : irreversible()

  const body = (index: number): { message: string; ops: Op[] } => {
    if (tables.length < 3) return createTable()
    let r = random() * WEIGHTS.reduce((n, [, w]) => n + w, 0)
    let kind: Kind = 'createTable'
    for (const [k, w] of WEIGHTS) {
      if ((r -= w) < 0) {
        kind = k
        break
      }
    }
    switch (kind) {
      case 'createTable':
        return createTable()
      case 'addColumn':
        return addColumn()
      case 'createIndex':
        return createIndex()
      case 'enum':
        return enumColumn()
      case 'foreignKey':
        return foreignKey()
      case 'data':
        return data(index)
      case 'alter':
        return alter()
    }
  }

  const revisions: Revision[] = []
  let head: string | null = null
  const add = (
    parents: string[],
    made: { message: string; ops: Op[]; tableAt?: number },
    merge = false,
    defect?: Defect,
  ): string => {
    const id = newId()
    // A copy: later revisions change the table state these operations were made from.
    const ops = structuredClone(made.ops)
    revisions.push({
      index: revisions.length,
      id,
      parents,
      message: made.message,
      ops,
      merge,
      ...(defect ? { defect } : {}),
      ...(made.tableAt === undefined ? {} : { defectTableAt: made.tableAt }),
    })
    return id
  }
  while (revisions.length < count) {
    const n = revisions.length
    if (mergeEvery > 0 && n > 0 && n % mergeEvery === mergeEvery - 3 && n + 3 <= count && head) {
      // Two developers branch from the same head, each creating a table (independent of each other,
      // so any order of the two applies); `alembic merge heads` joins them.
      const from: string = head
      const before = tables.length
      const a = add([from], createTable(before))
      const b = add([from], createTable(before))
      head = add([a, b], { message: 'merge heads', ops: [] }, true)
      continue
    }
    const defect = defectAt(n)
    head = add(head ? [head] : [], defect ? defective(defect) : body(n), false, defect)
  }
  return { revisions, tables: tables.length, enums: enumCount }
}

/** A file-name slug the way Alembic makes one (truncate_slug_length 40). */
export function slugOf(message: string): string {
  const slug = message
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
  return slug.length > 40 ? slug.slice(0, 40).replace(/_[^_]*$/, '') || slug.slice(0, 40) : slug
}

/**
 * The same chain with its defects repaired (every downgrade exact again; an irreversible data
 * migration gets a downgrade that does nothing): the same upgrades, so the naive check and the
 * peer, which stop at the first broken downgrade, run the whole chain and cost what they would.
 */
export function repairPlan(plan: ChainPlan): ChainPlan {
  const revisions = plan.revisions.map((r) => {
    const { defect: _defect, defectTableAt: _at, ...rest } = r
    const ops = r.ops.map((o): Op => {
      if (o.op === 'createTable') {
        const { keepEnumsOnDowngrade: _keep, ...op } = o
        return op
      }
      if (o.op === 'createIndex') {
        const { keepOnDowngrade: _keep, ...op } = o
        return op
      }
      if (o.op === 'irreversibleUpdate') return { op: 'backfill', table: o.table, column: o.column, expr: o.expr }
      return o
    })
    return { ...rest, ops }
  })
  return { ...plan, revisions }
}
