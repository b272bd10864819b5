// A Python with a current Django and psycopg 3 only (no psycopg2): Django 4.2 and later use psycopg 3
// whenever it is importable, and projects that moved to it replay through it. The gate's readings of
// the server (the locks at a migration's commit) go through the driver's raw connection, so they are
// tested on both drivers. MIGRATION_GATE_PSYCOPG3_DJANGO_PYTHON names one; else a venv is built once
// with pip (test/support/venv.ts); the caller skips, with pip's reason, only where that fails.
import { venvPython, type NewerPython } from './venv.js'

let cached: NewerPython | undefined

/** Synchronous, so a test file can decide at collection time whether its suite runs. */
export function psycopg3DjangoPython(): NewerPython {
  cached ??= venvPython({
    name: 'migration-gate-venv-django-psycopg3',
    packages: ['django>=5.2', 'psycopg[binary]'],
    // With psycopg2 importable too, the test would not know which driver Django took.
    probe: [
      'import importlib.util, django, psycopg',
      'assert django.VERSION >= (4, 2), "Django %s is older than 4.2 (no psycopg 3)" % django.get_version()',
      'assert importlib.util.find_spec("psycopg2") is None, "psycopg2 is importable too"',
      'print("Django", django.get_version(), "psycopg", psycopg.__version__)',
    ].join('; '),
    imports: 'django (4.2 or later) and psycopg 3, without psycopg2',
    envVar: 'MIGRATION_GATE_PSYCOPG3_DJANGO_PYTHON',
  })
  return cached
}
