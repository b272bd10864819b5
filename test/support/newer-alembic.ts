// A Python with a newer Alembic (>= 1.13) and SQLAlchemy 2.x, so the Alembic tests run on both
// generations (the distro's alembic 1.8 / SQLAlchemy 1.4 through /usr/bin/python3, and this one).
// MIGRATION_GATE_NEW_ALEMBIC_PYTHON names one (CI hands over setup-python's); else a venv is built
// once with pip from whatever index pip is set up for: its configured index, else its default one.
// Only when that install really fails does the caller skip, with pip's own error as the reason.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'

const VENV = join(import.meta.dirname, '..', '..', 'node_modules', '.cache', 'migration-gate-venv-alembic-new')
// flask and pydantic-settings: the first-contact fixtures are applications (a Flask app, FastAPI-style
// settings), replayed on this generation too.
const PACKAGES = [
  'alembic>=1.13',
  'sqlalchemy>=2',
  'psycopg2-binary',
  'asyncpg',
  'greenlet',
  'flask',
  'pydantic-settings',
]
/** The interpreter the venv is made from: the distro's, with python3-venv (scripts/apt-deps.sh installs it). */
const BASE_PYTHON = '/usr/bin/python3'

export type NewerPython = { python: string; versions: string } | { skip: string }

type Ran = { ok: true; stdout: string } | { ok: false; error: string }

/** Runs a command to the end; on failure, the lines that say why (pip's ERROR lines, else the last lines). */
function run(command: string, args: string[], timeoutMs: number): Ran {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] })
  if (r.status === 0) return { ok: true, stdout: r.stdout }
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code
    return { ok: false, error: code === 'ETIMEDOUT' ? `timed out after ${timeoutMs / 1000} s` : r.error.message }
  }
  const lines = `${r.stderr}\n${r.stdout}`
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
  const errors = lines.filter((l) => l.startsWith('ERROR:') || l.startsWith('Error:'))
  const said = (errors.length ? errors : lines.slice(-3)).join(' | ')
  return { ok: false, error: said || (r.signal ? `killed by ${r.signal}` : `exit code ${r.status}`) }
}

function versionsOf(python: string): Ran {
  // Everything PACKAGES brings: a venv built before a package joined the list is built again.
  return run(
    python,
    ['-c', 'import alembic, sqlalchemy, flask, pydantic_settings; print(alembic.__version__, sqlalchemy.__version__)'],
    60_000,
  )
}

/** The index URLs pip is configured for (config files and PIP_* variables alike), as `pip config list` shows them. */
function configuredIndexes(python: string): { index: string[]; extra: string[] } {
  const listed = run(python, ['-m', 'pip', 'config', 'list'], 60_000)
  const found = { index: [] as string[], extra: [] as string[] }
  if (!listed.ok) return found
  for (const m of listed.stdout.matchAll(/^\S*?\.(extra-)?index-url='([^']*)'$/gm)) {
    const urls = (m[2] ?? '').split(/\s+/).filter(Boolean)
    ;(m[1] ? found.extra : found.index).push(...urls)
  }
  return found
}

/**
 * The pip installs to try, in order. Where only extra indexes are configured, those alone come first:
 * pip would otherwise ask its default index too, and where that cannot be reached it retries for most
 * of a minute before using the others. Then the plain install, as pip itself would do it.
 */
function attempts(python: string): { what: string; args: string[] }[] {
  const { index, extra } = configuredIndexes(python)
  const plain = {
    what: `${index.length ? `the configured index ${index.join(' ')}` : "pip's default index"}${extra.length ? ` with ${extra.join(' ')}` : ''}`,
    args: [],
  }
  if (index.length || !extra.length) return [plain]
  const [first, ...rest] = extra
  return [
    {
      what: `the configured extra indexes alone (${extra.join(' ')})`,
      args: ['--index-url', first as string, ...rest.flatMap((u) => ['--extra-index-url', u])],
    },
    plain,
  ]
}

let cached: NewerPython | undefined

/** Synchronous, so a test file can decide at collection time whether its suite runs. */
export function newerAlembicPython(): NewerPython {
  cached ??= find()
  return cached
}

function find(): NewerPython {
  const given = process.env.MIGRATION_GATE_NEW_ALEMBIC_PYTHON
  if (given) {
    // Named on purpose (CI does): an interpreter that does not work is a failure, not a skip.
    const v = versionsOf(given)
    if (!v.ok)
      throw new Error(`MIGRATION_GATE_NEW_ALEMBIC_PYTHON=${given} cannot import alembic and sqlalchemy: ${v.error}`)
    return { python: given, versions: v.stdout.trim() }
  }
  const python = join(VENV, 'bin', 'python')
  if (existsSync(python)) {
    const v = versionsOf(python)
    if (v.ok) return { python, versions: v.stdout.trim() }
    rmSync(VENV, { recursive: true, force: true })
  }
  return build()
}

/**
 * Builds the venv in a directory of this process's own and renames it into place: test files run in
 * parallel workers, and two of them may build at once. The venv is used through bin/python only,
 * which does not mind the move (its console scripts would).
 */
function build(): NewerPython {
  const own = `${VENV}.${process.pid}`
  rmSync(own, { recursive: true, force: true })
  mkdirSync(dirname(VENV), { recursive: true })
  const made = run(BASE_PYTHON, ['-m', 'venv', own], 120_000)
  if (!made.ok) return { skip: `${BASE_PYTHON} -m venv failed (is python3-venv installed?): ${made.error}` }
  const failures: string[] = []
  for (const attempt of attempts(join(own, 'bin', 'python'))) {
    const installed = run(
      join(own, 'bin', 'python'),
      ['-m', 'pip', 'install', '-q', ...attempt.args, ...PACKAGES],
      600_000,
    )
    if (installed.ok) {
      try {
        renameSync(own, VENV)
      } catch {
        // Another worker's venv got there first: use that one.
        rmSync(own, { recursive: true, force: true })
      }
      const python = join(VENV, 'bin', 'python')
      const v = versionsOf(python)
      if (v.ok) return { python, versions: v.stdout.trim() }
      return { skip: `the venv built with pip cannot import alembic and sqlalchemy: ${v.error}` }
    }
    failures.push(`from ${attempt.what}: ${installed.error}`)
  }
  rmSync(own, { recursive: true, force: true })
  return { skip: `pip could not install ${PACKAGES.join(' ')} into a venv ${failures.join('; ')}` }
}
