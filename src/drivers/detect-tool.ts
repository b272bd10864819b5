// Which tool a project's files say, the one detection both `check` (tool: auto) and `init` use:
// `config` naming a directory means SQL migrations there, naming a file means alembic.ini; else
// alembic.ini (or migrations/alembic.ini) means Alembic; else a directory of SQL migrations (the
// project itself, migrations/, db/migrations/) means golang-migrate or dbmate by the file names;
// else a manage.py (or a django-settings input) means Django; else a pyproject.toml means Alembic
// configured there. Django comes after Alembic and SQL so that tool: auto picks what it picked before
// for a project with both (an alembic.ini beside manage.py is Alembic). Imports no driver, so `init`
// stays light.
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { GateError } from '../errors.js'
import { projectsBelowHint } from './projects-below.js'
import { findSqlDirectory, isDirectory, SQL_DIR_CANDIDATES } from './sql/files.js'

export type DetectedTool = 'alembic' | 'sql' | 'django'

/**
 * The tool of the project in `projectDir`; a GateError naming working-directory when there is none,
 * ending with the projects found below it or else `otherwise` (what the command lets a user do).
 */
export function detectTool(
  projectDir: string,
  config?: string,
  otherwise = '; set config or tool',
  djangoSettings?: string,
): DetectedTool {
  const at = (f: string) => existsSync(join(projectDir, f))
  if (config !== undefined) return isDirectory(resolve(projectDir, config)) ? 'sql' : 'alembic'
  // A settings module given on purpose says Django whatever else is there.
  if (djangoSettings) return 'django'
  if (['alembic.ini', 'migrations/alembic.ini'].some(at)) return 'alembic'
  if (findSqlDirectory(projectDir)) return 'sql'
  if (at('manage.py')) return 'django'
  if (at('pyproject.toml')) return 'alembic'
  const dirs = SQL_DIR_CANDIDATES.map((d) => (d === '.' ? 'itself' : `${d}/`)).join(', ')
  throw new GateError(
    `working-directory: no migration project found in ${projectDir} (looked for alembic.ini and migrations/alembic.ini, for golang-migrate or dbmate files in ${dirs}, and for Django's manage.py)${projectsBelowHint(projectDir) || otherwise}`,
    'working-directory',
  )
}
