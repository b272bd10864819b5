// The stale-cluster sweep every cluster start runs, against real clusters in private temp dirs: it
// must never fail the run that sweeps, and must never remove a cluster that is still in use, even
// when its marker's pid means nothing here (containers sharing /tmp, each in its own PID namespace).
// A cluster is removed only when its gate is provably gone and no server answers in it, or when the
// server still running in it is an orphan this process can see (the SIGKILL case, cleanup.test.ts).
import { spawn, spawnSync } from 'node:child_process'
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isRunning } from '../../src/postgres/processes.js'
import { CLUSTER_DIR_PREFIX, destroyClusterSync, removeStaleClusters } from '../../src/postgres/cluster-dirs.js'
import { clusterDirsOf, holdServer, processesIn, waitUntil, type Held } from '../support/leftovers.js'

const repo = join(import.meta.dirname, '..', '..')
let root: string
const held: Held[] = []
const privateDirs: string[] = []

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'mg-orphan-clusters-test-'))
  chmodSync(root, 0o755)
})

afterAll(async () => {
  for (const h of held) if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill('SIGKILL')
  await Promise.all(held.map((h) => h.exited))
  for (const dir of privateDirs) for (const cluster of clusterDirsOf(null, dir)) destroyClusterSync(cluster)
  if (root) rmSync(root, { recursive: true, force: true })
})

/** A private TMPDIR; traversable, because as root the server runs as another user. */
function privateTmp(): string {
  const dir = mkdtempSync(join(root, 'tmp-'))
  chmodSync(dir, 0o755)
  privateDirs.push(dir)
  return dir
}

/** A pid that ran and is gone (reaped): what a marker names after its gate was killed. */
function deadPid(): number {
  const pid = spawnSync('true').pid
  expect(isRunning(pid)).toBe(false)
  return pid
}

const markerPath = (dir: string) => join(dir, 'migration-gate.json')
const readMarker = (dir: string) => JSON.parse(readFileSync(markerPath(dir), 'utf8')) as Record<string, unknown>
function rewriteMarker(dir: string, changes: Record<string, unknown>): void {
  writeFileSync(markerPath(dir), JSON.stringify({ ...readMarker(dir), ...changes }))
}

/** The marker of a gate in another PID namespace, started an hour ago (long past any start-up). */
const FOREIGN = { pidNamespace: 'pid:[1]', startedAt: new Date(Date.now() - 3_600_000).toISOString() }

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 })
  try {
    await client.connect()
    await client.query('SELECT 1')
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => {})
  }
}

async function hold(env: Record<string, string>): Promise<Held> {
  const h = await holdServer('local', env)
  held.push(h)
  return h
}

/** A cluster a hold-server made in `tmp`, then its gate and its server killed: nothing runs in it. */
async function deadCluster(tmp: string): Promise<string> {
  const h = await hold({ TMPDIR: tmp })
  const dir = h.info.clusterDir as string
  h.child.kill('SIGKILL')
  await h.exited
  process.kill(h.info.postmasterPid as number, 'SIGKILL')
  expect(await waitUntil(() => processesIn(dir).length === 0, 10_000)).toBe(true)
  return dir
}

describe('a sweep never fails the run that sweeps', () => {
  it('meets a dir it cannot remove: no throw, one line logged, the other stale dirs still go', async () => {
    const tmp = privateTmp()
    // What the sweep cannot remove: a dead gate's dir holding a directory it may not empty (as
    // another user's leftovers are to a non-root gate, or files still being written are to anyone).
    const stuck = join(tmp, `${CLUSTER_DIR_PREFIX}stuck`)
    const dead = join(tmp, `${CLUSTER_DIR_PREFIX}dead`)
    for (const dir of [stuck, dead]) {
      mkdirSync(join(dir, 'data'), { recursive: true })
      writeFileSync(join(dir, 'data', 'PG_VERSION'), '15\n')
    }
    const real = await deadCluster(tmp) // a marker as the gate writes it, naming the host the test runs on
    const marker = { ...readMarker(real), pid: deadPid() }
    rmSync(real, { recursive: true, force: true })
    for (const dir of [stuck, dead]) writeFileSync(markerPath(dir), JSON.stringify(marker))
    chmodSync(join(stuck, 'data'), 0o555)
    // As root the sweep runs as nobody, for whom the root-owned data dir is as unwritable as a
    // 0555 dir is to its non-root owner; nobody owns the rest.
    const asRoot = process.getuid?.() === 0
    if (asRoot)
      for (const p of [tmp, dead, join(dead, 'data'), join(dead, 'data', 'PG_VERSION')]) chownSync(p, 65534, 65534)
    const argv = [process.execPath, '--import', 'tsx', join('test', 'support', 'sweep.ts'), tmp]
    const run = asRoot
      ? spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', ...argv], {
          cwd: repo,
          encoding: 'utf8',
        })
      : spawnSync(argv[0] as string, argv.slice(1), { cwd: repo, encoding: 'utf8' })
    chmodSync(join(stuck, 'data'), 0o755) // removable again by the afterAll
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    const out = JSON.parse(/^SWEPT (.*)$/m.exec(run.stdout)?.[1] ?? '{}') as { removed: string[]; warnings: string[] }
    expect(out.removed).toEqual([dead])
    expect(existsSync(dead)).toBe(false)
    expect(existsSync(stuck)).toBe(true)
    expect(out.warnings).toHaveLength(1)
    expect(out.warnings[0]).toMatch(new RegExp(`^stale-cluster sweep: could not remove ${stuck}: .*EACCES`))
    expect(out.warnings[0]).not.toMatch(/\n/)
  })

  it('a root it cannot read is no error either', async () => {
    expect(await removeStaleClusters(join(root, 'no-such-dir'))).toEqual([])
  })
})

describe('a cluster is proved dead by more than a pid', () => {
  it('a marker naming a dead pid of another PID namespace, its server answering: left alone', async () => {
    const tmp = privateTmp()
    const h = await hold({ TMPDIR: tmp })
    const dir = h.info.clusterDir as string
    rewriteMarker(dir, { ...FOREIGN, pid: deadPid() })
    expect(await removeStaleClusters(tmp)).toEqual([])
    expect(existsSync(dir)).toBe(true)
    expect(processesIn(dir)).toContain(h.info.postmasterPid)
    expect(await answers(h.info.url)).toBe(true)
  })

  it('a marker of another PID namespace whose server is gone: removed', async () => {
    const tmp = privateTmp()
    const dir = await deadCluster(tmp)
    rewriteMarker(dir, { ...FOREIGN, pid: deadPid() })
    expect(await removeStaleClusters(tmp)).toEqual([dir])
    expect(existsSync(dir)).toBe(false)
  })

  it('the same, started moments ago (initdb may still run there): left alone', async () => {
    const tmp = privateTmp()
    const dir = await deadCluster(tmp)
    rewriteMarker(dir, { ...FOREIGN, startedAt: new Date().toISOString(), pid: deadPid() })
    expect(await removeStaleClusters(tmp)).toEqual([])
    expect(existsSync(dir)).toBe(true)
  })

  it("an older gate's marker (a pid, nothing more) whose gate was killed: its orphaned server is stopped, the dir removed", async () => {
    const tmp = privateTmp()
    const killed = await hold({ TMPDIR: tmp })
    const dir = killed.info.clusterDir as string
    killed.child.kill('SIGKILL')
    await killed.exited
    const { pid, startedAt } = readMarker(dir)
    writeFileSync(markerPath(dir), JSON.stringify({ pid, startedAt }))
    expect(processesIn(dir)).toContain(killed.info.postmasterPid)
    expect(await removeStaleClusters(tmp)).toEqual([dir])
    expect(await waitUntil(() => processesIn(dir).length === 0, 5_000)).toBe(true)
    expect(existsSync(dir)).toBe(false)
  })

  it('a marker of this namespace naming a dead pid, no server: removed', async () => {
    const tmp = privateTmp()
    const dir = await deadCluster(tmp)
    expect(readMarker(dir).pidNamespace).toBeTruthy() // the gate's own marker, naming this namespace
    expect(await removeStaleClusters(tmp)).toEqual([dir])
    expect(existsSync(dir)).toBe(false)
  })
})

describe('a run in a real second PID namespace sharing the temp dir', () => {
  const unshared: Array<ReturnType<typeof spawn>> = []
  afterAll(() => {
    for (const child of unshared) child.kill('SIGKILL') // --kill-child takes the namespace down with it
  })

  it('its cluster survives our sweep, even when its marker claims our namespace and a pid dead here', async (ctx) => {
    if (process.getuid?.() !== 0) {
      console.log('orphan-clusters: a second PID namespace needs root (unshare --pid); skipped')
      ctx.skip()
    }
    const tmp = privateTmp()
    const child = spawn(
      'unshare',
      [
        '--pid',
        '--fork',
        '--mount-proc',
        '--kill-child',
        process.execPath,
        '--import',
        'tsx',
        'test/support/hold-server.ts',
      ],
      { cwd: repo, env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    unshared.push(child)
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    expect(await waitUntil(() => /^READY /m.test(out) || child.exitCode !== null, 60_000), err).toBe(true)
    const info = JSON.parse(/^READY (.*)$/m.exec(out)?.[1] ?? '{}') as Held['info']
    const dir = info.clusterDir as string
    expect(dir).toBeTruthy()
    const ours = readMarker(dir)
    // The other namespace numbers its processes from 1: its gate's pid says nothing here.
    expect(ours.pidNamespace).toBeTruthy()
    expect(ours.pidNamespace).not.toBe(readlinkSync('/proc/self/ns/pid'))
    rewriteMarker(dir, { startedAt: FOREIGN.startedAt })
    expect(await removeStaleClusters(tmp)).toEqual([])
    expect(await answers(info.url)).toBe(true)

    // A marker that looks like ours (an older gate, a namespace it could not tell) naming a pid dead
    // here: the server answers, and it is no process we can see, so it is not ours to stop.
    const here = await deadCluster(privateTmp())
    const { pid: _pid, startedAt: _started, ...ourIdentity } = readMarker(here)
    rewriteMarker(dir, { ...ourIdentity, pid: deadPid() })
    expect(await removeStaleClusters(tmp)).toEqual([])
    expect(existsSync(dir)).toBe(true)
    expect(await answers(info.url)).toBe(true)
  })
})
