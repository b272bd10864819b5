// What to say when the Django helper cannot start, or its loader sees other migrations than the
// gate's graph: one line naming the input to change.
import { GateError } from '../../errors.js'
import type { StepError } from '../driver.js'

const IMPORT_FAILED = /^(ModuleNotFoundError|ImportError): /

export function djangoStartFailure(failure: StepError, python: string): GateError {
  const where = failure.file ? ` (${failure.file}${failure.line ? `:${failure.line}` : ''})` : ''
  const message = `django: cannot set up the project${where}: ${failure.message}`
  if (IMPORT_FAILED.test(failure.message))
    return new GateError(
      `${message} (python: ${python}; install the project's dependencies there, or set python to the interpreter that has them)`,
      'python',
    )
  const missing = /^KeyError: '([A-Za-z_][A-Za-z0-9_]*)'$/.exec(failure.message)?.[1]
  if (missing)
    return new GateError(
      `${message} (the environment variable ${missing} is read and not set: set it for the gate's step; if it holds the database, name it in database-url-env or database-parts-env instead)`,
      'database-url-env',
    )
  return new GateError(message, 'django-settings')
}

/** One line when the gate's nodes and the Django loader's differ; undefined when they agree. */
export function nodesDisagree(gate: string[], django: string[]): string | undefined {
  const theirs = new Set(django)
  const ours = new Set(gate)
  const onlyGate = gate.filter((id) => !theirs.has(id))
  const onlyDjango = django.filter((id) => !ours.has(id))
  if (onlyGate.length === 0 && onlyDjango.length === 0) return undefined
  const list = (ids: string[]) => ids.slice(0, 5).join(', ') + (ids.length > 5 ? ` and ${ids.length - 5} more` : '')
  const parts = [
    ...(onlyGate.length ? [`the gate read ${list(onlyGate)}, which Django's loader does not have`] : []),
    ...(onlyDjango.length ? [`Django's loader has ${list(onlyDjango)}, which the gate did not read`] : []),
  ]
  return `django: the migrations read from the files differ from what Django loads (${parts.join('; ')}); the replay needs both to agree (check INSTALLED_APPS and MIGRATION_MODULES, or set django-settings)`
}
