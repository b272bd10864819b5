// The SQL each pending revision will run, as Alembic's offline mode writes it (`alembic upgrade
// <from>:<to> --sql`): env.py runs with no database connection, one revision at a time, from the
// revisions it builds on (for the first pending one, where the live database stands). One Python
// process answers for every revision, a line each as it goes; an env.py that cannot run offline is a
// note for the revision, never a failure of the run.
import type { PendingSql } from '../driver.js'
import type { ResourceTracker } from '../../resource-tracker.js'
import type { AlembicConfig } from './config.js'
import { markedAnswers, PYTHON_WATCHDOG, pythonAnswers, runPythonScript } from './python-script.js'

const MARK = '@@migration-gate-offline-sql@@'

// argv: ini path, script_location override (may be empty), "flask" or "", the steps as JSON
// ([{revision, from: [...]}]). Each step is what `alembic upgrade <from>:<revision> --sql` does,
// except that `from` may name several revisions (a merge's parents), which the command line cannot.
const SCRIPT = `
import io, json, os, sys, warnings
warnings.simplefilter("ignore")
${PYTHON_WATCHDOG}
${pythonAnswers(MARK)}
# A project directory named alembic/ must not shadow the package (as in the alembic command).
saved = list(sys.path)
sys.path[:] = [p for p in sys.path if p not in ("", ".", os.getcwd())]
try:
    from alembic.config import Config
    from alembic.runtime.environment import EnvironmentContext
    from alembic.script import ScriptDirectory
except Exception as e:
    answer(unavailable=one_line(e))
    sys.exit(0)
sys.path[:] = saved
if os.getcwd() not in sys.path:
    sys.path.insert(0, os.getcwd())
steps = json.loads(sys.argv[4])

def run_all():
    cfg = Config(sys.argv[1])
    if sys.argv[2]:
        cfg.set_main_option("script_location", sys.argv[2].replace("%", "%%"))
    # A URL that leads nowhere: offline, env.py needs one for the dialect and must connect to nothing.
    cfg.set_main_option("sqlalchemy.url", os.environ.get("MIGRATION_GATE_CROSSCHECK_URL", ""))
    script = ScriptDirectory.from_config(cfg)
    for step in steps:
        revision = step["revision"]
        try:
            cfg.output_buffer = io.StringIO()
            seen = {}
            def fn(heads, context):
                seen["dialect"] = context.dialect.name
                return script._upgrade_revs(revision, heads)
            with EnvironmentContext(cfg, script, fn=fn, as_sql=True,
                                    starting_rev=tuple(step["from"]) or None, destination_rev=revision):
                script.run_env()
            if "dialect" not in seen:
                raise RuntimeError("env.py did not call context.run_migrations() in offline mode")
            answer(revision=revision, sql=cfg.output_buffer.getvalue(), dialect=seen["dialect"])
        except BaseException as e:
            answer(revision=revision, error=one_line(e))

try:
    if sys.argv[3] == "flask":
        from flask.cli import ScriptInfo
        with ScriptInfo().load_app().app_context():
            run_all()
    else:
        run_all()
except BaseException as e:
    answer(error=one_line(e))
`

interface Answer {
  revision?: string
  sql?: string
  dialect?: string
  error?: string
  unavailable?: string
}

export interface OfflineSqlOptions {
  python: string
  config: AlembicConfig
  /** The pending revisions in order, each with the revisions it is upgraded from (its parents). */
  steps: Array<{ revision: string; from: string[] }>
  flask: boolean
  /** The variables env.py may read its URL from, holding a URL that leads nowhere. */
  environment: Record<string, string>
  /** How long env.py may take for one revision. */
  timeoutMs: number
  resources: ResourceTracker
}

const UNAVAILABLE = 'offline SQL unavailable'

export async function alembicOfflineSql(opts: OfflineSqlOptions): Promise<PendingSql[]> {
  if (opts.steps.length === 0) return []
  const { config } = opts
  const ran = await runPythonScript({
    python: opts.python,
    script: SCRIPT,
    args: [config.iniPath, config.scriptLocationOverride ?? '', opts.flask ? 'flask' : '', JSON.stringify(opts.steps)],
    cwd: config.projectDir,
    environment: opts.environment,
    timeoutMs: opts.timeoutMs,
    // Each revision's answer restarts the clock: a long pending list is not one timeout.
    timeoutFromLastOutput: true,
    name: 'alembic offline sql',
    resources: opts.resources,
  })
  const answers = markedAnswers<Answer>(ran.stdout, MARK)
  const byRevision = new Map(answers.filter((a) => a.revision).map((a) => [a.revision as string, a]))
  const general = answers.find((a) => !a.revision)
  // Why a revision has no answer: the whole script failed, stopped, or ended early.
  const missing = general?.unavailable
    ? `${opts.python} cannot import alembic (${general.unavailable})`
    : general?.error
      ? general.error
      : ran.notFound
        ? `${opts.python}: not found`
        : ran.timedOut
          ? `env.py did not finish offline within ${Math.round(opts.timeoutMs / 1000)} s`
          : `the Python process ended (${ran.exit ?? 'no answer'})${lastLine(ran.stderrTail)}`
  return opts.steps.map(({ revision }) => {
    const a = byRevision.get(revision)
    if (!a) return { revision, note: `${UNAVAILABLE}: ${missing}` }
    if (a.error !== undefined) return { revision, note: `${UNAVAILABLE}: ${a.error}` }
    // SQL written for another database (an env.py that falls back to SQLite offline) is not what
    // PostgreSQL will run.
    if (a.dialect && a.dialect !== 'postgresql')
      return { revision, note: `${UNAVAILABLE}: env.py offline writes SQL for ${a.dialect}, not PostgreSQL` }
    return { revision, sql: a.sql ?? '' }
  })
}

function lastLine(stderr: string): string {
  const last = stderr.trim().split('\n').pop()?.trim()
  return last ? `: ${last}` : ''
}
