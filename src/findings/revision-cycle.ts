// revision-cycle: parents loop back, so the tool cannot order the revisions and no upgrade runs.
import { build, cap, type FindingEntry, type Place } from './entry.js'
import type { Finding } from '../report.js'

export const REVISION_CYCLE: FindingEntry<'revision-cycle'> = {
  id: 'revision-cycle',
  severity: 'error',
  checked: 'chain',
  happened: 'parents loop back: the chain cannot be walked',
  seen: 'every `alembic` command fails',
}

export function revisionCycle(
  facts: {
    /** The revision ids around the loop, the first repeated at the end. */
    ring: string[]
    /** The fields the loop runs through ("down_revision or depends_on"). */
    via: string
    parentField: string
    consequence: string
  },
  place: Place,
): Finding {
  return build(
    REVISION_CYCLE,
    {
      message: `Revisions form a cycle: ${facts.ring.join(' -> ')} (each names the next as its ${facts.via}). ${cap(facts.consequence)}.`,
      fix: `one of them must name an earlier revision (or none, for a first revision) as its ${facts.parentField}.`,
    },
    place,
  )
}
