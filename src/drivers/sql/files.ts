// Finding a directory of plain-SQL migrations and telling its format from the file names, the way
// the tools themselves name files: golang-migrate `VERSION_NAME.up.sql` / `.down.sql`, dbmate
// `VERSION_NAME.sql` (one file holding `-- migrate:up` and `-- migrate:down`).
import { readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { listEntries } from './entries.js'
import type { SqlFormat } from './model.js'

/** golang-migrate's own pattern (source/parse.go): any extension, version digits, an underscore. */
export const GOLANG_MIGRATE_FILE = /^([0-9]+)_(.*)\.(down|up)\.(.*)$/
/** dbmate's own pattern (migrationFileRegexp): version digits first, `.sql` last. */
export const DBMATE_FILE = /^(\d+).*\.sql$/

/** Where a project keeps its SQL migrations when nothing says: itself, then the usual folders (dbmate's default last). */
export const SQL_DIR_CANDIDATES = ['.', 'migrations', 'db/migrations'] as const

export interface SqlLocation {
  /** Absolute directory. */
  dir: string
  format: SqlFormat
}

/** Plain files of a directory (symlinks to files too), sorted by name in code-unit order as the tools sort them. */
export function listFiles(dir: string): string[] {
  return listEntries(dir)
    .filter((e) => !e.notAFile)
    .map((e) => e.name)
}

/** The format a directory's file names say, or undefined when none looks like a migration. */
export function formatOf(names: string[]): SqlFormat | undefined {
  if (names.some((n) => GOLANG_MIGRATE_FILE.test(n) && n.endsWith('.sql'))) return 'golang-migrate'
  if (names.some((n) => DBMATE_FILE.test(n))) return 'dbmate'
  return undefined
}

/** The first of the usual directories (or the one given) that holds SQL migrations. */
export function findSqlDirectory(projectDir: string, configured?: string): SqlLocation | undefined {
  const candidates = configured ? [configured] : SQL_DIR_CANDIDATES
  for (const candidate of candidates) {
    const dir = path.resolve(projectDir, candidate)
    if (!isDirectory(dir)) continue
    const format = formatOf(listFiles(dir))
    if (format) return { dir, format }
  }
  return undefined
}

export type Decoded = { text: string } | { problem: string }

/** A file's text; invalid UTF-8 is a problem (PostgreSQL refuses it in a UTF8 database), not a crash. */
export function readText(abs: string): Decoded {
  let bytes: Buffer
  try {
    bytes = readFileSync(abs)
  } catch (error) {
    return { problem: `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})` }
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) }
  } catch {
    return { problem: `is not valid UTF-8 (at byte ${firstInvalidByte(bytes)})` }
  }
}

function firstInvalidByte(bytes: Buffer): number {
  // Binary search for the longest valid prefix: the decoder says only whether the whole is valid.
  let lo = 0
  let hi = bytes.length
  const valid = (n: number) => {
    try {
      // stream: a prefix that ends inside a multi-byte character is not invalid yet.
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, n), { stream: true })
      return true
    } catch {
      return false
    }
  }
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2)
    if (valid(mid)) lo = mid
    else hi = mid - 1
  }
  return lo
}

/** A path relative to the project, POSIX separators (how findings name files). */
export function relativeFile(projectDir: string, abs: string): string {
  const rel = path.relative(projectDir, abs)
  return path.sep === '/' ? rel : rel.split(path.sep).join('/')
}

export function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory()
  } catch {
    return false
  }
}
