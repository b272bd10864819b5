// Hostile migrations, replayed for real on the local provider: each also carries a plain defect, so
// the gate must report a finding at its revision, and besides neither hang, nor leave a process, nor
// pass a workflow command or a terminal escape through to its output, nor print a wall of text.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { CHAIN, GOLANG, alembicProject, fileOf, golangProject, revisionSource, type Revision } from './templates.js'
import { replayArgs, versions, type Case, type CaseContext } from './case.js'
import type { Expectation } from '../support/outcome.js'
import type { CliResult } from '../support/run-cli.js'

const middle = CHAIN[1] as Revision
/** The gate's whole output stays readable: a huge error is clipped, not echoed. */
const BOUNDED = 100_000
const bounded = (r: CliResult) =>
  r.stdout.length + r.stderr.length > BOUNDED ? `${r.stdout.length + r.stderr.length} characters of output` : null

function alembicCase(
  name: string,
  change: Partial<Revision>,
  expect: Expectation,
  check?: Case['check'],
  ...more: string[]
): Case {
  return {
    name: `alembic: ${name}`,
    category: 'hostile',
    build: (c) => {
      alembicProject(c.project)
      writeFileSync(versions(c, fileOf(middle)), revisionSource({ ...middle, ...change }))
    },
    args: (c) => replayArgs(c, 'stairway', ...more),
    expect,
    replay: true,
    ...(check ? { check } : {}),
  }
}

function golangCase(
  name: string,
  up: string,
  down: string,
  expect: Expectation,
  check?: Case['check'],
  ...more: string[]
): Case {
  return {
    name: `golang-migrate: ${name}`,
    category: 'hostile',
    build: (c: CaseContext) => {
      golangProject(c.project, GOLANG)
      writeFileSync(join(c.project, 'migrations', '2_add_plan.up.sql'), up)
      writeFileSync(join(c.project, 'migrations', '2_add_plan.down.sql'), down)
    },
    args: (c) => replayArgs(c, 'stairway', '--tool', 'sql', ...more),
    expect,
    replay: true,
    ...(check ? { check } : {}),
  }
}

const AT_MIDDLE = { finding: '*', revision: middle.id } as const
const failsAtMiddle: Expectation = { finding: 'upgrade-failed', revision: middle.id }
const ADD_PLAN = 'op.add_column("accounts", sa.Column("plan", sa.Text(), nullable=True))'
/** A downgrade that forgets the column: the defect the replay must report (an error, not a warning). */
const FORGETS = { downBody: ['pass'] }
const STRICT = ['--irreversible-severity', 'error']
const residueAtMiddle: Expectation = { finding: ['downgrade-residue', 'irreversible-migration'], revision: middle.id }
const COMMANDS = '::error file=x.py,line=1::pwned ##[stop-commands]token ::add-mask::secret'
const ANSI = '\\x1b[2J\\x1b[31mred\\x1b[0m\\x1b]0;title\\x07'

export const HOSTILE_CASES: Case[] = [
  alembicCase(
    'drops the postgres database',
    { up: ['with op.get_context().autocommit_block():', '    op.execute("DROP DATABASE postgres")'] },
    AT_MIDDLE,
  ),
  golangCase('drops the postgres database', 'DROP DATABASE postgres;', 'SELECT 1;', { finding: '*', revision: '2' }),
  alembicCase(
    'starts a background process and returns',
    { up: ['import subprocess', 'subprocess.Popen(["sleep", "120"])', ADD_PLAN], ...FORGETS },
    residueAtMiddle,
    undefined,
    ...STRICT,
  ),
  alembicCase(
    'starts a background process in a new session and returns',
    {
      up: [
        'import subprocess',
        'subprocess.Popen(["sleep", "120"], start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)',
        ADD_PLAN,
      ],
      ...FORGETS,
    },
    residueAtMiddle,
    undefined,
    ...STRICT,
  ),
  golangCase(
    'starts a background process on the server (COPY TO PROGRAM) and returns',
    "ALTER TABLE accounts ADD COLUMN plan text;\nCOPY (SELECT 1) TO PROGRAM 'sleep 120 > /dev/null 2>&1 &';",
    'SELECT 1;',
    // COPY itself may fail (the program's pipe closes early) or succeed and leave the residue.
    { finding: '*', revision: '2' },
    undefined,
    ...STRICT,
  ),
  alembicCase(
    'prints workflow commands to stdout and stderr, then raises them',
    {
      up: [
        'import sys',
        `print(${JSON.stringify(COMMANDS)})`,
        `print(${JSON.stringify(COMMANDS)}, file=sys.stderr)`,
        `raise RuntimeError(${JSON.stringify(`${COMMANDS}\n::error::second line`)})`,
      ],
    },
    failsAtMiddle,
  ),
  golangCase(
    'raises workflow commands from the database',
    `DO $$ BEGIN RAISE EXCEPTION E'${COMMANDS}\\n::error::second line'; END $$;`,
    'SELECT 1;',
    { finding: 'upgrade-failed', revision: '2' },
  ),
  alembicCase('raises a 2 MB message', { up: ['raise RuntimeError("x" * 2_000_000)'] }, failsAtMiddle, bounded),
  golangCase(
    'raises a 1 MB message from the database',
    "DO $$ BEGIN RAISE EXCEPTION '%', repeat('y', 1000000); END $$;",
    'SELECT 1;',
    { finding: 'upgrade-failed', revision: '2' },
    bounded,
  ),
  alembicCase('raises a message full of ANSI escapes', { up: [`raise RuntimeError("${ANSI}")`] }, failsAtMiddle),
  golangCase(
    'raises ANSI escapes from the database',
    "DO $$ BEGIN RAISE EXCEPTION E'\\x1b[2J\\x1b[31mred\\x1b[0m'; END $$;",
    'SELECT 1;',
    { finding: 'upgrade-failed', revision: '2' },
  ),
  alembicCase('calls sys.exit(0) in upgrade()', { up: ['import sys', 'sys.exit(0)'] }, failsAtMiddle),
  alembicCase('calls os._exit(0) in upgrade()', { up: ['import os', 'os._exit(0)'] }, failsAtMiddle),
  alembicCase('raises KeyboardInterrupt in upgrade()', { up: ['raise KeyboardInterrupt()'] }, failsAtMiddle),
  alembicCase('recurses without end in upgrade()', { up: ['def f(n):', '    return f(n + 1)', 'f(0)'] }, failsAtMiddle),
  alembicCase(
    'sleeps in Python past the step timeout',
    { up: ['import time', 'time.sleep(600)'] },
    { finding: 'step-timeout', revision: middle.id },
    undefined,
    '--step-timeout',
    '2',
  ),
]
