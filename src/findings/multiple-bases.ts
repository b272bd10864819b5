// multiple-bases: more than one revision without a parent, so separate histories each run from an
// empty database and end in several heads unless merged.
import { build, type FindingEntry, type Place } from './entry.js'
import type { Finding } from '../report.js'

export const MULTIPLE_BASES: FindingEntry<'multiple-bases'> = {
  id: 'multiple-bases',
  severity: 'error',
  checked: 'chain',
  happened: 'more than one revision has no parent: separate histories that each run from an empty database',
  seen: 'several heads, and every history runs on a fresh database',
}

export function multipleBases(
  facts: {
    /** Each first revision as the message names it. */
    bases: string[]
    /** The tool's name for the parent field ("down_revision"). */
    parentField: string
    /** The revision to re-parent, and its file. */
    at: { id: string; file: string }
    /** Whether the tool has branch labels (an independent history is then labelled instead). */
    labels: boolean
  },
  place: Place,
): Finding {
  const { parentField, at } = facts
  const labelled = facts.labels ? `, or, if it starts an independent history on purpose, give it a branch label` : ''
  return build(
    MULTIPLE_BASES,
    {
      message:
        `${facts.bases.length} first revisions (no ${parentField}): ${facts.bases.join(', ')}. ` +
        `Each starts a separate history: unless they are merged there are several heads, and from an empty database every one of them runs.`,
      fix: `set the ${parentField} of ${at.id} (${at.file}) to the revision it should follow${labelled}.`,
    },
    place,
  )
}
