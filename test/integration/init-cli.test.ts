// `migration-gate init` as a user runs it, in a real temp git repository with the project in a
// subdirectory: it writes the workflow at the repository root and says what it assumed, refuses a
// second time with one line naming the file (exit 2), overwrites with --force, prints with --stdout.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { lastLine, runCli } from '../support/cli.js'
import { scratchDir, TestRepo } from '../support/git.js'
import { pythonWithAlembic } from '../support/python.js'

const scratch = scratchDir('mg-init-cli-')
afterAll(() => scratch.remove())

describe('migration-gate init', () => {
  it('writes the workflow, refuses to overwrite it, overwrites it with --force', () => {
    const repo = TestRepo.init(join(scratch.dir, 'repo'))
      .copyFixture('alembic-clean', 'backend')
      .write('backend/requirements.txt', 'alembic\nsqlalchemy\npsycopg2-binary\n')
      .write('docker-compose.yml', 'services:\n  db:\n    image: postgres:16-alpine\n')
    const file = join(repo.dir, '.github', 'workflows', 'migration-gate.yml')

    const first = runCli(['init', join(repo.dir, 'backend')])
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)
    expect(first.stdout.trim().split('\n')).toEqual([
      'tool: alembic (Alembic: backend/alembic.ini)',
      'directory: backend (working-directory, relative to the repository root)',
      'python: 3.12, the default: no .python-version, requires-python or runtime.txt names one',
      'install: pip install -r requirements.txt (the main requirements file in backend)',
      'postgres: 16 from docker-compose.yml (postgres:16-alpine): postgres-version 16',
      `wrote ${file}`,
    ])
    const written = readFileSync(file, 'utf8')
    const gate = (
      parse(written) as { jobs: { 'migration-gate': { steps: Array<{ uses?: string; with?: object }> } } }
    ).jobs['migration-gate'].steps.at(-1)
    expect(gate).toEqual({
      uses: 'migration-gate/migration-gate@v0',
      with: {
        'working-directory': 'backend',
        tool: 'alembic',
        python: 'python',
        'postgres-version': '16',
        comment: true,
      },
    })

    const second = runCli(['init', join(repo.dir, 'backend')])
    expect(second.code).toBe(2)
    expect(second.stdout).toBe('')
    expect(second.stderr).toBe(`migration-gate: ${file} already exists; --force overwrites it\n`)

    // A file the user edited stays theirs until --force.
    repo.write('.github/workflows/migration-gate.yml', '# my own\n')
    expect(runCli(['init', join(repo.dir, 'backend')]).code).toBe(2)
    expect(readFileSync(file, 'utf8')).toBe('# my own\n')

    const forced = runCli(['init', join(repo.dir, 'backend'), '--force'])
    expect(forced.code).toBe(0)
    expect(forced.stdout.trim().split('\n').at(-1)).toBe(`overwrote ${file}`)
    expect(readFileSync(file, 'utf8')).toBe(written)
  })

  it('the inputs it writes are the ones check takes: check with them finds the project (static mode)', async () => {
    const python = await pythonWithAlembic()
    for (const [name, fixture, into] of [
      ['alembic-app', 'alembic-clean', 'services/api'],
      ['flask-app', 'flask-migrate-app', 'web'],
      ['dbmate-app', 'sql-dbmate-clean', '.'],
    ] as const) {
      const repo = TestRepo.init(join(scratch.dir, name)).copyFixture(fixture, into)
      repo.commit('the project')
      const r = runCli(['init', join(repo.dir, into), '--stdout'])
      expect(r.code, r.stderr).toBe(0)
      type Step = { uses?: string; with?: Record<string, string> }
      const steps = (parse(r.stdout) as { jobs: { 'migration-gate': { steps: Step[] } } }).jobs['migration-gate'].steps
      const inputs = steps.at(-1)!.with!
      expect(inputs['working-directory']).toBe(into)
      // As the action runs it: working-directory from the repository root, the tool as written.
      const check = runCli([
        'check',
        join(repo.dir, inputs['working-directory']!),
        '--tool',
        inputs.tool!,
        '--mode',
        'static',
        ...(inputs.python ? ['--python', python] : []),
      ])
      expect(check.code, `${name}: ${check.stderr}`).toBe(0)
    }
  })

  it('--stdout prints the workflow and writes nothing; what it assumed goes to stderr', () => {
    const repo = TestRepo.init(join(scratch.dir, 'sql')).copyFixture('sql-golang-clean')
    const r = runCli(['init', repo.dir, '--stdout'])
    expect(r.code).toBe(0)
    expect(existsSync(join(repo.dir, '.github'))).toBe(false)
    expect(parse(r.stdout)).toMatchObject({ name: 'migrations' })
    expect(r.stdout).toMatch(/^ {10}tool: sql$/m)
    expect(r.stderr).toMatch(/^tool: sql \(golang-migrate: migrations\/\)$/m)
  })

  it('no project, an unknown option: exit 2 with one line; init --help exits 0', () => {
    const empty = TestRepo.init(join(scratch.dir, 'empty')).write('README.md', 'hello\n')
    const none = runCli(['init', empty.dir])
    expect(none.code).toBe(2)
    expect(none.stderr.trim().split('\n')).toHaveLength(1)
    expect(lastLine(none.stderr)).toMatch(/; give init the directory of alembic\.ini or of the SQL migrations$/)
    expect(lastLine(none.stderr)).toMatch(
      new RegExp(
        `^migration-gate: working-directory: no migration project found in ${empty.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `,
      ),
    )
    const bad = runCli(['init', empty.dir, '--mode', 'static'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toBe('migration-gate: unknown option --mode for init (see init --help)\n')
    const help = runCli(['init', '--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/^usage: migration-gate init \[PROJECT_DIR\] \[--force\]/)
    for (const flag of ['--force', '--stdout', '--push']) expect(help.stdout).toContain(flag)
  })
})
