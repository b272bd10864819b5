// A Docker engine and a postgres image for testing the docker provider where no registry answers.
// ensureDockerEngine(): an engine that already answers (DOCKER_HOST, /var/run/docker.sock) is used
// as it is; otherwise, as root with dockerd installed (apt-get install -y docker.io), a private
// dockerd is started on its own socket, data root and exec root, so it neither meets a system
// engine nor makes other test files' `auto` pick docker. It is stopped by engine.stop() (the test
// calls it in afterAll); its data root stays, so the built image is reused by the next run.
// ensurePostgresImage(): builds test/support/build-postgres-image.sh's image once per tag.
import { execFile, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, openSync, closeSync, readFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { findBinaries } from '../../src/postgres/binaries.js'
import { isRunning } from '../../src/postgres/processes.js'

const run = promisify(execFile)

export interface DockerEngine {
  /** The DOCKER_HOST value that reaches it (unix://...). */
  host: string
  /** True when this process started it (and stop() stops it). */
  started: boolean
  stop(): Promise<void>
}

export type EngineResult = { engine: DockerEngine; reason?: undefined } | { engine?: undefined; reason: string }

/** Where the private engine keeps images (outside any migration-gate-pg-* pattern, kept across runs). */
const ROOT = join(tmpdir(), 'migration-gate-test-dockerd')
const START_TIMEOUT_MS = 30_000

/** GET /_ping on a unix socket; true when the engine answers OK. */
function ping(socketPath: string, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', timeout: timeoutMs }, (res) => {
      res.resume()
      resolve(res.statusCode === 200)
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(false))
    req.end()
  })
}

function socketOf(host: string | undefined): string | null {
  return host?.startsWith('unix://') ? host.slice('unix://'.length) : null
}

function findDockerd(): string | null {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/bin', '/sbin'])) {
    if (dir && existsSync(join(dir, 'dockerd'))) return join(dir, 'dockerd')
  }
  return null
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export async function ensureDockerEngine(): Promise<EngineResult> {
  const notOurs = (host: string): EngineResult => ({ engine: { host, started: false, stop: async () => {} } })
  const given = socketOf(process.env.DOCKER_HOST)
  if (given && (await ping(given))) return notOurs(`unix://${given}`)
  // A tcp:// or ssh:// engine is the user's choice: used as it is (testcontainers reports if it fails).
  if (process.env.DOCKER_HOST && !given) return notOurs(process.env.DOCKER_HOST)
  if (!process.env.DOCKER_HOST && (await ping('/var/run/docker.sock'))) return notOurs('unix:///var/run/docker.sock')

  const dockerd = findDockerd()
  if (!dockerd)
    return { reason: 'no Docker engine answers and dockerd is not installed (apt-get install -y docker.io)' }
  if (process.getuid?.() !== 0) return { reason: 'no Docker engine answers, and starting dockerd needs root' }

  const socket = join(ROOT, 'docker.sock')
  const pidFile = join(ROOT, 'docker.pid')
  const host = `unix://${socket}`
  // A private engine left by an earlier run that was killed: reuse it, but it is not ours to stop.
  if (await ping(socket)) return notOurs(host)

  mkdirSync(ROOT, { recursive: true })
  const logFile = join(ROOT, 'dockerd.log')
  const log = openSync(logFile, 'w')
  const child = spawn(
    dockerd,
    ['--host', host, '--data-root', join(ROOT, 'data'), '--exec-root', join(ROOT, 'exec'), '--pidfile', pidFile],
    { detached: true, stdio: ['ignore', log, log] },
  )
  closeSync(log)
  child.unref()
  let exited = false
  child.once('exit', () => (exited = true))
  child.once('error', () => (exited = true))

  const stop = async () => {
    if (!child.pid || !isRunning(child.pid)) return
    child.kill('SIGTERM')
    const deadline = Date.now() + 15_000
    while (isRunning(child.pid) && Date.now() < deadline) await sleep(50)
    if (isRunning(child.pid)) child.kill('SIGKILL')
  }
  const deadline = Date.now() + START_TIMEOUT_MS
  while (Date.now() < deadline && !exited) {
    if (await ping(socket)) {
      await removeLeftContainers(host)
      return { engine: { host, started: true, stop } }
    }
    await sleep(100)
  }
  await stop()
  const tail = readFileSync(logFile, 'utf8').trim().split('\n').slice(-3).join(' | ')
  return { reason: `dockerd did not answer within ${START_TIMEOUT_MS / 1000} s (${tail || 'no log'})` }
}

/**
 * This private engine's containers left by an earlier test run that was killed (the gate labels
 * its containers): removed so they do not pile up in the kept data root.
 */
async function removeLeftContainers(host: string): Promise<void> {
  const env = { ...process.env, DOCKER_HOST: host }
  try {
    const { stdout } = await run('docker', ['ps', '-aq', '--filter', 'label=org.migration-gate'], {
      env,
      timeout: 10_000,
    })
    const ids = stdout.split('\n').filter(Boolean)
    if (ids.length) await run('docker', ['rm', '-f', '-v', ...ids], { env, timeout: 30_000 })
  } catch {
    // no CLI: they stay, harmless to the tests (which compare before and after)
  }
}

/** GET /images/TAG/json: the image's environment when the engine has it, else null. */
function imageEnv(socketPath: string, tag: string): Promise<string[] | null> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: `/images/${encodeURIComponent(tag)}/json`, timeout: 5_000 }, (res) => {
      let body = ''
      res.on('data', (d: Buffer) => (body += d.toString()))
      res.on('end', () => {
        if (res.statusCode !== 200) return resolve(null)
        try {
          resolve((JSON.parse(body) as { Config?: { Env?: string[] } }).Config?.Env ?? [])
        } catch {
          resolve(null)
        }
      })
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(null))
    req.end()
  })
}

/**
 * The tag of a local image that behaves like the official postgres image, built from the host's own
 * PostgreSQL binaries on first use (a few seconds), or the reason it cannot be built.
 */
export async function ensurePostgresImage(engine: DockerEngine): Promise<{ tag: string } | { reason: string }> {
  const bins = findBinaries()
  if (!bins) return { reason: 'no PostgreSQL server binaries on the host to build the test image from' }
  const tag = `migration-gate-test/postgres:${bins.major}-local`
  const script = join(import.meta.dirname, 'build-postgres-image.sh')
  // The image is reused while the script that built it (and the binaries' version) is unchanged.
  const buildId = createHash('sha256').update(readFileSync(script)).update(bins.version).digest('hex').slice(0, 16)
  const socket = socketOf(engine.host)
  if (socket && (await imageEnv(socket, tag))?.includes(`MIGRATION_GATE_TEST_IMAGE=${buildId}`)) return { tag }
  try {
    await run('bash', [script, bins.dir, tag, buildId], {
      env: { ...process.env, DOCKER_HOST: engine.host },
      timeout: 180_000,
    })
    return { tag }
  } catch (error) {
    const e = error as { stderr?: string; message: string }
    return { reason: `building ${tag} failed: ${(e.stderr || e.message).trim().split('\n').slice(-3).join(' | ')}` }
  }
}
