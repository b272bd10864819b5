// A real PgBouncer (the Debian package) in front of a test server, in transaction pooling: every
// transaction may go to another server connection, as a production pooler does it. Run as the
// unprivileged user the gate runs PostgreSQL as when the tests run as root (PgBouncer refuses root),
// on a free port, in a temp dir; stop() ends it and removes the dir.
import { spawn, type ChildProcess } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createConnection, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serverUser, wrapCommand } from '../../src/postgres/privileges.js'

export interface Bouncer {
  port: number
  /** `url` (a database on the server behind) as the same login through the pooler. */
  through(url: string): string
  /** What PgBouncer logged so far. */
  log(): string
  stop(): Promise<void>
}

/** The pgbouncer binary, or null when the package is not installed. */
export function pgbouncerBinary(): string | null {
  return ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer', '/usr/local/bin/pgbouncer'].find(existsSync) ?? null
}

/** A port nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const address = s.address()
      s.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    socket.once('connect', () => (socket.destroy(), resolve(true)))
    socket.once('error', () => resolve(false))
  })
}

/** PgBouncer in front of the server `serverUrl` points at, logging in there with its credentials. */
export async function startPgbouncer(binary: string, serverUrl: string): Promise<Bouncer> {
  const server = new URL(serverUrl)
  const dir = mkdtempSync(join(tmpdir(), 'mg-pgbouncer-'))
  const port = await freePort()
  const ini = join(dir, 'pgbouncer.ini')
  const connect = [
    `host=${server.hostname}`,
    `port=${server.port || '5432'}`,
    `user=${decodeURIComponent(server.username)}`,
    `password=${decodeURIComponent(server.password)}`,
  ].join(' ')
  writeFileSync(
    ini,
    [
      '[databases]',
      // Any database name the client asks for, on the server behind, as the server's own login.
      `* = ${connect}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      // Clients are trusted (127.0.0.1, a test): the login to the server is the one above.
      'auth_type = any',
      'pool_mode = transaction',
      'default_pool_size = 2',
      `logfile = ${join(dir, 'pgbouncer.log')}`,
      `pidfile = ${join(dir, 'pgbouncer.pid')}`,
      'ignore_startup_parameters = extra_float_digits,options',
      '',
    ].join('\n'),
    { mode: 0o600 },
  )
  const runAs = serverUser()
  if (runAs) {
    chownSync(dir, runAs.uid, runAs.gid)
    chownSync(ini, runAs.uid, runAs.gid)
  }
  const [file, args] = wrapCommand(binary, [ini], runAs)
  const child: ChildProcess = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const log = () => {
    try {
      return readFileSync(join(dir, 'pgbouncer.log'), 'utf8')
    } catch {
      return ''
    }
  }
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      await exited
    }
    rmSync(dir, { recursive: true, force: true })
  }
  for (let i = 0; i < 100 && !(await accepts(port)); i++) {
    if (child.exitCode !== null) break
    await new Promise((r) => setTimeout(r, 100))
  }
  if (!(await accepts(port))) {
    const why = `${stderr.trim()} ${log().trim()}`.trim()
    await stop()
    throw new Error(`pgbouncer did not start on port ${port}: ${why || 'no output'}`)
  }
  return {
    port,
    through(url: string) {
      const u = new URL(url)
      u.hostname = '127.0.0.1'
      u.port = String(port)
      return u.toString()
    },
    log,
    stop,
  }
}
