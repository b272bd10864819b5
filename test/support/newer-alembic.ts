// A Python with a newer Alembic (>= 1.13) and SQLAlchemy 2.x, to run the replay tests on both
// generations. MIGRATION_GATE_NEW_ALEMBIC_PYTHON names one; else a venv is built once from the local
// package mirror pip is configured for (PyPI itself cannot be reached here). Where neither exists, the
// caller skips with the printed reason.
import { execFileSync } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const VENV = join(import.meta.dirname, '..', '..', 'node_modules', '.cache', 'migration-gate-venv-alembic-new')
const PACKAGES = ['alembic>=1.13', 'sqlalchemy>=2', 'psycopg2-binary', 'asyncpg', 'greenlet']

export type NewerPython = { python: string; versions: string } | { skip: string }

function versionsOf(python: string): string {
  return execFileSync(
    python,
    ['-c', 'import alembic, sqlalchemy; print(alembic.__version__, sqlalchemy.__version__)'],
    {
      encoding: 'utf8',
      timeout: 30_000,
    },
  ).trim()
}

/** The URLs pip is configured for, local mirrors first (file:// or a private host). */
function mirrorIndexes(): string[] {
  try {
    const out = execFileSync('/usr/bin/python3', ['-m', 'pip', 'config', 'list'], { encoding: 'utf8', timeout: 30_000 })
    return [...out.matchAll(/index-url='([^']+)'/g)].flatMap((m) => (m[1] ?? '').split(/\s+/)).filter(Boolean)
  } catch {
    return []
  }
}

let cached: NewerPython | undefined

export function newerAlembicPython(): NewerPython {
  if (cached) return cached
  cached = find()
  return cached
}

function find(): NewerPython {
  const given = process.env.MIGRATION_GATE_NEW_ALEMBIC_PYTHON
  if (given) return { python: given, versions: versionsOf(given) }
  const python = join(VENV, 'bin', 'python')
  if (existsSync(python)) {
    try {
      return { python, versions: versionsOf(python) }
    } catch {
      rmSync(VENV, { recursive: true, force: true })
    }
  }
  const indexes = mirrorIndexes()
  if (indexes.length === 0)
    return { skip: 'no local package mirror configured for pip and MIGRATION_GATE_NEW_ALEMBIC_PYTHON unset' }
  try {
    execFileSync('/usr/bin/python3', ['-m', 'venv', VENV], { timeout: 60_000, stdio: 'pipe' })
    const [first, ...rest] = indexes
    const args = [
      '-m',
      'pip',
      'install',
      '-q',
      '--index-url',
      first as string,
      ...rest.flatMap((u) => ['--extra-index-url', u]),
      ...PACKAGES,
    ]
    execFileSync(python, args, { timeout: 180_000, stdio: 'pipe' })
    return { python, versions: versionsOf(python) }
  } catch (error) {
    rmSync(VENV, { recursive: true, force: true })
    const text = error instanceof Error ? error.message.split('\n')[0] : String(error)
    return { skip: `could not build a venv with ${PACKAGES.join(' ')} from the local mirror: ${text}` }
  }
}
