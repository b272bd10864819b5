// What a run can leave behind, looked up for real: cluster dirs (by the marker's pid), processes
// working in a dir (cwd or command line, from /proc), the gate's databases on a server, and a child
// `node` process running test/support/hold-server.ts.
import { spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { CLUSTER_DIR_PREFIX } from '../../src/postgres/cluster-dirs.js'
import { clusterRoots } from '../../src/postgres/cluster-root.js'

/**
 * Cluster dirs under `root` (default: every dir the gate may put one in) whose marker names `pid` (the
 * gate process that made them); null: any.
 */
export function clusterDirsOf(pid: number | null, root?: string): string[] {
  if (root === undefined) return clusterRoots().flatMap((r) => clusterDirsOf(pid, r))
  const found: string[] = []
  for (const name of readdirSync(root)) {
    if (!name.startsWith(CLUSTER_DIR_PREFIX)) continue
    try {
      const marker = JSON.parse(readFileSync(join(root, name, 'migration-gate.json'), 'utf8')) as { pid?: number }
      if (pid === null || marker.pid === pid) found.push(join(root, name))
    } catch {
      // no marker (yet): not attributable
    }
  }
  return found
}

/** Live (non-zombie) processes whose cwd is inside `dir` or whose command line names a path in it. */
export function processesIn(dir: string): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue
      let cwd = ''
      try {
        cwd = readlinkSync(`/proc/${entry}/cwd`)
      } catch {
        // unreadable: check the command line only
      }
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8')
      if (cwd === dir || cwd.startsWith(`${dir}/`) || cmdline.includes(dir)) pids.push(Number(entry))
    } catch {
      // exited while we looked
    }
  }
  return pids.filter((p) => p !== process.pid)
}

/** Names of migration_gate_* databases on the server at `url`. */
export async function gateDatabasesOn(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const r = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'migration\\_gate\\_%' ORDER BY 1",
    )
    return r.rows.map((row) => row.datname)
  } finally {
    await client.end()
  }
}

export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return true
    if (Date.now() > deadline) return false
    await new Promise((r) => setTimeout(r, 50))
  }
}

export interface Spawned {
  child: ChildProcess
  /** Resolves with the exit code, or the signal that ended it, once the child has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  stdout: () => string
  stderr: () => string
}

export interface Held extends Spawned {
  /** What hold-server printed: its pid, cluster dir, postmaster pid, scratch database, container. */
  info: {
    pid: number
    clusterDir?: string
    postmasterPid?: number
    database: string
    url: string
    containerId?: string
  }
}

/**
 * Runs test/support/hold-server.ts in its own node process (node --import tsx, no npx or shell in
 * between, so a signal sent to the pid reaches the gate itself).
 */
export function spawnHoldServer(mode: string, env: Record<string, string>): Spawned {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/hold-server.ts', mode], {
    cwd: join(import.meta.dirname, '..', '..'),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  return { child, exited, stdout: () => out, stderr: () => err }
}

/** spawnHoldServer, then waits (bounded) for its READY line. */
export async function holdServer(mode: string, env: Record<string, string>, timeoutMs = 60_000): Promise<Held> {
  const spawned = spawnHoldServer(mode, env)
  let gone = false
  void spawned.exited.then(() => (gone = true))
  const ready = () => /^READY (.*)$/m.exec(spawned.stdout())?.[1]
  await waitUntil(() => gone || ready() !== undefined, timeoutMs)
  const line = ready()
  if (!line) {
    spawned.child.kill('SIGKILL')
    const why = gone ? 'exited before READY' : `printed no READY line within ${timeoutMs} ms`
    throw new Error(`hold-server ${mode} ${why}; stderr: ${spawned.stderr()}`)
  }
  return { ...spawned, info: JSON.parse(line) as Held['info'] }
}
