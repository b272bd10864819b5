// Clusters the gate starts live in temp dirs named migration-gate-pg-* with a marker holding the pid
// of the gate that made them. A run that finds one whose gate is gone (killed with SIGKILL, a runner
// that timed out) stops its server and removes the dir.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const CLUSTER_DIR_PREFIX = 'migration-gate-pg-'
const MARKER = 'migration-gate.json'

export function writeMarker(dir: string): void {
  writeFileSync(join(dir, MARKER), JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }))
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The postmaster's pid from data/postmaster.pid, if the server may still run. */
export function postmasterPid(dir: string): number | null {
  const file = join(dir, 'data', 'postmaster.pid')
  if (!existsSync(file)) return null
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0])
  return Number.isInteger(pid) && pid > 0 ? pid : null
}

/** Kills a cluster's server (immediate shutdown) and removes its dir. Synchronous: usable on exit. */
export function destroyClusterSync(dir: string): void {
  const pid = postmasterPid(dir)
  if (pid && alive(pid)) {
    try {
      process.kill(pid, 'SIGQUIT')
    } catch {
      // already gone
    }
  }
  rmSync(dir, { recursive: true, force: true })
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
    if (owner && owner !== process.pid && !alive(owner)) {
      destroyClusterSync(dir)
      removed.push(dir)
    }
  }
  return removed
}
