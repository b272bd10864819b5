// The interpreter that can import alembic on this machine (Debian's /usr/bin/python3 here; the
// pyenv python3 first on PATH cannot). Tests that need it fail loudly when there is none: .ci/run
// installs Debian's python3-alembic.
import { findPython } from '../../src/drivers/python.js'

let found: Promise<string> | undefined

export function pythonWithAlembic(): Promise<string> {
  found ??= findPython('flask_migrate', process.cwd()).catch(() => findPython('alembic', process.cwd()))
  return found
}
