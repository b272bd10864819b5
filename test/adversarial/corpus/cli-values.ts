// Bad command-line values on a healthy project: each must be exit 2 with one line naming the flag or
// the path, before any work that could pass; never a stack trace.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { alembicProject, golangProject } from './templates.js'
import { staticArgs, type Case, type CaseContext } from './case.js'

/** A healthy golang-migrate project, static mode, plus `more`. */
function flagCase(name: string, more: (c: CaseContext) => string[], names: string, alembic = false): Case {
  return {
    name,
    category: 'cli value',
    build: (c) => (alembic ? alembicProject(c.project) : golangProject(c.project)),
    args: (c) => more(c),
    expect: { error: names },
  }
}

const plain = (extra: string[]) => (c: CaseContext) => staticArgs(c, ...extra)

const NUMBERS: Array<[string, string[]]> = [
  ['step-timeout', ['0', '-5', 'abc', 'Infinity', '1e999', 'NaN']],
  ['replay-workers', ['0', '-1', 'two', '9', '1.5', '1e3']],
]

const CHOICES: Array<[string, string]> = [
  ['mode', 'sideways'],
  ['postgres', 'podman'],
  ['postgres-version', '12'],
  ['postgres-version', '16.4'],
  ['tool', 'rails'],
  ['strict', 'maybe'],
  ['model-drift', 'yes'],
  ['compare-server-default', '2'],
  ['irreversible-severity', 'fatal'],
  ['migration-edited-severity', 'loud'],
]

export const CLI_VALUE_CASES: Case[] = [
  flagCase('an unknown flag', plain(['--frobnicate', 'x']), '--frobnicate'),
  flagCase('an unknown flag with =', plain(['--frobnicate=1']), '--frobnicate'),
  flagCase('a single-dash unknown flag', plain(['-x']), '-x'),
  flagCase('an unknown command', (c) => ['chekc', c.project], 'chekc'),
  flagCase('--working-directory as a flag', plain(['--working-directory', '.']), '--working-directory'),
  flagCase('a second project dir', plain(['other-dir']), 'other-dir'),
  flagCase('--mode missing its value at the end', (c) => ['check', c.project, '--mode'], '--mode'),
  flagCase(
    '--report-json followed by another flag',
    (c) => ['check', c.project, '--report-json', '--mode', 'static'],
    '--report-json',
  ),
  ...CHOICES.map(([flag, value]) => flagCase(`--${flag} ${value}`, plain([`--${flag}`, value]), flag)),
  ...NUMBERS.flatMap(([flag, values]) =>
    values.map((v) => flagCase(`--${flag} ${JSON.stringify(v)}`, plain([`--${flag}=${v}`]), flag)),
  ),
  flagCase(
    '--report-json naming a directory',
    (c) => ['check', c.project, '--mode', 'static', '--report-json', c.dir],
    'report-json',
  ),
  {
    name: '--report-json under a regular file',
    category: 'cli value',
    build: (c) => {
      golangProject(c.project)
      writeFileSync(join(c.dir, 'a-file'), 'x')
    },
    args: (c) => ['check', c.project, '--mode', 'static', '--report-json', join(c.dir, 'a-file', 'report.json')],
    expect: { error: 'report-json' },
  },
  flagCase(
    '--report-json in a directory that does not exist',
    (c) => ['check', c.project, '--mode', 'static', '--report-json', join(c.dir, 'no', 'such', 'dir', 'report.json')],
    'report-json',
  ),
  flagCase(
    '--report-json under /proc (unwritable)',
    (c) => ['check', c.project, '--mode', 'static', '--report-json', '/proc/report.json'],
    'report-json',
  ),
  // The SARIF file is checked, and written, like the JSON report.
  flagCase('--sarif naming a directory', (c) => ['check', c.project, '--mode', 'static', '--sarif', c.dir], 'sarif'),
  flagCase(
    '--sarif in a directory that does not exist',
    (c) => ['check', c.project, '--mode', 'static', '--sarif', join(c.dir, 'no', 'such', 'dir', 'gate.sarif')],
    'sarif',
  ),
  flagCase(
    '--sarif under /proc (unwritable)',
    (c) => ['check', c.project, '--mode', 'static', '--sarif', '/proc/gate.sarif'],
    'sarif',
  ),
  flagCase(
    'a project dir that does not exist',
    (c) => ['check', join(c.dir, 'no-such-project'), '--mode', 'static'],
    'working-directory',
  ),
  {
    name: 'a project dir that is a file',
    category: 'cli value',
    build: (c) => {
      mkdirSync(c.project, { recursive: true })
      writeFileSync(join(c.project, 'file'), 'x')
    },
    args: (c) => ['check', join(c.project, 'file'), '--mode', 'static'],
    expect: { error: 'working-directory' },
  },
  {
    name: 'a working directory removed under the CLI',
    category: 'cli value',
    build: (c) => golangProject(c.project),
    args: () => ['check', '.', '--mode', 'static'],
    // The shell enters a dir, removes it and starts the CLI there: process.cwd() itself fails.
    shell: 'mkdir -p gone && cd gone && rmdir ../gone && exec "$@"',
    // "working directory", not just "directory": ENOENT's own "no such file or directory" must not count.
    expect: { error: 'working directory' },
  },
  flagCase('--config naming nothing (sql)', plain(['--config', 'nothing-here']), 'nothing-here'),
  flagCase(
    '--python that does not exist',
    (c) => [...staticArgs(c), '--mode', 'roundtrip', '--postgres', 'local', '--python', '/no/such/python'],
    'python',
    true,
  ),
  flagCase(
    '--python that is not Python (/bin/false)',
    (c) => [...staticArgs(c), '--mode', 'roundtrip', '--postgres', 'local', '--python', '/bin/false'],
    'python',
    true,
  ),
  flagCase(
    '--pg-bin that does not exist',
    (c) => ['check', c.project, '--mode', 'roundtrip', '--postgres', 'local', '--pg-bin', join(c.dir, 'no-bin')],
    'pg-bin',
  ),
  flagCase(
    '--postgres url without --database-url',
    (c) => ['check', c.project, '--mode', 'roundtrip', '--postgres', 'url'],
    'database-url',
  ),
  flagCase(
    '--database-url that is not a URL',
    (c) => ['check', c.project, '--mode', 'roundtrip', '--postgres', 'url', '--database-url', 'not a url'],
    'database-url',
  ),
  flagCase(
    '--database-url of another scheme',
    (c) => ['check', c.project, '--mode', 'roundtrip', '--database-url', 'mysql://root@127.0.0.1/db'],
    'database-url',
  ),
  flagCase('--allow-irreversible without a reason', plain(['--allow-irreversible', '2']), 'allow-irreversible'),
  flagCase(
    '--database-parts-env naming an unknown part',
    plain(['--database-parts-env', 'FOO=bogus']),
    'database-parts-env',
  ),
  flagCase('--base-ref outside a git repository', plain(['--base-ref', 'main']), 'base-ref'),
]
