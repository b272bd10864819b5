// The Node side of the Django helper (helper.py beside this file): one Python process per scratch
// database, django.setup() once, one MigrationExecutor call a step. A step that outlives the step
// timeout is stopped as the Alembic driver stops it: the helper's process group is killed, the
// database's sessions terminated, and a fresh helper takes the next command.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { TIMED_OUT, withDeadline } from '../../deadline.js'
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

/**
 * Django's own bookkeeping: the recorder's table and the sequence of its id, which its INSERT
 * draws from (the table's index goes with the table). Their locks are the tool's, not the migration's.
 */
const BOOKKEEPING = ['django_migrations', 'django_migrations_id_seq']

interface Reply extends HelperReply {
  ms?: number
  statements?: number
  heads?: string[]
  background?: string[]
  /** drift: what makemigrations would write, and every table the project's models declare -> its file. */
  drift?: DriftItem[]
  tables?: Record<string, string | null>
  /** ready: Django's version, the settings' own engine, and the project's migrations as its loader has them. */
  django?: string
  engine?: string
  nodes?: string[]
  /** An observed step's statements (helper.py StepObserver). */
  sent?: SentStatement[]
  /** An observed step's readings, when it succeeded; the StepObservation is built from them here. */
  observed?: ObservedReply
}

export interface DjangoHelperOptions {
  python: string
  projectDir: string
  settingsModule: string
  /** Labels of the apps whose code (and migrations) are in the project: the gate's nodes. */
  apps: string[]
  /** Migrations of apps outside the project to apply before anything else (mode live: production's). */
  outside?: string[]
  /** Environment variables that receive the scratch database URL (DATABASE_URL by default). */
  urlEnv: string[]
  /** Environment variables that receive one part of it each (PGHOST=host, ...). */
  partsEnv: Array<[string, UrlPart]>
  stepTimeoutSeconds: number
  resources: ResourceTracker
}

/** dist/django_helper.py beside the bundle (this code may sit in dist/chunks/), or helper.py beside this source. */
export function djangoHelperPath(): string {
  for (const name of ['./django_helper.py', '../django_helper.py', './helper.py']) {
    const p = fileURLToPath(new URL(name, import.meta.url))
    if (existsSync(p)) return p
  }
  throw new Error('django helper script not found beside the gate (dist/django_helper.py)')
}

/** The variables a settings module may read the database from, all pointing at the scratch database. */
export function databaseEnvironment(
  url: string,
  urlEnv: string[],
  partsEnv: Array<[string, UrlPart]>,
): Record<string, string> {
  const u = new URL(url)
  const parts: Record<UrlPart, string> = {
    host: decodeURIComponent(u.hostname),
    port: u.port || '5432',
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)),
  }
  const env: Record<string, string> = {}
  for (const name of urlEnv) env[name] = url
  for (const [name, part] of partsEnv) env[name] = parts[part]
  return env
}

/** Why a helper could not start: the settings, an app or a migration file failed to load. */
export class DjangoStartError extends Error {
  constructor(readonly failure: StepError) {
    super(failure.message)
    this.name = 'DjangoStartError'
  }
}

export class DjangoSession implements MigrationSession {
  private helper: JsonLinesHelper<Reply> | undefined
  /** What the first helper said when ready (Django's version, the project's migrations). */
  info: Reply | undefined

  constructor(
    private readonly opts: DjangoHelperOptions,
    private readonly url: string,
  ) {}

  /** Starts the helper; settings that hang get the step timeout, as a hanging step does. */
  async start(): Promise<Reply> {
    const helper = new JsonLinesHelper<Reply>({
      tool: 'Django',
      python: this.opts.python,
      script: djangoHelperPath(),
      args: [
        '--project',
        this.opts.projectDir,
        '--settings',
        this.opts.settingsModule,
        ...this.opts.apps.flatMap((label) => ['--app', label]),
        ...(this.opts.outside ?? []).flatMap((node) => ['--outside', node]),
      ],
      projectDir: this.opts.projectDir,
      url: this.url,
      env: databaseEnvironment(this.url, this.opts.urlEnv, this.opts.partsEnv),
      resources: this.opts.resources,
    })
    const seconds = this.opts.stepTimeoutSeconds
    const first = await withDeadline(helper.ready, seconds * 1000)
    if (first === TIMED_OUT) {
      await helper.kill()
      throw new DjangoStartError({
        message: `django.setup() with the settings and the apps it imports did not finish within the step timeout of ${seconds} s and was stopped`,
        kind: 'timeout',
      })
    }
    if (first.event !== 'ready') {
      await helper.kill()
      throw new DjangoStartError(first.error ?? { message: 'unknown error' })
    }
    this.helper = helper
    if (this.background) helper.setNice(BACKGROUND_NICE)
    this.info ??= first
    return first
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
    // The queries travel with the command: one text for every driver (observation.ts).
    const command = observe ? { cmd, revision, observe: OBSERVE_QUERIES } : { cmd, revision }
    const reply = await helper.request(command, this.opts.stepTimeoutSeconds * 1000)
    const ms = Math.round(performance.now() - t0)
    if (reply === 'timeout') {
      await helper.kill()
      this.helper = undefined
      await terminateSessions(this.url)
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
          ? { observed: buildObservation({ ...o, watermark: o.watermark, bookkeeping: BOOKKEEPING }) }
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
    if (reply === 'timeout' || !reply.ok) throw new Error('could not read the applied Django migrations')
    return reply.heads ?? []
  }

  /**
   * What `makemigrations --check --dry-run` would write for the project's apps, one item per
   * operation (django_drift.py). Django compares the migration files' state with the models, not
   * the database: server defaults (compareServerDefault) have no counterpart and are not compared.
   */
  async modelDrift(): Promise<ModelDrift | null> {
    if (this.opts.apps.length === 0) return null
    const helper = await this.running()
    const reply = await helper.request({ cmd: 'drift' }, this.opts.stepTimeoutSeconds * 1000)
    if (reply === 'timeout') throw new Error('comparing the models with the migrations timed out')
    if (!reply.ok) {
      const e = reply.error
      throw new Error(
        `comparing the models failed${e?.file ? ` (${e.file}:${e.line ?? ''})` : ''}: ${e?.message ?? ''}`,
      )
    }
    return { items: reply.drift ?? [], declaredIn: reply.tables ?? {} }
  }

  async close(): Promise<void> {
    await this.helper?.stop()
    this.helper = undefined
  }

  /** The helper is restarted if it died (after a timeout, or a crash in user code). */
  private async running(): Promise<JsonLinesHelper<Reply>> {
    if (!this.helper?.alive) await this.start()
    return this.helper as JsonLinesHelper<Reply>
  }
}
