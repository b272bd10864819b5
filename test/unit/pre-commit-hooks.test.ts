// .pre-commit-hooks.yaml, run the way pre-commit runs it: pre-commit installs this repository as an
// npm package (language: node), puts its bins on PATH, and runs each hook's `entry` plus the user's
// `args` from the root of the repository being committed to, without file names (pass_filenames:
// false). Here `migration-gate` is the committed bundle (dist/cli.js, which CI rebuilds and compares
// byte for byte), run from a temp directory standing for that repository.
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'

const repo = join(import.meta.dirname, '..', '..')
const fixtures = join(repo, 'test', 'fixtures')

interface Hook {
  id: string
  entry: string
  language: string
  pass_filenames: boolean
  files: string
  args?: string[]
  stages?: string[]
}

const hooks = parse(readFileSync(join(repo, '.pre-commit-hooks.yaml'), 'utf8')) as Hook[]
const hook = (id: string) => {
  const found = hooks.find((h) => h.id === id)
  if (!found) throw new Error(`.pre-commit-hooks.yaml has no hook ${id}`)
  return found
}
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { bin: Record<string, string> }

/** Every file under `dir`, relative to it, with / separators (what pre-commit matches `files` against). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split('\\').join('/'))
}

const temps: string[] = []
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true })
})

/** A temp git repository (pre-commit runs only in one) holding `fixture` in `subdir` ('.': at its root). */
function repository(fixture: string, subdir: string): string {
  const root = mkdtempSync(join(tmpdir(), 'pre-commit-'))
  temps.push(root)
  cpSync(join(fixtures, fixture), join(root, subdir), { recursive: true })
  const init = spawnSync('git', ['init', '-q'], { cwd: root, encoding: 'utf8' })
  if (init.status !== 0) throw new Error(`git init failed in ${root}: ${init.stderr || init.error}`)
  return root
}

/** The hook's entry and args as pre-commit runs them in `root`, with the installed bin replaced by the bundle. */
function runHook(h: Hook, root: string, userArgs: string[] = []) {
  const [bin, ...rest] = h.entry.split(/\s+/)
  expect(bin).toBe('migration-gate')
  const cli = join(repo, pkg.bin[bin!]!)
  return spawnSync(process.execPath, [cli, ...rest, ...(h.args ?? []), ...userArgs], { cwd: root, encoding: 'utf8' })
}

describe('.pre-commit-hooks.yaml', () => {
  it('declares the static hook and the manual stairway hook, as node hooks that take no file names', () => {
    expect(hooks.map((h) => h.id)).toEqual(['migration-gate', 'migration-gate-stairway'])
    for (const h of hooks) {
      expect(h.language, h.id).toBe('node')
      expect(h.pass_filenames, h.id).toBe(false)
      // pre-commit finds the entry's first word among the package's bins, which npm installs from dist/.
      const bin = h.entry.split(' ')[0]!
      expect(Object.keys(pkg.bin), h.id).toContain(bin)
      expect(existsSync(join(repo, pkg.bin[bin]!)), h.id).toBe(true)
    }
    expect(hook('migration-gate').entry).toBe('migration-gate check --mode static')
    // No stages: the static hook runs on every commit that touches migrations.
    expect(hook('migration-gate').stages).toBeUndefined()
    expect(hook('migration-gate-stairway').entry).toBe('migration-gate check --mode stairway')
    // It needs a PostgreSQL and minutes: only on `pre-commit run --hook-stage manual`.
    expect(hook('migration-gate-stairway').stages).toEqual(['manual'])
  })

  it('runs on changes to migration files and not on other files', () => {
    for (const h of hooks) {
      // pre-commit applies `files` with Python's re.search; this pattern means the same in JavaScript.
      const files = new RegExp(h.files)
      const migrations = [
        ...filesUnder(join(fixtures, 'alembic-clean')).filter((f) => f.startsWith('alembic/versions/')),
        ...filesUnder(join(fixtures, 'alembic-chain-two-heads')).filter((f) => f.startsWith('migrations/versions/')),
        ...filesUnder(join(fixtures, 'sql-golang-clean')).filter((f) => f.endsWith('.sql')),
        ...filesUnder(join(fixtures, 'sql-dbmate-clean')).filter((f) => f.endsWith('.sql')),
      ]
      expect(migrations.length, h.id).toBeGreaterThan(10)
      for (const f of [...migrations, 'alembic.ini', 'backend/alembic.ini', 'backend/migrations/versions/a1_x.py'])
        expect(f, h.id).toMatch(files)
      for (const f of ['models.py', 'app/models.py', 'README.md', 'src/versions.py', 'alembic.ini.bak'])
        expect(f, h.id).not.toMatch(files)
    }
  })

  it.each([
    ['alembic-clean', '.'],
    ['alembic-clean', 'backend'],
  ])('the static hook passes %s (project in %s) with exit 0', (fixture, subdir) => {
    const root = repository(fixture, subdir)
    const r = runHook(hook('migration-gate'), root, subdir === '.' ? [] : [subdir])
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^migration-gate: PASS \(alembic, static, 6 revisions\)$/m)
  })

  it.each([
    ['alembic-chain-two-heads', '.'],
    ['alembic-chain-two-heads', 'backend'],
  ])('the static hook fails %s (project in %s) with exit 1, naming the finding', (fixture, subdir) => {
    const root = repository(fixture, subdir)
    const r = runHook(hook('migration-gate'), root, subdir === '.' ? [] : [subdir])
    expect(r.status, r.stderr).toBe(1)
    expect(r.stdout).toMatch(/^migration-gate: FAIL \(alembic, static, 4 revisions\)$/m)
    // Paths from the repository's root, as in annotations: the user clicks straight to the file.
    const where = `${subdir === '.' ? '' : `${subdir}/`}migrations/versions/c4b81e2f7d93_add_last_login_at_to_users.py:14`
    expect(r.stdout).toMatch(new RegExp(`error +multiple-heads +${where.replaceAll('.', '\\.')}`))
  })
})
