// What a run of the gate can leave behind under a private root (projects and TMPDIR live there):
// PostgreSQL servers (and initdb) whose data dir is a migration-gate temp dir, the gate's Python
// Alembic helpers, any other process working there (a migration's background job), the
// migration-gate-pg-* temp dirs, and migration_gate_* scratch databases on a url server.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { CLUSTER_DIR_PREFIX, destroyClusterSync } from '../../../src/postgres/cluster-dirs.js'
import { gateDatabasesOn, processesIn, waitUntil } from '../../support/leftovers.js'

export interface Leftovers {
  /** postgres or initdb processes working in a migration-gate-pg-* dir. */
  servers: string[]
  /** The gate's Python Alembic helpers. */
  helpers: string[]
  /** Any other process working under the root. */
  others: string[]
  tempDirs: string[]
  databases: string[]
}

export const total = (l: Leftovers): number =>
  l.servers.length + l.helpers.length + l.others.length + l.tempDirs.length + l.databases.length

/** One line for a report: "2 servers (pid 12 postgres ...), 1 temp dir (...)", or "none". */
export function describeLeftovers(l: Leftovers): string {
  const parts: string[] = []
  const add = (what: string, items: string[]) =>
    items.length && parts.push(`${items.length} ${what} (${items.join('; ')})`)
  add('servers', l.servers)
  add('helpers', l.helpers)
  add('other processes', l.others)
  add('temp dirs', l.tempDirs)
  add('scratch databases', l.databases)
  return parts.join(', ') || 'none'
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ')
  } catch {
    return ''
  }
}

const short = (pid: number, cmd: string) => `pid ${pid}: ${cmd.length > 140 ? `${cmd.slice(0, 140)}…` : cmd}`

/** The pids of every process working under `root` (cwd or command line), for the caller to end. */
export function pidsUnder(root: string): number[] {
  return processesIn(root)
}

export async function findLeftovers(root: string, tmp: string, url?: string): Promise<Leftovers> {
  const l: Leftovers = { servers: [], helpers: [], others: [], tempDirs: [], databases: [] }
  for (const pid of processesIn(root)) {
    const cmd = commandOf(pid)
    if (!cmd) continue // exited while we looked
    if (cmd.includes(CLUSTER_DIR_PREFIX) && /\b(postgres|initdb)\b/.test(cmd)) l.servers.push(short(pid, cmd))
    else if (/alembic_helper\.py|helper\.py/.test(cmd)) l.helpers.push(short(pid, cmd))
    else l.others.push(short(pid, cmd))
  }
  if (existsSync(tmp)) l.tempDirs = readdirSync(tmp).filter((n) => n.startsWith(CLUSTER_DIR_PREFIX))
  if (url) l.databases = await gateDatabasesOn(url)
  return l
}

/**
 * Leftovers once the kernel has had a moment to tear down what already exited (a server the run
 * stopped is reaped a few ms later): looks again for up to `graceMs`, and returns what stays.
 */
export async function settledLeftovers(root: string, tmp: string, url?: string, graceMs = 2_000): Promise<Leftovers> {
  let found = await findLeftovers(root, tmp, url)
  await waitUntil(async () => total((found = await findLeftovers(root, tmp, url))) === 0, graceMs)
  return found
}

/**
 * Ends what a failed expectation left, so no server outlives the test: clusters in `tmp` through the
 * gate's own teardown, then the remaining processes under `root` by pid (all started by this test's
 * runs).
 */
export function removeLeftovers(root: string, tmp: string): void {
  if (existsSync(tmp)) {
    for (const name of readdirSync(tmp)) if (name.startsWith(CLUSTER_DIR_PREFIX)) destroyClusterSync(join(tmp, name))
  }
  for (const pid of processesIn(root)) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // gone
    }
  }
}
