// Picks the driver for a project: the `tool` input, or auto-detection from the files present.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { GateError } from '../errors.js'
import type { GateConfig } from '../inputs.js'
import type { Logger } from '../logger.js'
import { AlembicDriver } from './alembic/driver.js'

export function createDriver(config: GateConfig, logger: Logger): AlembicDriver {
  const looksAlembic =
    config.config !== undefined ||
    ['alembic.ini', 'migrations/alembic.ini', 'pyproject.toml'].some((f) => existsSync(join(config.projectDir, f)))
  if (config.tool === 'auto' && !looksAlembic) {
    throw new GateError(
      `working-directory: no migration project found in ${config.projectDir} (looked for alembic.ini and migrations/alembic.ini); set config or tool`,
      'working-directory',
    )
  }
  return new AlembicDriver({
    projectDir: config.projectDir,
    ...(config.config ? { config: config.config } : {}),
    ...(config.python ? { python: config.python } : {}),
    databaseUrlEnv: config.databaseUrlEnv,
    logger,
  })
}
