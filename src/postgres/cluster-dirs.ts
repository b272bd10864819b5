// Clusters the gate starts live in temp dirs named migration-gate-pg-* with a marker holding the pid
// of the gate that made them and the pid space that pid belongs to. A run that finds one whose gate
// is gone (killed with SIGKILL, a runner that timed out) stops its server and removes the dir.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { oneLine } from '../errors.js'
import type { Logger } from '../logger.js'
import { currentPidSpace, isCurrentPidSpace, namesPidSpace } from './pid-space.js'
import { belongsToDir, isRunning, killClusterProcessesSync, waitForExitSync } from './processes.js'
import { serverAnswers } from './server-answers.js'

export const CLUSTER_DIR_PREFIX = 'migration-gate-pg-'
const MARKER = 'migration-gate.json'

/**
 * How long a cluster of a gate we cannot see may go without a server answering before it counts as
 * dead: its gate may still be in initdb (a minute at most) or starting the server (three tries of 30
 * s). Generous, because removing a live cluster fails a run, and a dead one kept longer costs only disk.
 */
const START_UP_GRACE_MS = 10 * 60_000

export function writeMarker(dir: string): void {
  const marker = { pid: process.pid, startedAt: new Date().toISOString(), ...currentPidSpace() }
  writeFileSync(join(dir, MARKER), JSON.stringify(marker))
}

/** The postmaster's pid from data/postmaster.pid, if the server may still run. */
export function postmasterPid(dir: string): number | null {
  const file = join(dir, 'data', 'postmaster.pid')
  if (!existsSync(file)) return null
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0])
  return Number.isInteger(pid) && pid > 0 ? pid : null
}

/**
 * Kills a cluster's server (immediate shutdown) and removes its dir. Synchronous: usable on exit.
 * Waits (bounded) for the server to go before removing the dir, so no postgres process outlives its
 * files and none recreates them mid-removal; escalates to SIGKILL if it does not answer SIGQUIT.
 * `extraPid` is the server the caller spawned, for the moment before postmaster.pid exists.
 */
export function destroyClusterSync(dir: string, extraPid?: number): void {
  const data = join(dir, 'data')
  const pids = new Set<number>()
  const fromFile = postmasterPid(dir)
  if (fromFile && isRunning(fromFile) && belongsToDir(fromFile, data)) pids.add(fromFile)
  if (extraPid && isRunning(extraPid)) pids.add(extraPid)
  for (const pid of pids) signal(pid, 'SIGQUIT')
  for (const pid of pids) {
    if (!waitForExitSync(pid, 3_000)) {
      signal(pid, 'SIGKILL')
      waitForExitSync(pid, 2_000)
    }
  }
  // What the server left (a program a backend started) and an initdb orphaned by a killed gate, which
  // would write on into the dir being removed (ENOTEMPTY).
  killClusterProcessesSync(dir)
  removeLeftSharedMemorySync(dir)
  rmSync(dir, { recursive: true, force: true })
}

/**
 * The System V shared memory segment of a server that died without shutting down (SIGKILL): its id is
 * in postmaster.pid, which a clean shutdown removes with the segment. Left, it stays until reboot;
 * enough of them exhaust the kernel's segment limit. Removed only where `ipcs` confirms it is that
 * server's (created by the postmaster pid the file names); a backend still dying keeps it until it
 * has gone (the kernel removes a segment marked so at its last detach). Best
 * effort: without ipcs/ipcrm (not Linux) nothing happens.
 */
export function removeLeftSharedMemorySync(dir: string): void {
  let lines: string[]
  try {
    lines = readFileSync(join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')
  } catch {
    return // a clean shutdown removed it, and its segment with it
  }
  const postmaster = Number(lines[0])
  const id = Number((lines[6] ?? '').trim().split(/\s+/)[1])
  if (!Number.isInteger(postmaster) || postmaster <= 0 || !Number.isInteger(id) || id < 0) return
  try {
    const info = execFileSync('ipcs', ['-m', '-i', String(id)], { stdio: 'pipe', timeout: 5_000 }).toString()
    if (Number(/\bcpid=(\d+)/.exec(info)?.[1]) !== postmaster) return
    execFileSync('ipcrm', ['-m', String(id)], { stdio: 'pipe', timeout: 5_000 })
  } catch {
    // gone already, or no ipcs/ipcrm here
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig)
  } catch {
    // already gone
  }
}

/**
 * Removes clusters left by gates that no longer run; returns the dirs removed. Never throws: it
 * runs at every cluster start, and a leftover it cannot judge or remove (another user's, one still
 * being written) is no reason to fail the run that found it. Each such dir gets one line on `logger`.
 */
export async function removeStaleClusters(root = tmpdir(), logger?: Logger): Promise<string[]> {
  const removed: string[] = []
  let entries: string[] = []
  try {
    entries = readdirSync(root)
  } catch {
    return removed
  }
  for (const name of entries) {
    if (!name.startsWith(CLUSTER_DIR_PREFIX)) continue
    const dir = join(root, name)
    try {
      if (!(await isStale(dir))) continue
      destroyClusterSync(dir)
      removed.push(dir)
    } catch (error) {
      logger?.warn(`stale-cluster sweep: could not remove ${dir}: ${oneLine(error)} (left in place; this run goes on)`)
    }
  }
  return removed
}

/**
 * Whether the cluster in `dir` is provably abandoned. Its marker's pid decides only where it means
 * something: the marker names this host, boot and PID namespace, or (an older gate's marker, which
 * names none) the cluster's server is a process we see working in the dir, since a server runs in
 * its gate's pid space. There a gate that runs keeps its cluster, and a gone gate's cluster goes,
 * with its server (an orphan) if one is left. Anything else stays while a server answers in it: a
 * server we cannot see is another namespace's, whatever its marker says. With no server, a gate of
 * another pid space is given time to start one.
 */
async function isStale(dir: string): Promise<boolean> {
  let marker: Record<string, unknown>
  try {
    marker = JSON.parse(readFileSync(join(dir, MARKER), 'utf8')) as Record<string, unknown>
  } catch {
    return false // no marker yet (a cluster being created right now) or not ours: leave it
  }
  const owner = Number(marker.pid)
  const server = postmasterPid(dir)
  const serverHere = server !== null && isRunning(server) && belongsToDir(server, join(dir, 'data'))
  if (isCurrentPidSpace(marker) || (!namesPidSpace(marker) && serverHere)) {
    if (owner === process.pid || (Number.isInteger(owner) && owner > 0 && isRunning(owner))) return false
    if (serverHere) return true // an orphan: destroyClusterSync stops it
    return !(await serverAnswers(dir))
  }
  if (await serverAnswers(dir)) return false
  return Date.now() - startedAt(dir, marker) > START_UP_GRACE_MS
}

/** When the marker says its cluster was started; the marker file's own time if it does not say. */
function startedAt(dir: string, marker: Record<string, unknown>): number {
  const said = typeof marker.startedAt === 'string' ? Date.parse(marker.startedAt) : NaN
  return Number.isNaN(said) ? statSync(join(dir, MARKER)).mtimeMs : said
}
