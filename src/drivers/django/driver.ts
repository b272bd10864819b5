// The Django driver: the project's apps read from its settings, every app's migrations parsed
// without importing them, the graph as Django's loader builds it, and the git checks' layout (no
// Python runs for those); the replay through a long-lived Django helper per scratch database
// (session.ts), which also says at head what makemigrations would write (model-drift). Mode live
// reads django_migrations (live.ts) and composes the pending migrations' SQL without a database
// (pending-sql.ts).
import path from 'node:path'
import type { UrlPart } from '../../inputs.js'
import type { Logger } from '../../logger.js'
import { GateError } from '../../errors.js'
import type { ResourceTracker } from '../../resource-tracker.js'
import {
  SessionStartTimeout,
  type LiveReader,
  type LiveState,
  type MigrationDriver,
  type MigrationLayout,
  type MigrationSession,
  type PendingSql,
  type PendingSqlRequest,
  type SessionOptions,
} from '../driver.js'
import { findPython, importsAny } from '../python.js'
import { djangoLayout } from './git-layout.js'
import { readDjangoGraph, type DjangoGraph } from './graph.js'
import { DJANGO_MIGRATIONS, djangoLiveWording, readDjangoLiveState } from './live.js'
import { djangoPendingSql } from './pending-sql.js'
import { readDjangoProject, type DjangoProject } from './settings.js'
import { databaseEnvironment, DjangoSession, DjangoStartError } from './session.js'
import { djangoStartFailure, nodesDisagree } from './start-failure.js'
import { djangoModelsWording } from './models-wording.js'
import { djangoWording } from './wording.js'

export interface DjangoDriverOptions {
  projectDir: string
  /** The `django-settings` input: the settings module, instead of manage.py's default. */
  settings?: string
  /** The `python` input. */
  python?: string
  /** The variables that get the scratch database's URL, and those that get one part each (none by default). */
  databaseUrlEnv?: string[]
  databasePartsEnv?: Array<[string, UrlPart]>
  logger: Logger
}

/** A database URL that leads nowhere, for settings read while composing SQL without a database. */
const NOWHERE = 'postgresql://migration-gate@127.0.0.1:1/migration_gate_offline'

/** The database drivers Django's postgresql backend can use (psycopg 3 from Django 4.2). */
const PG_DRIVERS = ['psycopg2', 'psycopg']

export class DjangoDriver implements MigrationDriver {
  readonly tool = 'django'
  readonly bookkeepingTables = [DJANGO_MIGRATIONS]
  readonly chainWording = djangoWording
  readonly models = djangoModelsWording
  readonly liveWording = djangoLiveWording
  private project: DjangoProject | undefined
  /**
   * mode live: the migrations of apps outside the project the live database has applied
   * (`sessions.0001_initial`, `admin.0003_logentry_add_action_flag_choices`). Every session opened
   * after readLiveState starts with them applied, so the schema the chain builds has their tables as
   * production does: they are Django's and the packages' migrations, not the project's, and no project
   * migration may need them (sessions, admin).
   */
  private liveOutside: string[] = []
  private read: DjangoGraph | undefined
  private python: Promise<string> | undefined

  constructor(private readonly options: DjangoDriverOptions) {}

  /** The apps and settings as read (once per run). */
  djangoProject(): DjangoProject {
    this.project ??= readDjangoProject(this.options.projectDir, this.options.settings)
    return this.project
  }

  async graph(): Promise<DjangoGraph> {
    if (!this.read) {
      const project = this.djangoProject()
      this.read = { ...readDjangoGraph(project), notes: [...project.notes] }
      const apps = project.apps.filter((a) => a.migrationsDir).map((a) => a.label)
      this.options.logger.debug(`django: ${this.read.nodes.length} migrations in apps ${apps.join(', ') || '(none)'}`)
    }
    return this.read
  }

  gitLayout(): MigrationLayout {
    // graph() runs first in every run (the static phase); the layout needs its migrations.
    if (!this.read) throw new Error('django: gitLayout() before graph()')
    return djangoLayout(this.djangoProject(), this.read)
  }

  /** The interpreter that imports Django and a PostgreSQL driver for it, found once per run. */
  interpreter(): Promise<string> {
    this.python ??= (async () => {
      const python = await findPython('django', this.options.projectDir, this.options.python)
      if (!(await importsAny(python, PG_DRIVERS)))
        throw new GateError(
          `python: ${python} imports django but neither psycopg2 nor psycopg, which Django needs for PostgreSQL (install psycopg2-binary there, or set python to the project's interpreter)`,
          'python',
        )
      return python
    })()
    return this.python
  }

  async prepare(_context?: { resources: ResourceTracker }): Promise<void> {
    const python = await this.interpreter()
    this.options.logger.info(`python: ${python}`)
    this.settingsModule()
  }

  private settingsModule(): string {
    const module = this.djangoProject().settingsModule
    if (!module)
      throw new GateError(
        'django-settings: the settings module is unknown (manage.py sets no DJANGO_SETTINGS_MODULE default); set django-settings to it, e.g. mysite.settings',
        'django-settings',
      )
    return module
  }

  /** mode live: the applied migrations django_migrations records on the live database. */
  async readLiveState(reader: LiveReader): Promise<LiveState> {
    const { outside, ...state } = await readDjangoLiveState(await this.graph(), reader)
    this.liveOutside = outside
    return state
  }

  /**
   * mode live: each pending migration's SQL as sqlmigrate writes it, composed without a database
   * (the settings' database variables hold one that leads nowhere).
   */
  async pendingSql(request: PendingSqlRequest): Promise<PendingSql[]> {
    const revisions = request.pending.map((n) => n.id)
    const prepared = await this.interpreter()
      .then((python) => ({ python, settings: this.settingsModule() }))
      .catch((error: unknown) => (error instanceof Error ? error.message : String(error)))
    if (typeof prepared === 'string')
      return revisions.map((revision) => ({ revision, note: `SQL unavailable: ${prepared}` }))
    return djangoPendingSql({
      python: prepared.python,
      projectDir: this.options.projectDir,
      settingsModule: prepared.settings,
      revisions,
      environment: databaseEnvironment(NOWHERE, this.options.databaseUrlEnv ?? [], this.options.databasePartsEnv ?? []),
      timeoutMs: request.timeoutSeconds * 1000,
      resources: request.resources,
    })
  }

  async open(databaseUrl: string, options: SessionOptions): Promise<MigrationSession> {
    const project = this.djangoProject()
    const graph = await this.graph()
    const python = await this.interpreter()
    const session = new DjangoSession(
      {
        python,
        projectDir: this.options.projectDir,
        settingsModule: this.settingsModule(),
        apps: project.apps.filter((a) => a.migrationsDir).map((a) => a.label),
        outside: this.liveOutside,
        urlEnv: this.options.databaseUrlEnv ?? [],
        partsEnv: this.options.databasePartsEnv ?? [],
        stepTimeoutSeconds: options.stepTimeoutSeconds,
        resources: options.resources,
      },
      databaseUrl,
    )
    const settingsFile = project.settingsFile
      ? path.relative(this.options.projectDir, project.settingsFile).split(path.sep).join('/')
      : undefined
    let ready
    try {
      ready = await session.start()
    } catch (error) {
      if (!(error instanceof DjangoStartError)) throw error
      if (error.failure.kind === 'timeout')
        throw new SessionStartTimeout(error.failure.message, settingsFile, 'the settings (or an app they install)')
      throw djangoStartFailure(error.failure, python)
    }
    // The gate replays its own graph's nodes: Django's loader must have exactly those.
    const disagreement = nodesDisagree(
      graph.nodes.map((n) => n.id),
      ready.nodes ?? [],
    )
    if (disagreement) {
      await session.close()
      throw new GateError(disagreement, 'working-directory')
    }
    this.options.logger.debug(`django ${ready.django ?? '?'} (settings engine ${ready.engine ?? '?'})`)
    return session
  }
}
