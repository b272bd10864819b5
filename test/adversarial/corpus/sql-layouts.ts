// Corrupted SQL migration directories, golang-migrate and dbmate: each must be a finding naming the
// file, or exit 2 with one line naming it, never a crash, a hang or a pass.
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DBMATE, dbmateFile, dbmateProject, golangProject } from './templates.js'
import { garbage, mkfifo, staticArgs, type Case, type CaseContext } from './case.js'
import type { Expectation } from '../support/outcome.js'

const sqlArgs = (c: CaseContext, ...more: string[]) => staticArgs(c, '--tool', 'sql', ...more)
const golang = (c: CaseContext, ...p: string[]) => join(c.project, 'migrations', ...p)
const dbmate = (c: CaseContext, ...p: string[]) => join(c.project, 'db', 'migrations', ...p)

function golangCase(name: string, change: (c: CaseContext) => void, expect: Expectation, ...more: string[]): Case {
  return {
    name: `golang-migrate: ${name}`,
    category: 'sql layout',
    build: (c) => {
      golangProject(c.project)
      change(c)
    },
    args: (c) => sqlArgs(c, ...more),
    expect,
  }
}

function dbmateCase(name: string, change: (c: CaseContext) => void, expect: Expectation, ...more: string[]): Case {
  return {
    name: `dbmate: ${name}`,
    category: 'sql layout',
    build: (c) => {
      dbmateProject(c.project)
      change(c)
    },
    args: (c) => sqlArgs(c, ...more),
    expect,
  }
}

/** An entry that is not a regular file: a finding at it in the static reading (the tools cannot read it). */
const notAFile = (file: string): Expectation => ({ finding: 'unparseable-migration', file })

const NON_UTF8 = Buffer.concat([Buffer.from('-- caf'), Buffer.from([0xe9, 0xff]), Buffer.from('\nSELECT 1;\n')])
const [, secondDbmate] = DBMATE[1] as [string, string]

export const SQL_LAYOUT_CASES: Case[] = [
  golangCase(
    'an up without its down',
    (c) => rmSync(golang(c, '2_add_plan.down.sql')),
    { finding: 'irreversible-migration', revision: '2' },
    '--irreversible-severity',
    'error',
  ),
  golangCase('a down without its up', (c) => rmSync(golang(c, '2_add_plan.up.sql')), {
    finding: ['unparseable-migration', 'missing-parent'],
    file: '2_add_plan.down.sql',
  }),
  golangCase('two files of one version', (c) => writeFileSync(golang(c, '02_other.up.sql'), 'SELECT 1;'), {
    finding: 'duplicate-revision',
  }),
  golangCase(
    'two versions equal as numbers (0003, 3)',
    (c) => {
      writeFileSync(golang(c, '0003_again.up.sql'), 'SELECT 1;')
      writeFileSync(golang(c, '0003_again.down.sql'), 'SELECT 1;')
    },
    { finding: 'duplicate-revision' },
  ),
  golangCase(
    'a directory named like a migration',
    (c) => mkdirSync(golang(c, '4_dir.up.sql')),
    notAFile('4_dir.up.sql'),
  ),
  golangCase(
    'a symlink loop named like a migration',
    (c) => symlinkSync('4_loop.up.sql', golang(c, '4_loop.up.sql')),
    notAFile('4_loop.up.sql'),
  ),
  golangCase(
    'a dangling symlink named like a migration',
    (c) => symlinkSync('no-such-file.sql', golang(c, '4_gone.up.sql')),
    notAFile('4_gone.up.sql'),
  ),
  golangCase(
    'a named pipe named like a migration',
    (c) => mkfifo(golang(c, '4_fifo.up.sql')),
    notAFile('4_fifo.up.sql'),
  ),
  golangCase('non-UTF-8 bytes in an up file', (c) => writeFileSync(golang(c, '2_add_plan.up.sql'), NON_UTF8), {
    finding: 'unparseable-migration',
    file: '2_add_plan.up.sql',
  }),
  golangCase(
    'binary garbage in an up file',
    (c) => writeFileSync(golang(c, '2_add_plan.up.sql'), garbage(c.random, 2048)),
    {
      finding: 'unparseable-migration',
      file: '2_add_plan.up.sql',
    },
  ),
  // golang-migrate runs an empty file as nothing and records the version: not an error, but never
  // unsaid (an up that says nothing is almost always a file never saved).
  golangCase('an empty up file', (c) => writeFileSync(golang(c, '2_add_plan.up.sql'), ''), {
    warning: 'empty-migration',
    file: '2_add_plan.up.sql',
  }),
  golangCase(
    'a file named off the pattern (no direction)',
    (c) => writeFileSync(golang(c, '4_nodirection.sql'), 'SELECT 1;'),
    {
      finding: 'unparseable-migration',
      file: '4_nodirection.sql',
    },
  ),
  golangCase('a file named off the pattern (no version)', (c) => writeFileSync(golang(c, 'abc.up.sql'), 'SELECT 1;'), {
    finding: 'unparseable-migration',
    file: 'abc.up.sql',
  }),
  golangCase(
    'a version past 64 bits',
    (c) => writeFileSync(golang(c, '99999999999999999999999_big.up.sql'), 'SELECT 1;'),
    { finding: 'unparseable-migration', file: '99999999999999999999999_big.up.sql' },
  ),
  {
    name: 'sql: --config naming a directory that does not exist',
    category: 'sql layout',
    build: (c) => golangProject(c.project),
    args: (c) => sqlArgs(c, '--config', 'no/such/migrations'),
    expect: { error: 'no/such/migrations' },
  },
  {
    name: 'sql: --config naming a file',
    category: 'sql layout',
    build: (c) => golangProject(c.project),
    args: (c) => sqlArgs(c, '--config', 'migrations/1_create_accounts.up.sql'),
    expect: { error: '1_create_accounts.up.sql' },
  },
  dbmateCase(
    'a file without its markers',
    (c) => writeFileSync(dbmate(c, '20240304100000_nomarkers.sql'), 'CREATE TABLE x (id int);\n'),
    {
      finding: 'unparseable-migration',
      file: '20240304100000_nomarkers.sql',
    },
  ),
  dbmateCase(
    'an up without its down',
    (c) =>
      writeFileSync(
        dbmate(c, DBMATE[1]?.[0] as string),
        dbmateFile('ALTER TABLE accounts ADD COLUMN plan text;', null),
      ),
    // The README's contract: a dbmate file without its down marker is unparseable; irreversible fits too.
    { finding: ['irreversible-migration', 'unparseable-migration'], revision: '20240302100000' },
    '--irreversible-severity',
    'error',
  ),
  dbmateCase('two files of one version', (c) => writeFileSync(dbmate(c, '20240302100000_other.sql'), secondDbmate), {
    finding: 'duplicate-revision',
  }),
  dbmateCase(
    'non-UTF-8 bytes',
    (c) =>
      writeFileSync(dbmate(c, '20240304100000_latin1.sql'), Buffer.concat([Buffer.from('-- migrate:up\n'), NON_UTF8])),
    {
      finding: 'unparseable-migration',
      file: '20240304100000_latin1.sql',
    },
  ),
  dbmateCase('an empty file', (c) => writeFileSync(dbmate(c, '20240304100000_empty.sql'), ''), {
    finding: 'unparseable-migration',
    file: '20240304100000_empty.sql',
  }),
  dbmateCase(
    'an empty up block',
    (c) => writeFileSync(dbmate(c, '20240304100000_emptyup.sql'), dbmateFile('', 'SELECT 1;')),
    // dbmate runs the block as nothing (its marker is a comment) and records the version.
    { warning: 'empty-migration', file: '20240304100000_emptyup.sql' },
  ),
  dbmateCase(
    'indented markers',
    (c) =>
      writeFileSync(
        dbmate(c, '20240304100000_indented.sql'),
        '  -- migrate:up\nSELECT 1;\n  -- migrate:down\nSELECT 1;\n',
      ),
    { finding: 'unparseable-migration', file: '20240304100000_indented.sql' },
  ),
  dbmateCase(
    'a directory named like a migration',
    (c) => mkdirSync(dbmate(c, '20240304100000_dir.sql')),
    notAFile('20240304100000_dir.sql'),
  ),
  dbmateCase(
    'a symlink loop named like a migration',
    (c) => symlinkSync('20240304100000_loop.sql', dbmate(c, '20240304100000_loop.sql')),
    notAFile('20240304100000_loop.sql'),
  ),
  dbmateCase(
    'a dangling symlink named like a migration',
    (c) => symlinkSync('no-such-file.sql', dbmate(c, '20240304100000_gone.sql')),
    notAFile('20240304100000_gone.sql'),
  ),
  dbmateCase(
    'a named pipe named like a migration',
    (c) => mkfifo(dbmate(c, '20240304100000_fifo.sql')),
    notAFile('20240304100000_fifo.sql'),
  ),
]
