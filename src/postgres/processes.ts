// Small, synchronous process checks used on the way out (exit handlers cannot await) and by the
// stale-cluster sweep. Linux details (/proc) are used where present and skipped elsewhere.
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs'

/**
 * True while `pid` runs. A zombie counts as gone: it holds no resources, and where PID 1 does not
 * reap orphans (some CI sandboxes) a killed server stays a zombie forever, so kill(pid, 0) alone
 * would wait on it for ever.
 */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  try {
    // Field 3 of /proc/PID/stat is the state; the command name before it may contain spaces.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return existsSync('/proc/self/stat') ? false : true // no /proc entry on Linux: gone; no /proc at all: trust kill()
  }
}

/** Blocks the thread for `ms` (no event loop needed, so usable in an exit handler). */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/**
 * Whether `pid` is a server working in `dataDir` (its cwd or its command line). Guards against
 * signalling an unrelated process that reused the pid of a long-dead server. Without /proc the
 * check cannot be made and the pid is trusted.
 */
export function belongsToDir(pid: number, dataDir: string): boolean {
  if (!existsSync('/proc/self/stat')) return true
  try {
    dataDir = realpathSync(dataDir) // /proc shows resolved paths (a symlinked TMPDIR)
  } catch {
    // gone already: compare as given
  }
  try {
    const cwd = readlinkSync(`/proc/${pid}/cwd`).replace(/ \(deleted\)$/, '')
    if (cwd === dataDir || cwd.startsWith(`${dataDir}/`)) return true
  } catch {
    // not readable (another user without privileges): fall back to the command line
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(dataDir)
  } catch {
    return false
  }
}

/** Waits (synchronously, at most `timeoutMs`) for `pid` to stop running; true when it has. */
export function waitForExitSync(pid: number, timeoutMs: number): boolean {
  const deadline = Date.now() + timeoutMs
  while (isRunning(pid)) {
    if (Date.now() > deadline) return false
    sleepSync(20)
  }
  return true
}

/** The variable the gate gives initdb and the server (so every backend, and what a backend starts). */
export const CLUSTER_ENV = 'MIGRATION_GATE_CLUSTER'

/**
 * Live processes that belong to the cluster in `dir`, other than this one: working in it, naming it
 * on their command line (initdb -D, the server), or carrying CLUSTER_ENV=dir in their environment.
 * The last finds what a migration made a backend start (`COPY ... TO PROGRAM 'sleep 600 &'`): it
 * outlives the server, in a process group of its own, and would hold the connection's socket open.
 * Linux /proc only; elsewhere none are found.
 */
export function clusterProcesses(dir: string): number[] {
  if (!existsSync('/proc/self/stat')) return []
  const dirs = new Set([dir])
  try {
    dirs.add(realpathSync(dir))
  } catch {
    // gone already
  }
  const inside = (p: string) => [...dirs].some((d) => p === d || p.startsWith(`${d}/`))
  const tag = [...dirs].map((d) => `${CLUSTER_ENV}=${d}`)
  const found: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    const pid = Number(entry)
    try {
      if (!isRunning(pid)) continue
      let cwd = ''
      try {
        cwd = readlinkSync(`/proc/${entry}/cwd`).replace(/ \(deleted\)$/, '')
      } catch {
        // not readable: the command line and environment still tell
      }
      if (cwd && inside(cwd)) {
        found.push(pid)
        continue
      }
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').some(inside)) {
        found.push(pid)
        continue
      }
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0')
      if (tag.some((t) => environ.includes(t))) found.push(pid)
    } catch {
      // exited while we looked, or not ours to read
    }
  }
  return found
}

/** SIGKILLs what clusterProcesses finds and waits (bounded) for it to go: nothing may write on into a dir being removed. */
export function killClusterProcessesSync(dir: string): void {
  const pids = clusterProcesses(dir)
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // gone
    }
  }
  for (const pid of pids) waitForExitSync(pid, 2_000)
}
