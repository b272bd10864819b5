// Runs the bundled CLI as a user would, in its own process group, with a hard deadline: past it the
// whole group is killed and the run counts as a hang. stderr lines carry the time they arrived, so
// the kill test can aim at a phase of the run.
import { spawn, type ChildProcess } from 'node:child_process'

export interface CliRun {
  child: ChildProcess
  /** stderr lines so far, each with the milliseconds since spawn it arrived at. */
  lines: Array<{ ms: number; text: string }>
  stdout: () => string
  stderr: () => string
  /** Resolves once the CLI has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  startedAt: number
}

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** The deadline passed and the process group was killed. */
  hung: boolean
}

export interface CliOptions {
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** A command that execs the rest (`sh -c SCRIPT sh`): node, the CLI and its arguments follow it. */
  prefix?: string[]
}

export function spawnCli(cli: string, args: string[], options: CliOptions): CliRun {
  const startedAt = performance.now()
  const [command, ...before] = options.prefix ?? [process.execPath]
  const child = spawn(command as string, [...before, ...(options.prefix ? [process.execPath] : []), cli, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: a hang is ended with everything the run started, helpers included.
    detached: true,
  })
  let out = ''
  let err = ''
  let partial = ''
  const lines: CliRun['lines'] = []
  child.stdout?.on('data', (d: Buffer) => (out += d.toString('utf8')))
  child.stderr?.on('data', (d: Buffer) => {
    const text = d.toString('utf8')
    err += text
    const parts = (partial + text).split('\n')
    partial = parts.pop() ?? ''
    const ms = Math.round(performance.now() - startedAt)
    for (const p of parts) lines.push({ ms, text: p })
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  return { child, lines, stdout: () => out, stderr: () => err, exited, startedAt }
}

/** Sends `signal` to the process group of a run (detached), ignoring one that is gone. */
export function killGroup(run: CliRun, signal: NodeJS.Signals): void {
  try {
    if (run.child.pid) process.kill(-run.child.pid, signal)
  } catch {
    // already gone
  }
}

/**
 * Runs the CLI to its end, or kills its process group at `deadlineMs` (a hang). Waits for the pipes
 * to close too, but no longer than a moment after exit: a grandchild holding them is a leftover,
 * counted by the caller, not a reason to wait.
 */
export async function runCli(
  cli: string,
  args: string[],
  options: CliOptions & { deadlineMs: number },
): Promise<CliResult> {
  const run = spawnCli(cli, args, options)
  let hung = false
  const timer = setTimeout(() => {
    hung = true
    killGroup(run, 'SIGKILL')
  }, options.deadlineMs)
  const { code, signal } = await run.exited
  clearTimeout(timer)
  await new Promise((r) => setTimeout(r, 50))
  run.child.stdout?.destroy()
  run.child.stderr?.destroy()
  return { code, signal, stdout: run.stdout(), stderr: run.stderr(), hung }
}
