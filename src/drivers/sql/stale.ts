// stale-parent for ordered versions: a version the PR adds that sorts before the latest version on
// the base branch. Databases already migrated past it (production, after the base branch deployed)
// skip it or run it out of order. Pure: the caller lists the base branch's migration file names.
import path from 'node:path'
import type { Finding } from '../../report.js'
import { DBMATE_FILE, GOLANG_MIGRATE_FILE } from './files.js'
import { compareVersions, type SqlFormat } from './model.js'
import { SQL_WORDING } from './wording.js'

export interface VersionedFile {
  version: string
  /** Relative to the project directory. */
  file: string
}

/** The versions a list of file names (the migrations directory at the base ref) declares, as the tool reads them. */
export function versionsOfNames(format: SqlFormat, names: string[]): string[] {
  const versions = new Set<string>()
  for (const raw of names) {
    const name = path.posix.basename(raw)
    if (format === 'golang-migrate') {
      const m = GOLANG_MIGRATE_FILE.exec(name)
      if (m?.[1] && m[3] === 'up') versions.add(BigInt(m[1]).toString())
    } else {
      const m = DBMATE_FILE.exec(name)
      if (m?.[1]) versions.add(m[1])
    }
  }
  return [...versions]
}

/**
 * Versions in `head` that the base branch does not have and that sort before the base's latest
 * version. A version the base has too is not added by the PR (a second file for it is a
 * duplicate-revision, reported elsewhere).
 */
export function staleVersions(
  format: SqlFormat,
  baseVersions: string[],
  head: VersionedFile[],
  baseLabel = 'the base branch',
): Finding[] {
  const cmp = (a: string, b: string) => compareVersions(format, a, b)
  const base = new Set(baseVersions)
  const latest = [...base].sort(cmp).at(-1)
  if (latest === undefined) return []
  const words = SQL_WORDING[format]
  return head
    .filter((h) => !base.has(h.version) && cmp(h.version, latest) < 0)
    .map((h) => ({
      id: 'stale-parent',
      severity: 'error',
      message:
        `${h.file} adds version ${h.version}, which sorts before ${latest}, the latest version on ${baseLabel}: ` +
        `${words.outOfOrder(latest)}. Fix: ${words.rename(latest)}.`,
      revision: h.version,
      file: h.file,
      line: 1,
    }))
}
