// The catalog queries behind a snapshot: ONE statement that returns ONE row holding the whole schema as a
// JSON text document, so a snapshot is one round trip and the same text can run on any connection (our
// pg client, or the Python helper's). The document is already normalized (sorted, no OIDs, no attnums),
// which is what lets FINGERPRINT_SQL hash it server-side and mean "same snapshot". It is written as JSON
// text (see obj() below), not built with jsonb: the key order is then fixed by this text.
//
// Portability (PostgreSQL 12 to 18): only catalog columns present since 12 are read (prokind, attgenerated,
// pg_sequence, relrowsecurity). NOT NULL constraints, which 18 also records in pg_constraint (contype 'n'),
// are read from attnotnull only. Ordering uses COLLATE "C" so the database's collation cannot reorder lists.
//
// The output of pg_get_*def and format_type qualifies names outside search_path: take the snapshots you
// compare under the same search_path (the gate's own connections all use the server default).

import { DDL_LOG_SCHEMA } from './ddl-log.js'

/** Schemas that never belong to a migration (the gate's own DDL log included). */
const SYSTEM_SCHEMA_FILTER = `n.nspname NOT IN ('pg_catalog', 'information_schema', '${DDL_LOG_SCHEMA}')
      AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'`

/**
 * True unless the object is a member of an extension (deptype 'e'): those are the extension's business,
 * listed as the extension. Membership rows all reference pg_extension: saying so lets the anti-join read
 * them through pg_depend_reference_index instead of reading the whole of pg_depend.
 */
const notExtensionMember = (catalog: string, oidExpr: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '${catalog}'::regclass AND e.objid = ${oidExpr}
                 AND e.refclassid = 'pg_extension'::regclass AND e.deptype = 'e')`

/**
 * The comment on an object (column: subId = attnum). Written out rather than obj_description(), a SQL
 * function whose per-call overhead was a fifth of the snapshot's time on a 200-table schema.
 */
const comment = (oidExpr: string, catalog: string, subId = '0') =>
  `(SELECT ds.description FROM pg_description ds WHERE ds.objoid = ${oidExpr} AND ds.classoid = '${catalog}'::regclass AND ds.objsubid = ${subId})`

/**
 * The comment on an object created after initdb, whose OID is therefore 16384 or higher (FirstNormalObjectId):
 * looked up only if the catalog has any such comment at all (of columns, or of whole objects), a test that
 * runs once per statement (an uncorrelated EXISTS is an InitPlan) on a range of pg_description_o_c_o_index.
 * Most schemas comment on few kinds of objects, and a lookup per column, constraint and index added up.
 */
const userComment = (oidExpr: string, catalog: string, subId = '0') =>
  `CASE WHEN EXISTS (SELECT 1 FROM pg_description f WHERE f.objoid >= 16384 AND f.classoid = '${catalog}'::regclass
                       AND f.objsubid ${subId === '0' ? '=' : '<>'} 0) THEN ${comment(oidExpr, catalog, subId)} END`

/** A collation name, schema-qualified unless it lives in pg_catalog. */
const collationName = (alias: string) =>
  `CASE WHEN ${alias}n.nspname = 'pg_catalog' THEN quote_ident(${alias}.collname) ELSE quote_ident(${alias}n.nspname) || '.' || quote_ident(${alias}.collname) END`

// The document is written as text, not built with json_build_object/json_agg: those categorize the type
// of every argument on every call (several syscache lookups per key and per value), which made them most
// of the snapshot's time that is not spent in pg_get_*def. The text is exactly what they would produce
// (json_build_object's `{"k" : v, ...}`, json_agg's `[a, b]`, PostgreSQL 12 to 18 alike); to_json()
// still escapes every value that is not a constant, so strings come out as json would write them.

/** A JSON value from a SQL value of any type (SQL NULL: null). */
const val = (expr: string) => `coalesce(to_json(${expr})::text, 'null')`

/** A JSON boolean from a SQL boolean (NULL: null). */
const bool = (expr: string) => `coalesce((${expr})::text, 'null')`

/** A JSON string constant, or null: for CASE branches whose results are literals. */
const lit = (s: string | null) => (s === null ? `'null'` : `'${JSON.stringify(s).replace(/'/g, "''")}'`)

/** CASE expr WHEN key THEN "value" ... ELSE other END, with the values written as JSON constants. */
const pick = (expr: string, cases: Record<string, string>, otherwise: string | null = null) =>
  `CASE ${expr} ${Object.entries(cases)
    .map(([k, v]) => `WHEN '${k}' THEN ${lit(v)}`)
    .join(' ')} ELSE ${lit(otherwise)} END`

/** A JSON object from [key, JSON text expression] pairs (every expression must be non-NULL). */
const obj = (fields: Array<[string, string]>) =>
  `('{' || ${fields.map(([k, v], i) => `'${i ? ', ' : ''}${JSON.stringify(k)} : ' || ${v}`).join('\n      || ')} || '}')`

/** A JSON array from text elements aggregated with string_agg (NULL when there are none). */
const arr = (aggExpr: string) => `('[' || coalesce(${aggExpr}, '') || ']')`

const FK_ACTIONS = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' }
const ENABLED = { O: 'enabled', D: 'disabled', R: 'replica', A: 'always' }

// The document's parts, each a CTE. Relations are also read one row per relation (RELATION_ROWS), and
// each other list on its own (LIST_SQL), for captures that re-read only what a step touched
// (incremental-capture.ts); SNAPSHOT_SQL puts the same parts together into the whole document.
const NSP = `nsp AS (
  SELECT n.oid, n.nspname FROM pg_namespace n
  WHERE ${SYSTEM_SCHEMA_FILTER} AND ${notExtensionMember('pg_namespace', 'n.oid')}
)`

/** `filter`: SQL appended to the relation CTE's WHERE (` AND c.oid = ANY(...)`), or nothing for all. */
const relCte = (filter: string) => `rel AS (
  SELECT c.oid, c.relname, c.relkind, c.relpersistence, c.relrowsecurity, c.relforcerowsecurity,
         c.relreplident, c.reloptions, c.relispartition, n.nspname,
         CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS partbound
  FROM pg_class c JOIN nsp n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND ${notExtensionMember('pg_class', 'c.oid')}${filter}
)`

const RELATION_PART_CTES = `cols AS (
  SELECT a.attrelid AS relid, string_agg(${obj([
    ['name', val('a.attname')],
    ['type', val('format_type(a.atttypid, a.atttypmod)')],
    ['notNull', bool('a.attnotnull')],
    // Only a generated column's expression can name columns; without a relation to name them from,
    // pg_get_expr neither opens it nor lists its columns, which halves its cost on serial defaults.
    ['default', val(`pg_get_expr(d.adbin, CASE WHEN a.attgenerated = '' THEN 0 ELSE d.adrelid END)`)],
    ['identity', pick('a.attidentity', { a: 'always', d: 'by default' })],
    ['generated', pick('a.attgenerated', { s: 'stored', v: 'virtual' })],
    ['collation', val(`CASE WHEN a.attcollation <> t.typcollation THEN ${collationName('co')} END`)],
    ['comment', val(userComment('a.attrelid', 'pg_class', 'a.attnum'))],
  ])}, ', ' ORDER BY a.attnum) AS j
  FROM pg_attribute a
  JOIN rel r ON r.oid = a.attrelid
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  LEFT JOIN pg_collation co ON co.oid = a.attcollation
  LEFT JOIN pg_namespace con ON con.oid = co.collnamespace
  WHERE a.attnum > 0 AND NOT a.attisdropped
  GROUP BY a.attrelid
),
cons AS (
  SELECT k.conrelid AS relid, string_agg(${obj([
    ['name', val('k.conname')],
    ['type', pick('k.contype', { p: 'primary key', f: 'foreign key', u: 'unique', c: 'check', x: 'exclusion' })],
    ['definition', val('pg_get_constraintdef(k.oid)')],
    ['deferrable', bool('k.condeferrable')],
    ['deferred', bool('k.condeferred')],
    ['validated', bool('k.convalidated')],
    [
      'references',
      `CASE WHEN k.contype = 'f' THEN ${obj([
        ['schema', val('fn.nspname')],
        ['name', val('fc.relname')],
      ])} ELSE 'null' END`,
    ],
    ['onDelete', pick('k.confdeltype', FK_ACTIONS)],
    ['onUpdate', pick('k.confupdtype', FK_ACTIONS)],
    [
      'match',
      `CASE WHEN k.contype = 'f' THEN ${pick('k.confmatchtype', { f: 'FULL', p: 'PARTIAL' }, 'SIMPLE')} ELSE 'null' END`,
    ],
    ['comment', val(userComment('k.oid', 'pg_constraint'))],
  ])}, ', ' ORDER BY k.conname) AS j
  FROM pg_constraint k
  JOIN rel r ON r.oid = k.conrelid
  LEFT JOIN pg_class fc ON fc.oid = k.confrelid
  LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
  WHERE k.contype IN ('p', 'f', 'u', 'c', 'x')
    -- A foreign key to a partitioned table also gets one internal row per referenced partition, on the
    -- same table under the same name; the user's constraint is the one without a parent on that table.
    -- Tested only when there is a parent: as an anti-join it read pg_constraint twice for every snapshot.
    AND (k.conparentid = 0 OR NOT EXISTS (SELECT 1 FROM pg_constraint pk WHERE pk.oid = k.conparentid AND pk.conrelid = k.conrelid))
  GROUP BY k.conrelid
),
idx AS (
  SELECT i.indrelid AS relid, string_agg(${obj([
    ['name', val('ic.relname')],
    ['definition', val('pg_get_indexdef(i.indexrelid)')],
    ['unique', bool('i.indisunique')],
    ['method', val('am.amname')],
    ['predicate', val('pg_get_expr(i.indpred, i.indrelid)')],
    ['valid', bool('i.indisvalid')],
    ['comment', val(userComment('ic.oid', 'pg_class'))],
  ])}, ', ' ORDER BY ic.relname) AS j
  FROM pg_index i
  JOIN rel r ON r.oid = i.indrelid
  JOIN pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_am am ON am.oid = ic.relam
  -- An index that backs a primary key, unique or exclusion constraint is that constraint's: listed once, there.
  WHERE NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid
                      AND k.contype IN ('p', 'u', 'x'))
  GROUP BY i.indrelid
),
trg AS (
  SELECT t.tgrelid AS relid, string_agg(${obj([
    ['name', val('t.tgname')],
    ['definition', val('pg_get_triggerdef(t.oid)')],
    ['enabled', pick('t.tgenabled', ENABLED)],
    ['comment', val(userComment('t.oid', 'pg_trigger'))],
  ])}, ', ' ORDER BY t.tgname) AS j
  FROM pg_trigger t JOIN rel r ON r.oid = t.tgrelid
  WHERE NOT t.tgisinternal
  GROUP BY t.tgrelid
),
pol AS (
  SELECT p.polrelid AS relid, string_agg(${obj([
    ['name', val('p.polname')],
    ['command', pick('p.polcmd', { '*': 'ALL', r: 'SELECT', a: 'INSERT', w: 'UPDATE', d: 'DELETE' })],
    ['permissive', bool('p.polpermissive')],
    [
      'roles',
      arr(`(SELECT string_agg(to_json(rn)::text, ', ' ORDER BY rn COLLATE "C")
                FROM (SELECT CASE WHEN ro = 0 THEN 'public' ELSE pg_get_userbyid(ro)::text END AS rn
                      FROM unnest(p.polroles) ro) roles)`),
    ],
    ['using', val('pg_get_expr(p.polqual, p.polrelid)')],
    ['check', val('pg_get_expr(p.polwithcheck, p.polrelid)')],
    ['comment', val(userComment('p.oid', 'pg_policy'))],
  ])}, ', ' ORDER BY p.polname) AS j
  FROM pg_policy p JOIN rel r ON r.oid = p.polrelid
  GROUP BY p.polrelid
),
rul AS (
  SELECT w.ev_class AS relid, string_agg(${obj([
    ['name', val('w.rulename')],
    ['definition', val('pg_get_ruledef(w.oid)')],
    ['enabled', pick('w.ev_enabled', ENABLED)],
    ['comment', val(userComment('w.oid', 'pg_rewrite'))],
  ])}, ', ' ORDER BY w.rulename) AS j
  FROM pg_rewrite w JOIN rel r ON r.oid = w.ev_class
  WHERE w.rulename <> '_RETURN'
  GROUP BY w.ev_class
),
inh AS (
  SELECT h.inhrelid AS relid, string_agg(${obj([
    ['schema', val('pn.nspname')],
    ['name', val('pc.relname')],
  ])}, ', ' ORDER BY h.inhseqno) AS j
  FROM pg_inherits h
  JOIN rel r ON r.oid = h.inhrelid
  JOIN pg_class pc ON pc.oid = h.inhparent
  JOIN pg_namespace pn ON pn.oid = pc.relnamespace
  GROUP BY h.inhrelid
)`

/** One relation as a JSON object, from `rel r` and the part CTEs (joined by RELATION_JOINS). */
const RELATION_OBJECT = obj([
  ['schema', val('r.nspname')],
  ['name', val('r.relname')],
  [
    'kind',
    pick('r.relkind', {
      r: 'table',
      p: 'partitioned table',
      v: 'view',
      m: 'materialized view',
      f: 'foreign table',
    }),
  ],
  ['persistence', pick('r.relpersistence', { u: 'unlogged' }, 'permanent')],
  ['partitionKey', val(`CASE WHEN r.relkind = 'p' THEN pg_get_partkeydef(r.oid) END`)],
  // A partition has exactly one parent (partitionOf); any other relation lists its parents (inherits).
  ['partitionOf', `CASE WHEN r.relispartition THEN coalesce(inh.j, 'null') ELSE 'null' END`],
  ['partitionBound', val('r.partbound')],
  ['inherits', `CASE WHEN r.relispartition THEN '[]' ELSE ${arr('inh.j')} END`],
  [
    'options',
    `CASE WHEN r.reloptions IS NULL THEN '[]' ELSE ${arr(`(SELECT string_agg(to_json(o)::text, ', ' ORDER BY o COLLATE "C") FROM unnest(r.reloptions) o)`)} END`,
  ],
  ['rowSecurity', bool('r.relrowsecurity')],
  ['forceRowSecurity', bool('r.relforcerowsecurity')],
  [
    'replicaIdentity',
    `CASE WHEN r.relkind IN ('r', 'p') THEN ${pick('r.relreplident', { n: 'nothing', f: 'full', i: 'index' }, 'default')} ELSE 'null' END`,
  ],
  ['definition', val(`CASE WHEN r.relkind IN ('v', 'm') THEN pg_get_viewdef(r.oid, true) END`)],
  ['comment', val(userComment('r.oid', 'pg_class'))],
  ['columns', arr('cols.j')],
  ['constraints', arr('cons.j')],
  ['indexes', arr('idx.j')],
  ['triggers', arr('trg.j')],
  ['policies', arr('pol.j')],
  ['rules', arr('rul.j')],
])

const RELATION_JOINS = `  FROM rel r
  LEFT JOIN cols ON cols.relid = r.oid
  LEFT JOIN cons ON cons.relid = r.oid
  LEFT JOIN idx ON idx.relid = r.oid
  LEFT JOIN trg ON trg.relid = r.oid
  LEFT JOIN pol ON pol.relid = r.oid
  LEFT JOIN rul ON rul.relid = r.oid
  LEFT JOIN inh ON inh.relid = r.oid`

/** One sequence as a JSON object, from `pg_sequence s`, `pg_class c`, `nsp n` and its owner `ow` (sequenceFrom). */
const SEQUENCE_OBJECT = obj([
  ['schema', val('n.nspname')],
  ['name', val('c.relname')],
  ['type', val('format_type(s.seqtypid, NULL)')],
  ['start', val('s.seqstart::text')],
  ['increment', val('s.seqincrement::text')],
  ['min', val('s.seqmin::text')],
  ['max', val('s.seqmax::text')],
  ['cache', val('s.seqcache::text')],
  ['cycle', bool('s.seqcycle')],
  ['persistence', pick('c.relpersistence', { u: 'unlogged' }, 'permanent')],
  [
    'ownedBy',
    `CASE WHEN ow.objid IS NULL THEN 'null' ELSE ${obj([
      ['schema', val('ow.nspname')],
      ['name', val('ow.relname')],
      ['column', val('ow.attname')],
    ])} END`,
  ],
  ['comment', val(userComment('c.oid', 'pg_class'))],
])

/** `only(oidExpr)`: SQL appended to the WHERE clauses that pick sequences (` AND oid = ANY(...)`), or nothing. */
const sequenceFrom = (only: (oid: string) => string) => `  FROM pg_sequence s
  JOIN pg_class c ON c.oid = s.seqrelid
  JOIN nsp n ON n.oid = c.relnamespace
  -- deptype 'a' is OWNED BY (serial), 'i' an identity column's sequence; a sequence has at most one owner.
  -- One join for all sequences: looked up per sequence, it cost four index probes each.
  LEFT JOIN (SELECT DISTINCT ON (d.objid) d.objid, tn.nspname, tc.relname, ta.attname
             FROM pg_sequence os
             JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = os.seqrelid
             JOIN pg_class tc ON tc.oid = d.refobjid
             JOIN pg_namespace tn ON tn.oid = tc.relnamespace
             JOIN pg_attribute ta ON ta.attrelid = d.refobjid AND ta.attnum = d.refobjsubid
             WHERE d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')${only('os.seqrelid')}
             ORDER BY d.objid) ow ON ow.objid = c.oid
  WHERE ${notExtensionMember('pg_class', 'c.oid')}${only('c.oid')}`

const SEQUENCES_CTE = `sequences AS (
  SELECT ${arr(`string_agg(${SEQUENCE_OBJECT}, ', ' ORDER BY n.nspname, c.relname)`)} AS j
${sequenceFrom(() => '')}
)`

/** One row per sequence (outside system schemas and extensions): oid, schema, name and JSON object. */
export const sequenceRowsSql = (only: (oid: string) => string) => `WITH
${NSP}
SELECT c.oid, n.nspname AS nsp, c.relname AS name, ${SEQUENCE_OBJECT} AS doc
${sequenceFrom(only)}`

const TYPES_CTE = `types AS (
  SELECT ${arr(
    `string_agg(${obj([
      ['schema', val('n.nspname')],
      ['name', val('t.typname')],
      ['kind', pick('t.typtype', { e: 'enum', d: 'domain', c: 'composite', r: 'range' })],
      ['labels', `CASE WHEN t.typtype = 'e' THEN ${arr('lab.j')} ELSE 'null' END`],
      [
        'baseType',
        val(`CASE t.typtype WHEN 'd' THEN format_type(t.typbasetype, t.typtypmod)
                                 WHEN 'r' THEN (SELECT format_type(rg.rngsubtype, NULL) FROM pg_range rg WHERE rg.rngtypid = t.oid) END`),
      ],
      ['notNull', bool('t.typnotnull')],
      ['default', val(`CASE WHEN t.typtype = 'd' THEN pg_get_expr(t.typdefaultbin, 0) END`)],
      [
        'collation',
        val(`CASE t.typtype
                     WHEN 'd' THEN (SELECT ${collationName('co')} FROM pg_collation co JOIN pg_namespace con ON con.oid = co.collnamespace
                                    JOIN pg_type bt ON bt.oid = t.typbasetype
                                    WHERE co.oid = t.typcollation AND t.typcollation <> bt.typcollation)
                     WHEN 'r' THEN (SELECT ${collationName('co')} FROM pg_range rg JOIN pg_collation co ON co.oid = rg.rngcollation
                                    JOIN pg_namespace con ON con.oid = co.collnamespace
                                    JOIN pg_type st ON st.oid = rg.rngsubtype
                                    WHERE rg.rngtypid = t.oid AND rg.rngcollation <> st.typcollation) END`),
      ],
      [
        'constraints',
        val(`CASE WHEN t.typtype = 'd' THEN
                       (SELECT coalesce(json_agg(k.conname || ': ' || pg_get_constraintdef(k.oid) ORDER BY k.conname), '[]'::json)
                        FROM pg_constraint k WHERE k.contypid = t.oid AND k.contype = 'c') END`),
      ],
      [
        'attributes',
        val(`CASE WHEN t.typtype = 'c' THEN
                      (SELECT coalesce(json_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
                                                 || CASE WHEN a.attcollation <> at.typcollation THEN ' COLLATE ' || ${collationName('co')} ELSE '' END
                                                 ORDER BY a.attnum), '[]'::json)
                       FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid
                       LEFT JOIN pg_collation co ON co.oid = a.attcollation
                       LEFT JOIN pg_namespace con ON con.oid = co.collnamespace
                       WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) END`),
      ],
      ['comment', val(userComment('t.oid', 'pg_type'))],
    ])}, ', ' ORDER BY n.nspname, t.typname)`,
  )} AS j
  FROM pg_type t
  JOIN nsp n ON n.oid = t.typnamespace
  -- All labels in one pass over pg_enum: per type, it was read whole once per enum.
  LEFT JOIN (SELECT e.enumtypid, string_agg(to_json(e.enumlabel)::text, ', ' ORDER BY e.enumsortorder) AS j
             FROM pg_enum e GROUP BY e.enumtypid) lab ON lab.enumtypid = t.oid
  -- Standalone composite types only: every table also has a row type, which is the table's business.
  WHERE (t.typtype IN ('e', 'd', 'r')
         OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c')))
    AND ${notExtensionMember('pg_type', 't.oid')}
)`

const FUNCTIONS_CTE = `functions AS (
  SELECT ${arr(
    `string_agg(${obj([
      ['schema', val('n.nspname')],
      ['name', val('p.proname')],
      ['kind', pick('p.prokind', { f: 'function', p: 'procedure', a: 'aggregate', w: 'window function' })],
      ['arguments', val('pg_get_function_identity_arguments(p.oid)')],
      ['result', val('pg_get_function_result(p.oid)')],
      ['language', val('l.lanname')],
      ['volatility', pick('p.provolatile', { i: 'immutable', s: 'stable' }, 'volatile')],
      ['strict', bool('p.proisstrict')],
      ['securityDefiner', bool('p.prosecdef')],
      ['body', val('p.prosrc')],
      // pg_get_functiondef refuses aggregates; describe those by their parts.
      [
        'definition',
        val(`CASE WHEN p.prokind = 'a' THEN
                      (SELECT concat_ws(', ', 'SFUNC = ' || ag.aggtransfn::regprocedure::text,
                                        'STYPE = ' || format_type(ag.aggtranstype, NULL),
                                        'FINALFUNC = ' || nullif(ag.aggfinalfn::oid, 0)::regprocedure::text,
                                        'COMBINEFUNC = ' || nullif(ag.aggcombinefn::oid, 0)::regprocedure::text,
                                        'INITCOND = ' || quote_literal(ag.agginitval),
                                        'SORTOP = ' || nullif(ag.aggsortop, 0)::regoperator::text)
                       FROM pg_aggregate ag WHERE ag.aggfnoid = p.oid)
                    ELSE pg_get_functiondef(p.oid) END`),
      ],
      ['comment', val(userComment('p.oid', 'pg_proc'))],
    ])}, ', ' ORDER BY n.nspname, p.proname, pg_get_function_identity_arguments(p.oid) COLLATE "C")`,
  )} AS j
  FROM pg_proc p
  JOIN nsp n ON n.oid = p.pronamespace
  JOIN pg_language l ON l.oid = p.prolang
  WHERE ${notExtensionMember('pg_proc', 'p.oid')}
    -- deptype 'i': made by the system along with another object (a range type's constructors).
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'i')
)`

const EXTENSIONS_CTE = `extensions AS (
  SELECT ${arr(
    `string_agg(${obj([
      ['name', val('x.extname')],
      ['version', val('x.extversion')],
      ['schema', val('xn.nspname')],
      ['comment', val(comment('x.oid', 'pg_extension'))],
    ])}, ', ' ORDER BY x.extname)`,
  )} AS j
  FROM pg_extension x JOIN pg_namespace xn ON xn.oid = x.extnamespace
)`

const SCHEMAS_CTE = `schemas AS (
  SELECT ${arr(
    `string_agg(${obj([
      ['name', val('n.nspname')],
      ['comment', val(comment('n.oid', 'pg_namespace'))],
    ])}, ', ' ORDER BY n.nspname)`,
  )} AS j
  FROM nsp n
)`

/** The lists of the document besides relations, in document order, each with its CTE. */
export const OTHER_LISTS = {
  schemas: SCHEMAS_CTE,
  extensions: EXTENSIONS_CTE,
  types: TYPES_CTE,
  sequences: SEQUENCES_CTE,
  functions: FUNCTIONS_CTE,
} as const
export type OtherList = keyof typeof OTHER_LISTS

/** One row, one column `j`: the JSON text of one list of the document. */
export const listSql = (name: OtherList) => `WITH\n${NSP},\n${OTHER_LISTS[name]}\nSELECT j FROM ${name}`

/**
 * One row per relation (table, view, materialized view, foreign table) outside system schemas and
 * extensions: its oid, schema, name and JSON object, exactly as the document lists it. `filter` as relCte's.
 */
export const relationRowsSql = (filter: string) => `WITH
${NSP},
${relCte(filter)},
${RELATION_PART_CTES}
SELECT r.oid, r.nspname AS nsp, r.relname AS rel, ${RELATION_OBJECT} AS doc
${RELATION_JOINS}`

const DOCUMENT = `
WITH
${NSP},
${relCte('')},
${RELATION_PART_CTES},
relations AS (
  SELECT ${arr(`string_agg(${RELATION_OBJECT}, ', ' ORDER BY r.nspname, r.relname)`)} AS j
${RELATION_JOINS}
),
${SEQUENCES_CTE},
${TYPES_CTE},
${FUNCTIONS_CTE},
${EXTENSIONS_CTE},
${SCHEMAS_CTE}
SELECT ${obj([
  ['schemas', '(SELECT j FROM schemas)'],
  ['extensions', '(SELECT j FROM extensions)'],
  ['types', '(SELECT j FROM types)'],
  ['sequences', '(SELECT j FROM sequences)'],
  ['relations', '(SELECT j FROM relations)'],
  ['functions', '(SELECT j FROM functions)'],
])} AS snapshot`

/**
 * One statement, one row, one column `snapshot`: the whole schema as JSON text, already sorted and free of
 * OIDs. Feed its rows to normalize().
 */
export const SNAPSHOT_SQL = DOCUMENT.trim()

/**
 * One row, one column `fingerprint`: SHA-256 (hex) of exactly the text SNAPSHOT_SQL returns, computed on
 * the server so only 64 characters travel. Equal fingerprints mean equal documents, hence equal snapshots
 * (for any excludeTables). SHA-256 rather than md5, which FIPS-mode servers refuse.
 */
export const FINGERPRINT_SQL = `SELECT encode(sha256(convert_to(doc.snapshot, 'UTF8')), 'hex') AS fingerprint FROM (\n${SNAPSHOT_SQL}\n) AS doc`
