// Reading SQL migration directories without a database: dbmate's blocks and options, golang-migrate's
// file pairs, the chain findings of a versioned directory, and which driver a project gets.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { checkChain } from '../../src/checks/chain.js'
import { heads, topologicalOrder } from '../../src/checks/topo.js'
import { createDriver } from '../../src/drivers/detect.js'
import { parseDbmate, readDbmate } from '../../src/drivers/sql/dbmate.js'
import { SqlDriver } from '../../src/drivers/sql/driver.js'
import { readGolangMigrate } from '../../src/drivers/sql/golang-migrate.js'
import { sqlGraph } from '../../src/drivers/sql/graph.js'
import { readConfig } from '../../src/inputs.js'
import { silentLogger } from '../../src/logger.js'
import type { Finding } from '../../src/report.js'

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures')
const scratch = mkdtempSync(path.join(tmpdir(), 'mg-sql-read-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))
const policy = { severity: 'warning' as const, allow: new Map<string, string>() }
/** A named pipe: opening it for reading blocks until a writer comes, which none will. */
const mkfifo = (p: string) => execFileSync('mkfifo', [p])
const summary = (fs: Finding[]) => fs.map((f) => [f.id, f.revision, f.file, f.line, f.severity])

/** A project dir with the given files (name -> content) under `sub`. */
function project(files: Record<string, string | Buffer>, sub = 'migrations'): string {
  const dir = mkdtempSync(path.join(scratch, 'p-'))
  mkdirSync(path.join(dir, sub), { recursive: true })
  for (const [name, body] of Object.entries(files)) writeFileSync(path.join(dir, sub, name), body)
  return dir
}

describe('parseDbmate', () => {
  it('says where a down marker is indented, which dbmate does not read as one', () => {
    const text = [
      '-- migrate:up',
      'CREATE TABLE a (id int);',
      'ALTER TABLE a',
      '    -- migrate:down',
      '    DROP COLUMN id;',
      '',
    ].join('\n')
    expect(parseDbmate(text, 'db/migrations/1_a.sql')).toEqual({
      error: "dbmate requires each migration to define a down block with '-- migrate:down'",
      line: 4,
      fix: 'the `-- migrate:down` on line 4 is indented, and dbmate only reads markers that start a line: remove the indentation',
    })
  })

  it('cuts up and down blocks at the markers, with their lines and transaction options', () => {
    const text = [
      '-- a comment before the marker is allowed',
      '-- migrate:up transaction:false',
      'CREATE INDEX CONCURRENTLY ix ON t (a);',
      '',
      '-- migrate:down   transaction:false  other:x',
      'DROP INDEX CONCURRENTLY ix;',
      '-- migrate:up',
      'ALTER TABLE t ADD COLUMN b int; ALTER TABLE t ADD COLUMN c int;',
      '-- migrate:down',
      '',
    ].join('\n')
    const parsed = parseDbmate(text, 'db/migrations/1_x.sql')
    if ('error' in parsed) throw new Error(parsed.error)
    expect(parsed.up.map((u) => [u.line, u.transactional, u.statements])).toEqual([
      [2, false, 1],
      [7, true, 2],
    ])
    expect(parsed.down.map((u) => [u.line, u.transactional, u.statements])).toEqual([
      [5, false, 1],
      [9, true, 0],
    ])
    expect(parsed.up[0]?.text.startsWith('-- migrate:up transaction:false\nCREATE INDEX')).toBe(true)
  })

  it("refuses what dbmate refuses, with dbmate's words and the line", () => {
    const cases: [string, RegExp, number][] = [
      ['CREATE TABLE t ();\n', /define an up block/, 1],
      ['-- migrate:up\nCREATE TABLE t ();\n', /define a down block/, 1],
      ['-- c\n\nSET x = 1;\n-- migrate:up\nSELECT 1;\n-- migrate:down\n', /statements preceding/, 3],
      ['-- migrate:down\nSELECT 2;\n-- migrate:up\nSELECT 1;\n', /statements preceding/, 2],
      ['-- migrate:down\n-- migrate:up\nSELECT 1;\n', /appear before/, 1],
      ['-- migrate:upgrade\nSELECT 1;\n-- migrate:down\n', /define an up block/, 1],
    ]
    for (const [text, error, line] of cases) {
      const parsed = parseDbmate(text, 'x.sql')
      expect('error' in parsed && [parsed.error, parsed.line]).toEqual([expect.stringMatching(error), line])
    }
  })
})

describe('golang-migrate directories', () => {
  it('pairs up and down files, orders versions as integers and reads 0002 and 2 as one version', () => {
    const dir = path.join(FIXTURES, 'sql-golang-chain')
    const read = readGolangMigrate(path.join(dir, 'migrations'), dir)
    expect(read.migrations.map((m) => [m.version, m.file, m.down.length, m.noDown !== undefined])).toEqual([
      ['1', 'migrations/1_create_users.up.sql', 1, false],
      ['2', 'migrations/0002_create_teams.up.sql', 1, false],
      ['2', 'migrations/2_create_orgs.up.sql', 1, false],
      ['3', 'migrations/3_add_email.up.sql', 0, true],
    ])
  })

  it('orders 9 before 10 (integers), where file names sort the other way', () => {
    const dir = project({
      '10_b.up.sql': 'SELECT 2;',
      '10_b.down.sql': 'SELECT 2;',
      '9_a.up.sql': 'SELECT 1;',
      '9_a.down.sql': 'SELECT 1;',
    })
    const graph = sqlGraph(readGolangMigrate(path.join(dir, 'migrations'), dir), policy)
    expect(topologicalOrder(graph)).toEqual(['9', '10'])
    expect(graph.nodes.map((n) => n.parents)).toEqual([[], ['9']])
  })

  it('reports every chain finding of the fixture, and nothing the generic chain check would add', () => {
    const dir = path.join(FIXTURES, 'sql-golang-chain')
    const graph = sqlGraph(readGolangMigrate(path.join(dir, 'migrations'), dir), policy)
    expect(summary(graph.problems)).toEqual([
      ['duplicate-revision', '2', 'migrations/2_create_orgs.up.sql', 1, 'error'],
      ['irreversible-migration', '3', 'migrations/3_add_email.up.sql', 1, 'warning'],
      ['unparseable-migration', undefined, 'migrations/4_add_index.sql', 1, 'error'],
      ['unparseable-migration', '5', 'migrations/5_drop_legacy.down.sql', 1, 'error'],
    ])
    expect(graph.problems[0]?.fix).toMatch(/rename its \.up\.sql and \.down\.sql to version 6 \(a free one after 5\)/)
    expect(checkChain(graph)).toEqual([])
    expect(heads(graph)).toEqual(['3'])
  })

  it('grades a missing down by irreversible-severity and the allow-list', () => {
    const dir = path.join(FIXTURES, 'sql-golang-irreversible')
    const read = readGolangMigrate(path.join(dir, 'migrations'), dir)
    const strict = sqlGraph(read, { severity: 'error', allow: new Map([['2', 'the original case is gone']]) })
    // Only the missing down file is judged statically: 3's down file exists but holds only a comment,
    // and the replay judges an empty down by what the up did (as an Alembic `pass` downgrade).
    expect(summary(strict.problems)).toEqual([
      ['irreversible-migration', '2', 'migrations/2_lowercase_emails.up.sql', 1, 'notice'],
    ])
    expect(strict.problems[0]?.message).toMatch(/accepted by the allow-list: the original case is gone/)
    const three = strict.nodes.find((n) => n.id === '3')
    expect(three).toMatchObject({ downgradeFile: 'migrations/3_timezone.down.sql', downgradeLine: 1 })
  })

  it("tells each duplicate a free version of its own, and keeps a misnamed file's direction", () => {
    const files: Record<string, string> = {}
    for (const name of ['1_a', '2_b', '2_c', '3_d', '3_e']) {
      files[`${name}.up.sql`] = 'SELECT 1;'
      files[`${name}.down.sql`] = 'SELECT 1;'
    }
    Object.assign(files, { '4.up.sql': 'SELECT 1;', '4.down.sql': 'SELECT 1;', '5_g_down.sql': 'SELECT 1;' })
    const dir = project(files)
    const graph = sqlGraph(readGolangMigrate(path.join(dir, 'migrations'), dir), policy)
    const renames = graph.problems
      .filter((p) => p.id === 'duplicate-revision')
      .map((p) => /to version (\d+)/.exec(p.fix ?? '')?.[1])
    expect(renames).toEqual(['6', '7']) // 4 and 5 are taken (by unparseable files too)
    const misnamed = graph.problems
      .filter((p) => p.id === 'unparseable-migration')
      .map((p) => /e\.g\. ([^)]+)\)/.exec(p.fix ?? '')?.[1])
    expect(misnamed).toEqual(expect.arrayContaining(['4_name.up.sql', '4_name.down.sql', '5_g.down.sql']))
  })

  it('names every entry called like a migration that is not a regular file, without opening it (a pipe would block)', () => {
    const dir = project({
      '1_a.up.sql': 'SELECT 1;',
      '1_a.down.sql': 'SELECT 1;',
      '2_b.down.sql': 'SELECT 1;',
      '3_c.down.sql': 'SELECT 1;',
    })
    const m = path.join(dir, 'migrations')
    mkdirSync(path.join(m, '2_b.up.sql'))
    symlinkSync('3_c.up.sql', path.join(m, '3_c.up.sql')) // a link to itself: a loop
    symlinkSync('no-such-file.sql', path.join(m, '4_gone.up.sql'))
    mkfifo(path.join(m, '5_fifo.up.sql'))
    writeFileSync(path.join(m, '6_f.up.sql'), 'SELECT 1;')
    mkfifo(path.join(m, '6_f.down.sql'))
    symlinkSync('2_b.up.sql', path.join(m, '7_to_dir.up.sql'))
    const graph = sqlGraph(readGolangMigrate(m, dir), policy)
    // One finding per entry, at the entry: no "down without an up" for 2 and 3, no "no down file" for 6.
    expect(summary(graph.problems)).toEqual([
      ['unparseable-migration', '2', 'migrations/2_b.up.sql', 1, 'error'],
      ['unparseable-migration', '3', 'migrations/3_c.up.sql', 1, 'error'],
      ['unparseable-migration', '4', 'migrations/4_gone.up.sql', 1, 'error'],
      ['unparseable-migration', '5', 'migrations/5_fifo.up.sql', 1, 'error'],
      ['unparseable-migration', '6', 'migrations/6_f.down.sql', 1, 'error'],
      ['unparseable-migration', '7', 'migrations/7_to_dir.up.sql', 1, 'error'],
    ])
    expect(graph.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/: it is a directory, not a file, so golang-migrate cannot read it \(it skips/),
      expect.stringMatching(/: it is a symlink loop, not a file, so golang-migrate cannot read it/),
      expect.stringMatching(
        /: it is a dangling symlink \(to no-such-file\.sql\), not a file, so golang-migrate cannot read it/,
      ),
      expect.stringMatching(/: it is a named pipe, not a file, so golang-migrate cannot read it \(.*hangs/),
      expect.stringMatching(/: it is a named pipe, not a file, so golang-migrate cannot read it/),
      expect.stringMatching(/: it is a symlink to a directory, not a file, so golang-migrate cannot read it/),
    ])
  })

  it('warns at an up file with nothing in it (golang-migrate runs it as nothing); a comment or an empty down says nothing', () => {
    const dir = project({
      '1_a.up.sql': 'CREATE TABLE a (id int);',
      '1_a.down.sql': '', // an empty down: judged by the replay, as before
      '2_b.up.sql': '',
      '2_b.down.sql': 'SELECT 1;',
      '3_c.up.sql': ' \n\t\n',
      '4_d.up.sql': '-- nothing to do: the backfill moved to a job\n',
      '4_d.down.sql': '-- nothing to undo\n',
    })
    const graph = sqlGraph(readGolangMigrate(path.join(dir, 'migrations'), dir), policy)
    expect(summary(graph.problems.filter((p) => p.id !== 'irreversible-migration'))).toEqual([
      ['empty-migration', '2', 'migrations/2_b.up.sql', 1, 'warning'],
      ['empty-migration', '3', 'migrations/3_c.up.sql', 1, 'warning'],
    ])
    expect(graph.problems[0]?.message).toMatch(
      /^migrations\/2_b\.up\.sql is empty: golang-migrate runs it as nothing and records version 2 as applied/,
    )
    expect(graph.problems[0]?.fix).toMatch(/in a comment/)
  })

  it('reports a file that is not UTF-8 and a version too large for golang-migrate, and is silent on a clean directory', () => {
    const dir = project({
      '1_a.up.sql': Buffer.from([0x53, 0x45, 0x4c, 0x45, 0x43, 0x54, 0x20, 0xff, 0x3b]),
      '1_a.down.sql': 'SELECT 1;',
      '99999999999999999999_b.up.sql': 'SELECT 1;',
    })
    const graph = sqlGraph(readGolangMigrate(path.join(dir, 'migrations'), dir), policy)
    expect(summary(graph.problems).map((s) => s.slice(0, 3))).toEqual([
      ['unparseable-migration', '1', 'migrations/1_a.up.sql'],
      ['unparseable-migration', undefined, 'migrations/99999999999999999999_b.up.sql'],
    ])
    expect(graph.problems[0]?.message).toMatch(/is not valid UTF-8 \(at byte 7\)/)
    const clean = path.join(FIXTURES, 'sql-golang-clean')
    expect(sqlGraph(readGolangMigrate(path.join(clean, 'migrations'), clean), policy).problems).toEqual([])
  })
})

describe('dbmate directories', () => {
  it('reports every chain finding of the fixture and is silent on a clean directory', () => {
    const dir = path.join(FIXTURES, 'sql-dbmate-chain')
    const graph = sqlGraph(readDbmate(path.join(dir, 'db/migrations'), dir), policy)
    expect(summary(graph.problems)).toEqual([
      ['duplicate-revision', '20240102000000', 'db/migrations/20240102000000_create_teams.sql', 1, 'error'],
      ['unparseable-migration', '20240104000000', 'db/migrations/20240104000000_add_phone.sql', 1, 'error'],
      ['unparseable-migration', '20240105000000', 'db/migrations/20240105000000_backfill.sql', 1, 'error'],
      ['unparseable-migration', undefined, 'db/migrations/create_index.sql', 1, 'error'],
    ])
    expect(graph.problems[0]?.fix).toMatch(/after 20240105000000/)
    expect(graph.problems[1]?.message).toMatch(/define a down block with '-- migrate:down'/)
    const clean = path.join(FIXTURES, 'sql-dbmate-clean')
    expect(sqlGraph(readDbmate(path.join(clean, 'db/migrations'), clean), policy).problems).toEqual([])
  })
  it("warns at an up block with nothing under its marker (dbmate new's template); a comment or an empty down says nothing", () => {
    const dir = project(
      {
        '20240101000000_a.sql': '-- migrate:up\n\n\n-- migrate:down\n\n',
        '20240102000000_b.sql': '-- migrate:up\n-- nothing to do\n-- migrate:down\n',
        '20240103000000_c.sql':
          '-- migrate:up\nCREATE TABLE c (id int);\n-- migrate:down\nDROP TABLE c;\n-- migrate:up transaction:false\n  \n-- migrate:down\n',
      },
      'db/migrations',
    )
    const graph = sqlGraph(readDbmate(path.join(dir, 'db/migrations'), dir), policy)
    expect(summary(graph.problems)).toEqual([
      ['empty-migration', '20240101000000', 'db/migrations/20240101000000_a.sql', 1, 'warning'],
      ['empty-migration', '20240103000000', 'db/migrations/20240103000000_c.sql', 5, 'warning'],
    ])
    expect(graph.problems[0]?.message).toMatch(
      /^The `-- migrate:up` block of db\/migrations\/20240101000000_a\.sql is empty: dbmate runs it as nothing and records version 20240101000000 as applied/,
    )
  })

  it('names every entry called like a migration that is not a regular file, without opening it', () => {
    const dir = project(
      { '20240101000000_a.sql': '-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 1;\n' },
      'db/migrations',
    )
    const m = path.join(dir, 'db/migrations')
    mkdirSync(path.join(m, '20240102000000_dir.sql'))
    symlinkSync('20240103000000_loop.sql', path.join(m, '20240103000000_loop.sql'))
    symlinkSync('no-such-file.sql', path.join(m, '20240104000000_gone.sql'))
    mkfifo(path.join(m, '20240105000000_fifo.sql'))
    mkfifo(path.join(m, 'notes.sql')) // no version: dbmate skips it by its name, and so does the gate
    const graph = sqlGraph(readDbmate(m, dir), policy)
    expect(summary(graph.problems)).toEqual([
      ['unparseable-migration', '20240102000000', 'db/migrations/20240102000000_dir.sql', 1, 'error'],
      ['unparseable-migration', '20240103000000', 'db/migrations/20240103000000_loop.sql', 1, 'error'],
      ['unparseable-migration', '20240104000000', 'db/migrations/20240104000000_gone.sql', 1, 'error'],
      ['unparseable-migration', '20240105000000', 'db/migrations/20240105000000_fifo.sql', 1, 'error'],
    ])
    expect(
      graph.problems.map((p) => /: it is (.*?), not a file, so dbmate cannot read it/.exec(p.message)?.[1]),
    ).toEqual(['a directory', 'a symlink loop', 'a dangling symlink (to no-such-file.sql)', 'a named pipe'])
  })
})

describe('createDriver: detection and --tool sql', () => {
  const driverFor = (dir: string, inputs: Record<string, string> = {}) =>
    createDriver(
      readConfig((n) => ({ 'working-directory': dir, ...inputs })[n]),
      silentLogger,
    )

  it('detects golang-migrate in migrations/ and dbmate in db/migrations/', () => {
    expect(driverFor(path.join(FIXTURES, 'sql-golang-clean')).tool).toBe('golang-migrate')
    expect(driverFor(path.join(FIXTURES, 'sql-dbmate-clean')).tool).toBe('dbmate')
    expect(driverFor(path.join(FIXTURES, 'sql-golang-clean', 'migrations')).tool).toBe('golang-migrate')
  })

  it('keeps Alembic where an alembic.ini is, and --tool sql or a config directory forces SQL', () => {
    const dir = project({ '1_a.up.sql': 'SELECT 1;', '1_a.down.sql': 'SELECT 1;' }, 'db/migrations')
    writeFileSync(path.join(dir, 'alembic.ini'), '[alembic]\nscript_location = alembic\n')
    mkdirSync(path.join(dir, 'alembic', 'versions'), { recursive: true })
    expect(driverFor(dir).tool).toBe('alembic')
    expect(driverFor(dir, { tool: 'sql' }).tool).toBe('golang-migrate')
    expect(driverFor(dir, { config: 'db/migrations' })).toBeInstanceOf(SqlDriver)
  })

  it('says which input to fix when no SQL migrations are found', () => {
    const empty = mkdtempSync(path.join(scratch, 'empty-'))
    expect(() => driverFor(empty)).toThrow(/^working-directory: no migration project found .*dbmate files/)
    expect(() => driverFor(empty, { tool: 'sql' })).toThrow(/^tool: no SQL migrations in .*set config/)
    mkdirSync(path.join(empty, 'sql'))
    expect(() => driverFor(empty, { tool: 'sql', config: 'sql' })).toThrow(/^config: no SQL migrations in /)
    expect(() => driverFor(empty, { tool: 'flyway' })).toThrow(
      /tool: unknown value "flyway" \(allowed: auto, alembic, sql, django\)/,
    )
  })
})
