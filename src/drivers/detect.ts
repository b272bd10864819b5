// Picks the driver for a project: the `tool` input, or auto-detection from the files present
// (detect-tool.ts, which `migration-gate init` shares).
import { join, relative, resolve } from 'node:path'
import { GateError } from '../errors.js'
import type { GateConfig } from '../inputs.js'
import type { Logger } from '../logger.js'
import { AlembicDriver } from './alembic/driver.js'
import type { MigrationDriver } from './driver.js'
import { DjangoDriver } from './django/driver.js'
import { detectTool } from './detect-tool.js'
import { findSqlDirectory, SQL_DIR_CANDIDATES } from './sql/files.js'
import { SqlDriver } from './sql/driver.js'

export function createDriver(config: GateConfig, logger: Logger): MigrationDriver {
  const tool =
    config.tool === 'auto'
      ? detectTool(config.projectDir, config.config, undefined, config.djangoSettings)
      : config.tool
  if (tool === 'django') return djangoDriver(config, logger)
  return tool === 'sql' ? sqlDriver(config, logger) : alembicDriver(config, logger)
}

function djangoDriver(config: GateConfig, logger: Logger): DjangoDriver {
  return new DjangoDriver({
    projectDir: config.projectDir,
    ...(config.djangoSettings ? { settings: config.djangoSettings } : {}),
    ...(config.python ? { python: config.python } : {}),
    databaseUrlEnv: config.databaseUrlEnv,
    databasePartsEnv: config.databasePartsEnv,
    logger,
  })
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
