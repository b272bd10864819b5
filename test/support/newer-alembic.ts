// A Python with a newer Alembic (>= 1.13) and SQLAlchemy 2.x, so the Alembic tests run on both
// generations (the distro's alembic 1.8 / SQLAlchemy 1.4 through /usr/bin/python3, and this one).
// MIGRATION_GATE_NEW_ALEMBIC_PYTHON names one (CI hands over setup-python's); else a venv is built
// once with pip (test/support/venv.ts); the caller skips, with pip's reason, only where that fails.
import { venvPython, type NewerPython } from './venv.js'

export type { NewerPython } from './venv.js'

let cached: NewerPython | undefined

/** Synchronous, so a test file can decide at collection time whether its suite runs. */
export function newerAlembicPython(): NewerPython {
  cached ??= venvPython({
    name: 'migration-gate-venv-alembic-new',
    // flask and pydantic-settings: the first-contact fixtures are applications (a Flask app,
    // FastAPI-style settings), replayed on this generation too.
    packages: [
      'alembic>=1.13',
      'sqlalchemy>=2',
      'psycopg2-binary',
      'asyncpg',
      'greenlet',
      'flask',
      'pydantic-settings',
    ],
    probe: 'import alembic, sqlalchemy, flask, pydantic_settings; print(alembic.__version__, sqlalchemy.__version__)',
    imports: 'alembic and sqlalchemy',
    envVar: 'MIGRATION_GATE_NEW_ALEMBIC_PYTHON',
  })
  return cached
}
