// The Node side of the Alembic helper: one Python process per database for the whole run, JSON
// lines over stdin/stdout. A step that outlives the step timeout is stopped: the process is killed,
// the database sessions it left are terminated (the database is the gate's own), and a fresh
// helper takes over for the next command.
import { spawn, type ChildProcess } from 'node:child_process'
import type { Readable, Writable } from 'node:stream'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'
import pg from 'pg'
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
import {
  BEFORE_SQL,
  buildObservation,
  locksSql,
  locksStatement,
  RELATIONS_SQL,
  type LockRow,
  type RelationRow,
} from '../observation.js'
import { migrationApplicationName, PROBE_APPLICATION_NAME } from '../../postgres/names.js'
import type { ResourceTracker } from '../../resource-tracker.js'
import type { SpareHelpers } from './spare-helper.js'

/** What helper.py's Observation runs (observation.ts), with the names to prepare the locks query under. */
const OBSERVE_QUERIES = {
  before: BEFORE_SQL,
  relations: RELATIONS_SQL,
  locks: { text: locksSql(false), name: locksStatement(false) },
  locks_logged: { text: locksSql(true), name: locksStatement(true) },
}

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

interface Reply {
  id?: number
  event?: 'ready' | 'fatal'
  ok?: boolean
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
  observed?: {
    /** Null when the reading before the step failed: nothing can be told then. */
    watermark: string | number | null
    /** Read only without the DDL log (observation.ts Readings.before). */
    before?: RelationRow[]
    /** Read only when the locks are incomplete (observation.ts Readings.after). */
    after?: RelationRow[]
    locks: LockRow[]
    complete: boolean
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

/** The helper's stderr line naming the file Alembic is loading (helper.py announce_loading). */
const LOADING = '@@migration-gate-loading@@'

/** The protocol pipe the helper watches: when the gate's end closes (the gate died), the helper's group ends. */
const WATCHDOG_FD = 3

/** The database a postgresql:// URL names. */
function databaseOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname.slice(1))
  } catch {
    return ''
  }
}

export class HelperProcess {
  private readonly child: ChildProcess
  private readonly stdin: Writable
  private readonly stdout: Readable
  private readonly stderr: Readable
  private readonly unregister: () => void
  private readonly waiting = new Map<number, (r: Reply) => void>()
  private nextId = 1
  private stderrTail: string[] = []
  readonly ready: Promise<Reply>
  private exited = false
  /** The file the helper announced it is loading (absolute), until it says it is done. */
  private loading: string | undefined
  private readonly projectDir: string

  /** `url` undefined: a spare, which imports Alembic and waits for begin() (spare-helper.ts). */
  constructor(opts: Omit<HelperOptions, 'stepTimeoutSeconds'>, url: string | undefined) {
    // The URL travels in the environment (or, for a spare, on stdin), not argv: it may hold a password.
    const args = [helperPath(), '--config', opts.iniPath, '--project', opts.projectDir]
    if (url === undefined) args.push('--await-url')
    for (const name of opts.urlEnv) args.push('--url-env', name)
    for (const [name, part] of opts.partsEnv) args.push('--parts-env', `${name}=${part}`)
    if (opts.scriptLocation) args.push('--script-location', opts.scriptLocation)
    if (opts.flask) args.push('--flask')
    args.push('--watchdog-fd', String(WATCHDOG_FD))
    this.projectDir = opts.projectDir
    this.child = spawn(opts.python, args, {
      cwd: opts.projectDir,
      // The project's own environment passes through; Python must not buffer the protocol.
      // PGAPPNAME (read by libpq, so by psycopg2 and psycopg 3) marks every connection the helper and
      // the migrations open, wherever they connect: a url server finds them in the wrong database.
      env: {
        ...process.env,
        ...(url === undefined ? {} : { MIGRATION_GATE_URL: url, PGAPPNAME: migrationApplicationName(databaseOf(url)) }),
        PYTHONUNBUFFERED: '1',
        PYTHONDONTWRITEBYTECODE: '1',
      },
      // fd 3 is the watchdog pipe, never written: it closes when the gate exits, however it exits.
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      // Its own process group, so that one signal ends the helper and whatever a migration started
      // (`subprocess.Popen(...)` that returned), and the terminal's Ctrl-C reaches the gate alone,
      // which then stops the helper itself.
      detached: true,
    })
    this.stdin = this.child.stdin as Writable
    this.stdout = this.child.stdout as Readable
    this.stderr = this.child.stderr as Readable
    const killGroup = () => this.signalGroup('SIGKILL')
    this.unregister = opts.resources.track(`alembic helper ${this.child.pid ?? ''}`, async () => killGroup(), killGroup)
    let onReady!: (r: Reply) => void
    this.ready = new Promise((resolve) => (onReady = resolve))
    // A helper that dies between a liveness check and a write must not crash the gate (EPIPE).
    this.stdin.on('error', () => {})
    const lines = createInterface({ input: this.stdout })
    lines.on('line', (line) => {
      let reply: Reply
      try {
        reply = JSON.parse(line) as Reply
      } catch {
        return
      }
      if (reply.event) {
        onReady(reply)
        // A fatal event after start (env.py broke on a restart) answers whoever waits.
        if (reply.event === 'fatal') for (const [, w] of this.waiting) w({ ok: false, error: reply.error })
        return
      }
      const waiter = reply.id === undefined ? undefined : this.waiting.get(reply.id)
      if (waiter && reply.id !== undefined) {
        this.waiting.delete(reply.id)
        waiter(reply)
      }
    })
    this.stderr.on('data', (chunk: Buffer) => {
      const lines = chunk.toString('utf8').split('\n').filter(Boolean)
      for (const line of lines)
        if (line.startsWith(LOADING)) this.loading = line.slice(LOADING.length).trim() || undefined
      this.stderrTail = [...this.stderrTail, ...lines.filter((l) => !l.startsWith(LOADING))].slice(-20)
    })
    this.child.once('error', (error) => {
      // A process that could not start (no such interpreter) never exits: nothing to wait for.
      if (this.child.pid === undefined) {
        this.exited = true
        this.unregister()
      }
      this.fail(`cannot run ${opts.python}: ${error.message}`, onReady)
    })
    this.child.once('exit', (code, signal) => {
      this.exited = true
      // What the helper's group still runs goes with it; and a process that escaped the group may
      // still hold the helper's stderr: the gate must not wait for it to let go.
      killGroup()
      this.unregister()
      this.fail(`the Alembic helper exited (${signal ?? `code ${code}`})${this.lastStderr()}`, onReady)
      setImmediate(() => {
        this.stderr.destroy()
        this.stdout.destroy()
        ;(this.child.stdio[WATCHDOG_FD] as Writable | null)?.destroy()
      })
    })
  }

  /** Signals the helper's whole process group (it leads its own); a group already gone is fine. */
  private signalGroup(signal: NodeJS.Signals): void {
    const pid = this.child.pid
    if (pid === undefined) return
    try {
      process.kill(-pid, signal)
    } catch {
      // the group is gone
    }
  }

  private lastStderr(): string {
    const line = this.stderrTail.filter((l) => !/^\s*(File |\^|Traceback)/.test(l)).pop()
    return line ? `: ${line.trim()}` : ''
  }

  private fail(message: string, onReady: (r: Reply) => void): void {
    // The file Alembic was loading when the process ended, if it was loading one.
    const file = this.loading ? path.relative(this.projectDir, this.loading).split(path.sep).join('/') : undefined
    const reply: Reply = { ok: false, error: { message, kind: 'error', ...(file ? { file } : {}) } }
    onReady({ event: 'fatal', error: reply.error })
    for (const [id, w] of this.waiting) {
      this.waiting.delete(id)
      w(reply)
    }
  }

  /** Gives a spare its database: it loads env.py (and the app) for `url`, then says ready. */
  begin(url: string): void {
    this.stdin.write(`${JSON.stringify({ url, appname: migrationApplicationName(databaseOf(url)) })}\n`)
  }

  request(command: Record<string, unknown>, timeoutMs: number): Promise<Reply | 'timeout'> {
    if (this.exited)
      return Promise.resolve({ ok: false, error: { message: 'the Alembic helper is not running', kind: 'error' } })
    const id = this.nextId++
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id)
        resolve('timeout')
      }, timeoutMs)
      this.waiting.set(id, (r) => {
        clearTimeout(timer)
        resolve(r)
      })
      this.stdin.write(`${JSON.stringify({ ...command, id })}\n`)
    })
  }

  async stop(): Promise<void> {
    if (this.exited) return
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()))
    this.stdin.end(`${JSON.stringify({ cmd: 'quit' })}\n`)
    const t = setTimeout(() => this.signalGroup('SIGKILL'), 5_000)
    await gone
    clearTimeout(t)
  }

  get alive(): boolean {
    return !this.exited
  }

  kill(): Promise<void> {
    if (this.exited) return Promise.resolve()
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()))
    this.signalGroup('SIGKILL')
    return gone
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
    // After this one is up, not beside it: a spare's start would compete with it for the cores.
    this.spares?.opening(() => new HelperProcess(this.opts, undefined))
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
    // The backend may still run the statement (pg_sleep does not notice a dead client): end it.
    const client = new pg.Client({ connectionString: this.url })
    client.on('error', () => {})
    try {
      // Inside the try: a server out of connections must not turn a reported timeout into a failed replay.
      await client.connect()
      await client.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name <> $1`,
        [PROBE_APPLICATION_NAME],
      )
    } catch {
      // The timeout is reported either way; a backend left running holds its locks until the next
      // step times out too, and dropping the database (ours) ends it.
    } finally {
      await client.end().catch(() => {})
    }
  }
}
