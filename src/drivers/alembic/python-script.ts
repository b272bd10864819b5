// One short-lived Python script run the way every Alembic process of the gate runs: in its own
// process group, killed whole at the timeout or when the run ends (what env.py started goes too),
// with a watchdog pipe so that a SIGKILLed gate takes it along, and no .pyc files left in the user's
// directories. The cross-check (crosscheck.ts) and the offline SQL of pending migrations
// (offline-sql.ts) are such scripts; the long-lived helper (session.ts) has its own protocol.
import { spawn } from 'node:child_process'
import { setPriority } from 'node:os'
import type { ResourceTracker } from '../../resource-tracker.js'

/**
 * Python that ends the process when the gate's end of pipe 3 closes: the gate holds it open and never
 * writes, so it closes when the gate dies, SIGKILL included, and an env.py that hangs while loading
 * must not outlive it. Put first in a script.
 */
export const PYTHON_WATCHDOG = `
import os as _mg_os
def _mg_watch_gate():
    try:
        while _mg_os.read(3, 64):
            pass
    except OSError:
        pass
    _mg_os._exit(1)
try:
    _mg_os.set_inheritable(3, False)
    import threading as _mg_threading
    _mg_threading.Thread(target=_mg_watch_gate, daemon=True).start()
except OSError:
    pass
`

/**
 * The answering half of a script (it needs `json` and `sys` imported): `answer(**kw)` writes one line
 * of JSON after `mark` on stdout, flushed, for markedAnswers to read; `one_line(e)` is an exception as
 * "Type: its first line".
 */
export function pythonAnswers(mark: string): string {
  return `
def answer(**kw):
    sys.stdout.write("\\n${mark}" + json.dumps(kw) + "\\n")
    sys.stdout.flush()
def one_line(e):
    text = str(e).strip().splitlines()
    return "%s: %s" % (type(e).__name__, text[0] if text else "")
`
}

/** Printed on stderr before each file Alembic loads: the last one names what ended the process. */
export const LOADING_MARK = '@@migration-gate-loading@@'

export interface PythonScriptOptions {
  python: string
  script: string
  args: string[]
  cwd: string
  /** Added to the gate's own environment. */
  environment: Record<string, string>
  timeoutMs: number
  /** When true, the timeout counts from the last output on stdout: a script answering as it goes. */
  timeoutFromLastOutput?: boolean
  /** How the run's tracker names the process while it runs. */
  name: string
  resources: ResourceTracker
  /** Run at a lower priority: a check on the side of the replay. */
  background?: boolean
  /** Stops the script (its process group) when it fires: its answer is no longer wanted. */
  signal?: AbortSignal
}

export interface PythonScriptRun {
  /** Everything it printed on stdout (at most 8 MiB). */
  stdout: string
  /** The end of its stderr, loading marks left out. */
  stderrTail: string
  /** The last file Alembic announced loading, when it announced any. */
  loading?: string
  timedOut: boolean
  /** The interpreter does not exist. */
  notFound: boolean
  /** How it ended: a signal name or "code N". */
  exit?: string
}

const STDOUT_LIMIT = 8 * 1024 * 1024

export function runPythonScript(opts: PythonScriptOptions): Promise<PythonScriptRun> {
  return new Promise((resolve) => {
    // Its own process group, killed whole at the timeout; fd 3 is the watchdog pipe.
    const child = spawn(opts.python, ['-c', opts.script, ...opts.args], {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.environment, PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      detached: true,
    })
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL')
      } catch {
        // gone already
      }
    }
    const unregister = opts.resources.track(`${opts.name} ${child.pid ?? ''}`, async () => killGroup(), killGroup)
    let stdout = ''
    let stderr = ''
    let loading: string | undefined
    let timedOut = false
    const expire = () => {
      timedOut = true
      killGroup()
    }
    let timer = setTimeout(expire, opts.timeoutMs)
    child.stdout?.on('data', (c: Buffer) => {
      if (stdout.length < STDOUT_LIMIT) stdout += c.toString('utf8')
      if (opts.timeoutFromLastOutput && !timedOut) {
        clearTimeout(timer)
        timer = setTimeout(expire, opts.timeoutMs)
      }
    })
    child.stderr?.on('data', (c: Buffer) => {
      stderr = (stderr + c.toString('utf8')).slice(-4096)
      const marks = [...stderr.matchAll(new RegExp(`${LOADING_MARK}(.*)`, 'g'))]
      if (marks.length > 0) loading = marks.at(-1)?.[1]?.trim()
    })
    let finished = false
    const finish = (how: { notFound?: boolean; exit?: string }) => {
      if (finished) return
      finished = true
      clearTimeout(timer)
      killGroup()
      unregister()
      opts.signal?.removeEventListener('abort', killGroup)
      for (const stream of child.stdio) stream?.destroy()
      resolve({
        stdout,
        stderrTail: stderr
          .split('\n')
          .filter((l) => !l.startsWith(LOADING_MARK))
          .join('\n'),
        ...(loading ? { loading } : {}),
        timedOut,
        notFound: how.notFound === true,
        ...(how.exit ? { exit: how.exit } : {}),
      })
    }
    child.once('error', (error: NodeJS.ErrnoException) => finish({ notFound: error.code === 'ENOENT' }))
    // 'close' waits for stdout to end, so the answer is complete; a process env.py started that keeps
    // the pipe open is killed with the group at the timeout.
    child.once('close', (code, signal) => finish({ exit: signal ?? `code ${code}` }))
    if (opts.signal?.aborted) killGroup()
    else opts.signal?.addEventListener('abort', killGroup, { once: true })
    if (opts.background) {
      try {
        if (child.pid) setPriority(child.pid, 10)
      } catch {
        // not allowed everywhere; harmless then
      }
    }
  })
}

/** The JSON objects of the lines that start with `mark`, in order; lines that do not parse are skipped. */
export function markedAnswers<T>(stdout: string, mark: string): T[] {
  const answers: T[] = []
  for (const line of stdout.split('\n')) {
    if (!line.startsWith(mark)) continue
    try {
      answers.push(JSON.parse(line.slice(mark.length)) as T)
    } catch {
      // a line cut by the output limit or the kill
    }
  }
  return answers
}
