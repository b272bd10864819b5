// What happens to a finding after its check built it: placed at a file, scoped as pre-existing, its
// text rewritten (file names from the repository root) or bounded. Kept here so that src/findings/
// stays the only place a Finding object is assembled, and a new field (as `fix` was) is carried by
// every transformation at once.
import type { Finding, Severity } from '../report.js'
import type { Place } from './entry.js'

/** The finding at `place` (a field given there wins; empty ones are left out). */
export function placed(f: Finding, place: Place): Finding {
  const out: Finding = { ...f }
  if (place.file) out.file = place.file
  if (place.line) out.line = place.line
  if (place.revision !== undefined) out.revision = place.revision
  if (place.details !== undefined) out.details = place.details
  return out
}

/**
 * A finding on a revision the base branch already has, lowered to `severity` (a notice; a warning
 * when it kept the pull request's own revisions from being checked), with lines added to say why.
 */
export function asPreExisting(f: Finding, severity: Severity, moreDetails: string[] = []): Finding {
  const out: Finding = { ...f, severity, message: `pre-existing: ${f.message}`, preExisting: true }
  if (moreDetails.length > 0) out.details = [...(f.details ?? []), ...moreDetails]
  return out
}

/** Every free text of a finding (message, fix, details) passed through `rewrite`. */
export function rewriteText(f: Finding, rewrite: (text: string) => string): Finding {
  return mapText(f, { message: rewrite, fix: rewrite, detail: rewrite })
}

/** The finding with each text field mapped by its own function, and its details kept to `details()`. */
export function mapText(
  f: Finding,
  map: {
    message: (text: string) => string
    fix: (text: string) => string
    detail: (text: string) => string
    revision?: (text: string) => string
    details?: (lines: string[]) => string[]
  },
): Finding {
  const out: Finding = { ...f, message: map.message(f.message) }
  if (f.fix !== undefined) out.fix = map.fix(f.fix)
  if (f.revision !== undefined && map.revision) out.revision = map.revision(f.revision)
  if (f.details) out.details = (map.details ?? ((lines) => lines))(f.details).map(map.detail)
  return out
}
