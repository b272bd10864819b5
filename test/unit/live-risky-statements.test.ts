// The statements of a pending migration that existing rows can make fail, read from the SQL text as
// PostgreSQL's grammar writes them (Alembic's offline SQL, hand-written up files), and the casts a
// type change puts the column's values through.
import { describe, expect, it } from 'vitest'
import { castPlan } from '../../src/live/cast-probe.js'
import { riskyStatements } from '../../src/live/risky-statements.js'

const kinds = (sql: string) => riskyStatements(sql).map(({ text: _text, ...rest }) => rest)

describe('riskyStatements', () => {
  it('several actions of one ALTER TABLE, schema and quoted names', () => {
    expect(
      kinds(
        'ALTER TABLE IF EXISTS ONLY app."Users" ALTER COLUMN "Email" SET NOT NULL, ADD COLUMN tier text NOT NULL, ALTER age SET DATA TYPE smallint, ADD COLUMN note text;',
      ),
    ).toEqual([
      { kind: 'set-not-null', table: { schema: 'app', name: 'Users' }, column: 'Email' },
      { kind: 'add-not-null', table: { schema: 'app', name: 'Users' }, column: 'tier' },
      { kind: 'type', table: { schema: 'app', name: 'Users' }, column: 'age', type: 'smallint' },
    ])
  })

  it('a new column filled by a default, a generated value or an identity is no risk', () => {
    expect(
      kinds(
        "ALTER TABLE t ADD COLUMN a text NOT NULL DEFAULT 'x'; ALTER TABLE t ADD COLUMN b int GENERATED ALWAYS AS IDENTITY NOT NULL; ALTER TABLE t ADD CONSTRAINT c CHECK (a IS NOT NULL);",
      ),
    ).toEqual([])
  })

  it('unique constraints and indexes, a primary key (unique and NOT NULL), an expression and a partial index', () => {
    expect(
      kinds(
        `ALTER TABLE users ADD CONSTRAINT uq_users_email UNIQUE (email);
         ALTER TABLE users ADD PRIMARY KEY (id);
         ALTER TABLE users ADD CONSTRAINT uq UNIQUE USING INDEX users_email_idx;
         CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix ON ONLY public.users USING btree (nickname DESC NULLS LAST, org_id);
         CREATE UNIQUE INDEX ix2 ON users (lower(email));
         CREATE UNIQUE INDEX ix3 ON users (email) WHERE deleted_at IS NULL;
         CREATE INDEX ix4 ON users (email);`,
      ),
    ).toEqual([
      { kind: 'unique', table: { name: 'users' }, columns: ['email'], partial: false },
      { kind: 'set-not-null', table: { name: 'users' }, column: 'id' },
      { kind: 'unique', table: { name: 'users' }, columns: ['id'], partial: false },
      { kind: 'unique', table: { schema: 'public', name: 'users' }, columns: ['nickname', 'org_id'], partial: false },
      { kind: 'unique', table: { name: 'users' }, columns: null, partial: false },
      { kind: 'unique', table: { name: 'users' }, columns: ['email'], partial: true },
    ])
  })

  it('a type change keeps its type and USING as written; UPDATE and DELETE are told with what they change', () => {
    expect(
      kinds(`-- a comment; with a semicolon
        UPDATE users SET email = lower(email), (a, b) = (1, 2) WHERE id > 0;
        DELETE FROM ONLY users WHERE id IN (SELECT 1);
        ALTER TABLE users ALTER COLUMN code TYPE numeric(10, 2) USING code::numeric(10,2);
        SELECT 'ALTER TABLE users ALTER COLUMN x SET NOT NULL';`),
    ).toEqual([
      { kind: 'update', table: { name: 'users' }, columns: ['email'] },
      { kind: 'delete', table: { name: 'users' } },
      {
        kind: 'type',
        table: { name: 'users' },
        column: 'code',
        type: 'numeric(10, 2)',
        using: 'code::numeric(10,2)',
      },
    ])
  })
})

describe('castPlan', () => {
  it('a plain type, a cast chain, CAST(... AS ...), and what it will not run', () => {
    expect(castPlan('code', 'integer')).toEqual({ casts: ['integer'] })
    expect(castPlan('code', 'varchar(20)', '"code"::text::varchar(20)')).toEqual({ casts: ['text', 'varchar(20)'] })
    expect(castPlan('code', 'timestamp with time zone', 'CAST(code AS timestamp with time zone)')).toEqual({
      casts: ['timestamp with time zone'],
    })
    expect(castPlan('code', 'integer', 'length(code)')).toEqual({
      cannot: 'USING length(code) is not a plain cast of the column, and the gate does not run it',
    })
    expect(castPlan('code', 'integer; DROP TABLE users')).toEqual({
      cannot: 'the type integer; DROP TABLE users is not a plain type name',
    })
  })
})
