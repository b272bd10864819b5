// How model-drift speaks of a Django project's models (ModelsWording in drivers/driver.ts). The
// comparison is makemigrations' own (django_drift.py): the migrations' state against the models'.
import type { ModelsWording } from '../driver.js'

/** The command writing an app's missing migration: makemigrations names the app it writes for. */
export function makemigrationsCommand(app?: string): string {
  return `python manage.py makemigrations${app ? ` ${app}` : ''}`
}

export const djangoModelsWording: ModelsWording = {
  autogenerate: makemigrationsCommand(),
  autogenerateIn: makemigrationsCommand,
  compared: "the models of the project's apps",
  nothingToCompare: 'the project has no app with migrations to compare its models with',
  comparisonInputs: "the models' imports, or a model field the migrations' state cannot be rendered with",
}
