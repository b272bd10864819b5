// Where the gate's throwaway clusters live. A cluster is thousands of small files created, written and
// removed (initdb alone makes ~1,500; every table a migration creates adds a few more): on a RAM-backed
// filesystem that costs a fraction of what it costs on a disk. Measured on a 2-core VM (ext4): initdb
// 1.1 s on disk and 0.5 s on tmpfs, most of the difference system time in open(O_CREAT); a 200-revision
// stairway ~7% faster. The data is thrown away at the end of the run, so nothing is lost by keeping it
// in memory.
//
// The rule, in order: $TMPDIR when the user set one (their choice of where temporary files go wins, and
// it is how to keep clusters on disk); else /dev/shm where it is a RAM filesystem with room to spare
// (Docker's default 64 MB /dev/shm is not); else the system's temp dir.
import { accessSync, constants, statfsSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'

export const RAM_DIR = '/dev/shm'
/** Free space below which the RAM disk is passed over: a migration loading data must not run out of it. */
export const MIN_RAM_FREE_BYTES = 2 * 1024 ** 3
/** statfs f_type of the RAM-backed filesystems (Linux magic numbers). */
const RAM_FILESYSTEMS = new Set([0x01021994 /* tmpfs */, 0x858458f6 /* ramfs */])

export interface ClusterRoot {
  dir: string
  /** The dir is RAM-backed: said in the start line, and in the hint of a failure for want of space. */
  inMemory: boolean
}

/** Where the next cluster is made. `ramDir` is for tests. */
export function clusterRoot(ramDir = RAM_DIR): ClusterRoot {
  if (process.env.TMPDIR) return { dir: tmpdir(), inMemory: false }
  if (ramDiskHasRoom(ramDir)) return { dir: ramDir, inMemory: true }
  return { dir: tmpdir(), inMemory: false }
}

/**
 * Every dir a cluster of this or an earlier run may be in, for the stale-cluster sweep: a run killed
 * with SIGKILL leaves its cluster wherever the rule put it then.
 */
export function clusterRoots(ramDir = RAM_DIR): string[] {
  const dirs = [clusterRoot(ramDir).dir, tmpdir()]
  if (isDir(ramDir)) dirs.push(ramDir)
  return [...new Set(dirs)]
}

function ramDiskHasRoom(dir: string): boolean {
  if (process.platform !== 'linux') return false
  try {
    const fs = statfsSync(dir)
    if (!RAM_FILESYSTEMS.has(fs.type)) return false
    if (fs.bavail * fs.bsize < MIN_RAM_FREE_BYTES) return false
    accessSync(dir, constants.W_OK | constants.X_OK)
    return true
  } catch {
    return false // no such dir, not ours to write in: the temp dir
  }
}

function isDir(dir: string): boolean {
  try {
    return statSync(dir).isDirectory()
  } catch {
    return false
  }
}
