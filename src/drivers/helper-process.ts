// One long-lived Python helper process, JSON lines over stdin/stdout: what the Alembic and Django
// helpers share on the Node side. It leads its own process group (a step's leftovers die with it),
// holds a watchdog pipe the helper watches (the gate's death ends the group), keeps the tail of
// stderr for the one-line error when it dies, and answers every waiting request when it does.
import { setPriority } from 'node:os'
import { spawn, type ChildProcess } from 'node:child_process'
import type { Readable, Writable } from 'node:stream'
import path from 'node:path'
import { createInterface } from 'node:readline'
import pg from 'pg'
import type { StepError } from './driver.js'
import { migrationApplicationName, PROBE_APPLICATION_NAME } from '../postgres/names.js'
import type { ResourceTracker } from '../resource-tracker.js'

/** What every helper's lines carry; each helper adds its own fields. */
export interface HelperReply {
  id?: number
  event?: 'ready' | 'fatal'
  ok?: boolean
  error?: StepError
}

export interface HelperLaunch {
  /** The tool as messages name the helper ("the Alembic helper exited ..."). */
  tool: string
  python: string
  /** The helper script, and its arguments after it (the watchdog's is added here). */
  script: string
  args: string[]
  projectDir: string
  /** The scratch database; undefined for a spare that gets it later (begin()). */
  url?: string
  /** More environment for the helper (the variables a settings module reads the database from). */
  env?: Record<string, string>
  /** The run's tracker: every helper is killed, its process group and all, on every path out. */
  resources: ResourceTracker
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

/**
 * The nice value of a helper working ahead of need (replay-follower.ts): low enough that the stairway's
 * own processes get the cores first, not so low that a system which cannot raise it back (a non-root
 * user) leaves a taken database crawling beside other work.
 */
export const BACKGROUND_NICE = 10

export class JsonLinesHelper<Reply extends HelperReply = HelperReply> {
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
  private readonly tool: string

  constructor(launch: HelperLaunch) {
    const opts = launch
    const url = launch.url
    // The URL travels in the environment (or, for a spare, on stdin), not argv: it may hold a password.
    const args = [launch.script, ...launch.args, '--watchdog-fd', String(WATCHDOG_FD)]
    this.tool = launch.tool
    this.projectDir = opts.projectDir
    this.child = spawn(opts.python, args, {
      cwd: opts.projectDir,
      // The project's own environment passes through; Python must not buffer the protocol.
      // PGAPPNAME (read by libpq, so by psycopg2 and psycopg 3) marks every connection the helper and
      // the migrations open, wherever they connect: a url server finds them in the wrong database.
      env: {
        ...process.env,
        ...launch.env,
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
    this.unregister = opts.resources.track(
      `${launch.tool.toLowerCase()} helper ${this.child.pid ?? ''}`,
      async () => killGroup(),
      killGroup,
    )
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
        if (reply.event === 'fatal') for (const [, w] of this.waiting) w({ ok: false, error: reply.error } as Reply)
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
      this.fail(`the ${this.tool} helper exited (${signal ?? `code ${code}`})${this.lastStderr()}`, onReady)
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
    const reply = { ok: false, error: { message, kind: 'error' as const, ...(file ? { file } : {}) } } as Reply
    onReady({ event: 'fatal', error: reply.error } as Reply)
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
      return Promise.resolve({
        ok: false,
        error: { message: `the ${this.tool} helper is not running`, kind: 'error' },
      } as Reply)
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

  /** The helper process's CPU priority (nice value); best effort: a system that refuses leaves it. */
  setNice(nice: number): void {
    const pid = this.child.pid
    if (pid === undefined || this.exited) return
    try {
      setPriority(pid, nice)
    } catch {
      // raising a priority back needs privileges: it stays where it is
    }
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

/**
 * After a step timeout: ends the database's other sessions. The backend may still run the statement
 * (pg_sleep does not notice a dead client). The database is the gate's own.
 */
export async function terminateSessions(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
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
