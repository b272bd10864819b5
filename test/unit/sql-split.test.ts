// The statement splitter decides which statement a server error belongs to and whether a down
// block is empty: quotes, dollar bodies, comments and BEGIN ATOMIC bodies must not cut a statement.
import { describe, expect, it } from 'vitest'
import { indexOfPosition } from '../../src/drivers/sql/locate.js'
import { controlsTransactions, sameInTransaction, splitStatements } from '../../src/drivers/sql/split.js'

const texts = (sql: string) => splitStatements(sql).map((s) => sql.slice(s.start, s.end))

describe('splitStatements', () => {
  it('splits on semicolons and starts each statement after comments and blank lines', () => {
    const sql = '-- header\nCREATE TABLE a (id int);\n\n/* note */ INSERT INTO a VALUES (1);\nSELECT 1'
    expect(texts(sql)).toEqual(['CREATE TABLE a (id int);', 'INSERT INTO a VALUES (1);', 'SELECT 1'])
    expect(splitStatements(sql).map((s) => s.keyword)).toEqual(['create', 'insert', 'select'])
  })

  it('counts nothing in a text of comments, blank lines and stray semicolons', () => {
    expect(splitStatements('-- migrate:down\n\n/* nothing /* nested */ here */\n;;\n')).toEqual([])
    expect(splitStatements('')).toEqual([])
  })

  it('keeps semicolons inside strings, identifiers, E-strings and dollar quotes', () => {
    const sql = [
      "INSERT INTO t VALUES ('a;b', 'it''s; here');",
      'CREATE TABLE "odd;name" (id int);',
      "SELECT E'back\\'slash; still inside';",
      'CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$ BEGIN RETURN 1; END; $body$;',
      'DO $$ BEGIN PERFORM 1; END $$;',
    ].join('\n')
    expect(texts(sql)).toHaveLength(5)
    expect(texts(sql)[3]).toMatch(/^CREATE FUNCTION .* \$body\$;$/)
  })

  it('keeps a SQL-standard function body (BEGIN ATOMIC ... END) in one statement, as psql does', () => {
    const sql =
      'CREATE OR REPLACE FUNCTION g(x int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END;\n  SELECT 2;\nEND;\nSELECT g(1);'
    expect(texts(sql)).toEqual([sql.slice(0, sql.lastIndexOf('END;') + 4), 'SELECT g(1);'])
  })

  it('keeps semicolons inside parentheses', () => {
    expect(texts('CREATE RULE r AS ON INSERT TO t DO ALSO (NOTIFY a; NOTIFY b);\nSELECT 1;')).toHaveLength(2)
  })

  it('tells texts that open or end transactions themselves', () => {
    expect(controlsTransactions(splitStatements('BEGIN; CREATE TABLE a (); COMMIT;'))).toBe(true)
    expect(controlsTransactions(splitStatements('CREATE TABLE a (); CREATE TABLE b ();'))).toBe(false)
  })
})

describe('indexOfPosition', () => {
  it('turns the server position (characters) into a JavaScript index (UTF-16 code units)', () => {
    const text = "SELECT 'é😀', nope"
    // The server reported position 14 for `nope` in exactly this text.
    expect(text.slice(indexOfPosition(text, 14))).toBe('nope')
    expect(indexOfPosition('abc', 1)).toBe(0)
  })
})

describe('sameInTransaction (may an observed step put a text sent as it is in BEGIN ... COMMIT)', () => {
  const same = (sql: string) => sameInTransaction(splitStatements(sql))

  it('wraps plain DDL and DML, alone or several (the server runs several as one implicit block anyway)', () => {
    expect(same('ALTER TABLE t ADD COLUMN c int;')).toBe(true)
    expect(same('CREATE TABLE t (id int); INSERT INTO t VALUES (1);')).toBe(true)
    // Several statements: a DO cannot commit in the implicit block either.
    expect(same('CREATE TABLE t (id int); DO $$ BEGIN COMMIT; END $$;')).toBe(true)
  })

  it('leaves a text with its own transaction control as it is', () => {
    expect(same('BEGIN; ALTER TABLE t ADD COLUMN c int; COMMIT;')).toBe(false)
  })

  it('leaves a lone statement that may refuse or behave otherwise in a transaction block as it is', () => {
    for (const sql of [
      'CREATE INDEX CONCURRENTLY ix ON t (a);',
      'create unique index concurrently if not exists ix on t (a)',
      'DROP INDEX CONCURRENTLY ix;',
      'REINDEX TABLE t;',
      'VACUUM ANALYZE t;',
      "ALTER TYPE mood ADD VALUE 'meh';",
      'ALTER TYPE public."Mood" ADD VALUE IF NOT EXISTS \'meh\';',
      'CREATE DATABASE other;',
      'ALTER SYSTEM SET work_mem = 1;',
      'DO $$ BEGIN COMMIT; END $$;',
      'CALL archive_rows();',
    ])
      expect(same(sql), sql).toBe(false)
  })

  it('is not fooled by the words in a comment or a string', () => {
    expect(same("-- CREATE INDEX CONCURRENTLY later\nALTER TABLE t ADD COLUMN c text DEFAULT 'concurrently';")).toBe(
      true,
    )
  })
})
