// Every input, read in one place into one typed GateConfig, for the action (core.getInput) and the
// CLI (flags of the same names). Defaults live here and nowhere else; a test checks action.yml
// against INPUTS. Every error names the input and, where there is a fixed set, the allowed values.
import { accessSync, constants, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { GateError } from './errors.js'
import { projectDirs } from './project-dirs.js'
import { checkLiveUrl } from './live/url.js'
import { defaultPostgresImage } from './postgres/default-image.js'
import { DEFAULT_MAJOR, parsePostgresVersion, VERSION_VALUES, type VersionChoice } from './postgres/postgres-version.js'
import { parseLiveIgnore, type IgnoreRule } from './live/ignore.js'
import type { ProviderName } from './postgres/provider.js'
import type { Severity } from './report.js'
import { parseLintAllow, parseLintRules, type LintConfig, type LintLevel } from './lint/config.js'

export type Mode = 'static' | 'roundtrip' | 'stairway' | 'live'
export type LiveExpect = 'any' | 'head'
export type ToolChoice = 'auto' | 'alembic' | 'sql' | 'django'

export interface GateConfig {
  /** The project directory (the action's working-directory, the CLI's PROJECT_DIR); the first one of several. */
  projectDir: string
  /**
   * A monorepo: the project directories (two or more, absolute, sorted), each judged on its own
   * (projects.ts). Absent for one directory: the run is the single-project run it always was.
   */
  projectDirs?: string[]
  /** Which migration tool; auto-detected from the project by default. */
  tool: ToolChoice
  /** Alembic: the config file (alembic.ini); sql: the migrations directory. Found in the project by default. */
  config?: string
  /**
   * static: chain only; roundtrip: up, down to base, up; stairway: up/down/up per revision; live: the
   * chain against the database it is about to migrate (liveDatabaseUrl), read only.
   */
  mode: Mode
  /** Databases the stairway replays slices of the chain on, side by side; auto decides by cores and chain length. */
  replayWorkers: number | 'auto'
  /** Where the ephemeral Postgres comes from. */
  postgres: ProviderName | 'auto'
  /** An existing server to create the scratch database in (postgres: url, or auto). */
  databaseUrl?: string
  /** The PostgreSQL major the scratch server must be (postgres-version), and whether the user asked for it. */
  postgresVersion: VersionChoice
  /** Docker image for postgres: docker (postgres-image, else postgres:<major>-alpine). */
  postgresImage: string
  /** Directory of initdb/postgres for postgres: local. */
  pgBin?: string
  /** Python interpreter that can import alembic; empty = the first of .venv/bin/python, venv/bin/python, python3, /usr/bin/python3 that can. */
  python?: string
  /** Django: the settings module (shop.settings), instead of the default manage.py sets. */
  djangoSettings?: string
  /** Environment variables the scratch database URL is exported in (besides sqlalchemy.url). */
  databaseUrlEnv: string[]
  /** Environment variables that receive one part of the scratch database URL (PGHOST=host, ...). */
  databasePartsEnv: Array<[string, UrlPart]>
  /** A migration step running longer than this is stopped (seconds). */
  stepTimeoutSeconds: number
  /** Severity of irreversible-migration findings. */
  irreversibleSeverity: Severity
  /** Revisions accepted as irreversible: revision -> reason. */
  allowIrreversible: Map<string, string>
  /** Write the JSON report here. */
  reportJson?: string
  /** Write the findings as SARIF 2.1.0 here (for GitHub code scanning). */
  sarif?: string
  /** Base branch or commit for the git checks. */
  baseRef?: string
  /** Globs of model files (relative to the repository root); empty = the built-in defaults. */
  modelPaths: string[]
  /** Globs of migration files; empty = the tool's versions directories. */
  migrationPaths: string[]
  /** Fail on findings in revisions that already exist on the base branch too. */
  strict: boolean
  /** Severity of migration-edited findings (a migration from the base branch modified or deleted). */
  migrationEditedSeverity: Severity
  /** The PR label (or commit trailer key) that says "no migration needed", with a reason. */
  noMigrationLabel: string
  /** Compare what the models declare with what the migrations build (needs the replay database). */
  modelDrift: boolean
  /** Let model-drift compare server defaults too. */
  compareServerDefault: boolean
  /**
   * mode live: the database about to be migrated, read and never written. Set, or named by
   * liveDatabaseUrlEnv (resolved when the run starts: src/live/url.ts), never both.
   */
  liveDatabaseUrl?: string
  /** mode live: the environment variable holding the live database's URL. */
  liveDatabaseUrlEnv?: string
  /** mode live: any (pending migrations are a notice) or head (they are an error: post-deploy verification). */
  liveExpect: LiveExpect
  /** mode live: try the pending migrations on a copy of the live schema. */
  livePredict: boolean
  /** Objects of the live database live-drift leaves out, each with its reason. */
  liveIgnore: IgnoreRule[]
  /** Severity of live-drift findings. */
  /** Severity of live-drift findings; off: the live schema is not compared. */
  liveDriftSeverity: Severity | 'off'
  /**
   * The dangerous-operation rules (src/lint/): their level, per-rule severities and the lint-allow
   * list. The replay fills in `revisions` (the pull request's) when it judges.
   */
  lint: LintConfig
}

/** libpq's own variables, and the names the official postgres image and most compose files use. */
const DEFAULT_PARTS_ENV = [
  'PGHOST',
  'PGPORT',
  'PGUSER',
  'PGPASSWORD',
  'PGDATABASE',
  'POSTGRES_HOST',
  'POSTGRES_SERVER',
  'POSTGRES_PORT',
  'POSTGRES_USER',
  'POSTGRES_PASSWORD',
  'POSTGRES_DB',
]

export type UrlPart = 'host' | 'port' | 'user' | 'password' | 'database'
const URL_PARTS: readonly UrlPart[] = ['host', 'port', 'user', 'password', 'database']

/** The part a variable's name ends with: DB_HOST is the host, APP_DB_NAME the database. */
const PART_BY_SUFFIX: ReadonlyArray<[RegExp, UrlPart]> = [
  [/(HOST|SERVER|HOSTNAME)$/, 'host'],
  [/PORT$/, 'port'],
  [/(USER|USERNAME)$/, 'user'],
  [/(PASSWORD|PASS)$/, 'password'],
  [/(DB|DATABASE|NAME|DBNAME)$/, 'database'],
]

/** The part of a database URL a variable's name says it holds, if it says. */
export function urlPartOf(name: string): UrlPart | undefined {
  return PART_BY_SUFFIX.find(([re]) => re.test(name.toUpperCase()))?.[1]
}

/** NAME or NAME=part items -> [NAME, part]; every error names the input and the item. */
export function parsePartsEnv(text: string): Array<[string, UrlPart]> {
  const items = list(text)
  if (items.length === 1 && items[0] === 'none') return []
  return items.map((item): [string, UrlPart] => {
    const [name = '', given] = item.split('=', 2).map((x) => x.trim())
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new GateError(`database-parts-env: "${item}" is not an environment variable name`, 'database-parts-env')
    }
    if (given !== undefined) {
      if (!(URL_PARTS as readonly string[]).includes(given)) {
        throw new GateError(
          `database-parts-env: "${item}" names an unknown part (allowed: ${URL_PARTS.join(', ')})`,
          'database-parts-env',
        )
      }
      return [name, given as UrlPart]
    }
    const part = urlPartOf(name)
    if (!part) {
      throw new GateError(
        `database-parts-env: cannot tell which part ${name} gets; write ${name}=host (or port, user, password, database)`,
        'database-parts-env',
      )
    }
    return [name, part]
  })
}

export interface InputSpec {
  name: string
  description: string
  /** The default as action.yml states it ('' = none). */
  default: string
  allowed?: readonly string[]
  /** Only meaningful in the action (not a CLI flag). */
  actionOnly?: boolean
}

/** The single source of truth for inputs: names, defaults, allowed values. */
export const INPUTS: readonly InputSpec[] = [
  {
    name: 'working-directory',
    description:
      'The project directory holding the migrations. A monorepo: several, one per line, globs allowed (services/*, matching directories only); each project is judged on its own (its tool, config and findings) on one shared PostgreSQL server, and the reports hold one section per project.',
    default: '.',
  },
  {
    name: 'tool',
    description:
      'The migration tool. auto: Alembic/Flask-Migrate where an alembic.ini is found, else plain SQL migrations (golang-migrate or dbmate files) in the project, its migrations/ or db/migrations/. sql: golang-migrate or dbmate files, run natively (no Python, no Go). django: a Django project (manage.py, or django-settings); auto picks it where manage.py is found and neither of the others.',
    default: 'auto',
    allowed: ['auto', 'alembic', 'sql', 'django'],
  },
  {
    name: 'config',
    description:
      'Relative to working-directory: for Alembic the config file (alembic.ini; found there or in its migrations/ dir when empty), for sql the migrations directory (found among ., migrations/, db/migrations/ when empty).',
    default: '',
  },
  {
    name: 'mode',
    description:
      'static: chain checks only; roundtrip: up to head, down to base, up again; stairway: up, down, up for every revision; live: where the database of live-database-url stands against the chain (what `upgrade head` would apply there), read only.',
    default: 'stairway',
    allowed: ['static', 'roundtrip', 'stairway', 'live'],
  },
  {
    name: 'live-database-url',
    description:
      'mode live: the database about to be migrated (postgresql://user:password@host:port/db), only read: every query in a READ ONLY transaction under lock_timeout and statement_timeout. Prefer live-database-url-env, which keeps the URL out of the command line.',
    default: '',
  },
  {
    name: 'live-database-url-env',
    description:
      'mode live: the name of an environment variable holding the live database URL (instead of live-database-url).',
    default: '',
  },
  {
    name: 'live-expect',
    description:
      'mode live: any: migrations still pending there are a notice (before a deploy); head: they are a pending-migrations error (after a deploy, to verify it migrated).',
    default: 'any',
    allowed: ['any', 'head'],
  },
  {
    name: 'live-predict',
    description:
      'mode live: apply the pending migrations, and roll them back, on a copy of the live schema (pg_dump --schema-only, which needs SELECT on its tables and a pg_dump of at least its major) to say whether the deploy will work. off: not tried. A prediction that cannot run fails the gate, saying why.',
    default: 'true',
    allowed: ['true', 'false'],
  },
  {
    name: 'replay-workers',
    description:
      'Databases the stairway runs on side by side (at most 8), each checking one contiguous slice of the chain after replaying the steps before it unchecked. auto: one per two CPU cores (a database keeps a Python process and a PostgreSQL backend busy), at most 4, only for chains of at least 50 revisions per database, and one database when the migrations create roles, tablespaces or databases (objects every database of the server shares); 1: a single database.',
    default: 'auto',
  },
  {
    name: 'postgres',
    description:
      'Where the ephemeral PostgreSQL comes from. auto: url when database-url is set, else local binaries of postgres-version, else docker where an engine answers, else embedded (downloaded for that major when needed). With postgres-version any: docker, else the newest local binaries, else embedded.',
    default: 'auto',
    allowed: ['auto', 'docker', 'local', 'embedded', 'url'],
  },
  {
    name: 'postgres-version',
    description: `The PostgreSQL major of production (${VERSION_VALUES.slice(0, -1).join(', ')}): the servers the gate starts are that major, and another is an error. Empty: ${DEFAULT_MAJOR}, the newest supported (a server you name, database-url, postgres-image or pg-bin, is then used whatever its major). any: whatever the provider finds (the newest local binaries, the installed embedded package). The report names the version used.`,
    default: '',
  },
  {
    name: 'database-url',
    description:
      'An existing server (postgresql://user:password@host:port/db) whose user has CREATEDB; the gate creates and drops its own scratch databases there.',
    default: '',
  },
  {
    name: 'postgres-image',
    description:
      'Docker image for postgres: docker. Empty: postgres:<postgres-version>-alpine (any: the newest supported major).',
    default: '',
  },
  { name: 'pg-bin', description: 'Directory holding initdb and postgres for postgres: local.', default: '' },
  {
    name: 'python',
    description:
      "Python interpreter that can import alembic (Django: django and psycopg2) and the project. Empty: the first of the project's .venv/bin/python, venv/bin/python, python3, /usr/bin/python3 that can.",
    default: '',
  },
  {
    name: 'django-settings',
    description:
      'Django: the settings module (e.g. shop.settings.production), read without running it for INSTALLED_APPS, MIGRATION_MODULES and AUTH_USER_MODEL. Empty: the DJANGO_SETTINGS_MODULE default manage.py sets. Setting it makes tool auto pick Django.',
    default: '',
  },
  {
    name: 'database-url-env',
    description:
      'Environment variables that receive the scratch database URL (comma separated), for env.py files that read it from the environment.',
    default: 'DATABASE_URL',
  },
  {
    name: 'database-parts-env',
    description:
      'Environment variables that receive one part of the scratch database (comma separated), for settings that build the URL from parts. NAME takes the part its name ends with (HOST or SERVER, PORT, USER, PASSWORD, DB, DATABASE or NAME); NAME=part names it (host, port, user, password, database). none: no variable.',
    default: DEFAULT_PARTS_ENV.join(','),
  },
  {
    name: 'step-timeout',
    description: 'Seconds a single migration step may run before it is stopped and reported.',
    default: '300',
  },
  {
    name: 'irreversible-severity',
    description: 'Severity of irreversible-migration findings.',
    default: 'warning',
    allowed: ['error', 'warning', 'notice'],
  },
  {
    name: 'allow-irreversible',
    description: 'Revisions accepted as irreversible, one per line: "REVISION: reason" (the reason is required).',
    default: '',
  },
  { name: 'report-json', description: 'Write the JSON report to this file.', default: '' },
  {
    name: 'sarif',
    description:
      'Write the findings as SARIF 2.1.0 to this file, for GitHub code scanning (github/codeql-action/upload-sarif). Findings without a file in the repository are listed in the run, not as alerts.',
    default: '',
  },
  {
    name: 'base-ref',
    description:
      "Base branch or commit for the git checks. Empty: the pull request's base (merge queue: the queue's base) from the event, else GITHUB_BASE_REF; none on a push, so the git checks are off.",
    default: '',
  },
  {
    name: 'model-paths',
    description:
      "Globs of model files, relative to the repository root, one per line or comma separated. Empty: for Alembic and Flask-Migrate, **/models.py and **/models/**/*.py under working-directory, and the module env.py's target_metadata comes from; for golang-migrate and dbmate, none.",
    default: '',
  },
  {
    name: 'migration-paths',
    description: "Globs of migration files, relative to the repository root. Empty: the tool's versions directories.",
    default: '',
  },
  {
    name: 'strict',
    description:
      'Fail on replay findings in revisions that already exist on the base branch too (by default they are reported as pre-existing notices).',
    default: 'false',
    allowed: ['true', 'false'],
  },
  {
    name: 'migration-edited-severity',
    description: 'Severity when the PR modifies or deletes a migration that exists on the base branch.',
    default: 'error',
    allowed: ['error', 'warning', 'notice'],
  },
  {
    name: 'no-migration-label',
    description:
      'PR label that accepts model changes without a migration, together with a line "Migration-Gate-No-Migration: <reason>" in the PR description. That line in a commit message accepts them without the label. The reason is required and shown in the report.',
    default: 'migration-gate:no-migration-needed',
  },
  {
    name: 'model-drift',
    description: 'Compare the schema the models declare with the schema the migrations build.',
    default: 'true',
    allowed: ['true', 'false'],
  },
  {
    name: 'compare-server-default',
    description: 'Let model-drift compare server defaults too.',
    default: 'false',
    allowed: ['true', 'false'],
  },
  {
    name: 'live-ignore',
    description:
      'Objects of the live database that live-drift leaves out, one per line: "SCHEMA.OBJECT: reason" (the reason is required). * and ? match within one name; a pattern matching a table covers its columns, indexes and constraints (SCHEMA.TABLE.PART names one); SCHEMA.* covers a whole schema.',
    default: '',
  },
  {
    name: 'live-drift-severity',
    description:
      "Severity of live-drift findings (the live database's schema against the one its migrations build at its revision). off: not compared (no scratch database is built for it).",
    default: 'error',
    allowed: ['error', 'warning', 'notice', 'off'],
  },
  {
    name: 'lint',
    description:
      "The dangerous-operation rules (README: Dangerous operations), run on the statements each of the pull request's revisions (every revision where no base is known) sent during the replay and on the locks the server saw them take. warn: their findings are warnings, which do not fail the gate; error: errors; off: not run. Empty: warn.",
    default: '',
  },
  {
    name: 'lint-rules',
    description:
      'Per-rule severities overriding the lint level, one per line or comma separated: "RULE=SEVERITY", SEVERITY one of error, warning, notice, off (e.g. "require-concurrent-index-creation=error, renaming-column=off").',
    default: '',
  },
  {
    name: 'lint-allow',
    description:
      'Dangerous operations accepted, one per line: "REVISION RULE: reason" (the reason is required); the finding becomes a notice. A `migration-gate: allow RULE -- reason` comment on or above the statement does the same in the migration file.',
    default: '',
  },
  {
    name: 'comment',
    description: 'Post one sticky PR comment with the findings.',
    default: 'false',
    allowed: ['true', 'false'],
    actionOnly: true,
  },
  { name: 'github-token', description: 'Token for the PR comment.', default: '${{ github.token }}', actionOnly: true },
]

const spec = (name: string): InputSpec => {
  const s = INPUTS.find((i) => i.name === name)
  if (!s) throw new Error(`unknown input ${name}`)
  return s
}

/** Reads one input: the given value, else the default. Allowed values are enforced. */
function value(get: (name: string) => string | undefined, name: string): string {
  const s = spec(name)
  const raw = (get(name) ?? '').trim()
  const v = raw === '' ? s.default : raw
  if (s.allowed && !s.allowed.includes(v)) {
    throw new GateError(`${name}: unknown value "${v}" (allowed: ${s.allowed.join(', ')})`, name)
  }
  return v
}

const MAX_SECONDS = Math.floor((2 ** 31 - 1) / 1000)

function positiveNumber(name: string, v: string): number {
  const n = Number(v)
  if (!Number.isFinite(n) || n <= 0) throw new GateError(`${name}: "${v}" is not a positive number of seconds`, name)
  // Node's timers hold at most 2^31-1 ms; a larger value would fire at once.
  if (n > MAX_SECONDS) throw new GateError(`${name}: ${v} seconds is more than the ${MAX_SECONDS} allowed`, name)
  return n
}

/**
 * More databases than this would only fight over the cores of any runner we know, and each holds
 * connections (helper, probe) on a server whose max_connections is finite: the gate's own clusters allow 40.
 */
const MAX_WORKERS = 8

function workers(v: string): number | 'auto' {
  if (v === 'auto') return 'auto'
  const n = Number(v)
  if (!/^\d+$/.test(v) || n < 1 || n > MAX_WORKERS) {
    throw new GateError(
      `replay-workers: "${v}" is neither auto nor a whole number from 1 to ${MAX_WORKERS}`,
      'replay-workers',
    )
  }
  return n
}

export function parseAllowList(text: string): Map<string, string> {
  const allow = new Map<string, string>()
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    const m = /^([^:\s]+)\s*:\s*(.+)$/.exec(line)
    if (!m?.[1] || !m[2]) {
      throw new GateError(
        `allow-irreversible: "${line}" needs a reason ("REVISION: why it is accepted")`,
        'allow-irreversible',
      )
    }
    allow.set(m[1], m[2].trim())
  }
  return allow
}

/** A list input: one item per line or comma separated. */
function list(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean)
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory()
  } catch {
    return false
  }
}

function isWritableDir(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK)
    return statSync(dir).isDirectory()
  } catch {
    return false
  }
}

/** A file the gate writes after the run: a directory, or a directory that cannot take it, is refused now. */
function checkOutputFile(name: string, path: string): void {
  if (isDirectory(resolve(path))) throw new GateError(`${name}: ${path} is a directory; give a file path`, name)
  if (!isWritableDir(dirname(resolve(path)))) {
    throw new GateError(`${name}: the directory of ${path} does not exist or is not writable`, name)
  }
}

/**
 * postgres-version as given, else the default: MIGRATION_GATE_POSTGRES_VERSION where set (a machine
 * whose PostgreSQL is another major says so once, as the gate's own test suite does), else the
 * newest supported major. Only a given value is explicit: a url server is held to that alone.
 */
function versionChoice(given: string): VersionChoice {
  if (given) return { version: parsePostgresVersion(given), explicit: true }
  const fromEnv = (process.env.MIGRATION_GATE_POSTGRES_VERSION ?? '').trim()
  if (!fromEnv) return { version: DEFAULT_MAJOR, explicit: false }
  try {
    return { version: parsePostgresVersion(fromEnv), explicit: false }
  } catch {
    throw new GateError(
      `postgres-version: MIGRATION_GATE_POSTGRES_VERSION="${fromEnv}" is not a major (allowed: ${VERSION_VALUES.join(', ')})`,
      'postgres-version',
    )
  }
}

const LINT_LEVELS: readonly LintLevel[] = ['off', 'warn', 'error']

/**
 * lint as given, else MIGRATION_GATE_LINT where set (the gate's own test suite turns the rules off
 * outside their own tests, so each fixture's expected findings stay about what the fixture is for),
 * else warn.
 */
function lintLevel(given: string): LintLevel {
  const fromEnv = (process.env.MIGRATION_GATE_LINT ?? '').trim()
  const v = given || fromEnv || 'warn'
  if ((LINT_LEVELS as readonly string[]).includes(v)) return v as LintLevel
  const named = given ? `"${v}"` : `MIGRATION_GATE_LINT="${v}"`
  throw new GateError(`lint: unknown value ${named} (allowed: ${LINT_LEVELS.join(', ')})`, 'lint')
}

/** One typed config from any source of named string inputs. */
export function readConfig(get: (name: string) => string | undefined): GateConfig {
  const optional = (name: string) => value(get, name) || undefined
  const dirs = projectDirs(value(get, 'working-directory'))
  const postgresVersion = versionChoice(value(get, 'postgres-version'))
  const config: GateConfig = {
    projectDir: dirs[0] as string,
    ...(dirs.length > 1 ? { projectDirs: dirs } : {}),
    tool: value(get, 'tool') as ToolChoice,
    mode: value(get, 'mode') as Mode,
    postgres: value(get, 'postgres') as GateConfig['postgres'],
    postgresVersion,
    postgresImage: value(get, 'postgres-image') || defaultPostgresImage(postgresVersion.version),
    databaseUrlEnv: value(get, 'database-url-env')
      .split(/[,\s]+/)
      .filter(Boolean),
    databasePartsEnv: parsePartsEnv(value(get, 'database-parts-env')),
    stepTimeoutSeconds: positiveNumber('step-timeout', value(get, 'step-timeout')),
    replayWorkers: workers(value(get, 'replay-workers')),
    irreversibleSeverity: value(get, 'irreversible-severity') as Severity,
    allowIrreversible: parseAllowList(value(get, 'allow-irreversible')),
    modelPaths: list(value(get, 'model-paths')),
    migrationPaths: list(value(get, 'migration-paths')),
    strict: value(get, 'strict') === 'true',
    migrationEditedSeverity: value(get, 'migration-edited-severity') as Severity,
    noMigrationLabel: value(get, 'no-migration-label'),
    modelDrift: value(get, 'model-drift') === 'true',
    compareServerDefault: value(get, 'compare-server-default') === 'true',
    liveExpect: value(get, 'live-expect') as LiveExpect,
    livePredict: value(get, 'live-predict') === 'true',
    liveIgnore: parseLiveIgnore(value(get, 'live-ignore')),
    liveDriftSeverity: value(get, 'live-drift-severity') as Severity | 'off',
    lint: {
      level: lintLevel(value(get, 'lint')),
      rules: parseLintRules(value(get, 'lint-rules')),
      allow: parseLintAllow(value(get, 'lint-allow')),
    },
  }
  const opt = {
    config: optional('config'),
    databaseUrl: optional('database-url'),
    pgBin: optional('pg-bin'),
    python: optional('python'),
    djangoSettings: optional('django-settings'),
    reportJson: optional('report-json'),
    sarif: optional('sarif'),
    baseRef: optional('base-ref'),
    liveDatabaseUrl: optional('live-database-url'),
    liveDatabaseUrlEnv: optional('live-database-url-env'),
  }
  for (const [k, v] of Object.entries(opt)) if (v !== undefined) Object.assign(config, { [k]: v })
  // A path given relative to where the gate was started (venv/bin/python), not to the directory the
  // interpreter is later probed from; a bare name (python3) is looked up on PATH.
  if (config.python?.includes('/')) config.python = resolve(config.python)
  // Found out now, not after a whole replay whose verdict would then be lost.
  if (config.reportJson) checkOutputFile('report-json', config.reportJson)
  if (config.sarif) checkOutputFile('sarif', config.sarif)
  if (config.postgres === 'url' && !config.databaseUrl) {
    throw new GateError('database-url: required when postgres is "url"', 'database-url')
  }
  checkLiveInputs(config)
  return config
}

/**
 * The live inputs make sense only together: a URL (or the variable holding it) with mode live, and
 * mode live with one of them. The URL itself is never repeated in a message: it carries a password.
 */
function checkLiveInputs(config: GateConfig): void {
  const { liveDatabaseUrl: url, liveDatabaseUrlEnv: env } = config
  if (config.mode !== 'live') {
    const given = url
      ? 'live-database-url'
      : env
        ? 'live-database-url-env'
        : config.liveExpect !== 'any'
          ? 'live-expect'
          : !config.livePredict
            ? 'live-predict'
            : undefined
    if (given) throw new GateError(`${given}: only used with mode live (mode is ${config.mode})`, given)
    return
  }
  if (url && env) {
    throw new GateError(
      'live-database-url: give either live-database-url or live-database-url-env, not both',
      'live-database-url',
    )
  }
  if (!url && !env) {
    throw new GateError(
      'live-database-url: required when mode is live (or live-database-url-env, naming the environment variable that holds it)',
      'live-database-url',
    )
  }
  if (env && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(env)) {
    throw new GateError(`live-database-url-env: "${env}" is not an environment variable name`, 'live-database-url-env')
  }
  if (url) checkLiveUrl(url, 'live-database-url')
}

/** The action-only inputs (no CLI flag): what main.ts needs besides the GateConfig. */
export interface ActionInputs {
  /** Post one sticky PR comment with the findings. */
  comment: boolean
  /** Token for the comment; undefined when none was given. */
  githubToken?: string
}

export function readActionInputs(get: (name: string) => string | undefined): ActionInputs {
  const token = value(get, 'github-token')
  // action.yml's default is an expression the runner resolves; read outside a runner it stays literal.
  const usable = token && !token.startsWith('${{')
  return { comment: value(get, 'comment') === 'true', ...(usable ? { githubToken: token } : {}) }
}
