// live-ignore: parsing the input (a reason required, SCHEMA.OBJECT patterns) and what a pattern leaves
// out of a schema (compared-schema.ts) on a snapshot written out by hand.
import { describe, expect, it } from 'vitest'
import { GateError } from '../../src/errors.js'
import { readConfig } from '../../src/inputs.js'
import { comparedSchema, OTHER_TOOL_SCHEMAS } from '../../src/live/compared-schema.js'
import { parseLiveIgnore } from '../../src/live/ignore.js'
import type { RelationInfo, Snapshot } from '../../src/schema/types.js'

function thrown(f: () => unknown): GateError {
  try {
    f()
  } catch (error) {
    if (error instanceof GateError) return error
    throw error
  }
  throw new Error('expected a GateError')
}

describe('parseLiveIgnore', () => {
  it('reads one pattern and its reason a line, skipping blank lines and comments', () => {
    const rules = parseLiveIgnore(
      '\n# the reporting tool\npublic.report_*: written by the reporting job\n  audit.* :  the audit trail\n',
    )
    expect(rules.map((r) => [r.pattern, r.reason])).toEqual([
      ['public.report_*', 'written by the reporting job'],
      ['audit.*', 'the audit trail'],
    ])
  })

  it('refuses a pattern without a reason, in one line naming the input', () => {
    const error = thrown(() => parseLiveIgnore('public.report_daily'))
    expect(error.input).toBe('live-ignore')
    expect(error.message).toBe(
      'live-ignore: "public.report_daily" needs a reason ("SCHEMA.OBJECT: why it is left out")',
    )
    expect(thrown(() => parseLiveIgnore('public.x:   ')).message).toMatch(/^live-ignore: "public\.x:" needs a reason/)
  })

  it('refuses a pattern that is not SCHEMA.OBJECT', () => {
    const error = thrown(() => parseLiveIgnore('report_daily: the reports'))
    expect(error.input).toBe('live-ignore')
    expect(error.message).toBe(
      'live-ignore: "report_daily" is not SCHEMA.OBJECT (write public.report_daily, or *.name for any schema)',
    )
  })

  it('matches * and ? within one name, never across a dot, and everything else literally', () => {
    const [rule] = parseLiveIgnore('public.report_?_*: reports')
    expect(rule?.matches('public.report_a_daily')).toBe(true)
    expect(rule?.matches('public.report_ab_daily')).toBe(false)
    expect(rule?.matches('public.report_a_daily.amount')).toBe(false)
    expect(rule?.matches('publicXreport_a_daily')).toBe(false)
    const [any] = parseLiveIgnore('*.audit_log: the audit tool')
    expect(['public.audit_log', 'ops.audit_log', 'public.audit_logs'].map((n) => any?.matches(n))).toEqual([
      true,
      true,
      false,
    ])
  })

  it('is read by readConfig, whose errors name the input', () => {
    expect(readConfig((name) => (name === 'live-ignore' ? 'public.t: a reason' : undefined)).liveIgnore).toHaveLength(1)
    expect(readConfig(() => undefined)).toMatchObject({ liveIgnore: [], liveDriftSeverity: 'error' })
    expect(thrown(() => readConfig((name) => (name === 'live-ignore' ? 'public.t' : undefined))).input).toBe(
      'live-ignore',
    )
    expect(thrown(() => readConfig((name) => (name === 'live-drift-severity' ? 'fatal' : undefined))).message).toBe(
      'live-drift-severity: unknown value "fatal" (allowed: error, warning, notice, off)',
    )
  })
})

function table(schema: string, name: string, parts: Partial<RelationInfo> = {}): RelationInfo {
  return {
    schema,
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
    columns: [],
    constraints: [],
    indexes: [],
    triggers: [],
    policies: [],
    rules: [],
    ...parts,
  }
}

const column = (name: string) => ({
  name,
  type: 'integer',
  notNull: false,
  default: null,
  identity: null,
  generated: null,
  collation: null,
  comment: null,
})
const index = (name: string) => ({
  name,
  definition: `CREATE INDEX ${name} ON t (a)`,
  unique: false,
  method: 'btree',
  predicate: null,
  valid: true,
  comment: null,
})

const SNAPSHOT: Snapshot = {
  schemas: [
    { name: 'audit', comment: null },
    { name: 'pgbouncer', comment: null },
    { name: 'public', comment: null },
  ],
  extensions: [],
  types: [],
  sequences: [
    {
      schema: 'public',
      name: 'report_daily_id_seq',
      type: 'integer',
      start: '1',
      increment: '1',
      min: '1',
      max: '2147483647',
      cache: '1',
      cycle: false,
      persistence: 'permanent',
      ownedBy: { schema: 'public', name: 'report_daily', column: 'id' },
      comment: null,
    },
  ],
  relations: [
    table('audit', 'events'),
    table('public', 'pdfs', { columns: [column('id'), column('legacy_id')], indexes: [index('ix_pdfs_legacy')] }),
    table('public', 'report_daily', { columns: [column('id')] }),
  ],
  functions: [
    {
      schema: 'pgbouncer',
      name: 'get_auth',
      kind: 'function',
      arguments: 'p_usename text',
      result: 'TABLE(username text, password text)',
      language: 'sql',
      volatility: 'volatile',
      strict: false,
      securityDefiner: true,
      body: 'SELECT usename, passwd FROM pg_shadow WHERE usename = p_usename',
      definition: null,
      comment: null,
    },
  ],
}

describe('comparedSchema', () => {
  it('leaves out other tools\u2019 schemas by rule, and nothing else without a pattern', () => {
    expect(OTHER_TOOL_SCHEMAS).toContain('pgbouncer')
    const c = comparedSchema(SNAPSHOT, [])
    expect(c.snapshot.schemas.map((s) => s.name)).toEqual(['audit', 'public'])
    expect(c.snapshot.functions).toEqual([])
    expect(c.snapshot.relations.map((r) => r.name)).toEqual(['events', 'pdfs', 'report_daily'])
    expect(c.ignored).toEqual([])
  })

  it('leaves out a whole schema, a table with its serial, a column and an index by their patterns', () => {
    const rules = parseLiveIgnore(
      [
        'audit.*: the audit tool',
        'public.report_*: the reporting job',
        'public.pdfs.legacy_*: kept for the old importer',
        'public.ix_pdfs_*: made by the DBA',
      ].join('\n'),
    )
    const c = comparedSchema(SNAPSHOT, rules)
    expect(c.snapshot.schemas.map((s) => s.name)).toEqual(['public'])
    expect(c.snapshot.relations.map((r) => r.name)).toEqual(['pdfs'])
    expect(c.snapshot.relations[0]?.columns.map((x) => x.name)).toEqual(['id'])
    expect(c.snapshot.relations[0]?.indexes).toEqual([])
    expect(c.snapshot.sequences).toEqual([])
    expect(c.ignored.map((o) => `${o.object} (${o.rule.pattern})`)).toEqual([
      'schema audit.* (audit.*)',
      'column public.pdfs.legacy_id (public.pdfs.legacy_*)',
      'index public.pdfs.ix_pdfs_legacy (public.ix_pdfs_*)',
      'table public.report_daily (public.report_*)',
    ])
  })

  it('gives equal fingerprints to schemas that differ only in what is left out', () => {
    const without = { ...SNAPSHOT, relations: SNAPSHOT.relations.filter((r) => r.name !== 'report_daily') }
    expect(comparedSchema(SNAPSHOT, []).fingerprint).not.toBe(comparedSchema(without, []).fingerprint)
    const rules = parseLiveIgnore('public.report_*: the reporting job')
    expect(comparedSchema(SNAPSHOT, rules).fingerprint).toBe(comparedSchema(without, rules).fingerprint)
  })
})
