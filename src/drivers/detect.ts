// Picks the driver for a project: the `tool` input, or auto-detection from the files present.
// Auto: `config` naming a directory means SQL migrations there, naming a file means alembic.ini;
// else alembic.ini (or migrations/alembic.ini) means Alembic; else a directory of SQL migrations
// (the project itself, migrations/, db/migrations/) means golang-migrate or dbmate by the file
// names; else a pyproject.toml means Alembic configured there.
import { existsSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { GateError } from '../errors.js'
import type { GateConfig } from '../inputs.js'
import type { Logger } from '../logger.js'
import { AlembicDriver } from './alembic/driver.js'
import type { MigrationDriver } from './driver.js'
import { projectsBelowHint } from './projects-below.js'
import { findSqlDirectory, isDirectory, SQL_DIR_CANDIDATES } from './sql/files.js'
import { SqlDriver } from './sql/driver.js'

export function createDriver(config: GateConfig, logger: Logger): MigrationDriver {
  const tool = config.tool === 'auto' ? detectTool(config) : config.tool
  return tool === 'sql' ? sqlDriver(config, logger) : alembicDriver(config, logger)
}

function detectTool(config: GateConfig): 'alembic' | 'sql' {
  const at = (f: string) => existsSync(join(config.projectDir, f))
  if (config.config !== undefined) return isDirectory(resolve(config.projectDir, config.config)) ? 'sql' : 'alembic'
  if (['alembic.ini', 'migrations/alembic.ini'].some(at)) return 'alembic'
  if (findSqlDirectory(config.projectDir)) return 'sql'
  if (at('pyproject.toml')) return 'alembic'
  const dirs = SQL_DIR_CANDIDATES.map((d) => (d === '.' ? 'itself' : `${d}/`)).join(', ')
  throw new GateError(
    `working-directory: no migration project found in ${config.projectDir} (looked for alembic.ini and migrations/alembic.ini, and for golang-migrate or dbmate files in ${dirs})${projectsBelowHint(config.projectDir) || '; set config or tool'}`,
    'working-directory',
  )
}

function sqlDriver(config: GateConfig, logger: Logger): SqlDriver {
  const location = findSqlDirectory(config.projectDir, config.config)
  if (!location) {
    const where = config.config
      ? resolve(config.projectDir, config.config)
      : SQL_DIR_CANDIDATES.map((d) => join(config.projectDir, d)).join(', ')
    const input = config.config ? 'config' : 'tool'
    throw new GateError(
      `${input}: no SQL migrations in ${where} (golang-migrate VERSION_NAME.up.sql and .down.sql, or dbmate VERSION_NAME.sql)${config.config ? '' : '; set config to the migrations directory'}`,
      input,
    )
  }
  logger.debug(`sql: ${location.format} migrations in ${relative(config.projectDir, location.dir) || '.'}`)
  return new SqlDriver({
    projectDir: config.projectDir,
    location,
    irreversible: { severity: config.irreversibleSeverity, allow: config.allowIrreversible },
    logger,
  })
}

function alembicDriver(config: GateConfig, logger: Logger): AlembicDriver {
  return new AlembicDriver({
    projectDir: config.projectDir,
    ...(config.config ? { config: config.config } : {}),
    ...(config.python ? { python: config.python } : {}),
    databaseUrlEnv: config.databaseUrlEnv,
    databasePartsEnv: config.databasePartsEnv,
    logger,
  })
}
