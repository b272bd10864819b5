// Malformed Alembic revision files, each put at the chain's base, middle and head: the static read
// and Alembic's own load (the cross-check) must both end in a finding naming the file, never a
// crash, a hang or a pass.
import { cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { CHAIN, alembicProject, fileOf, revisionSource, type Revision } from './templates.js'
import { garbage, mkfifo, replayArgs, staticArgs, versions, type Case, type CaseContext } from './case.js'
import type { FindingId } from '../../../src/report.js'

/** A file Python or Alembic refuses to load: unparseable, or, where only loading tells, the tool disagrees. */
const UNLOADABLE: FindingId[] = ['unparseable-migration', 'tool-disagreement']

/**
 * Revisions that read well but fail when Python imports them. Where they sit in the chain does not
 * matter to the import, so they are put in the middle only, and run twice: statically (the
 * cross-check imports them) and in a replay (the helper imports them).
 */
const AT_IMPORT: Array<[string, string]> = [
  ['a raise at import', 'raise RuntimeError("this revision refuses to be imported")'],
  ['sys.exit(3) at import', 'import sys\nsys.exit(3)'],
  ['os._exit(0) at import', 'import os\nos._exit(0)'],
]

interface Mutation {
  what: string
  /** The file's new content, from the healthy revision. */
  content: (r: Revision, c: CaseContext) => string | Buffer
  expect: FindingId | FindingId[]
}

const MUTATIONS: Mutation[] = [
  {
    what: 'a syntax error',
    content: (r) => revisionSource({ ...r, up: ['op.add_column(("accounts",'] }),
    expect: 'unparseable-migration',
  },
  {
    what: 'no revision variable',
    content: (r) => revisionSource({ ...r, revisionLine: '' }),
    expect: 'unparseable-migration',
  },
  {
    what: 'no down_revision variable',
    content: (r) => revisionSource({ ...r, downLine: '' }),
    expect: 'unparseable-migration',
  },
  {
    what: 'an integer revision id',
    content: (r) => revisionSource({ ...r, revisionLine: 'revision = 123456' }),
    expect: 'unparseable-migration',
  },
  {
    what: 'revision = None',
    content: (r) => revisionSource({ ...r, revisionLine: 'revision = None' }),
    expect: 'unparseable-migration',
  },
  {
    what: 'an integer down_revision',
    content: (r) => revisionSource({ ...r, downLine: 'down_revision = 42' }),
    expect: ['unparseable-migration', 'missing-parent'],
  },
  { what: 'binary garbage', content: (_r, c) => garbage(c.random, 4096), expect: 'unparseable-migration' },
  { what: 'an empty file', content: () => '', expect: 'unparseable-migration' },
  {
    what: 'non-UTF-8 bytes',
    content: (r) =>
      Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9, 0xff, 0xfe]), Buffer.from(`\n${revisionSource(r)}`)]),
    expect: 'unparseable-migration',
  },
  {
    what: 'a NUL byte',
    content: (r) => revisionSource(r).replace('def upgrade', '\0def upgrade'),
    expect: 'unparseable-migration',
  },
  {
    what: 'an indentation error',
    content: (r) => revisionSource({ ...r, up: ['x = 1', '  y = 2'] }),
    expect: 'unparseable-migration',
  },
]

const POSITIONS = ['base', 'middle', 'head'] as const

function mutated(position: number, m: Mutation): Case {
  const target = CHAIN[position] as Revision
  return {
    name: `${m.what} in the ${POSITIONS[position]} revision`,
    category: 'alembic revision',
    build: (c) => {
      alembicProject(c.project)
      writeFileSync(versions(c, fileOf(target)), m.content(target, c))
    },
    args: (c) => staticArgs(c),
    expect: { finding: m.expect, file: fileOf(target) },
  }
}

const [base, middle, head] = CHAIN as [Revision, Revision, Revision]
const withChain = (change: (chain: Revision[]) => Revision[]) => (c: CaseContext) =>
  alembicProject(c.project, change([...CHAIN]))
/** About 8 MB of comment lines: a file far beyond any real revision. */
const HUGE = `${'# padding padding padding padding padding padding padding padding padding padding\n'.repeat(100_000)}`

const CHAIN_CASES: Case[] = [
  {
    name: 'two files declaring the same revision id',
    category: 'alembic revision',
    build: withChain(() => [base, middle, { ...head, revisionLine: `revision = '${middle.id}'` }]),
    args: (c) => staticArgs(c),
    expect: { finding: 'duplicate-revision' },
  },
  {
    name: 'a revision file copied under a second name',
    category: 'alembic revision',
    build: (c) => {
      alembicProject(c.project)
      cpSync(versions(c, fileOf(middle)), versions(c, `${middle.id}_copy.py`))
    },
    args: (c) => staticArgs(c),
    expect: { finding: 'duplicate-revision' },
  },
  {
    name: 'a cycle through the whole chain (base revises head)',
    category: 'alembic revision',
    build: withChain(() => [{ ...base, down: `'${head.id}'` }, middle, head]),
    args: (c) => staticArgs(c),
    expect: { finding: 'revision-cycle' },
  },
  {
    name: 'a revision that revises itself',
    category: 'alembic revision',
    build: withChain(() => [base, { ...middle, down: `'${middle.id}'` }, head]),
    args: (c) => staticArgs(c),
    expect: { finding: 'revision-cycle' },
  },
  {
    name: 'two revisions revising each other',
    category: 'alembic revision',
    build: withChain(() => [base, { ...middle, down: `'${head.id}'` }, head]),
    args: (c) => staticArgs(c),
    expect: { finding: 'revision-cycle' },
  },
  {
    name: 'a down_revision naming nothing',
    category: 'alembic revision',
    build: withChain(() => [base, middle, { ...head, down: "'ffffffffffff'" }]),
    args: (c) => staticArgs(c),
    expect: { finding: 'missing-parent', revision: head.id },
  },
  {
    name: 'a merge revision with one parent naming nothing',
    category: 'alembic revision',
    build: withChain(() => [base, middle, { ...head, down: `('${middle.id}', 'deadbeef0000')` }]),
    args: (c) => staticArgs(c),
    expect: { finding: 'missing-parent', revision: head.id },
  },
  {
    name: 'a down_revision with a trailing space',
    category: 'alembic revision',
    build: withChain(() => [base, middle, { ...head, down: `'${middle.id} '` }]),
    args: (c) => staticArgs(c),
    expect: { finding: 'missing-parent', revision: head.id },
  },
  {
    name: 'a huge file (8 MB) ending in a syntax error',
    category: 'alembic revision',
    build: (c) => {
      alembicProject(c.project)
      writeFileSync(versions(c, fileOf(head)), `${revisionSource(head)}${HUGE}def broken(:\n`)
    },
    args: (c) => staticArgs(c),
    expect: { finding: 'unparseable-migration', file: fileOf(head) },
  },
  {
    name: 'a huge file (8 MB) whose down_revision names nothing',
    category: 'alembic revision',
    build: (c) => {
      alembicProject(c.project)
      writeFileSync(versions(c, fileOf(head)), `${HUGE}${revisionSource({ ...head, down: "'0000deadbeef'" })}`)
    },
    args: (c) => staticArgs(c),
    expect: { finding: 'missing-parent', revision: head.id },
  },
  {
    name: 'a directory named like a revision file',
    category: 'alembic revision',
    build: (c) => {
      alembicProject(c.project)
      mkdirSync(versions(c, 'd4e3f6a5b7c8_dir.py'))
    },
    args: (c) => staticArgs(c),
    expect: { finding: UNLOADABLE, file: 'd4e3f6a5b7c8_dir.py' },
  },
  {
    name: 'a revision file that is a symlink loop',
    category: 'alembic revision',
    build: (c) => {
      alembicProject(c.project)
      symlinkSync('e5f4a7b6c8d9_loop.py', versions(c, 'e5f4a7b6c8d9_loop.py'))
    },
    args: (c) => staticArgs(c),
    expect: { finding: UNLOADABLE, file: 'e5f4a7b6c8d9_loop.py' },
  },
  {
    name: 'a revision file that is a named pipe (reading it blocks)',
    category: 'alembic revision',
    build: (c) => {
      alembicProject(c.project)
      mkfifo(versions(c, 'f6a5b8c7d9e0_fifo.py'))
    },
    args: (c) => staticArgs(c),
    expect: { finding: UNLOADABLE, file: 'f6a5b8c7d9e0_fifo.py' },
  },
]

function atImport([what, prelude]: [string, string], replay: boolean): Case {
  return {
    name: `${what} in the middle revision (${replay ? 'replay' : 'static'})`,
    category: 'alembic revision',
    build: (c) => {
      alembicProject(c.project)
      writeFileSync(versions(c, fileOf(middle)), revisionSource({ ...middle, prelude }))
    },
    args: (c) => (replay ? replayArgs(c, 'roundtrip') : staticArgs(c)),
    // A replay cannot start without the chain: one line naming the file, as for env.py.
    expect: replay ? { error: fileOf(middle) } : { finding: UNLOADABLE, file: fileOf(middle) },
    ...(replay ? { replay } : {}),
  }
}

export const ALEMBIC_FILE_CASES: Case[] = [
  ...MUTATIONS.flatMap((m) => POSITIONS.map((_p, i) => mutated(i, m))),
  ...AT_IMPORT.flatMap((a) => [atImport(a, false), atImport(a, true)]),
  ...CHAIN_CASES,
]
