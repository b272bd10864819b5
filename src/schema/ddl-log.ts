// What each replay step touched, as PostgreSQL itself reports it: two event triggers (ddl_command_end
// and sql_drop) append the objects every DDL command created, altered or dropped to a log table, inside
// the migration's own transaction (a step that rolls back leaves no entry). The catalog probe reads and
// clears the log at each capture and re-reads only those objects (incremental-capture.ts).
//
// Installed only in databases the gate created, on servers where its role is a superuser (event
// triggers need one): its own clusters. ENABLE ALWAYS, so that a migration that sets
// session_replication_role = replica is still seen. The function is SECURITY DEFINER so that a migration
// running as a less privileged role can still append to the log. Everything lives in one schema that
// snapshots leave out (queries.ts), and the probe removes it before the models are compared at head.
// A dropped object's entry keeps its `schema.name`: an observed step's lock on a table it dropped is
// named from it (drivers/observation.ts), the table's own catalog row being gone by then.

export const DDL_LOG_SCHEMA = 'migration_gate_ddl'
const EVENTS = { end: 'migration_gate_ddl_end', drop: 'migration_gate_ddl_drop' } as const
export const DDL_LOG_TRIGGERS: readonly string[] = Object.values(EVENTS)

/**
 * Statements that rename or move an object change the text of every object that names it (a foreign key,
 * a view, a default), which the log does not list: a capture after one re-reads everything. Tested on
 * the text the client sent (a whole SQL file for some tools), so it errs towards re-reading.
 */
const RENAMES = String.raw`\m(rename|set\s+schema)\M`

/** Idempotent: a database copied from one that has the log (a template) keeps working. */
export const INSTALL_DDL_LOG = `
CREATE SCHEMA IF NOT EXISTS ${DDL_LOG_SCHEMA};
CREATE TABLE IF NOT EXISTS ${DDL_LOG_SCHEMA}.log (
  classid oid, objid oid, objsubid int, object_type text, dropped boolean NOT NULL, renames boolean NOT NULL,
  name text
);
CREATE OR REPLACE FUNCTION ${DDL_LOG_SCHEMA}.record() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $fn$
DECLARE
  renames boolean := coalesce(current_query() ~* '${RENAMES}', true);
BEGIN
  IF TG_EVENT = 'sql_drop' THEN
    INSERT INTO ${DDL_LOG_SCHEMA}.log
      SELECT d.classid, d.objid, d.objsubid, d.object_type, true, renames, d.schema_name || '.' || d.object_name
      FROM pg_event_trigger_dropped_objects() d;
  ELSE
    INSERT INTO ${DDL_LOG_SCHEMA}.log
      SELECT c.classid, c.objid, c.objsubid, c.object_type, false, renames, NULL FROM pg_event_trigger_ddl_commands() c;
  END IF;
END
$fn$;
DO $do$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = '${EVENTS.end}') THEN
    CREATE EVENT TRIGGER ${EVENTS.end} ON ddl_command_end EXECUTE FUNCTION ${DDL_LOG_SCHEMA}.record();
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = '${EVENTS.drop}') THEN
    CREATE EVENT TRIGGER ${EVENTS.drop} ON sql_drop EXECUTE FUNCTION ${DDL_LOG_SCHEMA}.record();
  END IF;
END
$do$;
ALTER EVENT TRIGGER ${EVENTS.end} ENABLE ALWAYS;
ALTER EVENT TRIGGER ${EVENTS.drop} ENABLE ALWAYS;
-- The probe may connect as another role than the one that installs the log (a url server's run role).
GRANT USAGE ON SCHEMA ${DDL_LOG_SCHEMA} TO PUBLIC;
GRANT SELECT, DELETE ON ${DDL_LOG_SCHEMA}.log TO PUBLIC;
`

/** Removes the log: the database then holds only what the migrations built (before models are compared). */
export const REMOVE_DDL_LOG = `
DROP EVENT TRIGGER IF EXISTS ${EVENTS.end};
DROP EVENT TRIGGER IF EXISTS ${EVENTS.drop};
DROP SCHEMA IF EXISTS ${DDL_LOG_SCHEMA} CASCADE;
`
