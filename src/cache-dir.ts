// Where migration-gate keeps what is worth keeping between runs: the user's cache directory
// (XDG_CACHE_HOME, else ~/.cache). Everything kept there is checked against what it was made from
// before use, so a stale or foreign entry costs time, never a wrong answer.
import { homedir } from 'node:os'
import path from 'node:path'

export function cacheDir(): string | undefined {
  const base = process.env.XDG_CACHE_HOME || (homedir() ? path.join(homedir(), '.cache') : '')
  // A relative XDG_CACHE_HOME is invalid by the spec; an unset home leaves no place to keep anything.
  return path.isAbsolute(base) ? path.join(base, 'migration-gate') : undefined
}

/** Compiled revision files of the Alembic cross-check (hash-checked .pyc files). */
export function pycCacheDir(): string | undefined {
  const dir = cacheDir()
  return dir ? path.join(dir, 'pyc') : undefined
}
