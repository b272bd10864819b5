// Starts a throwaway PostgreSQL cluster from server binaries: initdb in a temp dir, then the postgres
// process itself as our child, tuned for speed over durability, on a free loopback port with a private
// socket dir, every connection needing the run's own password (cluster-auth.ts). Ready when a real
// query answers. Used by the local and embedded providers.
import { spawn, execFile, type ChildProcess } from 'node:child_process'
import { chownSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import type { PgBinaries } from './binaries.js'
import { initdbAuthArgs, newRunPassword, writePasswordFile } from './cluster-auth.js'
import { GateDatabases, majorOf, serverVersion } from './databases.js'
import { serverUser, wrapCommand } from './privileges.js'
import { CLUSTER_ENV, killClusterProcessesSync } from './processes.js'
import type { ProviderName, Server } from './provider.js'
import { GateError } from '../errors.js'
import {
  CLUSTER_DIR_PREFIX,
  destroyClusterSync,
  removeLeftSharedMemorySync,
  removeStaleClusters,
  writeMarker,
} from './cluster-dirs.js'
import { clusterRoot, clusterRoots } from './cluster-root.js'
import { TIMED_OUT, withDeadline } from '../deadline.js'
import type { Logger } from '../logger.js'
import type { ResourceTracker } from '../resource-tracker.js'

const run = promisify(execFile)

/** Durability off: the cluster is thrown away, so fsync and WAL safety buy nothing here. */
const THROWAWAY_SETTINGS: Record<string, string> = {
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  wal_level: 'minimal',
  max_wal_senders: '0',
  autovacuum: 'off',
  jit: 'off',
  max_connections: '40',
  // The shared lock table holds max_locks_per_transaction x (max_connections + worker slots) locks:
  // with 40 connections the default 64 holds less than a default server (64 x 122) and refuses, "out
  // of shared memory", a migration production accepts (10,000 tables created in one transaction).
  // 256 x 52 holds more than the default, so whatever a default server runs runs here.
  max_locks_per_transaction: '256',
  shared_buffers: '128MB',
  checkpoint_timeout: '30min',
  listen_addresses: '127.0.0.1',
  // The socket's dir is 0700 already; the socket itself too, whatever the platform makes of that.
  unix_socket_permissions: '0700',
  log_min_messages: 'warning',
  // Dynamic shared memory as files in the data dir, not /dev/shm/PostgreSQL.*: a server that dies by
  // SIGKILL (a stop that timed out, a killed gate's orphan) leaves its segments behind, and those in
  // /dev/shm stay in memory until reboot; in the data dir they go with the cluster's dir.
  dynamic_shared_memory_type: 'mmap',
}

/** sizeof(sockaddr_un.sun_path) - 1 on Linux (108); macOS allows 103, where the deep dirs are rarer. */
const MAX_SOCKET_PATH = process.platform === 'linux' ? 107 : 103

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))))
    })
  })
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function logTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' | ')
  } catch {
    return ''
  }
}

export async function startCluster(
  bins: PgBinaries,
  provider: ProviderName,
  resources: ResourceTracker,
  logger?: Logger,
): Promise<Server> {
  const t0 = performance.now()
  for (const root of clusterRoots()) await removeStaleClusters(root, logger)
  const root = clusterRoot()
  const dir = mkdtempSync(join(root.dir, CLUSTER_DIR_PREFIX))
  writeMarker(dir)
  let initdb: ChildProcess | undefined
  let child: ChildProcess | undefined
  // Until postmaster.pid exists only our child handles know what runs in the dir (initdb, then the
  // server); once one has exited (and been reaped) its pid may belong to anyone, so a pid is passed
  // on only while its process runs. A signal during initdb must stop it too, or it writes on into
  // the dir being removed.
  const running = (c: ChildProcess | undefined) =>
    c && c.exitCode === null && c.signalCode === null ? c.pid : undefined
  const destroy = () => {
    destroyClusterSync(dir, running(initdb) ?? running(child))
    resources.forget({ kind: 'cluster', dir })
  }
  const unregisterSync = resources.track(`cluster ${dir}`, async () => destroy(), destroy)
  resources.record({ kind: 'cluster', dir })
  try {
    const runAs = serverUser()
    const data = join(dir, 'data')
    const sock = join(dir, 'sock')
    const log = join(dir, 'server.log')
    // mkdtemp made `dir` 0700; the socket dir is private too, so no other user can reach the socket.
    mkdirSync(sock, { mode: 0o700 })
    closeSync(openSync(log, 'w'))
    if (runAs) {
      for (const p of [dir, sock, log]) chownSync(p, runAs.uid, runAs.gid)
    }

    const password = newRunPassword()
    const [passwordFile, removePasswordFile] = writePasswordFile(dir, password, runAs)
    // Inherited by every process of the cluster, down to programs a backend starts: how stop() and
    // the sweep find them all (processes.ts).
    const tagged = { ...process.env, [CLUSTER_ENV]: dir }
    const [initCmd, initArgs] = wrapCommand(
      bins.initdb,
      ['-D', data, '-U', 'postgres', ...initdbAuthArgs(passwordFile, bins.major), '-N', '--no-locale', '-E', 'UTF8'],
      runAs,
    )
    try {
      const init = run(initCmd, initArgs, { timeout: 60_000, env: tagged })
      initdb = init.child
      await init
    } catch (error) {
      const e = error as { stderr?: string; message: string }
      // The machine's or the binaries' doing (disk, permissions, a broken pg-bin), not the gate's.
      throw new GateError(
        `postgres: ${provider}: initdb failed: ${(e.stderr || e.message).trim().split('\n').pop()}`,
        'postgres',
      )
    } finally {
      removePasswordFile()
    }

    let lastError = ''
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort()
      // A Unix socket path holds at most 107 bytes: under a deep TMPDIR the server would refuse to
      // start ("could not create Unix-domain socket"). The gate connects over TCP, so it goes without.
      const socketPath = join(sock, `.s.PGSQL.${port}`)
      const sockets = Buffer.byteLength(socketPath) <= MAX_SOCKET_PATH ? sock : ''
      const settings = { ...THROWAWAY_SETTINGS, port: String(port), unix_socket_directories: sockets }
      const args = ['-D', data, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])]
      const [cmd, cmdArgs] = wrapCommand(bins.postgres, args, runAs)
      const logFd = openSync(log, 'a')
      child = spawn(cmd, cmdArgs, { stdio: ['ignore', logFd, logFd], env: tagged })
      closeSync(logFd)
      let exited = false
      child.once('exit', () => (exited = true))
      const url = `postgresql://postgres:${password}@127.0.0.1:${port}/postgres`
      const ready = await waitForQuery(url, () => exited, 30_000)
      if (ready) {
        return makeServer({ dir, url, child, provider, t0, resources, unregisterSync, inMemory: root.inMemory })
      }
      lastError = logTail(log) || 'server exited before answering'
      if (!exited) child.kill('SIGKILL')
      if (!/could not bind|address already in use/i.test(lastError)) break
    }
    throw new GateError(`postgres: ${provider}: postgres did not start: ${lastError}`, 'postgres')
  } catch (error) {
    destroy()
    unregisterSync()
    throw error
  }
}

/** Polls until `SELECT 1` answers (true), the server exits or the deadline passes (false). */
async function waitForQuery(url: string, exited: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline && !exited()) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 })
    try {
      await client.connect()
      await client.query('SELECT 1')
      return true
    } catch {
      await sleep(15)
    } finally {
      await client.end().catch(() => {})
    }
  }
  return false
}

async function makeServer(o: {
  dir: string
  url: string
  child: ChildProcess
  provider: ProviderName
  t0: number
  resources: ResourceTracker
  unregisterSync: () => void
  inMemory: boolean
}): Promise<Server> {
  const version = await serverVersion(o.url)
  const dbs = new GateDatabases(o.url, majorOf(version) >= 15, true)
  const startMs = Math.round(performance.now() - o.t0)
  let stopped = false
  const exitPromise = new Promise<void>((resolve) => {
    if (o.child.exitCode !== null || o.child.signalCode !== null) resolve()
    else o.child.once('exit', () => resolve())
  })
  const stop = async () => {
    if (stopped) return
    stopped = true
    // The whole cluster goes, so its databases go with it: no per-database drops needed.
    o.child.kill('SIGQUIT') // immediate shutdown: nothing here needs a checkpoint
    if ((await withDeadline(exitPromise, 5_000)) === TIMED_OUT) {
      o.child.kill('SIGKILL')
      await exitPromise
    }
    // A program a migration made a backend start outlives the server: it goes with the cluster.
    killClusterProcessesSync(o.dir)
    removeLeftSharedMemorySync(o.dir) // only where the server had to be killed
    rmSync(o.dir, { recursive: true, force: true })
    o.resources.forget({ kind: 'cluster', dir: o.dir })
    o.unregisterSync()
  }
  const unregisterStop = o.resources.track(`server ${o.dir}`, stop)
  return {
    provider: o.provider,
    serverVersion: version,
    startMs,
    dataDir: { path: o.dir, inMemory: o.inMemory },
    createDatabase: (options) => dbs.create(options),
    dropDatabase: (name) => dbs.drop(name),
    urlFor: (name) => dbs.urlFor(name),
    adminUrlFor: (name) => dbs.urlFor(name),
    stop: async () => {
      unregisterStop()
      await stop()
    },
  }
}
