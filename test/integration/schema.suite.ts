// Schema snapshots and their diff against a real PostgreSQL: for each kind of object, create it and read
// it back, change it and read the diff, drop it and read the diff. One server per run of the suite, one
// database per test. schema.test.ts runs it on the test server; version-matrix runs it on every major.
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Server } from '../../src/postgres/provider.js'
import { majorOfVersion } from '../../src/postgres/postgres-version.js'
import { diff, type SchemaChange } from '../../src/schema/diff.js'
import { fingerprint } from '../../src/schema/fingerprint.js'
import { SNAPSHOT_SQL } from '../../src/schema/queries.js'
import { SnapshotProbe } from '../../src/schema/probe.js'
import { normalize, takeSnapshot } from '../../src/schema/snapshot.js'
import type { RelationInfo, Snapshot, SnapshotOptions } from '../../src/schema/types.js'

export interface SchemaSuite {
  /** Names the server in the test names (e.g. "PostgreSQL 13"). */
  label: string
  /** Starts the server the suite runs on; the suite stops it. */
  startServer: () => Promise<Server>
}

export function schemaSuite({ label, startServer }: SchemaSuite): void {
  describe(label, () => {
    let server: Server
    const clients: pg.Client[] = []
    /** Each database's URL, for what connects on its own (the replay's SnapshotProbe). */
    const urls = new Map<pg.Client, string>()

    beforeAll(async () => {
      server = await startServer()
    })

    afterAll(async () => {
      await Promise.all(clients.map((c) => c.end().catch(() => {})))
      await server?.stop()
    })

    /** A fresh database, connected, with `setup` run in it. */
    async function db(setup = ''): Promise<pg.Client> {
      const { url } = await server.createDatabase()
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      clients.push(client)
      urls.set(client, url)
      if (setup) await client.query(setup)
      return client
    }

    /** Runs `sql` and returns what the diff says changed. */
    async function messagesAfter(client: pg.Client, sql: string, options: SnapshotOptions = {}): Promise<string[]> {
      return (await changesAfter(client, sql, options)).map((c) => c.message)
    }

    /**
     * Also captures before and after through the replay's probe, which re-reads only what the DDL log says
     * changed: the suite runs with its check against a full read on (vitest.config.ts), so every change of
     * every kind below also proves that incremental capture misses nothing.
     */
    async function changesAfter(
      client: pg.Client,
      sql: string,
      options: SnapshotOptions = {},
    ): Promise<SchemaChange[]> {
      const probe = await probeFor(client)
      try {
        const before = await takeSnapshot(client, options)
        const fpBefore = await probe.capture('before')
        await client.query(sql)
        const after = await takeSnapshot(client, options)
        const fpAfter = await probe.capture('after')
        // Equal captures exactly when the schema did not change (excluded tables aside).
        if (!options.excludeTables) expect(fpAfter === fpBefore).toBe(JSON.stringify(before) === JSON.stringify(after))
        return diff(before, after)
      } finally {
        await probe.close()
      }
    }

    /** The database's catalog probe, with its DDL log installed. */
    async function probeFor(client: pg.Client): Promise<SnapshotProbe> {
      const probe = await SnapshotProbe.connect(urls.get(client)!, [])
      expect(probe.incremental).toBe(true)
      return probe
    }

    function relation(s: Snapshot, name: string, schema = 'public'): RelationInfo {
      const r = s.relations.find((x) => x.name === name && x.schema === schema)
      if (!r) throw new Error(`no relation ${schema}.${name} in the snapshot`)
      return r
    }

    async function available(client: pg.Client, extension: string): Promise<boolean> {
      const r = await client.query('SELECT 1 FROM pg_available_extensions WHERE name = $1', [extension])
      return r.rowCount === 1
    }

    /** The server's major: what the DDL below may use (a SQL-standard function body needs 14). */
    const major = () => majorOfVersion(server.serverVersion)
    /** PostgreSQL 14 added SQL-standard function bodies (RETURN expr), whose text lives in the definition alone. */
    const standardBodies = () => major() >= 14
    /** How the server names a procedure's IN argument: 14 (procedures gained OUT arguments) writes the mode. */
    const inArg = () => (major() >= 14 ? 'IN ' : '')
    const add1Body = () => (standardBodies() ? 'RETURN a + b' : "AS 'SELECT a + b'")

    /** A schema touching every kind the snapshot covers; built twice, it must read the same twice. */
    const richDdl = () => `
  CREATE SCHEMA audit; COMMENT ON SCHEMA audit IS 'audit trail';
  CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
  CREATE DOMAIN posint AS integer NOT NULL DEFAULT 1 CONSTRAINT positive CHECK (VALUE > 0);
  CREATE TYPE addr AS (street text, zip varchar(10) COLLATE "C");
  CREATE TYPE floatrange AS RANGE (subtype = float8);
  CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL UNIQUE, name varchar(255) COLLATE "C",
                      m mood DEFAULT 'ok', doubled int GENERATED ALWAYS AS (id * 2) STORED);
  CREATE TABLE orders (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                       user_id int REFERENCES users (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
                       total numeric(10, 2) CHECK (total >= 0), during tsrange, EXCLUDE USING gist (during WITH &&));
  CREATE INDEX ix_orders_user ON orders (user_id) WHERE total > 0;
  COMMENT ON INDEX ix_orders_user IS 'partial';
  COMMENT ON COLUMN users.email IS 'login';
  COMMENT ON TABLE users IS 'people';
  CREATE UNLOGGED TABLE cache (k text, v text) WITH (fillfactor = 70);
  CREATE TABLE events (id int, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
  CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
  CREATE TABLE event_refs (id int, at date, FOREIGN KEY (id, at) REFERENCES events (id, at));
  CREATE VIEW active_users AS SELECT id, email FROM users WHERE m <> 'sad';
  CREATE MATERIALIZED VIEW user_counts AS SELECT m, count(*) FROM users GROUP BY m;
  CREATE INDEX ix_user_counts ON user_counts (m);
  CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
  CREATE TRIGGER trg_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();
  CREATE FUNCTION add1(a int, b int DEFAULT 1) RETURNS int LANGUAGE sql IMMUTABLE ${add1Body()};
  CREATE PROCEDURE audit.p(x int) LANGUAGE plpgsql AS $$ BEGIN END $$;
  CREATE AGGREGATE mysum(int) (SFUNC = int4pl, STYPE = int, INITCOND = '0');
  CREATE SEQUENCE audit.s AS smallint START 5 INCREMENT 2 CACHE 3 CYCLE;
  ALTER TABLE users ENABLE ROW LEVEL SECURITY;
  CREATE POLICY own ON users FOR SELECT USING (id > 0);
  CREATE RULE no_delete AS ON DELETE TO cache DO INSTEAD NOTHING;
  CREATE TABLE child (extra int) INHERITS (cache);
`

    describe('snapshot', () => {
      it('reads every kind of object, with the fields that matter', async () => {
        const s = await takeSnapshot(await db(richDdl()))

        expect(s.schemas).toEqual([
          { name: 'audit', comment: 'audit trail' },
          { name: 'public', comment: expect.anything() as unknown },
        ])
        expect(s.types.map((t) => `${t.name}:${t.kind}`)).toEqual([
          'addr:composite',
          'floatrange:range',
          'mood:enum',
          'posint:domain',
        ])
        expect(s.types.find((t) => t.name === 'mood')?.labels).toEqual(['sad', 'ok', 'happy'])
        expect(s.types.find((t) => t.name === 'posint')).toMatchObject({
          baseType: 'integer',
          notNull: true,
          default: '1',
          constraints: ['positive: CHECK ((VALUE > 0))'],
        })
        expect(s.types.find((t) => t.name === 'addr')?.attributes).toEqual([
          'street text',
          'zip character varying(10) COLLATE "C"',
        ])
        expect(s.types.find((t) => t.name === 'floatrange')?.baseType).toBe('double precision')

        const users = relation(s, 'users')
        expect(users).toMatchObject({ kind: 'table', comment: 'people', rowSecurity: true, persistence: 'permanent' })
        expect(users.columns.map((c) => c.name)).toEqual(['id', 'email', 'name', 'm', 'doubled'])
        expect(users.columns[0]).toMatchObject({
          type: 'integer',
          notNull: true,
          default: "nextval('users_id_seq'::regclass)",
        })
        expect(users.columns[1]).toMatchObject({ type: 'text', notNull: true, comment: 'login', collation: null })
        expect(users.columns[2]).toMatchObject({ type: 'character varying(255)', notNull: false, collation: '"C"' })
        expect(users.columns[3]).toMatchObject({ type: 'mood', default: "'ok'::mood" })
        expect(users.columns[4]).toMatchObject({ generated: 'stored', default: '(id * 2)' })
        expect(users.constraints.map((k) => `${k.name}:${k.type}:${k.definition}`)).toEqual([
          'users_email_key:unique:UNIQUE (email)',
          'users_pkey:primary key:PRIMARY KEY (id)',
        ])
        // The indexes behind users_pkey and users_email_key belong to those constraints.
        expect(users.indexes).toEqual([])
        expect(users.triggers).toEqual([
          {
            name: 'trg_touch',
            definition: 'CREATE TRIGGER trg_touch BEFORE UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION touch()',
            enabled: 'enabled',
            comment: null,
          },
        ])
        expect(users.policies).toEqual([
          {
            name: 'own',
            command: 'SELECT',
            permissive: true,
            roles: ['public'],
            using: '(id > 0)',
            check: null,
            comment: null,
          },
        ])

        const orders = relation(s, 'orders')
        expect(orders.columns[0]).toMatchObject({ name: 'id', type: 'bigint', identity: 'by default', default: null })
        expect(orders.constraints.find((k) => k.type === 'foreign key')).toMatchObject({
          name: 'orders_user_id_fkey',
          references: { schema: 'public', name: 'users' },
          onDelete: 'CASCADE',
          onUpdate: 'NO ACTION',
          match: 'SIMPLE',
          deferrable: true,
          deferred: true,
        })
        expect(orders.constraints.find((k) => k.type === 'exclusion')?.definition).toBe(
          'EXCLUDE USING gist (during WITH &&)',
        )
        expect(orders.constraints.find((k) => k.type === 'check')?.definition).toBe('CHECK ((total >= (0)::numeric))')
        expect(orders.indexes).toEqual([
          {
            name: 'ix_orders_user',
            definition:
              'CREATE INDEX ix_orders_user ON public.orders USING btree (user_id) WHERE (total > (0)::numeric)',
            unique: false,
            method: 'btree',
            predicate: '(total > (0)::numeric)',
            valid: true,
            comment: 'partial',
          },
        ])

        expect(relation(s, 'cache')).toMatchObject({ persistence: 'unlogged', options: ['fillfactor=70'] })
        expect(relation(s, 'cache').rules.map((r) => r.name)).toEqual(['no_delete'])
        expect(relation(s, 'child').inherits).toEqual([{ schema: 'public', name: 'cache' }])
        expect(relation(s, 'events')).toMatchObject({ kind: 'partitioned table', partitionKey: 'RANGE (at)' })
        expect(relation(s, 'events_2024')).toMatchObject({
          kind: 'table',
          partitionOf: { schema: 'public', name: 'events' },
          partitionBound: "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
        })
        // A foreign key to a partitioned table is one constraint, not one per partition.
        expect(relation(s, 'event_refs').constraints.map((k) => k.name)).toEqual(['event_refs_id_at_fkey'])

        expect(relation(s, 'active_users')).toMatchObject({ kind: 'view' })
        expect(relation(s, 'active_users').definition).toMatch(/WHERE \(?(users\.)?m <> 'sad'/)
        expect(relation(s, 'user_counts')).toMatchObject({ kind: 'materialized view' })
        expect(relation(s, 'user_counts').indexes.map((i) => i.name)).toEqual(['ix_user_counts'])

        expect(s.sequences.map((q) => `${q.schema}.${q.name}`)).toEqual([
          'audit.s',
          'public.orders_id_seq',
          'public.users_id_seq',
        ])
        expect(s.sequences[0]).toMatchObject({
          type: 'smallint',
          start: '5',
          increment: '2',
          cache: '3',
          cycle: true,
          min: '1',
          max: '32767',
          ownedBy: null,
        })
        expect(s.sequences[2]?.ownedBy).toEqual({ schema: 'public', name: 'users', column: 'id' })

        expect(s.functions.map((f) => `${f.kind} ${f.schema}.${f.name}(${f.arguments})`)).toEqual([
          `procedure audit.p(${inArg()}x integer)`,
          'function public.add1(a integer, b integer)',
          'aggregate public.mysum(integer)',
          'function public.touch()',
        ])
        expect(s.functions.find((f) => f.name === 'add1')).toMatchObject({
          result: 'integer',
          language: 'sql',
          volatility: 'immutable',
        })
        // A SQL-standard body leaves prosrc empty: the definition carries it (before 14 the body does).
        if (standardBodies()) {
          expect(s.functions.find((f) => f.name === 'add1')?.definition).toContain('RETURN (a + b)')
        } else {
          expect(s.functions.find((f) => f.name === 'add1')?.body).toContain('SELECT a + b')
        }
        expect(s.functions.find((f) => f.name === 'touch')?.body).toContain('RETURN NEW')
        expect(s.functions.find((f) => f.name === 'mysum')?.definition).toContain('SFUNC = int4pl')
      })

      it('gives equal snapshots and fingerprints for two databases built by the same DDL', async () => {
        const [a, b] = await Promise.all([db(richDdl()), db(richDdl())])
        const [sa, sb] = await Promise.all([takeSnapshot(a), takeSnapshot(b)])
        expect(sa).toEqual(sb)
        expect(JSON.stringify(sa)).toBe(JSON.stringify(sb))
        expect(diff(sa, sb)).toEqual([])
        const [fa, fb] = await Promise.all([fingerprint(a), fingerprint(b)])
        expect(fa).toMatch(/^[0-9a-f]{64}$/)
        expect(fa).toBe(fb)
        // The replay's own captures (SnapshotProbe) of the two are equal too, and not those of an empty schema.
        const [pa, pb, empty] = await Promise.all([probeFor(a), probeFor(b), db().then(probeFor)])
        const [ca, cb, ce] = await Promise.all([pa.capture('rich'), pb.capture('rich'), empty.capture('empty')])
        await Promise.all([pa.close(), pb.close(), empty.close()])
        expect(ca).toMatch(/^[0-9a-f]{64}$/)
        expect(ca).toBe(cb)
        expect(ca).not.toBe(ce)
        // And the rich schema is not the empty one.
        expect(fa).not.toBe(await fingerprint(await db()))
      })

      it('writes names, comments and labels with quotes, backslashes, control characters and non-ASCII as valid JSON', async () => {
        // The document is JSON written as text by the query itself: every string must come back exactly.
        const odd = 'q"uote \\ back\nline\ttab \u0001 é 漢 😀'
        const sqlLit = `E'${odd
          .replace(/\\/g, '\\\\')
          .replace(/'/g, "\\'")
          .replace(/\n/g, '\\n')
          .replace(/\t/g, '\\t')
          .replace(/\u0001/g, '\\x01')}'`
        const client = await db(`
      CREATE TYPE "we""ird" AS ENUM ('a"b', 'c\\d', 'é');
      CREATE TABLE "ta""ble" ("co""l" "we""ird" DEFAULT 'a"b', "x\\y" text DEFAULT ${sqlLit});
      COMMENT ON TABLE "ta""ble" IS ${sqlLit};
      COMMENT ON COLUMN "ta""ble"."co""l" IS ${sqlLit};
    `)
        const rows = (await client.query(SNAPSHOT_SQL)).rows
        const text = rows[0].snapshot as string
        expect(() => JSON.parse(text)).not.toThrow()
        const snap = normalize(rows)
        const t = relation(snap, 'ta"ble')
        expect(t.comment).toBe(odd)
        expect(t.columns.map((c) => c.name)).toEqual(['co"l', 'x\\y'])
        expect(t.columns[0]?.comment).toBe(odd)
        expect(t.columns[1]?.default).toContain('back\nline')
        expect(snap.types.find((x) => x.name === 'we"ird')?.labels).toEqual(['a"b', 'c\\d', 'é'])
      })

      it('compares a table with a dropped middle column equal to one built without it', async () => {
        const a = await db(
          `CREATE TABLE t (a int, b text, c date); ALTER TABLE t DROP COLUMN b; ALTER TABLE t ADD COLUMN d int`,
        )
        const b = await db(`CREATE TABLE t (a int, c date, d int)`)
        const [sa, sb] = [await takeSnapshot(a), await takeSnapshot(b)]
        expect(relation(sa, 't').columns.map((c) => c.name)).toEqual(['a', 'c', 'd'])
        expect(sa).toEqual(sb)
        expect(await fingerprint(a)).toBe(await fingerprint(b))
      })

      it('ignores data: rows, sequence values, matview contents', async () => {
        const c = await db(
          `CREATE TABLE t (id serial PRIMARY KEY, v text); CREATE MATERIALIZED VIEW mv AS SELECT count(*) FROM t WITH NO DATA`,
        )
        const f0 = await fingerprint(c)
        const s0 = await takeSnapshot(c)
        await c.query(
          `INSERT INTO t (v) SELECT 'x' FROM generate_series(1, 50); SELECT setval('t_id_seq', 1000); REFRESH MATERIALIZED VIEW mv; ANALYZE t`,
        )
        expect(await fingerprint(c)).toBe(f0)
        expect(diff(s0, await takeSnapshot(c))).toEqual([])
      })

      it('leaves out excluded tables with their columns, constraints, indexes and owned sequence', async () => {
        const c = await db(`
      CREATE SCHEMA other;
      CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY, id serial);
      CREATE INDEX ix_av ON alembic_version (id);
      CREATE TABLE other.alembic_version (x int);
      CREATE TABLE keep (id int)`)
        const names = (s: Snapshot) => s.relations.map((r) => `${r.schema}.${r.name}`)
        const all = await takeSnapshot(c)
        expect(names(all)).toEqual(['other.alembic_version', 'public.alembic_version', 'public.keep'])
        expect(all.sequences.map((q) => q.name)).toEqual(['alembic_version_id_seq'])

        const bare = await takeSnapshot(c, { excludeTables: ['alembic_version'] })
        expect(names(bare)).toEqual(['public.keep'])
        expect(bare.sequences).toEqual([])

        const qualified = await takeSnapshot(c, { excludeTables: ['public.alembic_version'] })
        expect(names(qualified)).toEqual(['other.alembic_version', 'public.keep'])
        expect(qualified.sequences).toEqual([])

        // The bookkeeping table's appearance is no change.
        const d = await db(`CREATE TABLE keep (id int)`)
        expect(
          await messagesAfter(d, `CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)`, {
            excludeTables: ['alembic_version'],
          }),
        ).toEqual([])
      })

      it('does not list the objects of an extension, only the extension', async (ctx) => {
        const c = await db()
        const wanted = ['citext', 'pg_trgm', 'hstore']
        const present: string[] = []
        for (const e of wanted) if (await available(c, e)) present.push(e)
        if (present.length === 0) {
          const reason = `none of ${wanted.join(', ')} is available on this server (pg_available_extensions)`
          console.log(`extension objects test skipped: ${reason}`)
          ctx.skip(reason)
        }
        const before = await takeSnapshot(c)
        for (const e of present) await c.query(`CREATE EXTENSION ${e}`)
        const after = await takeSnapshot(c)
        expect(after.functions).toEqual([])
        expect(after.types).toEqual([])
        expect(after.extensions.map((x) => x.name)).toEqual([...present, 'plpgsql'].sort())
        expect(diff(before, after).map((x) => x.message)).toEqual(
          present.sort().map((e) => `extension ${e}: present now, absent before`),
        )
        // A user's column of an extension type is the user's.
        await c.query(`CREATE TABLE t (v ${present.includes('citext') ? 'citext' : 'text'})`)
        expect(relation(await takeSnapshot(c), 't').columns).toHaveLength(1)
      })

      it('runs through a plain QueryRunner and a pure normalize step', async () => {
        const c = await db(`CREATE TABLE t (id int)`)
        const seen: string[] = []
        const runner = async (sql: string) => {
          seen.push(sql)
          return (await c.query(sql)).rows as Array<Record<string, unknown>>
        }
        const viaRunner = await takeSnapshot(runner)
        expect(seen).toEqual([SNAPSHOT_SQL])
        expect(viaRunner).toEqual(await takeSnapshot(c))
        const rows = (await c.query(SNAPSHOT_SQL)).rows as Array<Record<string, unknown>>
        // Against an independent capture: the same schema reached another way, in another database.
        const other = await db(`CREATE TABLE t (); ALTER TABLE t ADD COLUMN id integer`)
        const otherRows = (await other.query(SNAPSHOT_SQL)).rows as Array<Record<string, unknown>>
        expect(normalize(rows)).toEqual(normalize(otherRows))
        expect(relation(normalize(rows), 't').columns.map((x) => x.name)).toEqual(['id'])
        expect(await fingerprint(runner)).toBe(await fingerprint(c))
      })
    })

    describe('diff on a real database, kind by kind', () => {
      it('schema', async () => {
        const c = await db()
        expect(await messagesAfter(c, `CREATE SCHEMA audit`)).toEqual(['schema audit: present now, absent before'])
        expect(await messagesAfter(c, `COMMENT ON SCHEMA audit IS 'trail'`)).toEqual([
          'schema audit: comment "trail" now, none before',
        ])
        expect(await messagesAfter(c, `DROP SCHEMA audit`)).toEqual(['schema audit: absent now, present before'])
      })

      it('extension version', async (ctx) => {
        const c = await db()
        // The two newest versions the server ships (1.7 and 1.8 from PostgreSQL 14 on, 1.6 and 1.7 on 13).
        const { rows } = await c.query<{ version: string }>(
          `SELECT version FROM pg_available_extension_versions WHERE name = 'hstore'`,
        )
        const versions = rows.map((r) => r.version).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
        const [from, to] = versions.slice(-2)
        if (!from || !to) {
          const reason = (await available(c, 'hstore'))
            ? 'hstore is available on this server, but not in two versions'
            : 'hstore is not available on this server (pg_available_extensions)'
          console.log(`extension version test skipped: ${reason}`)
          ctx.skip(reason)
        }
        await c.query(`CREATE EXTENSION hstore VERSION '${from}'`)
        expect((await takeSnapshot(c)).extensions.find((x) => x.name === 'hstore')?.version).toBe(from)
        expect(await messagesAfter(c, `ALTER EXTENSION hstore UPDATE TO '${to}'`)).toEqual([
          `extension hstore: version ${to} now, ${from} before`,
        ])
        expect(await messagesAfter(c, `DROP EXTENSION hstore`)).toEqual([
          'extension hstore: absent now, present before',
        ])
      })

      it('table: presence, persistence, options, comment, row level security', async () => {
        const c = await db()
        expect(await messagesAfter(c, `CREATE TABLE chats (id int)`)).toEqual([
          'table chats: present now, absent before',
        ])
        expect(await messagesAfter(c, `ALTER TABLE chats SET UNLOGGED`)).toEqual([
          'table chats: unlogged now, permanent before',
        ])
        expect(await messagesAfter(c, `ALTER TABLE chats SET (fillfactor = 50)`)).toEqual([
          'table chats: options fillfactor=50 now, (none) before',
        ])
        expect(await messagesAfter(c, `COMMENT ON TABLE chats IS 'talk'`)).toEqual([
          'table chats: comment "talk" now, none before',
        ])
        expect(await messagesAfter(c, `ALTER TABLE chats ENABLE ROW LEVEL SECURITY`)).toEqual([
          'table chats: row level security enabled now, row level security disabled before',
        ])
        expect(await messagesAfter(c, `ALTER TABLE chats REPLICA IDENTITY FULL`)).toEqual([
          'table chats: replica identity full now, default before',
        ])
        // A dropped table is one line, not one per column.
        expect(await messagesAfter(c, `DROP TABLE chats`)).toEqual(['table chats: absent now, present before'])
        await c.query(`CREATE SCHEMA app`)
        expect(await messagesAfter(c, `CREATE TABLE app.chats (id int)`)).toEqual([
          'table app.chats: present now, absent before',
        ])
      })

      it('partitioned table: key, partitions, detach', async () => {
        const c = await db(`CREATE TABLE events (id int, at date) PARTITION BY RANGE (at)`)
        expect(relation(await takeSnapshot(c), 'events').partitionKey).toBe('RANGE (at)')
        expect(
          await messagesAfter(
            c,
            `CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')`,
          ),
        ).toEqual(['table events_2024: present now, absent before'])
        expect(await messagesAfter(c, `ALTER TABLE events DETACH PARTITION events_2024`)).toEqual([
          'table events_2024: partition of none now, events before',
          "table events_2024: partition bound none now, FOR VALUES FROM ('2024-01-01') TO ('2025-01-01') before",
        ])
        expect(
          await messagesAfter(c, `DROP TABLE events; CREATE TABLE events (id int, at date) PARTITION BY LIST (id)`),
        ).toEqual(['partitioned table events: partition key LIST (id) now, RANGE (at) before'])
        expect(await messagesAfter(c, `DROP TABLE events; CREATE TABLE events (id int, at date)`)).toEqual([
          'table events: kind table now, partitioned table before',
        ])
      })

      it('column: presence, type, nullability, default, identity, generated, collation, comment', async () => {
        const c = await db(`CREATE TABLE users (id int, email varchar(255), n int, g int, nm text)`)
        expect(await messagesAfter(c, `ALTER TABLE users ADD COLUMN age int`)).toEqual([
          'column users.age: present now, absent before',
        ])
        const changes = await changesAfter(c, `ALTER TABLE users ALTER email TYPE varchar(100)`)
        expect(changes).toEqual([
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
        ])
        expect(await messagesAfter(c, `ALTER TABLE users ALTER email SET NOT NULL`)).toEqual([
          'column users.email: NOT NULL now, nullable before',
        ])
        expect(await messagesAfter(c, `ALTER TABLE users ALTER n SET DEFAULT 42`)).toEqual([
          'column users.n: default 42 now, none before',
        ])
        expect(
          await messagesAfter(c, `ALTER TABLE users ALTER id SET NOT NULL, ALTER id ADD GENERATED ALWAYS AS IDENTITY`),
        ).toEqual([
          'sequence users_id_seq: present now, absent before',
          'column users.id: NOT NULL now, nullable before',
          'column users.id: identity GENERATED ALWAYS now, none before',
        ])
        // Re-adding g puts it last: the order of the columns present on both sides is reported too.
        expect(
          await messagesAfter(
            c,
            `ALTER TABLE users DROP COLUMN g; ALTER TABLE users ADD COLUMN g int GENERATED ALWAYS AS (n * 2) STORED`,
          ),
        ).toEqual([
          'table users: column order id, email, n, nm, age, g now, id, email, n, g, nm, age before',
          'column users.g: default (n * 2) now, none before',
          'column users.g: generated stored now, none before',
        ])
        expect(await messagesAfter(c, `ALTER TABLE users ALTER nm TYPE text COLLATE "C"`)).toEqual([
          'column users.nm: collation "C" now, none before',
        ])
        expect(await messagesAfter(c, `COMMENT ON COLUMN users.email IS 'login'`)).toEqual([
          'column users.email: comment "login" now, none before',
        ])
        expect(await messagesAfter(c, `ALTER TABLE users DROP COLUMN age`)).toEqual([
          'column users.age: absent now, present before',
        ])
      })

      it('column order: re-adding a dropped middle column at the end is reported once, unless asked not to', async () => {
        const c = await db(`CREATE TABLE t (a int, b int, c int, d int)`)
        const before = await takeSnapshot(c)
        await c.query(`ALTER TABLE t DROP COLUMN b; ALTER TABLE t ADD COLUMN b int`)
        const after = await takeSnapshot(c)
        expect(diff(before, after).map((x) => x.message)).toEqual([
          'table t: column order a, c, d, b now, a, b, c, d before',
        ])
        expect(diff(before, after)[0]).toMatchObject({
          attribute: 'column order',
          before: ['a', 'b', 'c', 'd'],
          after: ['a', 'c', 'd', 'b'],
        })
        expect(diff(before, after, { columnOrder: false })).toEqual([])
        // Adding a column at the end, or dropping one, is that column only.
        expect(await messagesAfter(c, `ALTER TABLE t DROP COLUMN c`)).toEqual([
          'column t.c: absent now, present before',
        ])
      })

      it('constraints: primary key, foreign key actions, unique, check, exclusion, deferrable, comment', async () => {
        const c = await db(
          `CREATE TABLE users (id int NOT NULL, email text, during tsrange); CREATE TABLE orders (id int, user_id int)`,
        )
        expect(await messagesAfter(c, `ALTER TABLE users ADD CONSTRAINT pk_users PRIMARY KEY (id)`)).toEqual([
          'constraint pk_users on users: present now, absent before',
        ])
        expect(
          await messagesAfter(c, `ALTER TABLE orders ADD CONSTRAINT fk_x FOREIGN KEY (user_id) REFERENCES users (id)`),
        ).toEqual(['constraint fk_x on orders: present now, absent before'])
        const changed = await changesAfter(
          c,
          `ALTER TABLE orders DROP CONSTRAINT fk_x, ADD CONSTRAINT fk_x FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE`,
        )
        expect(changed.map((x) => x.message)).toEqual([
          'constraint fk_x on orders: ON DELETE CASCADE now, NO ACTION before',
        ])
        expect(changed[0]).toMatchObject({
          kind: 'constraint',
          name: 'fk_x',
          table: 'orders',
          attribute: 'onDelete',
          before: 'NO ACTION',
          after: 'CASCADE',
        })
        expect(
          await messagesAfter(
            c,
            `ALTER TABLE orders DROP CONSTRAINT fk_x, ADD CONSTRAINT fk_x FOREIGN KEY (user_id) REFERENCES users (id) MATCH FULL ON DELETE CASCADE ON UPDATE SET NULL DEFERRABLE INITIALLY DEFERRED`,
          ),
        ).toEqual([
          'constraint fk_x on orders: ON UPDATE SET NULL now, NO ACTION before',
          'constraint fk_x on orders: MATCH FULL now, SIMPLE before',
          'constraint fk_x on orders: DEFERRABLE now, NOT DEFERRABLE before',
          'constraint fk_x on orders: INITIALLY DEFERRED now, INITIALLY IMMEDIATE before',
        ])
        expect(await messagesAfter(c, `ALTER TABLE users ADD CONSTRAINT uq_email UNIQUE (email)`)).toEqual([
          'constraint uq_email on users: present now, absent before',
        ])
        expect(
          await messagesAfter(
            c,
            `ALTER TABLE users DROP CONSTRAINT uq_email, ADD CONSTRAINT uq_email UNIQUE (email, id)`,
          ),
        ).toEqual(['constraint uq_email on users: definition UNIQUE (email, id) now, UNIQUE (email) before'])
        await c.query(`ALTER TABLE users ADD CONSTRAINT ck_id CHECK (id > 0)`)
        expect(
          await messagesAfter(c, `ALTER TABLE users DROP CONSTRAINT ck_id, ADD CONSTRAINT ck_id CHECK (id > 1)`),
        ).toEqual(['constraint ck_id on users: definition CHECK ((id > 1)) now, CHECK ((id > 0)) before'])
        expect(
          await messagesAfter(c, `ALTER TABLE users ADD CONSTRAINT ex_during EXCLUDE USING gist (during WITH &&)`),
        ).toEqual(['constraint ex_during on users: present now, absent before'])
        expect(await messagesAfter(c, `COMMENT ON CONSTRAINT ck_id ON users IS 'positive'`)).toEqual([
          'constraint ck_id on users: comment "positive" now, none before',
        ])
        expect(await messagesAfter(c, `ALTER TABLE orders DROP CONSTRAINT fk_x`)).toEqual([
          'constraint fk_x on orders: absent now, present before',
        ])
        // Backing indexes are the constraints': none is listed on its own.
        expect(relation(await takeSnapshot(c), 'users').indexes).toEqual([])
      })

      it('index: presence, partial predicate, unique, comment', async () => {
        const c = await db(`CREATE TABLE chats (id int, last_message_at timestamptz, archived bool)`)
        expect(await messagesAfter(c, `CREATE INDEX ix_chats_last_message_at ON chats (last_message_at)`)).toEqual([
          'index ix_chats_last_message_at on chats: present now, absent before',
        ])
        expect(
          await messagesAfter(
            c,
            `DROP INDEX ix_chats_last_message_at; CREATE INDEX ix_chats_last_message_at ON chats (last_message_at) WHERE NOT archived`,
          ),
        ).toEqual(['index ix_chats_last_message_at on chats: predicate (NOT archived) now, none before'])
        expect(
          await messagesAfter(
            c,
            `DROP INDEX ix_chats_last_message_at; CREATE UNIQUE INDEX ix_chats_last_message_at ON chats (last_message_at) WHERE NOT archived`,
          ),
        ).toEqual(['index ix_chats_last_message_at on chats: unique now, not unique before'])
        // Other differences show in the definition, around where it changed.
        const redefined = await messagesAfter(
          c,
          `DROP INDEX ix_chats_last_message_at; CREATE UNIQUE INDEX ix_chats_last_message_at ON chats (id) WHERE NOT archived`,
        )
        expect(redefined).toHaveLength(1)
        expect(redefined[0]).toMatch(
          /^index ix_chats_last_message_at on chats: definition differs: ".*\(id\).*" now, ".*\(last_message_at\).*" before$/,
        )
        expect(await messagesAfter(c, `COMMENT ON INDEX ix_chats_last_message_at IS 'recent'`)).toEqual([
          'index ix_chats_last_message_at on chats: comment "recent" now, none before',
        ])
        expect(await messagesAfter(c, `DROP INDEX ix_chats_last_message_at`)).toEqual([
          'index ix_chats_last_message_at on chats: absent now, present before',
        ])
      })

      it('enum type: presence, labels, comment', async () => {
        const c = await db()
        expect(await messagesAfter(c, `CREATE TYPE mood AS ENUM ('sad', 'happy')`)).toEqual([
          'type mood (enum): present now, absent before',
        ])
        expect(await messagesAfter(c, `ALTER TYPE mood ADD VALUE 'ok' BEFORE 'happy'`)).toEqual([
          'type mood (enum): labels sad, ok, happy now, sad, happy before',
        ])
        expect(await messagesAfter(c, `COMMENT ON TYPE mood IS 'feelings'`)).toEqual([
          'type mood (enum): comment "feelings" now, none before',
        ])
        expect(await messagesAfter(c, `DROP TYPE mood`)).toEqual(['type mood (enum): absent now, present before'])
      })

      it('domain: base type, default, not null, constraints', async () => {
        const c = await db()
        expect(await messagesAfter(c, `CREATE DOMAIN posint AS int CONSTRAINT positive CHECK (VALUE > 0)`)).toEqual([
          'type posint (domain): present now, absent before',
        ])
        expect(await messagesAfter(c, `ALTER DOMAIN posint SET DEFAULT 1`)).toEqual([
          'type posint (domain): default 1 now, none before',
        ])
        expect(await messagesAfter(c, `ALTER DOMAIN posint SET NOT NULL`)).toEqual([
          'type posint (domain): NOT NULL now, nullable before',
        ])
        expect(await messagesAfter(c, `ALTER DOMAIN posint ADD CONSTRAINT small CHECK (VALUE < 100)`)).toEqual([
          'type posint (domain): constraints positive: CHECK ((VALUE > 0)), small: CHECK ((VALUE < 100)) now, positive: CHECK ((VALUE > 0)) before',
        ])
        expect(
          await messagesAfter(
            c,
            `DROP DOMAIN posint; CREATE DOMAIN posint AS bigint NOT NULL DEFAULT 1 CONSTRAINT positive CHECK (VALUE > 0) CONSTRAINT small CHECK (VALUE < 100)`,
          ),
        ).toEqual(['type posint (domain): base type bigint now, integer before'])
        expect(await messagesAfter(c, `DROP DOMAIN posint`)).toEqual([
          'type posint (domain): absent now, present before',
        ])
      })

      it('composite and range types', async () => {
        const c = await db()
        expect(await messagesAfter(c, `CREATE TYPE addr AS (street text)`)).toEqual([
          'type addr (composite): present now, absent before',
        ])
        expect(await messagesAfter(c, `ALTER TYPE addr ADD ATTRIBUTE zip varchar(10)`)).toEqual([
          'type addr (composite): attributes street text, zip character varying(10) now, street text before',
        ])
        expect(await messagesAfter(c, `DROP TYPE addr`)).toEqual(['type addr (composite): absent now, present before'])
        // A range type's constructor functions come with it: only the type is listed.
        expect(await messagesAfter(c, `CREATE TYPE floatrange AS RANGE (subtype = float8)`)).toEqual([
          'type floatrange (range): present now, absent before',
        ])
      })

      it('sequence: definition, owner; never the current value', async () => {
        const c = await db(`CREATE TABLE t (id int)`)
        expect(await messagesAfter(c, `CREATE SEQUENCE s`)).toEqual(['sequence s: present now, absent before'])
        expect(await messagesAfter(c, `SELECT nextval('s'); SELECT nextval('s')`)).toEqual([])
        expect(await messagesAfter(c, `ALTER SEQUENCE s INCREMENT 5 CYCLE`)).toEqual([
          'sequence s: increment 5 now, 1 before',
          'sequence s: CYCLE now, NO CYCLE before',
        ])
        expect(await messagesAfter(c, `ALTER SEQUENCE s AS integer`)).toEqual([
          'sequence s: type integer now, bigint before',
          'sequence s: maxvalue 2147483647 now, 9223372036854775807 before',
        ])
        expect(await messagesAfter(c, `ALTER SEQUENCE s OWNED BY t.id`)).toEqual([
          'sequence s: owned by t.id now, none before',
        ])
        expect(await messagesAfter(c, `DROP SEQUENCE s`)).toEqual(['sequence s: absent now, present before'])
      })

      it('view and materialized view: definition, indexes, comment', async () => {
        const c = await db(`CREATE TABLE users (id int, active bool)`)
        expect(await messagesAfter(c, `CREATE VIEW active_users AS SELECT id FROM users WHERE active`)).toEqual([
          'view active_users: present now, absent before',
        ])
        const changed = await changesAfter(
          c,
          `CREATE OR REPLACE VIEW active_users AS SELECT id FROM users WHERE NOT active`,
        )
        expect(changed).toHaveLength(1)
        expect(changed[0]).toMatchObject({ kind: 'view', name: 'active_users', attribute: 'definition' })
        expect(changed[0]?.message).toMatch(
          /^view active_users: definition differs: ".*NOT (users\.)?active.*" now, ".*WHERE (users\.)?active.*" before$/,
        )
        expect(await messagesAfter(c, `CREATE MATERIALIZED VIEW counts AS SELECT count(*) AS n FROM users`)).toEqual([
          'materialized view counts: present now, absent before',
        ])
        expect(await messagesAfter(c, `CREATE INDEX ix_counts ON counts (n)`)).toEqual([
          'index ix_counts on counts: present now, absent before',
        ])
        expect(await messagesAfter(c, `COMMENT ON MATERIALIZED VIEW counts IS 'stats'`)).toEqual([
          'materialized view counts: comment "stats" now, none before',
        ])
        expect(await messagesAfter(c, `DROP VIEW active_users; DROP MATERIALIZED VIEW counts`)).toEqual([
          'view active_users: absent now, present before',
          'materialized view counts: absent now, present before',
        ])
      })

      it('function and procedure: signature, result, body, volatility, language, comment', async () => {
        const c = await db()
        expect(await messagesAfter(c, `CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'SELECT a + 1'`)).toEqual([
          'function f(a integer): present now, absent before',
        ])
        expect(
          await messagesAfter(c, `CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'SELECT a + 2'`),
        ).toEqual(['function f(a integer): body SELECT a + 2 now, SELECT a + 1 before'])
        expect(
          await messagesAfter(
            c,
            `CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql STABLE AS 'SELECT a + 2'`,
          ),
        ).toEqual(['function f(a integer): volatility stable now, volatile before'])
        expect(
          await messagesAfter(
            c,
            `CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE plpgsql STABLE AS 'BEGIN RETURN a + 2; END'`,
          ),
        ).toEqual([
          'function f(a integer): language plpgsql now, sql before',
          'function f(a integer): body BEGIN RETURN a + 2; END now, SELECT a + 2 before',
        ])
        expect(
          await messagesAfter(
            c,
            `DROP FUNCTION f(int); CREATE FUNCTION f(a int) RETURNS bigint LANGUAGE plpgsql STABLE AS 'BEGIN RETURN a + 2; END'`,
          ),
        ).toEqual(['function f(a integer): returns bigint now, integer before'])
        // An overload is another function.
        expect(await messagesAfter(c, `CREATE FUNCTION f(a text) RETURNS text LANGUAGE sql AS 'SELECT a'`)).toEqual([
          'function f(a text): present now, absent before',
        ])
        // A SQL-standard body leaves prosrc empty; the definition shows the change (14 and later).
        if (standardBodies()) {
          await c.query(`CREATE FUNCTION g(a int) RETURNS int LANGUAGE sql RETURN a + 1`)
          const g = await changesAfter(c, `CREATE OR REPLACE FUNCTION g(a int) RETURNS int LANGUAGE sql RETURN a + 3`)
          expect(g.map((x) => x.attribute)).toEqual(['definition'])
          expect(g[0]?.message).toMatch(
            /^function g\(a integer\): definition differs: ".*a \+ 3.*" now, ".*a \+ 1.*" before$/,
          )
        } else {
          console.log(
            `PostgreSQL ${server.serverVersion}: no SQL-standard function bodies before 14, that part left out`,
          )
        }
        expect(await messagesAfter(c, `COMMENT ON FUNCTION f(text) IS 'echo'`)).toEqual([
          'function f(a text): comment "echo" now, none before',
        ])
        await c.query(`CREATE SCHEMA app`)
        expect(await messagesAfter(c, `CREATE PROCEDURE app.p(x int) LANGUAGE plpgsql AS $$ BEGIN END $$`)).toEqual([
          `procedure app.p(${inArg()}x integer): present now, absent before`,
        ])
        // Sorted by schema, then name and arguments.
        expect(await messagesAfter(c, `DROP FUNCTION f(int); DROP PROCEDURE app.p`)).toEqual([
          `procedure app.p(${inArg()}x integer): absent now, present before`,
          'function f(a integer): absent now, present before',
        ])
      })

      it('trigger: presence, definition, enabled, comment', async () => {
        const c = await db(`
      CREATE TABLE t (id int);
      CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`)
        expect(
          await messagesAfter(c, `CREATE TRIGGER trg_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch()`),
        ).toEqual(['trigger trg_touch on t: present now, absent before'])
        const redefined = await changesAfter(
          c,
          `DROP TRIGGER trg_touch ON t; CREATE TRIGGER trg_touch BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch()`,
        )
        expect(redefined.map((x) => `${x.kind} ${x.name} ${x.attribute}`)).toEqual(['trigger trg_touch definition'])
        expect(redefined[0]?.message).toContain('INSERT')
        expect(await messagesAfter(c, `ALTER TABLE t DISABLE TRIGGER trg_touch`)).toEqual([
          'trigger trg_touch on t: enabled disabled now, enabled before',
        ])
        expect(await messagesAfter(c, `COMMENT ON TRIGGER trg_touch ON t IS 'stamp'`)).toEqual([
          'trigger trg_touch on t: comment "stamp" now, none before',
        ])
        expect(await messagesAfter(c, `DROP TRIGGER trg_touch ON t`)).toEqual([
          'trigger trg_touch on t: absent now, present before',
        ])
        // Foreign keys make internal triggers: none is listed.
        await c.query(`ALTER TABLE t ADD PRIMARY KEY (id); CREATE TABLE u (t_id int REFERENCES t)`)
        const s = await takeSnapshot(c)
        expect([...relation(s, 't').triggers, ...relation(s, 'u').triggers]).toEqual([])
      })

      it('policy and rule', async () => {
        const c = await db(`CREATE TABLE t (id int, owner text)`)
        expect(await messagesAfter(c, `CREATE POLICY own ON t USING (owner = current_user)`)).toEqual([
          'policy own on t: present now, absent before',
        ])
        // pg_get_expr's exact spelling varies by server version; the shape does not.
        const altered = await messagesAfter(c, `ALTER POLICY own ON t USING (owner = session_user)`)
        expect(altered).toHaveLength(1)
        expect(altered[0]).toMatch(
          /^policy own on t: USING \(owner = .*SESSION_USER.*\) now, \(owner = .*CURRENT_USER.*\) before$/,
        )
        expect(await messagesAfter(c, `DROP POLICY own ON t`)).toEqual(['policy own on t: absent now, present before'])
        expect(await messagesAfter(c, `CREATE RULE no_delete AS ON DELETE TO t DO INSTEAD NOTHING`)).toEqual([
          'rule no_delete on t: present now, absent before',
        ])
        expect(await messagesAfter(c, `DROP RULE no_delete ON t`)).toEqual([
          'rule no_delete on t: absent now, present before',
        ])
      })
    })
  })
}
