// Where clusters go (cluster-root.ts): $TMPDIR when set, else a RAM disk with room, else the temp dir;
// and a step that fails for want of space on the gate's own cluster is the gate's error, not a finding.
import { mkdtempSync, rmSync, statfsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { checkServerSpace } from '../../src/checks/server-space.js'
import { GateError } from '../../src/errors.js'
import { clusterRoot, clusterRoots, MIN_RAM_FREE_BYTES, RAM_DIR } from '../../src/postgres/cluster-root.js'
import type { Server } from '../../src/postgres/provider.js'

let saved: string | undefined
beforeEach(() => {
  saved = process.env.TMPDIR
  delete process.env.TMPDIR
})
afterEach(() => {
  if (saved === undefined) delete process.env.TMPDIR
  else process.env.TMPDIR = saved
})

/** Whether this machine's /dev/shm is a RAM filesystem with the room the rule asks for. */
function ramDiskHere(): string | null {
  try {
    const fs = statfsSync(RAM_DIR)
    if (fs.type !== 0x01021994) return `${RAM_DIR} is not a tmpfs here`
    if (fs.bavail * fs.bsize < MIN_RAM_FREE_BYTES) return `${RAM_DIR} has under 2 GiB free here`
    return null
  } catch {
    return `no ${RAM_DIR} here`
  }
}

describe('clusterRoot', () => {
  it('is $TMPDIR whenever the user set one, RAM disk or not', () => {
    const mine = mkdtempSync(join(tmpdir(), 'mg-root-'))
    try {
      process.env.TMPDIR = mine
      expect(clusterRoot()).toEqual({ dir: mine, inMemory: false })
      expect(clusterRoots()).toContain(mine)
    } finally {
      rmSync(mine, { recursive: true, force: true })
    }
  })

  it('passes over a dir that is not a RAM filesystem, and one that does not exist', () => {
    const disk = mkdtempSync(join(tmpdir(), 'mg-root-disk-'))
    try {
      expect(statfsSync(disk).type).not.toBe(0x01021994) // this test needs the temp dir on a disk
      expect(clusterRoot(disk)).toEqual({ dir: tmpdir(), inMemory: false })
      expect(clusterRoot(join(disk, 'missing'))).toEqual({ dir: tmpdir(), inMemory: false })
    } finally {
      rmSync(disk, { recursive: true, force: true })
    }
  })

  const why = ramDiskHere()
  if (why) console.log(`skipped "uses the RAM disk": ${why}`)
  it.skipIf(why !== null)('uses the RAM disk when no TMPDIR is set and it has room; sweeps both', () => {
    expect(clusterRoot()).toEqual({ dir: RAM_DIR, inMemory: true })
    expect(clusterRoots()).toEqual(expect.arrayContaining([RAM_DIR, tmpdir()]))
  })
})

describe('checkServerSpace', () => {
  const server = (dataDir?: Server['dataDir']) => ({ dataDir }) as Server
  const failed = (message: string) => ({ ok: false, ms: 1, error: { message } })

  it('turns "No space left on device" on a cluster of the gate into an error saying where and what to do', () => {
    const ram = server({ path: '/dev/shm/migration-gate-pg-abc', inMemory: true })
    const message = 'OperationalError: could not extend file "base/16384/16390": No space left on device'
    let thrown: unknown
    try {
      checkServerSpace(ram, 'upgrade of 3f2a', failed(message))
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(GateError)
    expect((thrown as GateError).message).toBe(
      "postgres: the gate's scratch server ran out of space in /dev/shm, a RAM disk, during the upgrade of 3f2a; set TMPDIR to a directory on a disk with room (the gate then keeps its cluster there)",
    )
    const disk = server({ path: '/tmp/migration-gate-pg-abc', inMemory: false })
    expect(() => checkServerSpace(disk, 'downgrade of 3f2a', failed(message))).toThrow(
      /ran out of space in \/tmp during the downgrade of 3f2a;/,
    )
  })

  it('leaves every other failure, a passing step and a server it does not run (url, docker) to the replay', () => {
    const ram = server({ path: '/dev/shm/migration-gate-pg-abc', inMemory: true })
    expect(() => checkServerSpace(ram, 'upgrade of 1', failed('relation "x" already exists'))).not.toThrow()
    expect(() => checkServerSpace(ram, 'upgrade of 1', { ok: true, ms: 1 })).not.toThrow()
    expect(() => checkServerSpace(server(), 'upgrade of 1', failed('No space left on device'))).not.toThrow()
  })
})
