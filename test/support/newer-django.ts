// A Python with a current Django (5.x or later) and psycopg2, so the Django replay and drift tests run
// on two generations (Debian's Django 3.2 through /usr/bin/python3, and this one).
// MIGRATION_GATE_NEW_DJANGO_PYTHON names one (CI hands over setup-python's); else a venv is built
// once with pip (test/support/venv.ts); the caller skips, with pip's reason, only where that fails.
import { venvPython, type NewerPython } from './venv.js'

let cached: NewerPython | undefined

/** Synchronous, so a test file can decide at collection time whether its suite runs. */
export function newerDjangoPython(): NewerPython {
  cached ??= venvPython({
    name: 'migration-gate-venv-django-new',
    packages: ['django>=5.2', 'psycopg2-binary'],
    // A Django older than 5 (an index offering only those) is not the generation these tests are for.
    probe:
      'import django, psycopg2; assert django.VERSION >= (5,), "Django %s is older than 5" % django.get_version(); print("Django", django.get_version())',
    imports: 'django (5 or later) and psycopg2',
    envVar: 'MIGRATION_GATE_NEW_DJANGO_PYTHON',
  })
  return cached
}
