// The interpreter that can import alembic (Debian's /usr/bin/python3 with python3-alembic; a python3
// earlier on PATH, a pyenv one, may not). Tests that need it fail loudly when there is none: .ci/run
// installs Debian's python3-alembic.
import { findPython } from '../../src/drivers/python.js'

let found: Promise<string> | undefined

export function pythonWithAlembic(): Promise<string> {
  found ??= findPython('flask_migrate', process.cwd()).catch(() => findPython('alembic', process.cwd()))
  return found
}

let django: Promise<string> | undefined

/** The interpreter that imports Django (Debian's python3-django, from scripts/apt-deps.sh). */
export function pythonWithDjango(): Promise<string> {
  django ??= findPython('django', process.cwd())
  return django
}
