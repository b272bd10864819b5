// The migration project `init` writes a workflow for, found by the gate's own detection
// (detect-tool.ts, and the Alembic config reader that tells Flask-Migrate apart), so a project
// `init` accepts is one `check` accepts. A directory that holds none (or only a pyproject.toml),
// with exactly one project below it (a repository root whose app sits in backend/), means that
// one: the working-directory `check` would name.
import { existsSync } from 'node:fs'
import path from 'node:path'
import { readAlembicConfig } from '../drivers/alembic/config.js'
import { detectTool, type DetectedTool } from '../drivers/detect-tool.js'
import { projectsBelow } from '../drivers/projects-below.js'
import { findSqlDirectory } from '../drivers/sql/files.js'
import { GateError, requireDirectory } from '../errors.js'

export interface FoundProject {
  /** Absolute project directory (the workflow's working-directory). */
  dir: string
  tool: DetectedTool
  /** What a user calls it: Alembic, Flask-Migrate, golang-migrate, dbmate. */
  kind: 'Alembic' | 'Flask-Migrate' | 'golang-migrate' | 'dbmate'
  /** The file or directory that says so, relative to the project: "alembic.ini", "db/migrations". */
  evidence: string
  /** Set when the directory given held no project and this is the only one below it. */
  below?: boolean
}

export function findProject(dir: string): FoundProject {
  requireDirectory(dir, 'working-directory')
  const abs = path.resolve(dir)
  try {
    return projectIn(abs)
  } catch (error) {
    // An alembic.ini here that `check` refuses is this project's problem, not a reason to take another.
    const ini = ['alembic.ini', 'migrations/alembic.ini'].some((f) => existsSync(path.join(abs, f)))
    if (!(error instanceof GateError) || ini) throw error
    // Several projects below: the error already lists them and the working-directory of each.
    const below = projectsBelow(abs)
    if (below.length !== 1) throw error
    const one = below[0] as { workingDirectory: string }
    return { ...projectIn(path.join(abs, one.workingDirectory)), below: true }
  }
}

function projectIn(dir: string): FoundProject {
  const tool = detectTool(dir, undefined, '; give init the directory of alembic.ini or of the SQL migrations')
  if (tool === 'django')
    throw new GateError(
      `working-directory: ${dir} is a Django project, which init does not write workflows for yet; see the README's Django section`,
      'working-directory',
    )
  if (tool === 'sql') {
    // detectTool found it with the same call, so it is there.
    const location = findSqlDirectory(dir)
    if (!location) throw new GateError(`working-directory: no SQL migrations in ${dir}`, 'working-directory')
    return { dir, tool, kind: location.format, evidence: path.relative(dir, location.dir) || '.' }
  }
  // The reader `check` starts with: an alembic.ini `check` would refuse is refused here, in its words.
  const config = readAlembicConfig(dir)
  return {
    dir,
    tool,
    kind: config.flaskMigrate ? 'Flask-Migrate' : 'Alembic',
    evidence: path.relative(dir, config.iniPath),
  }
}
