// Clusters the gate starts live in temp dirs named migration-gate-pg-* with a marker holding the pid
// of the gate that made them. A run that finds one whose gate is gone (killed with SIGKILL, a runner
// that timed out) stops its server and removes the dir.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { belongsToDir, isRunning, waitForExitSync } from './processes.js'

export const CLUSTER_DIR_PREFIX = 'migration-gate-pg-'
const MARKER = 'migration-gate.json'

export function writeMarker(dir: string): void {
  writeFileSync(join(dir, MARKER), JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }))
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
  rmSync(dir, { recursive: true, force: true })
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig)
  } catch {
    // already gone
  }
}

/** Removes clusters left by gates that no longer run; returns the dirs removed. */
export function removeStaleClusters(root = tmpdir()): string[] {
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
    let owner: number | null = null
    try {
      owner = Number(JSON.parse(readFileSync(join(dir, MARKER), 'utf8')).pid)
    } catch {
      continue // no marker yet (a cluster being created right now) or not ours: leave it
    }
    if (owner && owner !== process.pid && !isRunning(owner)) {
      destroyClusterSync(dir)
      removed.push(dir)
    }
  }
  return removed
}
