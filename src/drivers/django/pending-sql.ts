// mode live: the SQL each pending Django migration will run, as `python manage.py sqlmigrate` writes
// it, composed without a database. sqlmigrate itself connects (its loader reads django_migrations, and
// the transaction it collects in is a real one), so this does what it does without both: Django's
// loader for a fresh database, the project state before the migration, and the PostgreSQL schema
// editor collecting its SQL outside any transaction, on a connection that refuses to open. An
// operation that must read the database to compose its SQL (the name of a constraint it drops) gets
// a note saying so; a RunPython is the comment sqlmigrate writes for it. One Python process answers
// for every revision, a line each as it goes.
import type { PendingSql } from '../driver.js'
import type { ResourceTracker } from '../../resource-tracker.js'
import { markedAnswers, PYTHON_WATCHDOG, pythonAnswers, runPythonScript } from '../alembic/python-script.js'

const MARK = '@@migration-gate-django-sql@@'

// argv: the project directory, the settings module, the revisions as JSON (["app.name", ...]).
const SCRIPT = `
import json, os, sys, warnings
warnings.simplefilter("ignore")
${PYTHON_WATCHDOG}
${pythonAnswers(MARK)}

class NoDatabase(Exception):
    pass

def run_all(project, settings_module, steps):
    os.chdir(project)
    if project not in sys.path:
        sys.path.insert(0, project)
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django
    django.setup()
    from django.conf import settings
    from django.db import connections
    from django.db.migrations.loader import MigrationLoader

    # Django's PostgreSQL backend with no server behind it: the SQL is composed, never sent, and an
    # operation that must read the database to compose it (the name of a constraint to drop) says so.
    for conn in connections.all():
        conn.close()
    engine = (settings.DATABASES.get("default") or {}).get("ENGINE") or ""
    if "postgis" not in engine and "postgresql" not in engine:
        engine = "django.db.backends.postgresql"
    settings.DATABASES["default"] = {"ENGINE": engine, "NAME": "migration_gate_offline", "HOST": "127.0.0.1", "PORT": "1"}
    connections.__dict__.pop("settings", None)
    connections._settings = None
    try:
        del connections["default"]
    except (AttributeError, KeyError):
        pass
    conn = connections["default"]

    def refuse(*args, **kwargs):
        raise NoDatabase("composing it reads the database (Django's schema editor looks up what it changes)")

    conn.get_new_connection = refuse
    loader = MigrationLoader(None, ignore_no_migrations=True)
    for revision in steps:
        app, _, name = revision.partition(".")
        try:
            migration = loader.graph.nodes[(app, name)]
            state = loader.project_state((app, name), at_end=False)
            # atomic=False: collecting opens no transaction (which would connect); sqlmigrate's BEGIN and
            # COMMIT are written around an atomic migration's SQL instead.
            with conn.schema_editor(collect_sql=True, atomic=False) as editor:
                migration.apply(state, editor, collect_sql=True)
            lines = list(editor.collected_sql)
            if migration.atomic and conn.features.can_rollback_ddl:
                lines = ["BEGIN;"] + lines + ["COMMIT;"]
            answer(revision=revision, sql="\\n".join(lines) + "\\n")
        except BaseException as e:
            answer(revision=revision, error=one_line(e))

try:
    run_all(sys.argv[1], sys.argv[2], json.loads(sys.argv[3]))
except BaseException as e:
    answer(error=one_line(e))
`

interface Answer {
  revision?: string
  sql?: string
  error?: string
}

export interface DjangoSqlOptions {
  python: string
  projectDir: string
  settingsModule: string
  /** The pending revisions (`app.name`), in order. */
  revisions: string[]
  /** The variables the settings may read their database from, holding one that leads nowhere. */
  environment: Record<string, string>
  /** How long one revision may take (the clock restarts at each answer). */
  timeoutMs: number
  resources: ResourceTracker
}

const UNAVAILABLE = 'SQL unavailable'

export async function djangoPendingSql(opts: DjangoSqlOptions): Promise<PendingSql[]> {
  if (opts.revisions.length === 0) return []
  const ran = await runPythonScript({
    python: opts.python,
    script: SCRIPT,
    args: [opts.projectDir, opts.settingsModule, JSON.stringify(opts.revisions)],
    cwd: opts.projectDir,
    environment: opts.environment,
    timeoutMs: opts.timeoutMs,
    timeoutFromLastOutput: true,
    name: 'django sqlmigrate',
    resources: opts.resources,
  })
  const answers = markedAnswers<Answer>(ran.stdout, MARK)
  const byRevision = new Map(answers.filter((a) => a.revision).map((a) => [a.revision as string, a]))
  const general = answers.find((a) => !a.revision)
  const missing = general?.error
    ? general.error
    : ran.notFound
      ? `${opts.python}: not found`
      : ran.timedOut
        ? `the settings and migrations did not load within ${Math.round(opts.timeoutMs / 1000)} s`
        : `the Python process ended (${ran.exit ?? 'no answer'})`
  return opts.revisions.map((revision) => {
    const a = byRevision.get(revision)
    if (!a) return { revision, note: `${UNAVAILABLE}: ${missing}` }
    if (a.error?.startsWith('NoDatabase: '))
      return { revision, note: `${UNAVAILABLE} without a database: ${a.error.slice('NoDatabase: '.length)}` }
    if (a.error !== undefined) return { revision, note: `${UNAVAILABLE}: ${a.error}` }
    return { revision, sql: a.sql ?? '' }
  })
}
