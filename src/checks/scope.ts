// Judge the PR, not the whole history. Real chains carry old sins (downgrades written years ago
// that leave residue); a gate that fails every PR for them gets switched off. With a base known, a
// replay finding on a revision the base already has is reported as pre-existing: a notice, counted
// and listed, while findings on revisions the PR adds or changes keep their severity. strict keeps
// every severity. Chain, drift and git findings always count: they break deploys whoever wrote them.
import type { Finding, FindingId, Step } from '../report.js'
import { asPreExisting } from '../findings/transform.js'
import { idsWhere } from '../findings/catalogue.js'

/**
 * The replay findings that can be pinned on one revision's code; and empty-migration, a warning
 * about one revision's own file that breaks no deploy (an old, deliberate empty file on the base
 * would otherwise warn on every PR). The catalogue marks them (revisionScoped).
 */
export const REPLAY_FINDINGS: ReadonlySet<FindingId> = idsWhere('revisionScoped')

export interface ScopeInput {
  findings: Finding[]
  steps: Step[]
  /** Revisions the PR adds or changes. */
  prRevisions: ReadonlySet<string>
  /** How reports name the base ("main"). */
  base: string
  strict: boolean
}

export interface ScopeResult {
  findings: Finding[]
  /** Findings on revisions the base already has. */
  preExisting: number
  notes: string[]
}

export function scopeFindings(input: ScopeInput): ScopeResult {
  // A finding without a revision (roundtrip's residue at base) cannot be pinned on old code: it counts.
  const isOld = (f: Finding) =>
    REPLAY_FINDINGS.has(f.id) && f.revision !== undefined && !input.prRevisions.has(f.revision)
  const old = input.findings.filter(isOld)
  if (old.length === 0) return { findings: input.findings, preExisting: 0, notes: [] }
  const count = `${old.length} pre-existing finding${old.length === 1 ? '' : 's'} in revisions already on ${input.base}`
  if (input.strict) {
    return { findings: input.findings, preExisting: old.length, notes: [`${count} (strict: they count)`] }
  }

  // A failed first upgrade ends the replay: the PR's revisions after it were never run. Passing
  // quietly would then claim more than was checked, so that one stays a warning and says so.
  const replayed = new Set(input.steps.filter((s) => s.phase === 'first' && s.ok).map((s) => s.revision))
  const unreplayed = [...input.prRevisions].filter((r) => !replayed.has(r))
  const notes = [`${count} (notices; strict: true fails on them): ${old.map(describe).join(', ')}`]
  const findings = input.findings.map((f): Finding => {
    if (!isOld(f)) return f
    const blocked = unreplayed.length > 0 && stoppedReplay(f, input.steps)
    if (!blocked) return asPreExisting(f, 'notice')
    const what = `this PR's revision${unreplayed.length === 1 ? '' : 's'} ${unreplayed.join(', ')}`
    notes.push(`${what} not replayed: the replay stopped at ${f.revision} (already on ${input.base})`)
    return asPreExisting(f, 'warning', [`the replay stopped here: ${what} could not be replayed`])
  })
  return { findings, preExisting: old.length, notes }
}

function describe(f: Finding): string {
  return `${f.id} on ${f.revision}`
}

/** A failed (or timed-out) first upgrade of this finding's revision: nothing after it ran. */
function stoppedReplay(f: Finding, steps: Step[]): boolean {
  if (f.id !== 'upgrade-failed' && f.id !== 'step-timeout') return false
  return steps.some(
    (s) =>
      s.revision === f.revision && s.direction === 'upgrade' && (s.phase === 'first' || s.phase === 'rebuild') && !s.ok,
  )
}
