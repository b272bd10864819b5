// Captures that re-read only what a step touched. The probe's session keeps the schema as rows, one
// per relation and per sequence, plus one per other list of the document (schemas, extensions,
// types, functions), each row valid from one capture to another, so every capture still kept can be put
// back together as the exact document SNAPSHOT_SQL reads (documentAtSql). A capture reads the DDL log
// (ddl-log.ts) and re-reads:
//   - the relations that own what the log names (a dropped index through what the last read knew of it),
//     and relations that appeared or went without an entry (checked on the set of their oids);
//   - the sequences the log names, and those that appeared or went without an entry (an identity
//     sequence dropped with its column is in none);
//   - another list when the log names one of its kinds, or the set of its objects changed;
//   - everything, when the log cannot be trusted: no log (a server where the gate may not create event
//     triggers), a rename or SET SCHEMA (other objects' text names the renamed one), a schema, extension
//     or role that changed, an entry of a kind this file does not map, an inheritance tree (a partition
//     gets an index its parent's entry does not list), or event triggers that are gone.
// The fingerprint XORs one hash per row kept (its key and document): equal fingerprints, equal documents.
// Everything here lives in the probe's own temporary schema, which snapshots leave out.
import { DDL_LOG_SCHEMA, DDL_LOG_TRIGGERS } from './ddl-log.js'
import { listSql, OTHER_LISTS, relationRowsSql, sequenceRowsSql, type OtherList } from './queries.js'

/** The lists kept whole, one row each: sequences are kept one row per sequence, like relations. */
const LISTS = (Object.keys(OTHER_LISTS) as OtherList[]).filter((l) => l !== 'sequences')

/** Catalogs whose entries the capture maps to relations or lists; NULL (GRANT) and these never matter. */
const MAPPED_CATALOGS = [
  'pg_class',
  'pg_constraint',
  'pg_trigger',
  'pg_policy',
  'pg_rewrite',
  'pg_attrdef',
  'pg_type',
  'pg_proc',
]
/** Objects the document does not hold: their entries change nothing it says. */
const UNLISTED_CATALOGS = ['pg_statistic_ext', 'pg_default_acl']

const regclasses = (names: string[]) => names.map((n) => `'${n}'::regclass`).join(', ')

/**
 * Cheap sets whose change says what to re-read though no entry said so. Roles (a policy names them),
 * schemas and extensions (both: everything) are read at every capture: a role changes without any DDL
 * event. Standalone types, sequences, functions and relations change only through DDL, so they are
 * read only when the log has entries (an identity sequence dropped with its column is in none).
 */
/**
 * A set of oids as its size and sum: PostgreSQL hands out oids in increasing order (they wrap around
 * only after four billion), so objects made since the last capture have larger oids than any that went,
 * and a set that changed changes its sum or its size. Without building and sorting a list of them: at
 * 1,000 revisions the lists made these signatures a quarter of a capture.
 */
const setOf = (oid: string) => `count(*)::text || ':' || coalesce(sum(${oid}::int8), 0)::text`

const SIGNATURES_ALWAYS = `ARRAY[
    (SELECT string_agg(oid::text || ':' || rolname, ',' ORDER BY oid) FROM pg_roles),
    (SELECT string_agg(oid::text || ':' || nspname, ',' ORDER BY oid) FROM pg_namespace),
    (SELECT string_agg(oid::text || ':' || extversion, ',' ORDER BY oid) FROM pg_extension)
  ]`
const SIGNATURES_AFTER_DDL = `ARRAY[
    -- Standalone types and relations made since the last capture: their oids are above its mark (the
    -- greatest oid it saw), so two index range scans find them without reading every type and class.
    -- What went is in the log (sql_drop lists every object a drop took, cascades included).
    (SELECT string_agg(t.oid::text, ',' ORDER BY t.oid) FROM pg_type t WHERE t.oid > v_mark AND t.typtype IN ('e', 'd', 'r'))
      || '/' || (SELECT string_agg(c.oid::text, ',' ORDER BY c.oid) FROM pg_class c WHERE c.oid > v_mark AND c.relkind = 'c'),
    (SELECT ${setOf('seqrelid')} FROM pg_sequence),
    (SELECT ${setOf('oid')} FROM pg_proc WHERE oid >= 16384),
    (SELECT string_agg(c.oid::text, ',' ORDER BY c.oid) FROM pg_class c
      WHERE c.oid > v_mark AND c.relkind IN ('r', 'p', 'v', 'm', 'f'))
  ]`

/** The greatest oid of a class or type now: the next capture's mark (index-only reads of the top). */
const MARK = `greatest((SELECT max(oid) FROM pg_class), (SELECT max(oid) FROM pg_type))::int8`

/** Relation rows re-read: all, or those in v_touched. */
const refreshRelations = (filter: string) => `
    WITH fresh AS (${relationRowsSql(filter)}),
    closed AS (
      UPDATE pg_temp.mg_rel c SET v_to = v_cur
       WHERE c.v_to IS NULL ${filter ? 'AND c.oid = ANY(v_touched)' : ''}
         AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.oid = c.oid AND f.doc = c.doc)
      RETURNING c.oid)
    INSERT INTO pg_temp.mg_rel (oid, nsp, rel, doc, hash, inh, v_from)
    SELECT f.oid, f.nsp, f.rel, f.doc, sha256(convert_to(f.doc, 'UTF8')),
           (SELECT c.relkind = 'p' OR c.relispartition
                   OR EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = c.oid OR h.inhparent = c.oid)
              FROM pg_class c WHERE c.oid = f.oid),
           v_cur
      FROM fresh f
     WHERE NOT EXISTS (SELECT 1 FROM pg_temp.mg_rel c WHERE c.v_to IS NULL AND c.oid = f.oid AND c.doc = f.doc);
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    v_changed := v_changed OR v_rows > 0
      OR EXISTS (SELECT 1 FROM pg_temp.mg_rel c WHERE c.v_to = v_cur);`

/** Sequence rows re-read: all, or those in v_seqs. */
const refreshSequences = (some: boolean) => `
    WITH fresh AS (${sequenceRowsSql((oid) => (some ? ` AND ${oid} = ANY(v_seqs)` : ''))}),
    closed AS (
      UPDATE pg_temp.mg_seq q SET v_to = v_cur
       WHERE q.v_to IS NULL ${some ? 'AND q.oid = ANY(v_seqs)' : ''}
         AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.oid = q.oid AND f.doc = q.doc)
      RETURNING q.oid)
    INSERT INTO pg_temp.mg_seq (oid, nsp, name, doc, hash, v_from)
    SELECT f.oid, f.nsp, f.name, f.doc, sha256(convert_to(f.doc, 'UTF8')), v_cur
      FROM fresh f
     WHERE NOT EXISTS (SELECT 1 FROM pg_temp.mg_seq q WHERE q.v_to IS NULL AND q.oid = f.oid AND q.doc = f.doc);
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    v_changed := v_changed OR v_rows > 0
      OR EXISTS (SELECT 1 FROM pg_temp.mg_seq q WHERE q.v_to = v_cur);`

/** Sequences the log names (created, altered, dropped), and those that appeared or went without an entry. */
const TOUCHED_SEQUENCES = `
    v_seqs := ARRAY(
      SELECT DISTINCT s.objid FROM pg_temp.mg_seen s
       WHERE s.classid = 'pg_class'::regclass
         AND (s.object_type LIKE 'sequence%'
              OR EXISTS (SELECT 1 FROM pg_temp.mg_seq q WHERE q.oid = s.objid AND q.v_to IS NULL)));
    IF v_sigs[5] IS DISTINCT FROM v_old[5] THEN
      v_seqs := ARRAY(SELECT DISTINCT unnest(v_seqs || ARRAY(
        (SELECT q.seqrelid FROM pg_sequence q EXCEPT SELECT r.oid FROM pg_temp.mg_seq r WHERE r.v_to IS NULL)
        UNION
        (SELECT r.oid FROM pg_temp.mg_seq r WHERE r.v_to IS NULL EXCEPT SELECT q.seqrelid FROM pg_sequence q))));
    END IF;`

/** One list re-read, stored as a new row when it changed. */
const refreshList = (name: OtherList) => `
  IF '${name}' = ANY(v_lists) THEN
    v_doc := (${listSql(name)});
    IF NOT EXISTS (SELECT 1 FROM pg_temp.mg_list l WHERE l.name = '${name}' AND l.v_to IS NULL AND l.doc = v_doc) THEN
      UPDATE pg_temp.mg_list l SET v_to = v_cur WHERE l.name = '${name}' AND l.v_to IS NULL;
      INSERT INTO pg_temp.mg_list (name, doc, hash, v_from) VALUES ('${name}', v_doc, sha256(convert_to(v_doc, 'UTF8')), v_cur);
      v_changed := true;
    END IF;
  END IF;`

/** Each part of the relations in `rels` (a query of oids), looked up through the catalogs' indexes. */
const MEMBERS_OF = (rels: string) => `
    INSERT INTO pg_temp.mg_member (classid, objid, relid)
    WITH rels AS (${rels})
    SELECT 'pg_class'::regclass, rels.oid, rels.oid FROM rels
    UNION ALL SELECT 'pg_class'::regclass, x.oid, rels.oid FROM rels
      CROSS JOIN LATERAL (SELECT i.indexrelid AS oid FROM pg_index i WHERE i.indrelid = rels.oid) x
    UNION ALL SELECT 'pg_constraint'::regclass, x.oid, rels.oid FROM rels
      CROSS JOIN LATERAL (SELECT k.oid FROM pg_constraint k WHERE k.conrelid = rels.oid) x
    UNION ALL SELECT 'pg_trigger'::regclass, x.oid, rels.oid FROM rels
      CROSS JOIN LATERAL (SELECT t.oid FROM pg_trigger t WHERE t.tgrelid = rels.oid) x
    UNION ALL SELECT 'pg_policy'::regclass, x.oid, rels.oid FROM rels
      CROSS JOIN LATERAL (SELECT p.oid FROM pg_policy p WHERE p.polrelid = rels.oid) x
    UNION ALL SELECT 'pg_rewrite'::regclass, x.oid, rels.oid FROM rels
      CROSS JOIN LATERAL (SELECT w.oid FROM pg_rewrite w WHERE w.ev_class = rels.oid) x
    UNION ALL SELECT 'pg_attrdef'::regclass, x.oid, rels.oid FROM rels
      CROSS JOIN LATERAL (SELECT d.oid FROM pg_attrdef d WHERE d.adrelid = rels.oid) x
    ON CONFLICT DO NOTHING;`

/**
 * What a relation's parts are, so that a dropped one (no longer in the catalogs) finds its relation.
 * Only the touched relations' after a capture that re-read only those: one statement per case, so that
 * its plan (generic, made once) looks them up by key instead of scanning every relation kept.
 */
const REFRESH_MEMBERS = `
    IF v_all THEN
      DELETE FROM pg_temp.mg_member;
      ${MEMBERS_OF('SELECT r.oid FROM pg_temp.mg_rel r WHERE r.v_to IS NULL')}
    ELSE
      DELETE FROM pg_temp.mg_member m WHERE m.relid = ANY(v_touched);
      ${MEMBERS_OF('SELECT r.oid FROM unnest(v_touched) t(oid) JOIN pg_temp.mg_rel r ON r.oid = t.oid AND r.v_to IS NULL')}
    END IF;`

/**
 * Relations that own what the log names. Each entry is looked up by its key (correlated subqueries, so
 * the lookups use the catalogs' oid indexes whatever the planner guesses of the temporary tables).
 */
const TOUCHED = `ARRAY(
      SELECT DISTINCT x.rel FROM (
        SELECT (SELECT m.relid FROM pg_temp.mg_member m WHERE m.classid = s.classid AND m.objid = s.objid) AS rel
          FROM pg_temp.mg_seen s
        UNION ALL
        SELECT CASE s.classid
          WHEN 'pg_class'::regclass THEN
            (SELECT CASE WHEN c.relkind IN ('i', 'I') THEN (SELECT i.indrelid FROM pg_index i WHERE i.indexrelid = c.oid)
                         WHEN c.relkind IN ('r', 'p', 'v', 'm', 'f') THEN c.oid END
               FROM pg_class c WHERE c.oid = s.objid)
          WHEN 'pg_constraint'::regclass THEN (SELECT k.conrelid FROM pg_constraint k WHERE k.oid = s.objid)
          WHEN 'pg_trigger'::regclass THEN (SELECT t.tgrelid FROM pg_trigger t WHERE t.oid = s.objid)
          WHEN 'pg_policy'::regclass THEN (SELECT p.polrelid FROM pg_policy p WHERE p.oid = s.objid)
          WHEN 'pg_rewrite'::regclass THEN (SELECT w.ev_class FROM pg_rewrite w WHERE w.oid = s.objid)
          WHEN 'pg_attrdef'::regclass THEN (SELECT d.adrelid FROM pg_attrdef d WHERE d.oid = s.objid)
          END
          FROM pg_temp.mg_seen s WHERE NOT s.dropped
      ) x WHERE x.rel IS NOT NULL AND x.rel <> 0)`

/** Relations made since the last capture (read only when there are some; what went is in the log). */
const APPEARED = `ARRAY(
      SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.oid > v_mark AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname NOT LIKE 'pg\\_temp\\_%')`

const TYPES_TOUCHED = `v_sigs[4] IS NOT NULL OR EXISTS (
        SELECT 1 FROM pg_temp.mg_seen s
         WHERE (s.classid = 'pg_type'::regclass
                AND (s.dropped OR EXISTS (SELECT 1 FROM pg_type t WHERE t.oid = s.objid AND t.typtype IN ('e', 'd', 'r', 'c'))))
            OR s.object_type = 'composite type'
            OR (s.classid = 'pg_class'::regclass AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = s.objid AND c.relkind = 'c'))
            OR (s.classid = 'pg_constraint'::regclass AND (s.object_type = 'domain constraint'
                OR EXISTS (SELECT 1 FROM pg_constraint k WHERE k.oid = s.objid AND k.contypid <> 0))))`

/** Temporary tables and the capture function, created once per probe connection. */
export const SETUP_INCREMENTAL_CAPTURES = `
CREATE TEMP TABLE mg_rel (oid oid NOT NULL, nsp name NOT NULL, rel name NOT NULL, doc text NOT NULL,
                          hash bytea NOT NULL, inh boolean NOT NULL, v_from int NOT NULL, v_to int);
CREATE INDEX ON pg_temp.mg_rel (oid) WHERE v_to IS NULL;
CREATE INDEX ON pg_temp.mg_rel (v_from);
CREATE INDEX ON pg_temp.mg_rel (v_to);
ALTER TABLE pg_temp.mg_rel ALTER COLUMN doc SET STORAGE EXTERNAL;
CREATE TEMP TABLE mg_seq (oid oid NOT NULL, nsp name NOT NULL, name name NOT NULL, doc text NOT NULL,
                          hash bytea NOT NULL, v_from int NOT NULL, v_to int);
CREATE INDEX ON pg_temp.mg_seq (oid) WHERE v_to IS NULL;
CREATE INDEX ON pg_temp.mg_seq (v_from);
CREATE INDEX ON pg_temp.mg_seq (v_to);
CREATE TEMP TABLE mg_list (name text NOT NULL, doc text NOT NULL, hash bytea NOT NULL, v_from int NOT NULL, v_to int);
CREATE TEMP TABLE mg_member (classid oid NOT NULL, objid oid NOT NULL, relid oid NOT NULL, PRIMARY KEY (classid, objid));
CREATE INDEX ON pg_temp.mg_member (relid);
CREATE TEMP TABLE mg_key (key text PRIMARY KEY, v int NOT NULL);
CREATE TEMP TABLE mg_seen (classid oid, objid oid, objsubid int, object_type text, dropped boolean, renames boolean);
CREATE TEMP TABLE mg_state (v int NOT NULL, signatures text[], fingerprint text, whole int NOT NULL, mark int8);
INSERT INTO pg_temp.mg_state VALUES (0, NULL, NULL, 0, NULL);
CREATE FUNCTION pg_temp.mg_capture(p_key text, p_forget text[], p_logged boolean) RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
  v_cur int;
  v_all boolean;
  v_touched oid[] := '{}';
  v_seqs oid[] := '{}';
  v_lists text[] := '{}';
  v_sigs text[];
  v_old text[];
  v_doc text;
  v_fp text;
  v_rows bigint;
  v_changed boolean := false;
  v_mark int8;
  v_acc bit(256);
  v_h bytea;
BEGIN
  DELETE FROM pg_temp.mg_key k WHERE k.key = p_key OR k.key = ANY(p_forget);
  -- Rows no kept capture still needs.
  DELETE FROM pg_temp.mg_rel r WHERE r.v_to IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM pg_temp.mg_key k WHERE k.v >= r.v_from AND k.v < r.v_to);
  DELETE FROM pg_temp.mg_seq q WHERE q.v_to IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM pg_temp.mg_key k WHERE k.v >= q.v_from AND k.v < q.v_to);
  DELETE FROM pg_temp.mg_list l WHERE l.v_to IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM pg_temp.mg_key k WHERE k.v >= l.v_from AND k.v < l.v_to);
  UPDATE pg_temp.mg_state st SET v = st.v + 1 RETURNING st.v, st.signatures, st.fingerprint, st.mark
    INTO v_cur, v_old, v_fp, v_mark;
  DELETE FROM pg_temp.mg_seen;
  IF p_logged THEN
    WITH d AS (DELETE FROM ${DDL_LOG_SCHEMA}.log RETURNING classid, objid, objsubid, object_type, dropped, renames)
    INSERT INTO pg_temp.mg_seen SELECT * FROM d;
  END IF;
  -- Signatures 1-3, then 4-7 (sets of standalone types, sequences, functions, relations).
  IF v_old IS NULL OR NOT p_logged OR EXISTS (SELECT 1 FROM pg_temp.mg_seen) THEN
    v_sigs := ${SIGNATURES_ALWAYS} || ${SIGNATURES_AFTER_DDL};
  ELSE
    v_sigs := ${SIGNATURES_ALWAYS} || ARRAY[NULL, v_old[5], v_old[6], NULL];
  END IF;
  v_all := NOT p_logged OR v_old IS NULL
    OR v_sigs[1] IS DISTINCT FROM v_old[1] OR v_sigs[2] IS DISTINCT FROM v_old[2] OR v_sigs[3] IS DISTINCT FROM v_old[3]
    OR (SELECT count(*) FROM pg_event_trigger e
         WHERE e.evtname IN (${DDL_LOG_TRIGGERS.map((t) => `'${t}'`).join(', ')}) AND e.evtenabled = 'A') <> ${DDL_LOG_TRIGGERS.length}
    OR EXISTS (SELECT 1 FROM pg_temp.mg_seen s WHERE s.renames)
    OR EXISTS (SELECT 1 FROM pg_temp.mg_seen s WHERE s.classid IS NOT NULL
                AND s.classid NOT IN (${regclasses([...MAPPED_CATALOGS, ...UNLISTED_CATALOGS])}));
  IF NOT v_all THEN
    v_touched := ${TOUCHED};
    IF v_sigs[7] IS NOT NULL THEN
      v_touched := ARRAY(SELECT DISTINCT unnest(v_touched || ${APPEARED}));
    END IF;
    v_all := EXISTS (SELECT 1 FROM pg_temp.mg_rel r WHERE r.v_to IS NULL AND r.inh AND r.oid = ANY(v_touched))
      OR EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = ANY(v_touched) AND (c.relkind = 'p' OR c.relispartition))
      OR EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = ANY(v_touched))
      OR EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhparent = ANY(v_touched));
  END IF;
  IF v_all THEN
    v_lists := ARRAY[${LISTS.map((l) => `'${l}'`).join(', ')}];
    ${refreshRelations('')}
    ${refreshSequences(false)}
  ELSE
    IF ${TYPES_TOUCHED} THEN v_lists := v_lists || 'types'::text; END IF;
    ${TOUCHED_SEQUENCES}
    IF cardinality(v_seqs) > 0 THEN
      ${refreshSequences(true)}
    END IF;
    IF v_sigs[6] IS DISTINCT FROM v_old[6]
       OR EXISTS (SELECT 1 FROM pg_temp.mg_seen s WHERE s.classid = 'pg_proc'::regclass) THEN
      v_lists := v_lists || 'functions'::text;
    END IF;
    IF cardinality(v_touched) > 0 THEN
      ${refreshRelations(' AND c.oid = ANY(v_touched)')}
    END IF;
  END IF;
  IF p_logged AND (v_all OR cardinality(v_touched) > 0) THEN
    ${REFRESH_MEMBERS}
  END IF;
  ${LISTS.map(refreshList).join('\n')}
  IF v_changed OR v_fp IS NULL THEN
    -- The fingerprint is the XOR of one hash per row kept (its key and its document's hash): equal
    -- sets of rows, equal fingerprints, whatever the order they came in. So only the rows this
    -- capture opened or closed change it, and a capture costs what changed, not the whole schema.
    v_acc := CASE WHEN v_fp IS NULL THEN repeat('0', 256)::bit(256) ELSE ('x' || v_fp)::bit(256) END;
    FOR v_h IN
      SELECT sha256(convert_to('relation ' || r.nsp || '.' || r.rel || E'\n', 'UTF8') || r.hash)
        FROM pg_temp.mg_rel r WHERE r.v_from = v_cur OR r.v_to = v_cur
      UNION ALL SELECT sha256(convert_to('sequence ' || q.nsp || '.' || q.name || E'\n', 'UTF8') || q.hash)
        FROM pg_temp.mg_seq q WHERE q.v_from = v_cur OR q.v_to = v_cur
      UNION ALL SELECT sha256(convert_to('list ' || l.name || E'\n', 'UTF8') || l.hash)
        FROM pg_temp.mg_list l WHERE l.v_from = v_cur OR l.v_to = v_cur
    LOOP
      v_acc := v_acc # ('x' || encode(v_h, 'hex'))::bit(256);
    END LOOP;
    v_fp := lpad(to_hex(substring(v_acc FROM 1 FOR 64)::int8), 16, '0')
      || lpad(to_hex(substring(v_acc FROM 65 FOR 64)::int8), 16, '0')
      || lpad(to_hex(substring(v_acc FROM 129 FOR 64)::int8), 16, '0')
      || lpad(to_hex(substring(v_acc FROM 193 FOR 64)::int8), 16, '0');
  END IF;
  INSERT INTO pg_temp.mg_key (key, v) VALUES (p_key, v_cur);
  UPDATE pg_temp.mg_state st SET signatures = v_sigs, fingerprint = v_fp, whole = st.whole + v_all::int, mark = ${MARK};
  RETURN v_fp;
END
$fn$;
`

/** One row: how many captures were taken, and how many of them re-read the whole schema. */
export const CAPTURE_COUNTS_SQL = 'SELECT v AS captures, whole FROM pg_temp.mg_state'

/**
 * `$1` key, `$2` keys to forget, `$3` whether the DDL log is installed, `$4` the prefix of the gate's
 * own database names: the capture's fingerprint, and the server's other databases in the same round
 * trip (the dropped-database watch reads them after every step; checks/dropped-databases.ts).
 */
export const CAPTURE_INCREMENTAL = {
  name: 'migration_gate_capture_incremental',
  text: `SELECT pg_temp.mg_capture($1, $2::text[], $3) AS fingerprint,
    ARRAY(SELECT datname::text FROM pg_database WHERE left(datname, length($4)) <> $4 ORDER BY 1) AS databases`,
}

const listAt = (name: OtherList) =>
  `(SELECT l.doc FROM pg_temp.mg_list l WHERE l.name = '${name}' AND l.v_from <= k.v AND (l.v_to IS NULL OR l.v_to > k.v))`

/** `$1` a key array: one row per captured key, its document as SNAPSHOT_SQL would have read it then. */
export const DOCUMENTS_AT_SQL = `SELECT k.key, '{"schemas" : ' || ${listAt('schemas')} || ', "extensions" : ' || ${listAt('extensions')}
  || ', "types" : ' || ${listAt('types')}
  || ', "sequences" : [' || coalesce((SELECT string_agg(q.doc, ', ' ORDER BY q.nsp, q.name) FROM pg_temp.mg_seq q
                                      WHERE q.v_from <= k.v AND (q.v_to IS NULL OR q.v_to > k.v)), '')
  || '], "relations" : [' || coalesce((SELECT string_agg(r.doc, ', ' ORDER BY r.nsp, r.rel) FROM pg_temp.mg_rel r
                                      WHERE r.v_from <= k.v AND (r.v_to IS NULL OR r.v_to > k.v)), '')
  || '], "functions" : ' || ${listAt('functions')} || '}' AS doc
FROM pg_temp.mg_key k WHERE k.key = ANY($1::text[])`
