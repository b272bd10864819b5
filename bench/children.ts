// The bench's child processes (gate, alembic, pytest), each timed from spawn to exit. They are
// tracked so that an interrupted bench ends them (SIGTERM first: the gate then removes what it
// created, its own server included) before it removes its temp dirs.
import { spawn, type ChildProcess } from 'node:child_process'
import { interruptedBy } from '../src/signal-cleanup.js'

const active = new Set<ChildProcess>()

export interface Finished {
  code: number | null
  signal: NodeJS.Signals | null
  ms: number
  stdout: string
  /** The last 8 KiB. */
  stderr: string
}

export function runTimed(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<Finished> {
  // After a Ctrl-C the cleanup runs while the bench's loop would go on: start nothing new.
  const signal = interruptedBy()
  if (signal) return Promise.reject(new Error(`${signal} received: no new process started`))
  const t0 = performance.now()
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  active.add(child)
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => (stdout = (stdout + c.toString('utf8')).slice(-1_000_000)))
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-8192)))
  const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutMs ?? 60 * 60_000)
  return new Promise((resolve, reject) => {
    child.once('error', (error) => {
      clearTimeout(timer)
      active.delete(child)
      reject(error)
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      active.delete(child)
      resolve({ code, signal, ms: performance.now() - t0, stdout, stderr })
    })
  })
}

/** Ends every child still running: SIGTERM, then SIGKILL to those still there after graceMs. */
export async function endChildren(graceMs = 15_000): Promise<void> {
  const waiting = [...active].map(
    (child) =>
      new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('close', () => resolve()))),
  )
  for (const child of active) child.kill('SIGTERM')
  const timer = setTimeout(() => {
    for (const child of active) child.kill('SIGKILL')
  }, graceMs)
  await Promise.all(waiting)
  clearTimeout(timer)
}

/** For process exit, where nothing can be awaited. */
export function killChildrenNow(): void {
  for (const child of active) child.kill('SIGKILL')
}

/** The last lines of a child's stderr, on one line. */
export const tail = (text: string, lines = 3): string => text.trim().split('\n').slice(-lines).join(' | ')
