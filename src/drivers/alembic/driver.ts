// The Alembic (and Flask-Migrate) driver: the static graph from the revision files, and a session
// per database through the long-lived Python helper.
import { existsSync } from 'node:fs'
import path from 'node:path'
import type { UrlPart } from '../../inputs.js'
import type { Logger } from '../../logger.js'
import {
  SessionStartTimeout,
  type ChainWording,
  type CrossCheck,
  type LiveReader,
  type LiveState,
  type LiveWording,
  type MigrationDriver,
  type MigrationLayout,
  type MigrationSession,
  type ModelsWording,
  type PendingSql,
  type PendingSqlRequest,
  type RevisionGraph,
  type SessionOptions,
} from '../driver.js'
import { findPython, pythonCandidates } from '../python.js'
import { pycCacheDir } from '../../cache-dir.js'
import type { ResourceTracker } from '../../resource-tracker.js'
import { readAlembicConfig, type AlembicConfig } from './config.js'
import { LOADED_ONLINE_WORDING, startCrossCheck } from './crosscheck.js'
import { alembicLayout } from './git-layout.js'
import { alembicLiveWording, readAlembicLiveState } from './live.js'
import { alembicVersionTable } from './version-table.js'
import { readAlembicGraph } from './graph.js'
import { envVarsReadByEnvPy } from './env-vars.js'
import { alembicModelsWording } from './models-wording.js'
import { alembicOfflineSql } from './offline-sql.js'
import { SpareHelpers } from './spare-helper.js'
import { AlembicSession, EnvironmentLoadError, HelperProcess, type HelperOptions } from './session.js'
import { explainStartFailure } from './start-failure.js'
import { alembicWordingFor } from './wording.js'

export interface AlembicDriverOptions {
  projectDir: string
  config?: string
  python?: string
  databaseUrlEnv: string[]
  /** Variables that get one part of the URL each (PGHOST=host, ...). */
  databasePartsEnv: Array<[string, UrlPart]>
  logger: Logger
}

/**
 * The variables the helper would get, pointing at a port nothing listens on: the cross-check runs
 * env.py offline, where a URL must exist but must never lead anywhere.
 */
function unreachableDatabaseEnv(urlEnv: string[], partsEnv: Array<[string, UrlPart]>): Record<string, string> {
  const parts: Record<UrlPart, string> = {
    host: '127.0.0.1',
    port: '1',
    user: 'migration-gate',
    password: '',
    database: 'migration_gate_cross_check',
  }
  const url = `postgresql://${parts.user}@${parts.host}:${parts.port}/${parts.database}`
  return {
    MIGRATION_GATE_CROSSCHECK_URL: url,
    ...Object.fromEntries(urlEnv.map((name) => [name, url])),
    ...Object.fromEntries(partsEnv.map(([name, part]) => [name, parts[part]])),
  }
}

export class AlembicDriver implements MigrationDriver {
  readonly tool: string
  readonly bookkeepingTables: string[]
  readonly config: AlembicConfig
  readonly chainWording: ChainWording
  readonly models: ModelsWording
  readonly loadedOnlineWording = LOADED_ONLINE_WORDING
  readonly liveWording: LiveWording
  private python: Promise<string> | undefined
  /** A helper started ahead of the next session, once databases are being rebuilt. */
  private readonly spares = new SpareHelpers<HelperProcess>()

  constructor(private readonly options: AlembicDriverOptions) {
    this.config = readAlembicConfig(options.projectDir, options.config)
    this.tool = this.config.flaskMigrate ? 'flask-migrate' : 'alembic'
    // env.py may rename the version table: context.configure(version_table="...").
    this.bookkeepingTables = [alembicVersionTable(this.config).table]
    this.liveWording = alembicLiveWording(this.config)
    this.chainWording = alembicWordingFor(this.config)
    this.models = alembicModelsWording(this.config)
  }

  graph(): Promise<RevisionGraph> {
    return readAlembicGraph(this.config)
  }

  /** The interpreter, found once per run. */
  interpreter(): Promise<string> {
    this.python ??= findPython(
      this.config.flaskMigrate ? 'flask_migrate' : 'alembic',
      this.config.projectDir,
      this.options.python,
    )
    return this.python
  }

  async prepare(context?: { resources: ResourceTracker }): Promise<void> {
    // The first database's helper: its interpreter and imports start now, beside the interpreter
    // check, the static reading and the server's start, instead of after the database exists. On the
    // interpreter the check will most likely settle on (the one given, else the first that exists);
    // if it settles on another, that one's spare replaces it.
    const warm = (python: string) =>
      context &&
      this.spares.warm(() => new HelperProcess(this.helperOptions(python, context.resources), undefined), python)
    const exists = (p: string) => !p.includes('/') || existsSync(p)
    const given = this.options.python
    const guess = given ? (exists(given) ? given : undefined) : pythonCandidates(this.config.projectDir).find(exists)
    if (guess) warm(guess)
    const python = await this.interpreter()
    this.options.logger.info(`python: ${python}`)
    warm(python)
  }

  /** How every helper of this project is started. */
  private helperOptions(python: string, resources: ResourceTracker): Omit<HelperOptions, 'stepTimeoutSeconds'> {
    return {
      python,
      iniPath: this.config.iniPath,
      projectDir: this.config.projectDir,
      ...(this.config.scriptLocationOverride ? { scriptLocation: this.config.scriptLocationOverride } : {}),
      flask: this.config.flaskMigrate,
      urlEnv: this.options.databaseUrlEnv,
      partsEnv: this.options.databasePartsEnv,
      resources,
    }
  }

  /** How the git checks see an Alembic project: revision files, model files, the fix command. */
  gitLayout(): MigrationLayout {
    return alembicLayout(this.config)
  }

  /**
   * Alembic's own heads, where an interpreter with alembic exists; silent where none does. The
   * candidates are tried by the cross-check itself (no separate probe importing alembic first).
   */
  startCrossCheck(resources: ResourceTracker, how: { background: boolean }): CrossCheck {
    const run = startCrossCheck({
      python: this.options.python || pythonCandidates(this.config.projectDir),
      config: this.config,
      flask: this.config.flaskMigrate,
      environment: unreachableDatabaseEnv(this.options.databaseUrlEnv, this.options.databasePartsEnv),
      resources,
      background: how.background,
      pycCache: pycCacheDir(),
    })
    return {
      judge: async (staticHeads, staticFindings) => {
        const result = await run.judge(staticHeads, staticFindings)
        if (result.reason) this.options.logger.debug(`cross-check skipped: ${result.reason}`)
        return result.findings
      },
    }
  }

  /** mode live: the live database's alembic_version (as env.py names it). */
  readLiveState(reader: LiveReader): Promise<LiveState> {
    return readAlembicLiveState(this.config, reader)
  }

  /**
   * mode live: each pending revision's SQL from Alembic's offline mode, upgraded from its parents
   * (the first from where the live database stands), with env.py given a URL that leads nowhere.
   */
  async pendingSql(request: PendingSqlRequest): Promise<PendingSql[]> {
    const steps = request.pending.map((n) => ({ revision: n.id, from: n.parents }))
    const python = await this.interpreter().catch((error: unknown) => error)
    if (typeof python !== 'string') {
      const why = python instanceof Error ? python.message : String(python)
      return steps.map(({ revision }) => ({ revision, note: `offline SQL unavailable: ${why}` }))
    }
    return alembicOfflineSql({
      python,
      config: this.config,
      steps,
      flask: this.config.flaskMigrate,
      environment: unreachableDatabaseEnv(this.options.databaseUrlEnv, this.options.databasePartsEnv),
      timeoutMs: request.timeoutSeconds * 1000,
      resources: request.resources,
    })
  }

  release(): Promise<void> {
    return this.spares.stop()
  }

  async open(databaseUrl: string, options: SessionOptions): Promise<MigrationSession> {
    const session = new AlembicSession(
      {
        ...this.helperOptions(await this.interpreter(), options.resources),
        stepTimeoutSeconds: options.stepTimeoutSeconds,
      },
      databaseUrl,
      this.spares,
    )
    try {
      await session.start()
    } catch (error) {
      if (!(error instanceof EnvironmentLoadError)) throw error
      const envPy = path
        .relative(this.config.projectDir, path.join(this.config.scriptLocation, 'env.py'))
        .split(path.sep)
        .join('/')
      if (error.failure.kind === 'timeout') {
        throw new SessionStartTimeout(error.failure.message, envPy, 'env.py (or a module it imports)')
      }
      const exited = /^the Alembic helper exited \(([^)]*)\)/.exec(error.failure.message)
      if (exited) {
        // os._exit() (or a crash) while loading: Python had no chance to say where. The helper named
        // the file Alembic was loading; else it was env.py or what it imports.
        const file = error.failure.file
        throw new EnvironmentLoadError({
          message: `the Python process ended (${exited[1]}) while ${file ? 'Alembic loaded this file' : 'env.py and the revision files it imports were loading'}, before the first step; look for os._exit() or a crash at import there`,
          file: file ?? envPy,
        })
      }
      throw explainStartFailure(error, {
        python: await this.interpreter(),
        urlEnv: this.options.databaseUrlEnv,
        partsEnv: this.options.databasePartsEnv,
        envVarsRead: () => envVarsReadByEnvPy(this.config),
      })
    }
    const spare = session.fromSpare ? ' (a spare helper, started ahead)' : ''
    this.options.logger.debug(`alembic ${session.info?.alembic}, SQLAlchemy ${session.info?.sqlalchemy}${spare}`)
    return session
  }
}
