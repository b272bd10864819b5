// Cleanup for real: a separate node process (test/support/hold-server.ts) starts a server the way a
// gate run does; the test signals, crashes or kills it, then looks at the process table, the temp
// dir and pg_database. Each child gets a private TMPDIR, so what it leaves is unambiguous.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readLedger } from '../../src/postgres/ledger.js'
import { cleanupLedger } from '../../src/postgres/ledger-cleanup.js'
import { runIdOfDatabase } from '../../src/postgres/names.js'
import { localProvider } from '../../src/postgres/local.js'
import type { Server } from '../../src/postgres/provider.js'
import { destroyClusterSync, removeStaleClusters } from '../../src/postgres/cluster-dirs.js'
import {
  clusterDirsOf,
  gateDatabasesOn,
  holdServer,
  processesIn,
  spawnHoldServer,
  waitUntil,
  type Held,
  type Spawned,
} from '../support/leftovers.js'
import { ResourceTracker } from '../../src/resource-tracker.js'

/** What this file's servers and processes are tracked by, as a run's are by its own. */
const resources = new ResourceTracker()

let root: string
let host: Server
let hostUrl: string
const held: Spawned[] = []
const privateDirs: string[] = []

/** A private TMPDIR for one child; traversable, because as root the server runs as another user. */
function privateTmp(): string {
  const dir = mkdtempSync(join(root, 'tmp-'))
  chmodSync(dir, 0o755)
  privateDirs.push(dir)
  return dir
}

async function hold(mode: string, env: Record<string, string>): Promise<Held> {
  const h = await holdServer(mode, env)
  held.push(h)
  return h
}

/** The cluster the child made is running now: the later "gone" checks are not vacuous. */
function expectRunning(h: Held): { dir: string; pid: number } {
  const dir = h.info.clusterDir
  const pid = h.info.postmasterPid
  expect(dir).toBeTruthy()
  expect(pid).toBeGreaterThan(0)
  expect(processesIn(dir as string)).toContain(pid)
  return { dir: dir as string, pid: pid as number }
}

async function expectClusterGone(dir: string): Promise<void> {
  // The child has exited when this is called; its cleanup must already be complete, give a short
  // grace only for the kernel to finish tearing processes down.
  expect(await waitUntil(() => processesIn(dir).length === 0, 2_000)).toBe(true)
  expect(existsSync(dir)).toBe(false)
}

async function databaseExists(name: string): Promise<boolean> {
  return (await gateDatabasesOn(hostUrl)).includes(name)
}

/** The role of the url run that created `database` (migration_gate_role_<run id>). */
function runRoleOf(database: string): string {
  return `migration_gate_role_${runIdOfDatabase(database) ?? 'none'}`
}

async function roleExists(name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: hostUrl })
  await client.connect()
  try {
    return (await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).rowCount === 1
  } finally {
    await client.end()
  }
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mg-cleanup-test-'))
  chmodSync(root, 0o755)
  host = await localProvider({ resources }).start()
  hostUrl = host.urlFor('postgres')
})

afterAll(async () => {
  for (const h of held) if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill('SIGKILL')
  await Promise.all(held.map((h) => h.exited))
  await host?.stop()
  // Whatever a failed test left in the private dirs: stop it, so no server outlives the run.
  for (const dir of privateDirs) for (const cluster of clusterDirsOf(null, dir)) destroyClusterSync(cluster)
  if (root) rmSync(root, { recursive: true, force: true })
})

describe('signals', () => {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${signal}: the local server and its dir are gone, the run exits ${code}`, async () => {
      const h = await hold('local', { TMPDIR: privateTmp() })
      const { dir } = expectRunning(h)
      h.child.kill(signal)
      expect(await h.exited).toEqual({ code, signal: null })
      expect(h.stderr()).toContain(`${signal} received, cleaning up`)
      await expectClusterGone(dir)
    })
  }

  it('SIGINT during start-up (initdb running): nothing of the cluster is left', async () => {
    const tmp = privateTmp()
    const run = spawnHoldServer('local', { TMPDIR: tmp })
    held.push(run)
    let dir: string | undefined
    // The dir appears before initdb starts; initdb then takes most of a second.
    expect(await waitUntil(() => (dir = clusterDirsOf(run.child.pid ?? -1, tmp)[0]) !== undefined, 30_000)).toBe(true)
    expect(run.stdout()).not.toContain('READY')
    run.child.kill('SIGINT')
    expect(await run.exited).toEqual({ code: 130, signal: null })
    await expectClusterGone(dir as string)
    // Nothing recreated it after the removal (an initdb left running would).
    await new Promise((r) => setTimeout(r, 500))
    expect(existsSync(dir as string)).toBe(false)
    expect(processesIn(tmp)).toEqual([])
  })

  it("SIGTERM: scratch databases and the run's role on a database-url server are dropped", async () => {
    const h = await hold('url', { HOLD_DATABASE_URL: hostUrl })
    expect(await databaseExists(h.info.database)).toBe(true)
    expect(await roleExists(runRoleOf(h.info.database))).toBe(true)
    h.child.kill('SIGTERM')
    expect(await h.exited).toEqual({ code: 143, signal: null })
    expect(await databaseExists(h.info.database)).toBe(false)
    expect(await roleExists(runRoleOf(h.info.database))).toBe(false)
  })

  it('an uncaught failure: the exit handler kills the server and removes the dir', async () => {
    const ledger = join(root, 'ledger-crash.json')
    const h = await hold('local', { TMPDIR: privateTmp(), HOLD_CRASH: '1', HOLD_LEDGER: ledger })
    const dir = h.info.clusterDir as string
    expect(dir).toBeTruthy()
    const { code } = await h.exited
    expect(code).toBe(1)
    expect(h.stderr()).toContain('crashing on purpose')
    await expectClusterGone(dir)
    expect(existsSync(ledger)).toBe(false) // struck from the ledger too: nothing left for the post step
  })
})

describe('a killed run (SIGKILL)', () => {
  it('leaves a marked cluster that the next start removes; live gates keep theirs', async () => {
    const tmp = privateTmp()
    const killed = await hold('local', { TMPDIR: tmp })
    const stale = expectRunning(killed)
    killed.child.kill('SIGKILL')
    expect((await killed.exited).signal).toBe('SIGKILL')
    // Nothing could clean up: the orphaned server still runs in its dir.
    expect(processesIn(stale.dir)).toContain(stale.pid)
    expect(existsSync(stale.dir)).toBe(true)

    const next = await hold('local', { TMPDIR: tmp })
    const fresh = expectRunning(next)
    await expectClusterGone(stale.dir)
    // A sweep from another process leaves the running gate's cluster alone.
    expect(await removeStaleClusters(tmp)).toEqual([])
    expect(processesIn(fresh.dir)).toContain(fresh.pid)

    next.child.kill('SIGTERM')
    await next.exited
    await expectClusterGone(fresh.dir)
  })
})

describe('the ledger and the post step (cleanupLedger)', () => {
  it('a normal stop leaves an empty ledger (no file)', async () => {
    const ledger = join(root, 'ledger-normal.json')
    const h = await hold('local', { TMPDIR: privateTmp(), HOLD_LEDGER: ledger })
    expect(readLedger(ledger).map((r) => r.kind)).toEqual(['cluster'])
    h.child.kill('SIGTERM')
    await h.exited
    expect(existsSync(ledger)).toBe(false)
  })

  it('removes the cluster and the scratch database a killed run recorded', async () => {
    const clusterLedger = join(root, 'ledger-cluster.json')
    const dbLedger = join(root, 'ledger-db.json')
    // The host cluster asks for its password: the ledger must not store it, and the post step gets
    // it back from the database-url input alone.
    const withPassword = new URL(hostUrl)
    const password = withPassword.password
    expect(password).toMatch(/^[0-9a-f]{32,}$/)
    const local = await hold('local', { TMPDIR: privateTmp(), HOLD_LEDGER: clusterLedger })
    const url = await hold('url', { HOLD_DATABASE_URL: withPassword.toString(), HOLD_LEDGER: dbLedger })
    const cluster = expectRunning(local)
    expect(await databaseExists(url.info.database)).toBe(true)
    local.child.kill('SIGKILL')
    url.child.kill('SIGKILL')
    await Promise.all([local.exited, url.exited])
    expect(processesIn(cluster.dir)).toContain(cluster.pid)
    expect(await databaseExists(url.info.database)).toBe(true)
    const role = runRoleOf(url.info.database)
    expect(await roleExists(role)).toBe(true)
    expect(readFileSync(dbLedger, 'utf8')).toContain(url.info.database)
    expect(readFileSync(dbLedger, 'utf8')).not.toContain(password)

    const c = await cleanupLedger(clusterLedger)
    expect(c).toEqual({ removed: [`cluster ${cluster.dir}`], problems: [] })
    await expectClusterGone(cluster.dir)
    expect(existsSync(clusterLedger)).toBe(false)

    const d = await cleanupLedger(dbLedger, { databaseUrl: withPassword.toString() })
    expect(d.problems).toEqual([])
    // The role owns the database: it goes after it, whatever the order in the ledger.
    expect(d.removed).toEqual([
      `database ${url.info.database} on ${withPassword.host}`,
      `role ${role} on ${withPassword.host}`,
    ])
    expect(await databaseExists(url.info.database)).toBe(false)
    expect(await roleExists(role)).toBe(false)
    expect(existsSync(dbLedger)).toBe(false)
  })

  it('touches nothing the gate does not name as its own, whatever the ledger says', async () => {
    const client = new pg.Client({ connectionString: hostUrl })
    await client.connect()
    await client.query('CREATE DATABASE users_real_data')
    await client.end()
    const outsider = mkdtempSync(join(root, 'not-a-cluster-'))
    const ledger = join(root, 'ledger-forged.json')
    writeFileSync(
      ledger,
      JSON.stringify([
        { kind: 'role', adminUrl: hostUrl, name: 'postgres' },
        { kind: 'database', adminUrl: hostUrl, name: 'users_real_data' },
        { kind: 'cluster', dir: outsider },
      ]),
    )
    const result = await cleanupLedger(ledger)
    expect(result.removed).toEqual([])
    expect(result.problems).toHaveLength(3)
    expect(result.problems[0]).toMatch(/refusing to drop users_real_data/)
    expect(result.problems[1]).toMatch(/not a migration-gate cluster dir/)
    expect(result.problems[2]).toMatch(/refusing to drop role postgres/)
    expect(await roleExists('postgres')).toBe(true)
    expect(existsSync(outsider)).toBe(true)
    const check = new pg.Client({ connectionString: hostUrl })
    await check.connect()
    expect((await check.query("SELECT 1 FROM pg_database WHERE datname = 'users_real_data'")).rowCount).toBe(1)
    await check.end()
  })
})
