// What to say when env.py cannot start: the error, and the one thing most likely to fix it. A new
// user's first run fails here more than anywhere (a package missing from the interpreter the gate
// picked, an env.py that builds its URL from variables the gate did not set), and a bare
// "connection refused" does not say what to change.
import { GateError } from '../../errors.js'
import { urlPartOf, type UrlPart } from '../../inputs.js'
import type { EnvVarUse } from './env-vars.js'
import type { EnvironmentLoadError } from './session.js'

export interface StartContext {
  python: string
  /** Variables that got the whole URL, and those that got one part each. */
  urlEnv: string[]
  partsEnv: Array<[string, UrlPart]>
  /** The variables env.py (and the modules it imports) read, found statically. */
  envVarsRead: () => EnvVarUse[]
}

const IMPORT_FAILED = /(^|: )(ModuleNotFoundError|ImportError): /
/** Errors of an env.py that connected elsewhere, or could not build its URL. */
const NOT_OUR_DATABASE =
  /^(OperationalError|WrongDatabase|ValidationError|KeyError|InvalidRequestError|ArgumentError)\b|could not connect|connection (to server .*)?refused|could not translate host name|password authentication failed|no password supplied|Connection refused/i

export function explainStartFailure(error: EnvironmentLoadError, context: StartContext): GateError {
  const message = error.failure.message
  if (IMPORT_FAILED.test(message)) {
    return new GateError(
      `${error.message} (python: ${context.python}; install the project's dependencies there, or set python to the interpreter that has them)`,
      'python',
    )
  }
  if (!NOT_OUR_DATABASE.test(message)) return error
  const given = new Set([...context.urlEnv, ...context.partsEnv.map(([name]) => name)])
  const unset = context.envVarsRead().filter((v) => !given.has(v.name))
  if (unset.length === 0) {
    return new GateError(
      `${error.message} (env.py must connect to the URL the gate gives: sqlalchemy.url, or the variables in database-url-env and database-parts-env)`,
      'database-url-env',
    )
  }
  const names = unset.slice(0, 12).map((v) => v.name)
  const files = [...new Set(unset.map((v) => v.file))].slice(0, 3).join(', ')
  const parts = names.filter((n) => urlPartOf(n) !== undefined)
  const example = parts.length > 0 ? `database-parts-env: ${parts.join(',')}` : `database-url-env: ${names[0]}`
  return new GateError(
    `${error.message} (env.py reads ${names.join(', ')}${unset.length > names.length ? ', ...' : ''} from the environment (${files}), which the gate did not set: name the ones that make up the database in database-parts-env, or the one holding a whole URL in database-url-env; e.g. ${example})`,
    'database-parts-env',
  )
}
