// How model-drift speaks of an Alembic (or Flask-Migrate) project's models: see ModelsWording in
// drivers/driver.ts. The comparison is Alembic's compare_metadata against env.py's target_metadata.
import type { ModelsWording } from '../driver.js'
import { alembicCommand, type CommandContext } from './wording.js'

/** `alembic revision --autogenerate`, or `flask db migrate`, with the options this project needs. */
export function autogenerateCommand(config?: CommandContext): string {
  const message = '-m "describe the change"'
  return config?.flaskMigrate
    ? alembicCommand(config, 'migrate', message)
    : alembicCommand(config, 'revision', `--autogenerate ${message}`)
}

/** The words for this project (its command); without a config, for plain `alembic` at the project root. */
export function alembicModelsWording(config?: CommandContext): ModelsWording {
  return {
    autogenerate: autogenerateCommand(config),
    compared: 'the models env.py compares',
    nothingToCompare: 'env.py gives Alembic no target_metadata to compare',
    comparisonInputs: "the models' imports, env.py's target_metadata or include_object",
  }
}

/** Where Alembic projects keep their models by convention, relative to the project directory. */
export const MODEL_GLOBS = ['**/models.py', '**/models/**/*.py']
