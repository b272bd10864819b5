import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readAlembicConfig } from '../../src/drivers/alembic/config.js'
import { listRevisionFiles, readAlembicGraph } from '../../src/drivers/alembic/graph.js'
import { GateError } from '../../src/errors.js'

const FIXTURES = path.resolve(__dirname, '../fixtures')
let dir: string

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'mg-alembic-config-'))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

/** Writes files under the temp project: { 'a/b.txt': 'text' }. */
function project(files: Record<string, string>): string {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true })
    writeFileSync(path.join(dir, rel), text)
  }
  return dir
}

const rev = (id: string, down: string | null): string =>
  `revision = '${id}'\ndown_revision = ${down ? `'${down}'` : 'None'}\n`

function gateError(fn: () => unknown): GateError {
  try {
    fn()
  } catch (error) {
    if (error instanceof GateError) return error
    throw error
  }
  throw new Error('expected a GateError')
}

describe('readAlembicConfig: finding alembic.ini and the versions directories', () => {
  it('reads a fixture written from the 1.8 generic template (its inline comment is harmless without version_locations)', () => {
    const c = readAlembicConfig(path.join(FIXTURES, 'alembic-chain-two-heads'))
    expect(c.iniPath).toBe(path.join(FIXTURES, 'alembic-chain-two-heads', 'alembic.ini'))
    expect(c.scriptLocation).toBe(path.join(FIXTURES, 'alembic-chain-two-heads', 'migrations'))
    expect(c.versionDirs).toEqual([path.join(FIXTURES, 'alembic-chain-two-heads', 'migrations', 'versions')])
    expect(c).toMatchObject({
      flaskMigrate: false,
      hasSqlalchemyUrl: true,
      recursiveVersionLocations: false,
    })
    expect(c.scriptLocationOverride).toBeUndefined()
  })

  it('interpolates %(here)s (the modern template)', () => {
    const c = readAlembicConfig(path.join(FIXTURES, 'alembic-chain-modern'))
    expect(c.scriptLocation).toBe(path.join(FIXTURES, 'alembic-chain-modern', 'alembic'))
  })

  it('finds Flask-Migrate’s migrations/alembic.ini, whose script location is its own directory', () => {
    project({
      'migrations/alembic.ini': '[alembic]\n# template used to generate migration files\n\n[loggers]\nkeys = root\n',
      'migrations/env.py': '',
      'migrations/versions/a.py': rev('a1', null),
    })
    const c = readAlembicConfig(dir)
    expect(c).toMatchObject({
      flaskMigrate: true,
      scriptLocation: path.join(dir, 'migrations'),
      scriptLocationOverride: path.join(dir, 'migrations'),
      hasSqlalchemyUrl: false,
    })
    expect(c.versionDirs).toEqual([path.join(dir, 'migrations', 'versions')])
  })

  it('takes an explicit config relative to the project directory', () => {
    project({ 'db/alembic.ini': '[alembic]\nscript_location = db/migrations\n', 'db/migrations/versions/.keep': '' })
    const c = readAlembicConfig(dir, 'db/alembic.ini')
    expect(c.scriptLocation).toBe(path.join(dir, 'db', 'migrations'))
    expect(c.scriptLocationOverride).toBeUndefined()
  })

  it('falls back to the ini’s directory for a relative script_location, and tells the runtime', () => {
    project({ 'db/alembic.ini': '[alembic]\nscript_location = migrations\n', 'db/migrations/versions/.keep': '' })
    const c = readAlembicConfig(dir, 'db/alembic.ini')
    expect(c.scriptLocation).toBe(path.join(dir, 'db', 'migrations'))
    expect(c.scriptLocationOverride).toBe(path.join(dir, 'db', 'migrations'))
  })

  it('resolves package:resource script locations from the project and from src/', () => {
    project({
      'alembic.ini': '[alembic]\nscript_location = myapp.db:migrations\n',
      'myapp/db/migrations/versions/.keep': '',
    })
    expect(readAlembicConfig(dir).scriptLocation).toBe(path.join(dir, 'myapp', 'db', 'migrations'))
    rmSync(path.join(dir, 'myapp'), { recursive: true })
    project({ 'src/myapp/db/migrations/versions/.keep': '' })
    expect(readAlembicConfig(dir).scriptLocation).toBe(path.join(dir, 'src', 'myapp', 'db', 'migrations'))
  })

  it('splits version_locations the legacy way (spaces, commas) without a separator setting', () => {
    project({
      'alembic.ini': '[alembic]\nscript_location = alembic\nversion_locations = %(here)s/a, %(here)s/b %(here)s/c\n',
      'alembic/.keep': '',
      'a/.keep': '',
      'b/.keep': '',
    })
    // c does not exist: a chain read without it is not the chain (zero revisions would pass).
    expect(() => readAlembicConfig(dir)).toThrow(
      `working-directory: version_locations in alembic.ini: ${path.join(dir, 'c')} does not exist, so Alembic cannot read revisions from it.`,
    )
    mkdirSync(path.join(dir, 'c'))
    expect(readAlembicConfig(dir).versionDirs).toEqual([path.join(dir, 'a'), path.join(dir, 'b'), path.join(dir, 'c')])
  })

  it('splits on os, ; and newline separators (path_separator wins over version_path_separator)', () => {
    project({ 'alembic/.keep': '', 'a/.keep': '', 'b/.keep': '' })
    const write = (extra: string): void =>
      writeFileSync(path.join(dir, 'alembic.ini'), `[alembic]\nscript_location = alembic\n${extra}`)
    write(`version_locations = %(here)s/a${path.delimiter}%(here)s/b\nversion_path_separator = os\n`)
    expect(readAlembicConfig(dir).versionDirs).toEqual([path.join(dir, 'a'), path.join(dir, 'b')])
    write('version_locations = a;b\nversion_path_separator = ;\n')
    expect(readAlembicConfig(dir).versionDirs).toEqual([path.join(dir, 'a'), path.join(dir, 'b')])
    write('version_locations =\n    a\n    b\npath_separator = newline\nversion_path_separator = nonsense\n')
    expect(readAlembicConfig(dir).versionDirs).toEqual([path.join(dir, 'a'), path.join(dir, 'b')])
  })

  it('refuses a separator with an inline comment when version_locations needs it, as Alembic does', () => {
    project({
      'alembic.ini':
        '[alembic]\nscript_location = alembic\nversion_locations = %(here)s/alembic/versions\nversion_path_separator = os  # Use os.pathsep.\n',
      'alembic/versions/.keep': '',
    })
    const e = gateError(() => readAlembicConfig(dir))
    expect(e.input).toBe('working-directory')
    expect(e.message).toMatch(/^working-directory: version_path_separator = os {2}# Use os.pathsep\. is not one of/)
    expect(e.message).toContain('move the comment to its own line')
  })

  it('reads recursive_version_locations and pyproject.toml [tool.alembic] (Alembic 1.16+)', () => {
    project({
      'alembic.ini': '[alembic]\nsqlalchemy.url = postgresql://localhost/app\n',
      'pyproject.toml':
        '[project]\nname = "app"\n\n[tool.alembic]\nscript_location = "%(here)s/alembic"\nversion_locations = [\n  "%(here)s/alembic/versions",  # main\n  "%(here)s/extra",\n]\nrecursive_version_locations = true\nprepend_sys_path = ["."]\n\n[tool.other]\nscript_location = "wrong"\n',
      'alembic/versions/.keep': '',
      'extra/.keep': '',
    })
    const c = readAlembicConfig(dir)
    expect(c).toMatchObject({
      scriptLocation: path.join(dir, 'alembic'),
      versionDirs: [path.join(dir, 'alembic', 'versions'), path.join(dir, 'extra')],
      recursiveVersionLocations: true,
      pyprojectPath: path.join(dir, 'pyproject.toml'),
      hasSqlalchemyUrl: true,
    })
  })

  it('prefers the ini over pyproject.toml, and reads recursive_version_locations from the ini', () => {
    project({
      'alembic.ini': '[alembic]\nscript_location = alembic\nrecursive_version_locations = true\n',
      'pyproject.toml': '[tool.alembic]\nscript_location = "elsewhere"\n',
      'alembic/versions/.keep': '',
    })
    const c = readAlembicConfig(dir)
    expect(c.scriptLocation).toBe(path.join(dir, 'alembic'))
    expect(c.recursiveVersionLocations).toBe(true)
    expect(c.pyprojectPath).toBeUndefined()
  })

  it('deduplicates version directories that are the same directory', () => {
    project({
      'alembic.ini':
        '[alembic]\nscript_location = alembic\nversion_locations = alembic/versions %(here)s/alembic/versions link\n',
      'alembic/versions/.keep': '',
    })
    symlinkSync(path.join(dir, 'alembic', 'versions'), path.join(dir, 'link'))
    expect(readAlembicConfig(dir).versionDirs).toEqual([path.join(dir, 'alembic', 'versions')])
  })

  it('takes an absent default versions directory for no revisions yet (git does not keep empty directories)', () => {
    project({ 'alembic.ini': '[alembic]\nscript_location = alembic\n', 'alembic/env.py': '' })
    expect(readAlembicConfig(dir).versionDirs).toEqual([])
  })

  it('refuses a versions directory that is a symlink loop or a file: no chain can be read from it', () => {
    project({ 'alembic.ini': '[alembic]\nscript_location = alembic\n', 'alembic/env.py': '' })
    symlinkSync('versions', path.join(dir, 'alembic', 'versions')) // points at itself
    expect(() => readAlembicConfig(dir)).toThrow(
      /^working-directory: the versions directory of script_location in alembic\.ini, .* is not a directory \(a file, or a symlink that leads nowhere or in a loop\), so Alembic/,
    )
  })
})

describe('readAlembicConfig: bad input is one GateError line naming the input', () => {
  it('names working-directory when no alembic.ini is found', () => {
    const e = gateError(() => readAlembicConfig(dir))
    expect(e.input).toBe('working-directory')
    expect(e.message).toMatch(/^working-directory: no alembic.ini in .* or its migrations\/ directory; set config/)
    expect(gateError(() => readAlembicConfig(path.join(dir, 'nope'))).input).toBe('working-directory')
  })

  it('names config when the given file does not exist or is a directory', () => {
    expect(gateError(() => readAlembicConfig(dir, 'missing.ini')).message).toMatch(
      /^config: missing.ini does not exist/,
    )
    project({ 'sub/x': '' })
    expect(gateError(() => readAlembicConfig(dir, 'sub')).message).toMatch(/^config: sub is a directory/)
  })

  it('reports a script_location that does not exist, and an ini without one', () => {
    project({ 'alembic.ini': '[alembic]\nscript_location = alembic\n' })
    expect(gateError(() => readAlembicConfig(dir)).message).toMatch(
      /script_location alembic in alembic.ini: directory .* does not exist/,
    )
    writeFileSync(path.join(dir, 'alembic.ini'), '[alembic]\nsqlalchemy.url = x\n')
    expect(gateError(() => readAlembicConfig(dir)).message).toContain('has no script_location')
  })

  it('reports ini syntax Python’s configparser refuses, with the line', () => {
    project({ 'alembic.ini': '[alembic]\nscript_location = alembic\nscript_location = other\n', 'alembic/.keep': '' })
    expect(gateError(() => readAlembicConfig(dir)).message).toBe(
      "working-directory: alembic.ini line 3: option 'script_location' appears twice in [alembic]",
    )
    writeFileSync(path.join(dir, 'alembic.ini'), 'script_location = alembic\n')
    expect(gateError(() => readAlembicConfig(dir)).message).toContain('line 1: text before the first [section] header')
    writeFileSync(path.join(dir, 'alembic.ini'), '[alembic]\nscript_location = %(nothing)s/alembic\n')
    expect(gateError(() => readAlembicConfig(dir, 'alembic.ini')).message).toMatch(
      /^config: alembic.ini \[alembic\]: option 'script_location' refers to %\(nothing\)s/,
    )
  })
})

describe('listRevisionFiles: the files Alembic loads', () => {
  it('takes every .py but __init__ and editor lock files, sorted; subdirectories only when recursive', () => {
    project({
      'v/b_second.py': '',
      'v/a_first.py': '',
      'v/_helpers.py': '',
      'v/__init__.py': '',
      'v/.#a_first.py': '',
      'v/notes.txt': '',
      'v/a_first.pyc': '',
      'v/sub/c_nested.py': '',
      'v/__pycache__/x.py': '',
    })
    const rel = (files: string[]): string[] => files.map((f) => path.relative(dir, f))
    expect(rel(listRevisionFiles([path.join(dir, 'v')], false))).toEqual([
      'v/_helpers.py',
      'v/a_first.py',
      'v/b_second.py',
    ])
    expect(rel(listRevisionFiles([path.join(dir, 'v')], true))).toEqual([
      'v/_helpers.py',
      'v/a_first.py',
      'v/b_second.py',
      'v/sub/c_nested.py',
    ])
  })

  it('reads a symlinked revision file once', () => {
    project({ 'v/a.py': rev('a1', null) })
    symlinkSync(path.join(dir, 'v', 'a.py'), path.join(dir, 'v', 'b.py'))
    expect(listRevisionFiles([path.join(dir, 'v')], false).map((f) => path.basename(f))).toEqual(['a.py'])
  })
})

describe('readAlembicGraph', () => {
  it('fills RevisionNodes with POSIX paths relative to the project directory', async () => {
    const g = await readAlembicGraph(path.join(FIXTURES, 'alembic-chain-branch-merge'))
    expect(g.problems).toEqual([])
    expect(g.iniPath).toBe(path.join(FIXTURES, 'alembic-chain-branch-merge', 'alembic.ini'))
    const merge = g.nodes.find((n) => n.id === '51c7e3a9f257')
    expect(merge).toEqual({
      id: '51c7e3a9f257',
      parents: ['a4e8c2f6d035', 'e9d3b7a1c546'],
      dependsOn: [],
      branchLabels: [],
      file: 'alembic/versions/51c7e3a9f257_merge_heads.py',
      line: 13,
      parentsLine: 14,
      dependsOnLine: 16,
      branchLabelsLine: 15,
      message: 'merge heads',
      downgradeLine: 23,
    })
  })

  it('turns a dangling symlink into a problem instead of crashing', async () => {
    project({ 'alembic.ini': '[alembic]\nscript_location = alembic\n', 'alembic/versions/a.py': rev('a1', null) })
    symlinkSync(path.join(dir, 'gone.py'), path.join(dir, 'alembic', 'versions', 'b.py'))
    const g = await readAlembicGraph(dir)
    expect(g.nodes.map((n) => n.id)).toEqual(['a1'])
    expect(g.problems).toMatchObject([{ id: 'unparseable-migration', file: 'alembic/versions/b.py', line: 1 }])
    expect(g.problems[0]?.message).toContain('alembic/versions/b.py is a dangling symlink, not a file')
  })

  it('names a directory, a named pipe and a symlink loop named like revisions, and never opens the pipe', async () => {
    project({ 'alembic.ini': '[alembic]\nscript_location = alembic\n', 'alembic/versions/a.py': rev('a1', null) })
    const versions = path.join(dir, 'alembic', 'versions')
    mkdirSync(path.join(versions, 'b_dir.py'))
    // Reading a named pipe blocks until a writer comes; none ever does here, so a read would hang the test.
    execFileSync('mkfifo', [path.join(versions, 'c_pipe.py')])
    symlinkSync(path.join(versions, 'd_loop.py'), path.join(versions, 'd_loop.py'))
    const g = await readAlembicGraph(dir)
    expect(g.nodes.map((n) => n.id)).toEqual(['a1'])
    expect(g.problems.map((p) => `${p.id} ${p.file}: ${p.message.split(',')[0]}`)).toEqual([
      'unparseable-migration alembic/versions/b_dir.py: alembic/versions/b_dir.py is a directory',
      'unparseable-migration alembic/versions/c_pipe.py: alembic/versions/c_pipe.py is a named pipe',
      'unparseable-migration alembic/versions/d_loop.py: alembic/versions/d_loop.py is a symlink loop',
    ])
  })

  it('accepts a config already read, and turns a non-revision file into a problem', async () => {
    project({
      'alembic.ini': '[alembic]\nscript_location = alembic\n',
      'alembic/versions/a.py': rev('a1', null),
      'alembic/versions/utils.py': 'def helper():\n    return 1\n',
    })
    const g = await readAlembicGraph(readAlembicConfig(dir))
    expect(g.nodes.map((n) => [n.id, n.message])).toEqual([['a1', 'a']])
    expect(g.problems.map((p) => [p.id, p.file])).toEqual([['unparseable-migration', 'alembic/versions/utils.py']])
  })
})
