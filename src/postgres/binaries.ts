// Finds PostgreSQL server binaries (initdb + postgres): the `pg-bin` input, PATH, or the standard
// install dirs of Debian/Ubuntu (/usr/lib/postgresql/N/bin) and RHEL (/usr/pgsql-N/bin). Takes the
// major asked for, or the newest found when any will do.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, realpathSync } from 'node:fs'
import { delimiter, dirname, join } from 'node:path'
import { GateError } from '../errors.js'

export interface PgBinaries {
  dir: string
  initdb: string
  postgres: string
  major: number
  version: string
}

function probe(dir: string): PgBinaries | null {
  const initdb = join(dir, 'initdb')
  const postgres = join(dir, 'postgres')
  if (!existsSync(initdb) || !existsSync(postgres)) return null
  try {
    const out = execFileSync(postgres, ['--version'], { encoding: 'utf8', timeout: 10_000 })
    const m = /(\d+)(?:\.(\d+))?/.exec(out)
    if (!m) return null
    return { dir, initdb, postgres, major: Number(m[1]), version: m[2] ? `${m[1]}.${m[2]}` : String(m[1]) }
  } catch {
    return null
  }
}

function candidateDirs(): string[] {
  const dirs: string[] = []
  for (const p of (process.env.PATH ?? '').split(delimiter)) {
    if (p && existsSync(join(p, 'initdb'))) {
      // Follow the symlink so the version and the neighbouring binaries are the real install's.
      try {
        dirs.push(dirname(realpathSync(join(p, 'initdb'))))
      } catch {
        dirs.push(p)
      }
    }
  }
  const roots: Array<[string, (entry: string) => string]> = [
    ['/usr/lib/postgresql', (e) => join('/usr/lib/postgresql', e, 'bin')],
    ['/usr', (e) => (e.startsWith('pgsql-') ? join('/usr', e, 'bin') : '')],
    ['/opt/homebrew/opt', (e) => (e.startsWith('postgresql') ? join('/opt/homebrew/opt', e, 'bin') : '')],
    ['/usr/local/opt', (e) => (e.startsWith('postgresql') ? join('/usr/local/opt', e, 'bin') : '')],
  ]
  for (const [root, toBin] of roots) {
    let entries: string[] = []
    try {
      entries = readdirSync(root)
    } catch {
      continue
    }
    for (const e of entries) {
      const bin = toBin(e)
      if (bin) dirs.push(bin)
    }
  }
  return [...new Set(dirs)]
}

/** Every installed server found (PATH, the distro dirs), newest major first. */
export function installedBinaries(): PgBinaries[] {
  return candidateDirs()
    .map(probe)
    .filter((b): b is PgBinaries => b !== null)
    .sort((a, b) => b.major - a.major)
}

/**
 * The binaries in `pgBin` (must be there, whatever their major: the caller holds them to it), else
 * the installed ones of `major` (the newest installed when undefined), else null.
 */
export function findBinaries(options: { pgBin?: string; major?: number } = {}): PgBinaries | null {
  if (options.pgBin) {
    const found = probe(options.pgBin)
    if (!found) throw new GateError(`pg-bin: no runnable initdb and postgres in ${options.pgBin}`, 'pg-bin')
    return found
  }
  const all = installedBinaries()
  if (options.major === undefined) return all[0] ?? null
  return all.find((b) => b.major === options.major) ?? null
}
