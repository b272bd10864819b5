// stale-parent for ordered versions: a version the PR adds that sorts before the latest version on
// the base branch. Databases already migrated past it (production, after the base branch deployed)
// skip it or run it out of order. Pure: the caller gives the base branch's versions (git-layout.ts
// reads them from file names).
import type { Finding } from '../../report.js'
import { staleVersion } from '../../findings/stale-parent.js'
import { compareVersions, type SqlFormat } from './model.js'
import { SQL_WORDING } from './wording.js'

export interface VersionedFile {
  version: string
  /** Relative to the project directory. */
  file: string
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
    .map((h) =>
      staleVersion(
        {
          file: h.file,
          version: h.version,
          latest,
          base: baseLabel,
          consequence: words.outOfOrder(latest),
          rename: words.rename(latest),
        },
        { revision: h.version, file: h.file, line: 1 },
      ),
    )
}
