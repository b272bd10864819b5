// The Postgres providers against real PostgreSQL: local (the machine's binaries), embedded (the npm
// binaries), url (a server this test starts). Each must serve real SQL, copy a database by TEMPLATE,
// and leave nothing behind after stop(): no server process, no temp dir, no scratch database. Whatever
// `auto` picks here, docker included, must serve too (docker.test.ts has the docker provider's own tests).
import { spawnSync } from 'node:child_process'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GateError } from '../../src/errors.js'
import type { Logger } from '../../src/logger.js'
import { embeddedProvider } from '../../src/postgres/embedded.js'
import { externalProvider } from '../../src/postgres/external.js'
import { freePort } from '../../src/postgres/cluster.js'
import { localProvider } from '../../src/postgres/local.js'
import {
  AUTO_ORDER_ANY,
  type PostgresProvider,
  type ProviderOptions,
  type Server,
} from '../../src/postgres/provider.js'
import { chooseProvider, providerByName, type PostgresChoice } from '../../src/postgres/select.js'
import { postmasterPid } from '../../src/postgres/cluster-dirs.js'
import { ensureDockerEngine, ensurePostgresImage } from '../support/docker.js'
import { clusterDirsOf, gateDatabasesOn, processesIn } from '../support/leftovers.js'
import { clusterRoot } from '../../src/postgres/cluster-root.js'
import { ResourceTracker } from '../../src/resource-tracker.js'

/** What this file's servers and processes are tracked by, as a run's are by its own. */
const resources = new ResourceTracker()

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<T>(sql)).rows
  } finally {
    await client.end()
  }
}

/** Creates a table with a row in a new database, copies that database by TEMPLATE, reads the row back from the copy. */
async function exerciseServer(server: Server): Promise<void> {
  expect(server.serverVersion).toMatch(/^\d+\.\d+/)
  expect(server.startMs).toBeGreaterThan(0)
  const a = await server.createDatabase()
  expect(a.name).toMatch(/^migration_gate_/)
  await query(a.url, "CREATE TABLE chats (id int PRIMARY KEY, title text); INSERT INTO chats VALUES (1, 'hello')")
  const b = await server.createDatabase({ template: a.name })
  expect(await query(b.url, 'SELECT id, title FROM chats')).toEqual([{ id: 1, title: 'hello' }])
  // The copy is independent of its template.
  await query(b.url, "INSERT INTO chats VALUES (2, 'copy only')")
  expect(await query(a.url, 'SELECT count(*)::int AS n FROM chats')).toEqual([{ n: 1 }])
  await server.dropDatabase(b.name)
  expect(await query(a.url, "SELECT count(*)::int AS n FROM pg_database WHERE datname = '" + b.name + "'")).toEqual([
    { n: 0 },
  ])
}

/** Starts a cluster provider, exercises it, stops it, and checks no process or dir of it is left. */
async function provesCluster(provider: PostgresProvider): Promise<void> {
  const before = new Set(clusterDirsOf(process.pid))
  const server = await provider.start()
  const dirs = clusterDirsOf(process.pid).filter((d) => !before.has(d))
  expect(dirs).toHaveLength(1)
  const dir = dirs[0] as string
  // Where the rule puts it (cluster-root.ts): $TMPDIR when set, else a RAM disk with room, else /tmp.
  expect(dirname(dir)).toBe(clusterRoot().dir)
  expect(server.dataDir).toEqual({ path: dir, inMemory: clusterRoot().inMemory })
  // Its dynamic shared memory lives in the data dir (the control segment at least), so a server killed
  // with SIGKILL leaves nothing in /dev/shm: it goes with the dir.
  expect(readdirSync(join(dir, 'data', 'pg_dynshmem')).length).toBeGreaterThan(0)
  const pid = postmasterPid(dir)
  expect(pid).toBeGreaterThan(0)
  // The checks below can fail: while running, the server is visible to them.
  expect(processesIn(dir)).toContain(pid)
  try {
    await exerciseServer(server)
  } finally {
    await server.stop()
  }
  expect(processesIn(dir)).toEqual([])
  expect(existsSync(dir)).toBe(false)
  expect(clusterDirsOf(process.pid)).not.toContain(dir)
  await server.stop() // idempotent
}

describe('local provider', () => {
  it('starts, serves, copies by template, and leaves no process or dir after stop()', async () => {
    const provider = localProvider({ resources })
    expect(await provider.unavailableReason()).toBeNull()
    await provesCluster(provider)
  })

  it('starts under a temp dir too deep for a Unix socket path (it goes without the socket)', async () => {
    // The server's socket would be DIR/sock/.s.PGSQL.PORT: past 107 bytes it refuses to start.
    const deep = join(mkdtempSync(join(tmpdir(), 'mg-test-deep-')), 'd'.repeat(90))
    mkdirSync(deep, { mode: 0o755 })
    chmodSync(join(deep, '..'), 0o755) // the server user walks through it when the test runs as root
    const saved = process.env.TMPDIR
    process.env.TMPDIR = deep
    try {
      await provesCluster(localProvider({ resources }))
    } finally {
      if (saved === undefined) delete process.env.TMPDIR
      else process.env.TMPDIR = saved
      rmSync(join(deep, '..'), { recursive: true, force: true })
    }
  })

  it('goes on through template1 once a migration dropped the admin database, also for calls side by side', async () => {
    const server = await localProvider({ resources }).start()
    try {
      const a = await server.createDatabase()
      const b = await server.createDatabase()
      await query(a.url, 'DROP DATABASE postgres') // what a hostile migration may do
      // A rebuild drops the old database while it creates the new one: both calls find the admin
      // database gone before either has switched to template1.
      const [, , c] = await Promise.all([
        server.dropDatabase(a.name),
        server.dropDatabase(b.name),
        server.createDatabase(),
      ])
      expect(await query(c.url, 'SELECT current_database() AS name')).toEqual([{ name: c.name }])
      await server.dropDatabase(c.name)
    } finally {
      await server.stop()
    }
  })

  const noIpcs = spawnSync('ipcs', ['-m']).status === 0 ? null : 'no ipcs here'
  if (noIpcs) console.log(`skipped "a server killed with SIGKILL": ${noIpcs}`)
  it.skipIf(noIpcs !== null)(
    'a server killed with SIGKILL leaves no shared memory segment behind once stopped',
    async () => {
      const server = await localProvider({ resources }).start()
      const dir = server.dataDir?.path as string
      const lines = readFileSync(join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')
      const id = (lines[6] ?? '').trim().split(/\s+/)[1] as string
      // ipcs exits 0 for an id it does not know too: the segment is there when it is described.
      const segment = () => spawnSync('ipcs', ['-m', '-i', id], { encoding: 'utf8' }).stdout.includes(`shmid=${id}`)
      expect(segment()).toBe(true)
      process.kill(Number(lines[0]), 'SIGKILL') // its clean shutdown would remove the segment itself
      await new Promise((r) => setTimeout(r, 200))
      await server.stop()
      // Marked for removal at once; the kernel removes it when the last killed backend has detached.
      for (let i = 0; i < 40 && segment(); i++) await new Promise((r) => setTimeout(r, 50))
      expect(segment()).toBe(false)
      expect(existsSync(dir)).toBe(false)
    },
  )

  it('rejects a pg-bin without binaries with a GateError naming pg-bin', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'mg-test-empty-bin-'))
    try {
      for (const pgBin of [empty, join(empty, 'missing')]) {
        const error = await localProvider({ resources, pgBin })
          .start()
          .catch((e: unknown) => e)
        expect(error).toBeInstanceOf(GateError)
        expect((error as GateError).input).toBe('pg-bin')
        expect((error as GateError).message).toMatch(/^pg-bin: /)
        expect((error as GateError).message).not.toContain('\n')
      }
    } finally {
      rmSync(empty, { recursive: true, force: true })
    }
  })

  it('removes its temp dir when start-up fails (initdb fails)', async () => {
    // Binaries that look right (`postgres --version` answers) but whose initdb fails.
    const fake = mkdtempSync(join(tmpdir(), 'mg-test-fake-bin-'))
    chmodSync(fake, 0o755) // the server user must be able to run them when the test runs as root
    writeFileSync(join(fake, 'postgres'), '#!/bin/sh\necho "postgres (PostgreSQL) 15.99"\n', { mode: 0o755 })
    writeFileSync(join(fake, 'initdb'), '#!/bin/sh\necho "initdb: simulated failure" >&2\nexit 1\n', { mode: 0o755 })
    try {
      const before = clusterDirsOf(process.pid)
      await expect(localProvider({ resources, pgBin: fake }).start()).rejects.toThrow(
        /initdb failed: initdb: simulated failure/,
      )
      expect(clusterDirsOf(process.pid)).toEqual(before)
    } finally {
      rmSync(fake, { recursive: true, force: true })
    }
  })
})

describe('embedded provider', () => {
  it('starts, serves, copies by template, and leaves no process or dir after stop()', async (ctx) => {
    const provider = embeddedProvider({ resources })
    const reason = await provider.unavailableReason()
    if (reason) {
      console.log(`skipping embedded provider test: ${reason}`)
      ctx.skip()
    }
    await provesCluster(provider)
  })
})

describe('url provider', () => {
  let host: Server
  let adminUrl: string
  beforeAll(async () => {
    host = await localProvider({ resources }).start()
    adminUrl = host.urlFor('postgres')
    await query(adminUrl, "CREATE ROLE no_createdb LOGIN PASSWORD 'sekret-pw'")
    await query(adminUrl, 'CREATE DATABASE not_the_gates')
  })
  afterAll(async () => {
    await host?.stop()
  })

  it('serves in scratch databases it creates and drops every one of them on stop()', async () => {
    const server = await externalProvider({ resources, databaseUrl: adminUrl }).start()
    expect(server.provider).toBe('url')
    let names: string[] = []
    try {
      await exerciseServer(server)
      names = await gateDatabasesOn(adminUrl)
      expect(names.length).toBeGreaterThan(0)
      // A session left open (a killed migration helper) must not keep a scratch database alive.
      const open = new pg.Client({ connectionString: server.urlFor(names[0] as string) })
      await open.connect()
      open.on('error', () => {}) // the drop terminates it
    } finally {
      await server.stop()
    }
    expect(await gateDatabasesOn(adminUrl)).toEqual([])
    // The user's own databases are untouched.
    expect(await query(adminUrl, "SELECT datname FROM pg_database WHERE datname = 'not_the_gates'")).toHaveLength(1)
  })

  it('refuses to drop databases it did not create', async () => {
    const server = await externalProvider({ resources, databaseUrl: adminUrl }).start()
    try {
      await expect(server.dropDatabase('not_the_gates')).rejects.toThrow(/did not create/)
      await expect(server.dropDatabase('postgres')).rejects.toThrow(/did not create/)
      // Not even after it created (and dropped) one of its own under a gate-like name.
      const mine = await server.createDatabase()
      await server.dropDatabase(mine.name)
      await expect(server.dropDatabase(mine.name)).rejects.toThrow(/did not create/)
      expect(await query(adminUrl, "SELECT datname FROM pg_database WHERE datname = 'not_the_gates'")).toHaveLength(1)
    } finally {
      await server.stop()
    }
  })

  it('works as a plain CREATEDB role, and says which scratch database it could not drop', async () => {
    await query(adminUrl, "CREATE ROLE gate_user LOGIN CREATEDB PASSWORD 'sekret-pw'")
    const u = new URL(adminUrl)
    u.username = 'gate_user'
    u.password = 'sekret-pw'
    const server = await externalProvider({ resources, databaseUrl: u.toString() }).start()
    const kept = await server.createDatabase()
    const dropped = await server.createDatabase()
    // Someone takes one database away from the gate's role: it can no longer drop it.
    await query(adminUrl, `ALTER DATABASE ${kept.name} OWNER TO postgres`)
    const error = await server.stop().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(GateError)
    expect((error as GateError).input).toBe('database-url')
    expect((error as GateError).message).toMatch(
      new RegExp(`^database-url: could not drop scratch database ${kept.name} \\(must be owner`),
    )
    expect((error as GateError).message).not.toContain('sekret-pw')
    expect(await gateDatabasesOn(adminUrl)).toEqual([kept.name]) // the other one was still dropped
    expect(dropped.name).not.toBe(kept.name)
    await query(adminUrl, `DROP DATABASE ${kept.name}`)
  })

  it('a role without CREATEDB fails with one line naming database-url, without the password', async () => {
    const u = new URL(adminUrl)
    u.username = 'no_createdb'
    u.password = 'sekret-pw'
    const error = await externalProvider({ resources, databaseUrl: u.toString() })
      .start()
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(GateError)
    const e = error as GateError
    expect(e.input).toBe('database-url')
    expect(e.message).toMatch(/^database-url: .*lacks CREATEDB/)
    expect(e.message).not.toContain('\n')
    expect(e.message).not.toContain('sekret-pw')
  })

  it('a bad or unreachable URL fails with one line naming database-url', async () => {
    const closedPort = await freePort()
    const cases = [
      undefined,
      'not a url',
      'mysql://root@127.0.0.1/db',
      `postgresql://postgres:sekret-pw@127.0.0.1:${closedPort}/postgres`,
      `${adminUrl.replace(/\/postgres$/, '')}/no_such_database`,
    ]
    for (const databaseUrl of cases) {
      const error = await externalProvider({ resources, databaseUrl })
        .start()
        .catch((e: unknown) => e)
      expect(error, String(databaseUrl)).toBeInstanceOf(GateError)
      expect((error as GateError).input).toBe('database-url')
      expect((error as GateError).message).toMatch(/^database-url: /)
      expect((error as GateError).message).not.toContain('\n')
      expect((error as GateError).message).not.toContain('sekret-pw')
    }
  })
})

/** The gate's containers (its label) on the engine testcontainers talks to, running or not. */
async function gateContainerIds(): Promise<string[]> {
  const { getContainerRuntimeClient } = await import('testcontainers')
  const client = await getContainerRuntimeClient()
  const all = await client.container.dockerode.listContainers({ all: true, filters: { label: ['org.migration-gate'] } })
  return all.map((c) => c.Id)
}

/**
 * The image option for the engine that answers: test/support/build-postgres-image.sh's image, built
 * from the local PostgreSQL binaries; if it cannot be built, the default image (a registry may have it).
 */
async function imageForAnsweringEngine(): Promise<Omit<ProviderOptions, 'resources'>> {
  // The reaper image would need a registry; the provider removes its own containers.
  process.env.TESTCONTAINERS_RYUK_DISABLED = 'true'
  const found = await ensureDockerEngine()
  if (!found.engine) throw new Error(`auto picked docker, but no engine answers: ${found.reason}`)
  if (found.engine.started) {
    // testcontainers found an engine some other way; a private one of ours would not be the one it uses.
    await found.engine.stop()
    console.log('docker: using the default image: the engine testcontainers found is not one to build on')
    return {}
  }
  const built = await ensurePostgresImage(found.engine)
  if ('tag' in built) return { image: built.tag }
  console.log(`docker: using the default image: ${built.reason}`)
  return {}
}

describe('provider selection', () => {
  const recorder = () => {
    const lines: string[] = []
    const logger: Logger = { info: (m) => lines.push(m), warn: (m) => lines.push(m), debug: () => {} }
    return { lines, logger }
  }

  it('auto picks the first provider that can serve here and logs which, and it really serves', async () => {
    let expected: string | undefined
    for (const name of AUTO_ORDER_ANY) {
      if ((await providerByName(name, { resources }).unavailableReason()) === null) {
        expected = name
        break
      }
    }
    // Docker wins wherever an engine answers (CI runners have one): give it an image that engine can
    // run without a registry, as docker.test.ts does, so the serving check below holds for it too.
    const options: ProviderOptions = { resources, ...(expected === 'docker' ? await imageForAnsweringEngine() : {}) }
    const { lines, logger } = recorder()
    const provider = await chooseProvider('auto', options, logger)
    expect(provider.name).toBe(expected)
    expect(lines.some((l) => l.startsWith(`postgres: auto picked ${provider.name}`))).toBe(true)

    // What it picked must really serve: it answers, reports its version, and is gone after stop().
    const leftovers = provider.name === 'docker' ? gateContainerIds : async () => clusterDirsOf(process.pid)
    const before = new Set(await leftovers())
    const server = await provider.start()
    const own = (await leftovers()).filter((x) => !before.has(x))
    expect(own).toHaveLength(1)
    try {
      expect(server.provider).toBe(provider.name)
      expect(server.serverVersion).toMatch(/^\d+\.\d+/)
      const [row] = await query<{ server_version: string }>(server.urlFor('postgres'), 'SHOW server_version')
      expect(row?.server_version.split(' ')[0]).toBe(server.serverVersion)
    } finally {
      await server.stop()
    }
    expect(await leftovers()).not.toContain(own[0])
  })

  it('auto picks url when a database-url is given, and says so', async () => {
    const { lines, logger } = recorder()
    const provider = await chooseProvider('auto', { resources, databaseUrl: 'postgresql://u@127.0.0.1/db' }, logger)
    expect(provider.name).toBe('url')
    expect(lines).toContain('postgres: auto picked url (database-url is set)')
  })

  it('an unknown postgres value is a GateError naming the input and the allowed values', async () => {
    const error = await chooseProvider('mysql' as PostgresChoice, { resources }, recorder().logger).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(GateError)
    expect((error as GateError).input).toBe('postgres')
    expect((error as GateError).message).toMatch(
      /^postgres: unknown value "mysql" \(allowed: auto, docker, local, embedded, url\)$/,
    )
  })
})

describe('after this file', () => {
  it('left no cluster dir of its own', () => {
    // No grace period: stop() must have waited for every server it stopped.
    expect(clusterDirsOf(process.pid)).toEqual([])
  })
})
