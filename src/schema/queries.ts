// The catalog queries behind a snapshot: ONE statement that returns ONE row holding the whole schema as a
// JSON text document, so a snapshot is one round trip and the same text can run on any connection (our
// pg client, or the Python helper's). The document is already normalized (sorted, no OIDs, no attnums),
// which is what lets FINGERPRINT_SQL hash it server-side and mean "same snapshot". It is built with json,
// not jsonb: the key order is then fixed by this text, and building it costs a quarter less time.
//
// Portability (PostgreSQL 12 to 18): only catalog columns present since 12 are read (prokind, attgenerated,
// pg_sequence, relrowsecurity). NOT NULL constraints, which 18 also records in pg_constraint (contype 'n'),
// are read from attnotnull only. Ordering uses COLLATE "C" so the database's collation cannot reorder lists.
//
// The output of pg_get_*def and format_type qualifies names outside search_path: take the snapshots you
// compare under the same search_path (the gate's own connections all use the server default).

/** Schemas that never belong to a migration. */
const SYSTEM_SCHEMA_FILTER = `n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'`

/** True unless the object is a member of an extension (deptype 'e'): those are the extension's business, listed as the extension. */
const notExtensionMember = (catalog: string, oidExpr: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '${catalog}'::regclass AND e.objid = ${oidExpr} AND e.deptype = 'e')`

/**
 * The comment on an object (column: subId = attnum). Written out rather than obj_description(), a SQL
 * function whose per-call overhead was a fifth of the snapshot's time on a 200-table schema.
 */
const comment = (oidExpr: string, catalog: string, subId = '0') =>
  `(SELECT ds.description FROM pg_description ds WHERE ds.objoid = ${oidExpr} AND ds.classoid = '${catalog}'::regclass AND ds.objsubid = ${subId})`

/** A collation name, schema-qualified unless it lives in pg_catalog. */
const collationName = (alias: string) =>
  `CASE WHEN ${alias}n.nspname = 'pg_catalog' THEN quote_ident(${alias}.collname) ELSE quote_ident(${alias}n.nspname) || '.' || quote_ident(${alias}.collname) END`

const DOCUMENT = `
WITH
nsp AS (
  SELECT n.oid, n.nspname FROM pg_namespace n
  WHERE ${SYSTEM_SCHEMA_FILTER} AND ${notExtensionMember('pg_namespace', 'n.oid')}
),
rel AS (
  SELECT c.oid, c.relname, c.relkind, c.relpersistence, c.relrowsecurity, c.relforcerowsecurity,
         c.relreplident, c.reloptions, c.relispartition, n.nspname
  FROM pg_class c JOIN nsp n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND ${notExtensionMember('pg_class', 'c.oid')}
),
cols AS (
  SELECT a.attrelid AS relid, json_agg(json_build_object(
      'name', a.attname,
      'type', format_type(a.atttypid, a.atttypmod),
      'notNull', a.attnotnull,
      'default', pg_get_expr(d.adbin, d.adrelid),
      'identity', CASE a.attidentity WHEN 'a' THEN 'always' WHEN 'd' THEN 'by default' END,
      'generated', CASE a.attgenerated WHEN 's' THEN 'stored' WHEN 'v' THEN 'virtual' END,
      'collation', CASE WHEN a.attcollation <> t.typcollation THEN ${collationName('co')} END,
      'comment', ${comment('a.attrelid', 'pg_class', 'a.attnum')}
    ) ORDER BY a.attnum) AS j
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
  SELECT k.conrelid AS relid, json_agg(json_build_object(
      'name', k.conname,
      'type', CASE k.contype WHEN 'p' THEN 'primary key' WHEN 'f' THEN 'foreign key' WHEN 'u' THEN 'unique'
                             WHEN 'c' THEN 'check' WHEN 'x' THEN 'exclusion' END,
      'definition', pg_get_constraintdef(k.oid),
      'deferrable', k.condeferrable,
      'deferred', k.condeferred,
      'validated', k.convalidated,
      'references', CASE WHEN k.contype = 'f' THEN json_build_object('schema', fn.nspname, 'name', fc.relname) END,
      'onDelete', CASE k.confdeltype WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE'
                                     WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' END,
      'onUpdate', CASE k.confupdtype WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE'
                                     WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' END,
      'match', CASE WHEN k.contype = 'f' THEN CASE k.confmatchtype WHEN 'f' THEN 'FULL' WHEN 'p' THEN 'PARTIAL' ELSE 'SIMPLE' END END,
      'comment', ${comment('k.oid', 'pg_constraint')}
    ) ORDER BY k.conname) AS j
  FROM pg_constraint k
  JOIN rel r ON r.oid = k.conrelid
  LEFT JOIN pg_class fc ON fc.oid = k.confrelid
  LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
  WHERE k.contype IN ('p', 'f', 'u', 'c', 'x')
    -- A foreign key to a partitioned table also gets one internal row per referenced partition, on the
    -- same table under the same name; the user's constraint is the one without a parent on that table.
    AND NOT EXISTS (SELECT 1 FROM pg_constraint pk WHERE pk.oid = k.conparentid AND pk.conrelid = k.conrelid)
  GROUP BY k.conrelid
),
idx AS (
  SELECT i.indrelid AS relid, json_agg(json_build_object(
      'name', ic.relname,
      'definition', pg_get_indexdef(i.indexrelid),
      'unique', i.indisunique,
      'method', am.amname,
      'predicate', pg_get_expr(i.indpred, i.indrelid),
      'valid', i.indisvalid,
      'comment', ${comment('ic.oid', 'pg_class')}
    ) ORDER BY ic.relname) AS j
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
  SELECT t.tgrelid AS relid, json_agg(json_build_object(
      'name', t.tgname,
      'definition', pg_get_triggerdef(t.oid),
      'enabled', CASE t.tgenabled WHEN 'O' THEN 'enabled' WHEN 'D' THEN 'disabled' WHEN 'R' THEN 'replica' WHEN 'A' THEN 'always' END,
      'comment', ${comment('t.oid', 'pg_trigger')}
    ) ORDER BY t.tgname) AS j
  FROM pg_trigger t JOIN rel r ON r.oid = t.tgrelid
  WHERE NOT t.tgisinternal
  GROUP BY t.tgrelid
),
pol AS (
  SELECT p.polrelid AS relid, json_agg(json_build_object(
      'name', p.polname,
      'command', CASE p.polcmd WHEN '*' THEN 'ALL' WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' END,
      'permissive', p.polpermissive,
      'roles', (SELECT coalesce(json_agg(rn ORDER BY rn COLLATE "C"), '[]'::json)
                FROM (SELECT CASE WHEN ro = 0 THEN 'public' ELSE pg_get_userbyid(ro)::text END AS rn
                      FROM unnest(p.polroles) ro) roles),
      'using', pg_get_expr(p.polqual, p.polrelid),
      'check', pg_get_expr(p.polwithcheck, p.polrelid),
      'comment', ${comment('p.oid', 'pg_policy')}
    ) ORDER BY p.polname) AS j
  FROM pg_policy p JOIN rel r ON r.oid = p.polrelid
  GROUP BY p.polrelid
),
rul AS (
  SELECT w.ev_class AS relid, json_agg(json_build_object(
      'name', w.rulename,
      'definition', pg_get_ruledef(w.oid),
      'enabled', CASE w.ev_enabled WHEN 'O' THEN 'enabled' WHEN 'D' THEN 'disabled' WHEN 'R' THEN 'replica' WHEN 'A' THEN 'always' END,
      'comment', ${comment('w.oid', 'pg_rewrite')}
    ) ORDER BY w.rulename) AS j
  FROM pg_rewrite w JOIN rel r ON r.oid = w.ev_class
  WHERE w.rulename <> '_RETURN'
  GROUP BY w.ev_class
),
relations AS (
  SELECT coalesce(json_agg(json_build_object(
      'schema', r.nspname,
      'name', r.relname,
      'kind', CASE r.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned table' WHEN 'v' THEN 'view'
                             WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table' END,
      'persistence', CASE r.relpersistence WHEN 'u' THEN 'unlogged' ELSE 'permanent' END,
      'partitionKey', CASE WHEN r.relkind = 'p' THEN pg_get_partkeydef(r.oid) END,
      'partitionOf', (SELECT json_build_object('schema', pn.nspname, 'name', pc.relname)
                      FROM pg_inherits h JOIN pg_class pc ON pc.oid = h.inhparent
                      JOIN pg_namespace pn ON pn.oid = pc.relnamespace
                      WHERE h.inhrelid = r.oid AND r.relispartition),
      'partitionBound', CASE WHEN r.relispartition THEN (SELECT pg_get_expr(c.relpartbound, c.oid) FROM pg_class c WHERE c.oid = r.oid) END,
      'inherits', (SELECT coalesce(json_agg(json_build_object('schema', pn.nspname, 'name', pc.relname) ORDER BY h.inhseqno), '[]'::json)
                   FROM pg_inherits h JOIN pg_class pc ON pc.oid = h.inhparent
                   JOIN pg_namespace pn ON pn.oid = pc.relnamespace
                   WHERE h.inhrelid = r.oid AND NOT r.relispartition),
      'options', (SELECT coalesce(json_agg(o ORDER BY o COLLATE "C"), '[]'::json) FROM unnest(r.reloptions) o),
      'rowSecurity', r.relrowsecurity,
      'forceRowSecurity', r.relforcerowsecurity,
      'replicaIdentity', CASE WHEN r.relkind IN ('r', 'p') THEN
                           CASE r.relreplident WHEN 'n' THEN 'nothing' WHEN 'f' THEN 'full' WHEN 'i' THEN 'index' ELSE 'default' END END,
      'definition', CASE WHEN r.relkind IN ('v', 'm') THEN pg_get_viewdef(r.oid, true) END,
      'comment', ${comment('r.oid', 'pg_class')},
      'columns', coalesce(cols.j, '[]'::json),
      'constraints', coalesce(cons.j, '[]'::json),
      'indexes', coalesce(idx.j, '[]'::json),
      'triggers', coalesce(trg.j, '[]'::json),
      'policies', coalesce(pol.j, '[]'::json),
      'rules', coalesce(rul.j, '[]'::json)
    ) ORDER BY r.nspname, r.relname), '[]'::json) AS j
  FROM rel r
  LEFT JOIN cols ON cols.relid = r.oid
  LEFT JOIN cons ON cons.relid = r.oid
  LEFT JOIN idx ON idx.relid = r.oid
  LEFT JOIN trg ON trg.relid = r.oid
  LEFT JOIN pol ON pol.relid = r.oid
  LEFT JOIN rul ON rul.relid = r.oid
),
sequences AS (
  SELECT coalesce(json_agg(json_build_object(
      'schema', n.nspname,
      'name', c.relname,
      'type', format_type(s.seqtypid, NULL),
      'start', s.seqstart::text,
      'increment', s.seqincrement::text,
      'min', s.seqmin::text,
      'max', s.seqmax::text,
      'cache', s.seqcache::text,
      'cycle', s.seqcycle,
      'persistence', CASE c.relpersistence WHEN 'u' THEN 'unlogged' ELSE 'permanent' END,
      -- deptype 'a' is OWNED BY (serial), 'i' an identity column's sequence.
      'ownedBy', (SELECT json_build_object('schema', tn.nspname, 'name', tc.relname, 'column', ta.attname)
                  FROM pg_depend d
                  JOIN pg_class tc ON tc.oid = d.refobjid
                  JOIN pg_namespace tn ON tn.oid = tc.relnamespace
                  JOIN pg_attribute ta ON ta.attrelid = d.refobjid AND ta.attnum = d.refobjsubid
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                    AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')
                  LIMIT 1),
      'comment', ${comment('c.oid', 'pg_class')}
    ) ORDER BY n.nspname, c.relname), '[]'::json) AS j
  FROM pg_sequence s
  JOIN pg_class c ON c.oid = s.seqrelid
  JOIN nsp n ON n.oid = c.relnamespace
  WHERE ${notExtensionMember('pg_class', 'c.oid')}
),
types AS (
  SELECT coalesce(json_agg(json_build_object(
      'schema', n.nspname,
      'name', t.typname,
      'kind', CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'd' THEN 'domain' WHEN 'c' THEN 'composite' WHEN 'r' THEN 'range' END,
      'labels', CASE WHEN t.typtype = 'e' THEN
                  (SELECT coalesce(json_agg(e.enumlabel ORDER BY e.enumsortorder), '[]'::json) FROM pg_enum e WHERE e.enumtypid = t.oid) END,
      'baseType', CASE t.typtype WHEN 'd' THEN format_type(t.typbasetype, t.typtypmod)
                                 WHEN 'r' THEN (SELECT format_type(rg.rngsubtype, NULL) FROM pg_range rg WHERE rg.rngtypid = t.oid) END,
      'notNull', t.typnotnull,
      'default', CASE WHEN t.typtype = 'd' THEN pg_get_expr(t.typdefaultbin, 0) END,
      'collation', CASE t.typtype
                     WHEN 'd' THEN (SELECT ${collationName('co')} FROM pg_collation co JOIN pg_namespace con ON con.oid = co.collnamespace
                                    JOIN pg_type bt ON bt.oid = t.typbasetype
                                    WHERE co.oid = t.typcollation AND t.typcollation <> bt.typcollation)
                     WHEN 'r' THEN (SELECT ${collationName('co')} FROM pg_range rg JOIN pg_collation co ON co.oid = rg.rngcollation
                                    JOIN pg_namespace con ON con.oid = co.collnamespace
                                    JOIN pg_type st ON st.oid = rg.rngsubtype
                                    WHERE rg.rngtypid = t.oid AND rg.rngcollation <> st.typcollation) END,
      'constraints', CASE WHEN t.typtype = 'd' THEN
                       (SELECT coalesce(json_agg(k.conname || ': ' || pg_get_constraintdef(k.oid) ORDER BY k.conname), '[]'::json)
                        FROM pg_constraint k WHERE k.contypid = t.oid AND k.contype = 'c') END,
      'attributes', CASE WHEN t.typtype = 'c' THEN
                      (SELECT coalesce(json_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
                                                 || CASE WHEN a.attcollation <> at.typcollation THEN ' COLLATE ' || ${collationName('co')} ELSE '' END
                                                 ORDER BY a.attnum), '[]'::json)
                       FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid
                       LEFT JOIN pg_collation co ON co.oid = a.attcollation
                       LEFT JOIN pg_namespace con ON con.oid = co.collnamespace
                       WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) END,
      'comment', ${comment('t.oid', 'pg_type')}
    ) ORDER BY n.nspname, t.typname), '[]'::json) AS j
  FROM pg_type t
  JOIN nsp n ON n.oid = t.typnamespace
  -- Standalone composite types only: every table also has a row type, which is the table's business.
  WHERE (t.typtype IN ('e', 'd', 'r')
         OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c')))
    AND ${notExtensionMember('pg_type', 't.oid')}
),
functions AS (
  SELECT coalesce(json_agg(json_build_object(
      'schema', n.nspname,
      'name', p.proname,
      'kind', CASE p.prokind WHEN 'f' THEN 'function' WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' WHEN 'w' THEN 'window function' END,
      'arguments', pg_get_function_identity_arguments(p.oid),
      'result', pg_get_function_result(p.oid),
      'language', l.lanname,
      'volatility', CASE p.provolatile WHEN 'i' THEN 'immutable' WHEN 's' THEN 'stable' ELSE 'volatile' END,
      'strict', p.proisstrict,
      'securityDefiner', p.prosecdef,
      'body', p.prosrc,
      -- pg_get_functiondef refuses aggregates; describe those by their parts.
      'definition', CASE WHEN p.prokind = 'a' THEN
                      (SELECT concat_ws(', ', 'SFUNC = ' || ag.aggtransfn::regprocedure::text,
                                        'STYPE = ' || format_type(ag.aggtranstype, NULL),
                                        'FINALFUNC = ' || nullif(ag.aggfinalfn::oid, 0)::regprocedure::text,
                                        'COMBINEFUNC = ' || nullif(ag.aggcombinefn::oid, 0)::regprocedure::text,
                                        'INITCOND = ' || quote_literal(ag.agginitval),
                                        'SORTOP = ' || nullif(ag.aggsortop, 0)::regoperator::text)
                       FROM pg_aggregate ag WHERE ag.aggfnoid = p.oid)
                    ELSE pg_get_functiondef(p.oid) END,
      'comment', ${comment('p.oid', 'pg_proc')}
    ) ORDER BY n.nspname, p.proname, pg_get_function_identity_arguments(p.oid) COLLATE "C"), '[]'::json) AS j
  FROM pg_proc p
  JOIN nsp n ON n.oid = p.pronamespace
  JOIN pg_language l ON l.oid = p.prolang
  WHERE ${notExtensionMember('pg_proc', 'p.oid')}
    -- deptype 'i': made by the system along with another object (a range type's constructors).
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'i')
),
extensions AS (
  SELECT coalesce(json_agg(json_build_object(
      'name', x.extname,
      'version', x.extversion,
      'schema', xn.nspname,
      'comment', ${comment('x.oid', 'pg_extension')}
    ) ORDER BY x.extname), '[]'::json) AS j
  FROM pg_extension x JOIN pg_namespace xn ON xn.oid = x.extnamespace
),
schemas AS (
  SELECT coalesce(json_agg(json_build_object(
      'name', n.nspname,
      'comment', ${comment('n.oid', 'pg_namespace')}
    ) ORDER BY n.nspname), '[]'::json) AS j
  FROM nsp n
)
SELECT json_build_object(
    'schemas', (SELECT j FROM schemas),
    'extensions', (SELECT j FROM extensions),
    'types', (SELECT j FROM types),
    'sequences', (SELECT j FROM sequences),
    'relations', (SELECT j FROM relations),
    'functions', (SELECT j FROM functions)
  )::text AS snapshot`

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
