// The docker provider (testcontainers) for real, against a locally built image that behaves like the
// official postgres image (test/support/build-postgres-image.sh): no registry is needed. Without a
// Docker engine that can be reached or started here, every test is skipped with the reason printed.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest'
import { GateError } from '../../src/errors.js'
import { findBinaries } from '../../src/postgres/binaries.js'
import { DEFAULT_POSTGRES_IMAGE, dockerProvider } from '../../src/postgres/docker.js'
import { readLedger } from '../../src/postgres/ledger.js'
import { cleanupLedger } from '../../src/postgres/ledger-cleanup.js'
import { ensureDockerEngine, ensurePostgresImage, type DockerEngine } from '../support/docker.js'
import { holdServer, spawnHoldServer, waitUntil, type Spawned } from '../support/leftovers.js'
import { ResourceTracker } from '../../src/resource-tracker.js'

/** What this file's servers and processes are tracked by, as a run's are by its own. */
const resources = new ResourceTracker()

let engine: DockerEngine | undefined
let image = ''
let skipReason = ''
let scratch = ''
const held: Spawned[] = []

/** Every container (running or not) the engine has, by id: `docker ps -a`. */
async function allContainerIds(): Promise<string[]> {
  const { getContainerRuntimeClient } = await import('testcontainers')
  const client = await getContainerRuntimeClient()
  return (await client.container.dockerode.listContainers({ all: true })).map((c) => c.Id)
}

function needsDocker(ctx: TestContext): void {
  if (skipReason) {
    console.log(`docker provider tests skipped: ${skipReason}`)
    ctx.skip()
  }
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<T>(sql)).rows
  } finally {
    await client.end()
  }
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'mg-docker-test-'))
  // The reaper image may not be pullable (an engine without registry access); the provider removes
  // its own containers anyway.
  process.env.TESTCONTAINERS_RYUK_DISABLED = 'true'
  const result = await ensureDockerEngine()
  if (!result.engine) {
    skipReason = result.reason
    return
  }
  engine = result.engine
  // Set before testcontainers first looks for an engine (it caches what it finds).
  process.env.DOCKER_HOST = engine.host
  const built = await ensurePostgresImage(engine)
  if ('reason' in built) skipReason = built.reason
  else image = built.tag
}, 240_000)

afterAll(async () => {
  for (const h of held) if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill('SIGKILL')
  await Promise.all(held.map((h) => h.exited))
  if (scratch) rmSync(scratch, { recursive: true, force: true })
  // Stops the dockerd this file started (an engine that was already running is left alone).
  await engine?.stop()
}, 60_000)

describe('docker provider', () => {
  it('keeps an official postgres image as the default for users', () => {
    expect(DEFAULT_POSTGRES_IMAGE).toMatch(/^postgres:\d+(-alpine)?$/)
  })

  it(
    'starts the image, serves, copies by template, and removes the container on stop()',
    { timeout: 120_000 },
    async (ctx) => {
      needsDocker(ctx)
      const provider = dockerProvider({ resources, image })
      expect(await provider.unavailableReason()).toBeNull()
      const before = new Set(await allContainerIds())
      const server = await provider.start()
      const ours = (await allContainerIds()).filter((id) => !before.has(id))
      expect(ours).toHaveLength(1)
      // The data dir (the image's VOLUME, as in the official images up to 17) is on tmpfs: no volume
      // on disk to leave behind.
      const { getContainerRuntimeClient } = await import('testcontainers')
      const inspect = await (
        await getContainerRuntimeClient()
      ).container.dockerode
        .getContainer(ours[0] as string)
        .inspect()
      expect(inspect.Mounts.filter((m) => m.Type === 'volume')).toEqual([])
      expect(inspect.HostConfig.Tmpfs).toHaveProperty(['/var/lib/postgresql/data'])
      try {
        expect(server.provider).toBe('docker')
        expect(server.serverVersion).toBe(findBinaries()?.version)
        const admin = server.urlFor('postgres')
        // The provider's `-c` arguments reached the server.
        expect(await query(admin, 'SHOW fsync')).toEqual([{ fsync: 'off' }])
        const a = await server.createDatabase()
        await query(a.url, "CREATE TABLE chats (id int PRIMARY KEY, title text); INSERT INTO chats VALUES (1, 'hello')")
        const b = await server.createDatabase({ template: a.name })
        expect(await query(b.url, 'SELECT id, title FROM chats')).toEqual([{ id: 1, title: 'hello' }])
        await expect(server.dropDatabase('postgres')).rejects.toThrow(/did not create/)
      } finally {
        await server.stop()
      }
      expect(await allContainerIds()).not.toContain(ours[0])
      await server.stop() // idempotent
    },
  )

  it(
    'an image that cannot be had is a GateError naming postgres-image, and leaves no container',
    { timeout: 90_000 },
    async (ctx) => {
      needsDocker(ctx)
      const before = await allContainerIds()
      const error = await dockerProvider({ resources, image: 'migration-gate-test/no-such-image:1' })
        .start()
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(GateError)
      expect((error as GateError).input).toBe('postgres-image')
      expect((error as GateError).message).toMatch(
        /^postgres-image: cannot start migration-gate-test\/no-such-image:1: /,
      )
      expect(await allContainerIds()).toEqual(before)
    },
  )
})

describe('docker provider cleanup', () => {
  const env = () => ({
    DOCKER_HOST: engine?.host ?? '',
    TESTCONTAINERS_RYUK_DISABLED: 'true',
    HOLD_IMAGE: image,
  })

  it('SIGINT: the container is removed and the run exits 130', { timeout: 120_000 }, async (ctx) => {
    needsDocker(ctx)
    const ledger = join(scratch, 'ledger-sigint.json')
    const h = await holdServer('docker', { ...env(), HOLD_LEDGER: ledger }, 90_000)
    held.push(h)
    const id = h.info.containerId as string
    expect(readLedger(ledger)).toEqual([{ kind: 'container', id }])
    expect(await allContainerIds()).toContain(id)
    h.child.kill('SIGINT')
    expect(await h.exited).toEqual({ code: 130, signal: null })
    expect(await allContainerIds()).not.toContain(id)
    expect(existsSync(ledger)).toBe(false)
  })

  it('SIGINT during start-up (created, not ready): the container is removed', { timeout: 120_000 }, async (ctx) => {
    needsDocker(ctx)
    const before = new Set(await allContainerIds())
    const run = spawnHoldServer('docker', env())
    held.push(run)
    let created: string | undefined
    const seen = await waitUntil(async () => {
      created = (await allContainerIds()).find((id) => !before.has(id))
      return created !== undefined || run.child.exitCode !== null
    }, 60_000)
    expect(seen && created).toBeTruthy()
    expect(run.stdout()).not.toContain('READY') // still starting: the server inside is not ready yet
    run.child.kill('SIGINT')
    expect(await run.exited).toEqual({ code: 130, signal: null })
    expect(await allContainerIds()).not.toContain(created)
  })

  it('an uncaught failure: the exit handler removes the container', { timeout: 120_000 }, async (ctx) => {
    needsDocker(ctx)
    const ledger = join(scratch, 'ledger-crash.json')
    const h = await holdServer('docker', { ...env(), HOLD_LEDGER: ledger, HOLD_CRASH: '1' }, 90_000)
    held.push(h)
    const id = h.info.containerId
    expect(id).toBeTruthy()
    expect((await h.exited).code).toBe(1)
    // The exit handler removed the container and struck it from the ledger.
    expect(await allContainerIds()).not.toContain(id)
    expect(existsSync(ledger)).toBe(false)
  })

  it(
    'SIGKILL: the post step (cleanupLedger) removes the container the run recorded',
    { timeout: 120_000 },
    async (ctx) => {
      needsDocker(ctx)
      const ledger = join(scratch, 'ledger-sigkill.json')
      const h = await holdServer('docker', { ...env(), HOLD_LEDGER: ledger }, 90_000)
      held.push(h)
      const id = h.info.containerId as string
      expect(readLedger(ledger)).toEqual([{ kind: 'container', id }])
      h.child.kill('SIGKILL')
      await h.exited
      expect(await allContainerIds()).toContain(id)
      const result = await cleanupLedger(ledger)
      expect(result).toEqual({ removed: [`container ${id.slice(0, 12)}`], problems: [] })
      expect(await allContainerIds()).not.toContain(id)
    },
  )
})
