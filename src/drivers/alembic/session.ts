// The Node side of the Alembic helper: one Python process per database for the whole run, JSON
// lines over stdin/stdout. A step that outlives the step timeout is stopped: the process is killed,
// the database sessions it left are terminated (the database is the gate's own), and a fresh
// helper takes over for the next command.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { TIMED_OUT, withDeadline } from '../../deadline.js'
import { GateError } from '../../errors.js'
import type { UrlPart } from '../../inputs.js'
import type {
  DriftItem,
  MigrationSession,
  ModelDrift,
  SentStatement,
  StepError,
  StepOptions,
  StepResult,
} from '../driver.js'
import { buildObservation, OBSERVE_QUERIES, type ObservedReply } from '../observation.js'
import { BACKGROUND_NICE, JsonLinesHelper, terminateSessions, type HelperReply } from '../helper-process.js'
import type { ResourceTracker } from '../../resource-tracker.js'
import type { SpareHelpers } from './spare-helper.js'

export interface HelperOptions {
  python: string
  iniPath: string
  projectDir: string
  /** Overrides script_location (Flask-Migrate's ini has none). */
  scriptLocation?: string
  /** Run inside the Flask app's context (Flask-Migrate). */
  flask?: boolean
  /** Environment variables that receive the scratch database URL. */
  urlEnv: string[]
  /** Environment variables that receive one part of it each (PGHOST=host, ...). */
  partsEnv: Array<[string, UrlPart]>
  stepTimeoutSeconds: number
  /** The run's tracker: every helper is killed, its process group and all, on every path out. */
  resources: ResourceTracker
}

interface Reply extends HelperReply {
  ms?: number
  statements?: number
  heads?: string[]
  drift?: DriftItem[] | null
  tables?: Record<string, string | null> | null
  error?: StepError
  /** Processes the step left running (the helper stopped them), as command lines. */
  background?: string[]
  /** An observed step's statements (helper.py Observation). */
  sent?: SentStatement[]
  /** An observed step's readings, when it succeeded; the StepObservation is built from them here. */
  observed?: ObservedReply & {
    /** The version table as env.py configured it (schema.name when it names a schema). */
    version_table: string
  }
  alembic?: string
  sqlalchemy?: string
}

/** dist/alembic_helper.py beside the bundle (this code may sit in dist/chunks/), or helper.py beside this source. */
export function helperPath(): string {
  for (const name of ['./alembic_helper.py', '../alembic_helper.py', './helper.py']) {
    const p = fileURLToPath(new URL(name, import.meta.url))
    if (existsSync(p)) return p
  }
  throw new Error('alembic helper script not found beside the gate (dist/alembic_helper.py)')
}

/** An Alembic helper: the generic process (helper-process.ts) started with the Alembic helper's arguments. */
export class HelperProcess extends JsonLinesHelper<Reply> {
  /** `url` undefined: a spare, which imports Alembic and waits for begin() (spare-helper.ts). */
  constructor(opts: Omit<HelperOptions, 'stepTimeoutSeconds'>, url: string | undefined) {
    const args = ['--config', opts.iniPath, '--project', opts.projectDir]
    if (url === undefined) args.push('--await-url')
    for (const name of opts.urlEnv) args.push('--url-env', name)
    for (const [name, part] of opts.partsEnv) args.push('--parts-env', `${name}=${part}`)
    if (opts.scriptLocation) args.push('--script-location', opts.scriptLocation)
    if (opts.flask) args.push('--flask')
    super({
      tool: 'Alembic',
      python: opts.python,
      script: helperPath(),
      args,
      projectDir: opts.projectDir,
      resources: opts.resources,
      ...(url === undefined ? {} : { url }),
    })
  }
}

/** env.py (or a revision file, or the Flask app) failed before the first step: nothing can run. */
export class EnvironmentLoadError extends GateError {
  constructor(readonly failure: StepError) {
    const where = failure.file ? ` (${failure.file}${failure.line ? `:${failure.line}` : ''})` : ''
    super(`alembic: cannot load the migration environment${where}: ${failure.message}`, 'python')
    this.name = 'EnvironmentLoadError'
  }
}

export interface HelperInfo {
  alembic: string
  sqlalchemy: string
}

export class AlembicSession implements MigrationSession {
  private helper: HelperProcess | undefined
  info: HelperInfo | undefined
  /** The last start took a spare helper (spare-helper.ts) instead of starting a process. */
  fromSpare = false

  constructor(
    private readonly opts: HelperOptions,
    private readonly url: string,
    /** Where a helper already started may come from (a spare), instead of a new process. */
    private readonly spares?: SpareHelpers<HelperProcess>,
  ) {}

  /** Starts the helper; a project whose env.py or revisions cannot load gives one clear error. */
  async start(): Promise<void> {
    const spare = this.spares?.take(this.url)
    this.fromSpare = spare !== undefined
    const helper = spare ?? new HelperProcess(this.opts, this.url)
    // Loading env.py and the revisions gets the step timeout too: an env.py that waits forever (a
    // sleep, a lock, a server that never answers) must end the run, not hang it.
    const seconds = this.opts.stepTimeoutSeconds
    const first = await withDeadline(helper.ready, seconds * 1000)
    if (first === TIMED_OUT) {
      await helper.kill()
      throw new EnvironmentLoadError({
        message: `env.py (with the revision files it loads) did not get to run_migrations() within the step timeout of ${seconds} s and was stopped`,
        kind: 'timeout',
      })
    }
    if (first.event !== 'ready') {
      await helper.kill()
      throw new EnvironmentLoadError(first.error ?? { message: 'unknown error' })
    }
    this.info = { alembic: first.alembic ?? '', sqlalchemy: first.sqlalchemy ?? '' }
    this.helper = helper
    if (this.background) helper.setNice(BACKGROUND_NICE)
    // After this one is up, not beside it: a spare's start would compete with it for the cores.
    this.spares?.opening(() => new HelperProcess(this.opts, undefined))
  }

  /** A helper started later (after a crash or a timeout) gets the same priority. */
  private background = false

  setBackground(background: boolean): void {
    this.background = background
    this.helper?.setNice(background ? BACKGROUND_NICE : 0)
  }

  upgrade(target: string, options?: StepOptions): Promise<StepResult> {
    return this.step('upgrade', target, options?.observe === true)
  }

  downgrade(revision: string): Promise<StepResult> {
    return this.step('downgrade', revision)
  }

  private async step(cmd: 'upgrade' | 'downgrade', revision: string, observe = false): Promise<StepResult> {
    const helper = await this.running()
    const t0 = performance.now()
    // The queries travel with the command: one text for both drivers (observation.ts).
    const command = observe ? { cmd, revision, observe: OBSERVE_QUERIES } : { cmd, revision }
    const reply = await helper.request(command, this.opts.stepTimeoutSeconds * 1000)
    const ms = Math.round(performance.now() - t0)
    if (reply === 'timeout') {
      await this.recoverFromTimeout()
      return {
        ok: false,
        ms,
        error: { message: `stopped after the step timeout of ${this.opts.stepTimeoutSeconds} s`, kind: 'timeout' },
      }
    }
    const background = reply.background?.length ? { background: reply.background } : {}
    const sent = observe && reply.sent ? { sent: reply.sent } : {}
    if (reply.ok) {
      const o = observe ? reply.observed : undefined
      const observed =
        o && o.watermark !== null
          ? { observed: buildObservation({ ...o, watermark: o.watermark, bookkeeping: [o.version_table] }) }
          : observe
            ? { observed: { locks: [], rewritten: [], created: [], locksComplete: false } }
            : {}
      return { ok: true, ms, statements: reply.statements ?? 0, ...sent, ...observed, ...background }
    }
    return { ok: false, ms, error: reply.error ?? { message: 'unknown error', kind: 'error' }, ...sent, ...background }
  }

  async current(): Promise<string[]> {
    const helper = await this.running()
    const reply = await helper.request({ cmd: 'current' }, 60_000)
    if (reply === 'timeout' || !reply.ok) throw new Error('could not read the current revision')
    return reply.heads ?? []
  }

  /** Alembic's compare_metadata between env.py's target_metadata and the database as it is now. */
  async modelDrift(options: { compareServerDefault: boolean }): Promise<ModelDrift | null> {
    const helper = await this.running()
    const reply = await helper.request(
      { cmd: 'drift', compare_server_default: options.compareServerDefault },
      this.opts.stepTimeoutSeconds * 1000,
    )
    if (reply === 'timeout') throw new Error('comparing the models with the database timed out')
    if (!reply.ok) {
      const e = reply.error
      throw new Error(
        `comparing the models failed${e?.file ? ` (${e.file}:${e.line ?? ''})` : ''}: ${e?.message ?? ''}`,
      )
    }
    if (!reply.drift) return null
    return { items: reply.drift, declaredIn: reply.tables ?? {} }
  }

  async close(): Promise<void> {
    await this.helper?.stop()
    this.helper = undefined
    this.spares?.sessionClosed()
  }

  /** The helper process is restarted if it died (after a timeout, or a crash in user code). */
  private async running(): Promise<HelperProcess> {
    if (!this.helper?.alive) await this.start()
    return this.helper as HelperProcess
  }

  private async recoverFromTimeout(): Promise<void> {
    await this.helper?.kill()
    this.helper = undefined
    await terminateSessions(this.url)
  }
}
