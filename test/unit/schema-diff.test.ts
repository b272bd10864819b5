// The pure parts of schema comparison, on hand-built snapshots: diff's wording, order and rules, and
// normalize's exclusions. The real catalog is exercised in test/integration/schema.test.ts.
import { describe, expect, it } from 'vitest'
import { undoStatements } from '../../src/schema/undo.js'
import { diff } from '../../src/schema/diff.js'
import { normalize } from '../../src/schema/snapshot.js'
import type {
  ColumnInfo,
  ConstraintInfo,
  FunctionInfo,
  IndexInfo,
  RelationInfo,
  SequenceInfo,
  Snapshot,
  TypeInfo,
} from '../../src/schema/types.js'

const empty = (): Snapshot => ({ schemas: [], extensions: [], types: [], sequences: [], relations: [], functions: [] })

const col = (name: string, type = 'integer', extra: Partial<ColumnInfo> = {}): ColumnInfo => ({
  name,
  type,
  notNull: false,
  default: null,
  identity: null,
  generated: null,
  collation: null,
  comment: null,
  ...extra,
})

const table = (name: string, columns: ColumnInfo[], extra: Partial<RelationInfo> = {}): RelationInfo => ({
  schema: 'public',
  name,
  kind: 'table',
  persistence: 'permanent',
  partitionKey: null,
  partitionOf: null,
  partitionBound: null,
  inherits: [],
  options: [],
  rowSecurity: false,
  forceRowSecurity: false,
  replicaIdentity: 'default',
  definition: null,
  comment: null,
  columns,
  constraints: [],
  indexes: [],
  triggers: [],
  policies: [],
  rules: [],
  ...extra,
})

const fk = (
  name: string,
  onDelete: ConstraintInfo['onDelete'],
  extra: Partial<ConstraintInfo> = {},
): ConstraintInfo => ({
  name,
  type: 'foreign key',
  definition: `FOREIGN KEY (user_id) REFERENCES users(id)${onDelete === 'NO ACTION' ? '' : ` ON DELETE ${onDelete}`}`,
  deferrable: false,
  deferred: false,
  validated: true,
  references: { schema: 'public', name: 'users' },
  onDelete,
  onUpdate: 'NO ACTION',
  match: 'SIMPLE',
  comment: null,
  ...extra,
})

const index = (name: string, definition: string, extra: Partial<IndexInfo> = {}): IndexInfo => ({
  name,
  definition,
  unique: false,
  method: 'btree',
  predicate: null,
  valid: true,
  comment: null,
  ...extra,
})

const enumType = (name: string, labels: string[], schema = 'public'): TypeInfo => ({
  schema,
  name,
  kind: 'enum',
  labels,
  baseType: null,
  notNull: false,
  default: null,
  collation: null,
  constraints: null,
  attributes: null,
  comment: null,
})

const fn = (name: string, body: string, extra: Partial<FunctionInfo> = {}): FunctionInfo => ({
  schema: 'public',
  name,
  kind: 'function',
  arguments: 'a integer',
  result: 'integer',
  language: 'sql',
  volatility: 'volatile',
  strict: false,
  securityDefiner: false,
  body,
  definition: `CREATE OR REPLACE FUNCTION public.${name}(a integer) RETURNS integer LANGUAGE sql AS $$${body}$$`,
  comment: null,
  ...extra,
})

const seq = (name: string, extra: Partial<SequenceInfo> = {}): SequenceInfo => ({
  schema: 'public',
  name,
  type: 'bigint',
  start: '1',
  increment: '1',
  min: '1',
  max: '9223372036854775807',
  cache: '1',
  cycle: false,
  persistence: 'permanent',
  ownedBy: null,
  comment: null,
  ...extra,
})

const messages = (before: Snapshot, after: Snapshot) => diff(before, after).map((c) => c.message)

describe('diff', () => {
  it('finds nothing between equal snapshots', () => {
    const s = { ...empty(), relations: [table('users', [col('id')])], types: [enumType('mood', ['a', 'b'])] }
    expect(diff(s, structuredClone(s))).toEqual([])
  })

  it('says present/absent with structured fields, public omitted and other schemas qualified', () => {
    const before = { ...empty(), types: [enumType('mood', ['a'], 'app')] }
    const after = { ...empty(), types: [enumType('mood', ['a'])] }
    expect(diff(before, after)).toEqual([
      {
        kind: 'type',
        name: 'app.mood',
        change: 'removed',
        message: 'type app.mood (enum): absent now, present before',
        variant: 'enum',
      },
      {
        kind: 'type',
        name: 'mood',
        change: 'added',
        message: 'type mood (enum): present now, absent before',
        variant: 'enum',
      },
    ])
  })

  it('a constraint that differs only in its name is one rename, with the statement that restores the name', () => {
    // Django drops and recreates the foreign keys to a primary key whose type it alters, named anew:
    // after the downgrade the constraint is the same but for its name.
    const before = {
      ...empty(),
      relations: [table('orders', [col('user_id')], { constraints: [fk('orders_user_id_fk_users_id', 'CASCADE')] })],
    }
    const after = {
      ...empty(),
      relations: [table('orders', [col('user_id')], { constraints: [fk('orders_user_id_fk', 'CASCADE')] })],
    }
    const renamed = diff(before, after, { constraintRenames: true })
    expect(renamed).toEqual([
      expect.objectContaining({
        kind: 'constraint',
        name: 'orders_user_id_fk',
        table: 'orders',
        change: 'changed',
        attribute: 'name',
        before: 'orders_user_id_fk_users_id',
        after: 'orders_user_id_fk',
        message:
          'constraint orders_user_id_fk on orders: name orders_user_id_fk now, orders_user_id_fk_users_id before',
      }),
    ])
    expect(undoStatements(renamed)).toEqual([
      'ALTER TABLE orders RENAME CONSTRAINT orders_user_id_fk TO orders_user_id_fk_users_id',
    ])
    // Without the option (live drift, model drift): one constraint gone and one new, as before.
    expect(diff(before, after).map((c) => c.change)).toEqual(['added', 'removed'])
    // A constraint that also differs in what it does is not a rename: the new one is dropped.
    const cascade = {
      ...empty(),
      relations: [table('orders', [col('user_id')], { constraints: [fk('orders_user_id_fk', 'SET NULL')] })],
    }
    const replaced = diff(before, cascade, { constraintRenames: true })
    expect(replaced.map((c) => c.change)).toEqual(['added', 'removed'])
    expect(undoStatements(replaced)).toEqual(['ALTER TABLE orders DROP CONSTRAINT orders_user_id_fk'])
  })

  it('gives the statements that remove what a downgrade left, dependents first', () => {
    const before = { ...empty(), relations: [table('chats', [])] }
    const after: Snapshot = {
      ...empty(),
      types: [enumType('mood', ['a']), { ...enumType('email', []), kind: 'domain' }],
      sequences: [seq('invoice_seq')],
      relations: [table('chats', []), table('feedback', [])],
      functions: [fn('touch', 'SELECT 1')],
    }
    expect(undoStatements(diff(before, after))).toEqual([
      'DROP TABLE feedback',
      'DROP SEQUENCE invoice_seq',
      'DROP FUNCTION touch(a integer)',
      'DROP DOMAIN email',
      'DROP TYPE mood',
    ])
    // What the downgrade removed (absent now) has no statement that brings it back.
    expect(undoStatements(diff(after, before))).toEqual([])
    // Names SQL cannot write bare are quoted: DROP EXTENSION uuid-ossp is a syntax error.
    const odd: Snapshot = {
      ...empty(),
      extensions: [{ name: 'uuid-ossp', version: '1.1', schema: 'public', comment: null }],
      types: [enumType('Mood', [], 'app')],
    }
    expect(undoStatements(diff(empty(), odd))).toEqual(['DROP TYPE app."Mood"', 'DROP EXTENSION "uuid-ossp"'])
  })

  it('orders changes by category, then by name', () => {
    const before = empty()
    const after: Snapshot = {
      schemas: [{ name: 'zeta', comment: null }],
      extensions: [{ name: 'citext', version: '1.6', schema: 'public', comment: null }],
      types: [enumType('b', []), enumType('a', [])],
      sequences: [seq('s')],
      relations: [table('z', []), table('a', [])],
      functions: [fn('f', 'SELECT 1')],
    }
    expect(messages(before, after)).toEqual([
      'schema zeta: present now, absent before',
      'extension citext: present now, absent before',
      'type a (enum): present now, absent before',
      'type b (enum): present now, absent before',
      'sequence s: present now, absent before',
      'table a: present now, absent before',
      'table z: present now, absent before',
      'function f(a integer): present now, absent before',
    ])
  })

  it('names the attribute and both values for a changed column, with table set', () => {
    const before = { ...empty(), relations: [table('users', [col('email', 'character varying(255)')])] }
    const after = {
      ...empty(),
      relations: [table('users', [col('email', 'character varying(100)', { notNull: true })])],
    }
    expect(diff(before, after)).toEqual([
      {
        kind: 'column',
        name: 'email',
        table: 'users',
        change: 'changed',
        attribute: 'type',
        before: 'character varying(255)',
        after: 'character varying(100)',
        message: 'column users.email: type character varying(100) now, character varying(255) before',
      },
      {
        kind: 'column',
        name: 'email',
        table: 'users',
        change: 'changed',
        attribute: 'notNull',
        before: false,
        after: true,
        message: 'column users.email: NOT NULL now, nullable before',
      },
    ])
  })

  it('names the two sides as told, for a comparison of two databases', () => {
    const sides = { after: 'in the live database', before: 'in the migrations' }
    const before = { ...empty(), relations: [table('pdfs', [col('id'), col('filename', 'character varying(255)')])] }
    const after = {
      ...empty(),
      relations: [
        table('pdfs', [
          col('id'),
          col('filename', 'character varying(300)'),
          col('processing_started_at', 'timestamp'),
        ]),
      ],
    }
    expect(diff(before, after, { sides }).map((c) => c.message)).toEqual([
      'column pdfs.filename: type character varying(300) in the live database, character varying(255) in the migrations',
      'column pdfs.processing_started_at: present in the live database, absent in the migrations',
    ])
    expect(diff(after, before, { sides }).map((c) => c.message)[1]).toBe(
      'column pdfs.processing_started_at: absent in the live database, present in the migrations',
    )
  })

  it('reports the specific attribute, not the definition that embeds it', () => {
    const before = {
      ...empty(),
      relations: [table('orders', [col('user_id')], { constraints: [fk('fk_x', 'NO ACTION')] })],
    }
    const after = {
      ...empty(),
      relations: [table('orders', [col('user_id')], { constraints: [fk('fk_x', 'CASCADE')] })],
    }
    expect(messages(before, after)).toEqual(['constraint fk_x on orders: ON DELETE CASCADE now, NO ACTION before'])
  })

  it('falls back to the definition when no specific attribute differs, next to a comment change', () => {
    const before = {
      ...empty(),
      relations: [table('t', [], { indexes: [index('ix', 'CREATE INDEX ix ON public.t USING btree (a)')] })],
    }
    const after = {
      ...empty(),
      relations: [
        table('t', [], { indexes: [index('ix', 'CREATE INDEX ix ON public.t USING btree (b)', { comment: 'by b' })] }),
      ],
    }
    expect(messages(before, after)).toEqual([
      'index ix on t: definition CREATE INDEX ix ON public.t USING btree (b) now, CREATE INDEX ix ON public.t USING btree (a) before',
      'index ix on t: comment "by b" now, none before',
    ])
  })

  it('shows an excerpt around the first difference of a long value', () => {
    const long = (n: number) => `SELECT ${'col, '.repeat(30)}\n  ${n} AS marker FROM somewhere`
    const before = { ...empty(), functions: [fn('f', long(1))] }
    const after = { ...empty(), functions: [fn('f', long(2))] }
    const [change] = diff(before, after)
    expect(change).toMatchObject({
      kind: 'function',
      name: 'f(a integer)',
      attribute: 'body',
      before: long(1),
      after: long(2),
    })
    expect(change?.message).toBe(
      'function f(a integer): body differs: "…col, col, col, col, 2 AS marker FROM somewhere" now, "…col, col, col, col, 1 AS marker FROM somewhere" before',
    )
    const spaced = { ...empty(), functions: [fn('f', long(1).replace('\n  ', '\n      '))] }
    expect(messages(before, spaced)).toEqual(['function f(a integer): body differs in whitespace only'])
  })

  it('reports a changed kind alone, without the parts', () => {
    const before = { ...empty(), relations: [table('t', [col('a')])] }
    const after = {
      ...empty(),
      relations: [table('t', [col('a', 'text')], { kind: 'view', definition: 'SELECT 1', replicaIdentity: null })],
    }
    expect(messages(before, after)).toEqual(['view t: kind view now, table before'])
  })

  it('reports a dropped table once, not each of its parts', () => {
    const before = { ...empty(), relations: [table('t', [col('a'), col('b')], { indexes: [index('ix', 'x')] })] }
    expect(messages(before, empty())).toEqual(['table t: absent now, present before'])
  })

  it('reports column order once, only for columns on both sides, and can leave it out', () => {
    const abcd = table('t', [col('a'), col('b'), col('c'), col('d')])
    const acdb = table('t', [col('a'), col('c'), col('d'), col('b')])
    const before = { ...empty(), relations: [abcd] }
    const after = { ...empty(), relations: [acdb] }
    expect(diff(before, after)).toEqual([
      {
        kind: 'table',
        name: 't',
        change: 'changed',
        attribute: 'column order',
        before: ['a', 'b', 'c', 'd'],
        after: ['a', 'c', 'd', 'b'],
        message: 'table t: column order a, c, d, b now, a, b, c, d before',
      },
    ])
    expect(diff(before, after, { columnOrder: false })).toEqual([])
    // Dropping b shifts c and d, but their order relative to each other is unchanged.
    const acd = { ...empty(), relations: [table('t', [col('a'), col('c'), col('d')])] }
    expect(messages(before, acd)).toEqual(['column t.b: absent now, present before'])
    // A view's column order follows its definition; it is not compared on its own.
    const view = (cols: ColumnInfo[]) => ({
      ...empty(),
      relations: [table('v', cols, { kind: 'view', definition: 'SELECT', replicaIdentity: null })],
    })
    expect(diff(view([col('a'), col('b')]), view([col('b'), col('a')]))).toEqual([])
  })

  it('words lists, nulls and owners readably', () => {
    const before = { ...empty(), types: [enumType('mood', ['sad', 'happy'])], sequences: [seq('s')] }
    const after = {
      ...empty(),
      types: [enumType('mood', ['sad', 'ok', 'happy'])],
      sequences: [seq('s', { ownedBy: { schema: 'app', name: 't', column: 'id' }, cycle: true })],
    }
    expect(messages(before, after)).toEqual([
      'type mood (enum): labels sad, ok, happy now, sad, happy before',
      'sequence s: CYCLE now, NO CYCLE before',
      'sequence s: owned by app.t.id now, none before',
    ])
    const opts = { ...empty(), relations: [table('t', [], { options: ['fillfactor=70'] })] }
    expect(messages(opts, { ...empty(), relations: [table('t', [])] })).toEqual([
      'table t: options (none) now, fillfactor=70 before',
    ])
  })

  it('keys functions by their arguments: an overload is another object', () => {
    const before = { ...empty(), functions: [fn('f', 'SELECT 1')] }
    const after = { ...empty(), functions: [fn('f', 'SELECT 1'), fn('f', 'SELECT 1', { arguments: 'a text' })] }
    expect(diff(before, after)).toEqual([
      {
        kind: 'function',
        name: 'f(a text)',
        change: 'added',
        message: 'function f(a text): present now, absent before',
      },
    ])
  })
})

describe('normalize', () => {
  const doc = (): Snapshot => ({
    ...empty(),
    relations: [
      table('alembic_version', [col('version_num', 'character varying(32)')]),
      { ...table('alembic_version', [col('x')]), schema: 'other' },
      table('users', [col('id')]),
    ],
    sequences: [
      seq('alembic_version_id_seq', { ownedBy: { schema: 'public', name: 'alembic_version', column: 'id' } }),
      seq('users_id_seq', { ownedBy: { schema: 'public', name: 'users', column: 'id' } }),
    ],
  })
  const rows = () => [{ snapshot: JSON.stringify(doc()) }]
  const names = (s: Snapshot) => s.relations.map((r) => `${r.schema}.${r.name}`)

  it('parses the document and keeps everything without options', () => {
    expect(normalize(rows())).toEqual(doc())
  })

  it('leaves out a bare table name in every schema, with its owned sequence', () => {
    const s = normalize(rows(), { excludeTables: ['alembic_version'] })
    expect(names(s)).toEqual(['public.users'])
    expect(s.sequences.map((q) => q.name)).toEqual(['users_id_seq'])
  })

  it('leaves out a qualified table name in its schema only', () => {
    const s = normalize(rows(), { excludeTables: ['other.alembic_version'] })
    expect(names(s)).toEqual(['public.alembic_version', 'public.users'])
    expect(s.sequences).toHaveLength(2)
  })

  it('accepts a document a runner already parsed', () => {
    expect(normalize([{ snapshot: doc() }], { excludeTables: ['users'] }).sequences.map((q) => q.name)).toEqual([
      'alembic_version_id_seq',
    ])
  })

  it('refuses rows that are not one snapshot document', () => {
    expect(() => normalize([])).toThrow(/one row with a "snapshot" column, got 0/)
    expect(() => normalize([{ other: 1 }])).toThrow(/"snapshot" column/)
    expect(() => normalize([{ snapshot: '{"schemas": []}' }])).toThrow(/no "extensions" list/)
  })
})
