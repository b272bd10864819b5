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
  /^(OperationalError|WrongDatabase|ValidationError|InvalidRequestError|ArgumentError|gaierror)\b|could not connect|connection (to server .*)?refused|could not translate host name|Name or service not known|password authentication failed|no password supplied|Connection refused/i
/** os.environ["NAME"] on a variable nobody set. */
const MISSING_VARIABLE = /^KeyError: '([A-Za-z_][A-Za-z0-9_]*)'$/
/** Flask could not find or build the app, and FLASK_APP (which would say where) is unset. */
const NO_FLASK_APP = /NoAppException: (Could not locate a Flask application|Detected factory|Failed to find)/

export function explainStartFailure(error: EnvironmentLoadError, context: StartContext): GateError {
  const message = error.failure.message
  if (IMPORT_FAILED.test(message)) {
    return new GateError(
      `${error.message} (python: ${context.python}; install the project's dependencies there, or set python to the interpreter that has them)`,
      'python',
    )
  }
  if (NO_FLASK_APP.test(message) && !process.env.FLASK_APP) {
    return new GateError(
      `${error.message} (set FLASK_APP to the module or factory call that makes the app, in the step's environment or the project's .flaskenv, as \`flask db\` needs it)`,
      'working-directory',
    )
  }
  const missing = MISSING_VARIABLE.exec(message)?.[1]
  if (missing) {
    return new GateError(
      `${error.message} (the environment variable ${missing} is read and not set: set it for the gate's step; if it holds the database, name it in database-url-env or database-parts-env instead)`,
      'database-url-env',
    )
  }
  if (!NOT_OUR_DATABASE.test(message)) return error
  const given = new Set([...context.urlEnv, ...context.partsEnv.map(([name]) => name)])
  const unset = context.envVarsRead().filter((v) => !given.has(v.name))
  if (unset.length === 0) {
    // WrongDatabase says this itself; anything else gets it said once.
    if (message.startsWith('WrongDatabase')) return error
    return new GateError(
      `${error.message} (the project must connect to the database the gate gives: sqlalchemy.url, or the variables in database-url-env and database-parts-env; name the ones its settings read there)`,
      'database-url-env',
    )
  }
  // The database's own variables first: a settings module reads mail servers and secrets too.
  const related = unset.filter((v) => DATABASE_NAME.test(v.name))
  const shown = (related.length > 0 ? related : unset).slice(0, 10)
  const names = shown.map((v) => v.name)
  const others = unset.length - shown.length
  const files = [...new Set(shown.map((v) => v.file))].slice(0, 3).join(', ')
  const whole = names.filter((n) => WHOLE_URL.test(n))
  const parts = names.filter((n) => !WHOLE_URL.test(n) && urlPartOf(n) !== undefined)
  const example =
    whole.length > 0
      ? `database-url-env: ${whole[0]}`
      : parts.length > 0
        ? `database-parts-env: ${parts.join(',')}`
        : `database-url-env: ${names[0]}`
  return new GateError(
    `${error.message} (the project reads ${names.join(', ')}${others > 0 ? ` and ${others} other variable${others === 1 ? '' : 's'}` : ''} from the environment (${files}), which the gate did not set: name the ones that make up the database in database-parts-env, or the one holding a whole URL in database-url-env; e.g. ${example})`,
    'database-parts-env',
  )
}

/** Names that speak of a database: DATABASE_URL, DB_HOST, POSTGRES_USER, PGPORT, SQLALCHEMY_DATABASE_URI. */
const DATABASE_NAME = /(DATABASE|(^|_)DB($|_)|POSTGRES|^PG|SQLALCHEMY|(^|_)DSN$)/i
/** Names that hold a whole URL. */
const WHOLE_URL = /(URL|URI|DSN)$/i
