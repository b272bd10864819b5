// multiple-heads: two revisions build on the same parent (two PRs merged side by side), so the
// chain has two latest revisions and the tool refuses to pick one.
import { build, cap, type FindingEntry, type Place } from './entry.js'
import type { Finding } from '../report.js'

export const MULTIPLE_HEADS: FindingEntry<'multiple-heads'> = {
  id: 'multiple-heads',
  severity: 'error',
  checked: 'chain',
  happened: 'two revisions on the same parent',
  seen: '`Multiple head revisions are present` at deploy',
}

export function multipleHeads(
  facts: {
    /** Each head as the message names it ("c4b8 (branch x, versions/c4b8_add.py)"). */
    heads: string[]
    /** What more than one head breaks, in the tool's words. */
    consequence: string
    /** Ways to fix it, the merge command first; none known: move the newest head. */
    fixes: string[]
    newest: string
    /** Where the heads are, for tools that count them per scope: "in app orders". */
    where?: string
  },
  place: Place,
): Finding {
  const { heads, fixes } = facts
  return build(
    MULTIPLE_HEADS,
    {
      message: `${heads.length} head revisions${facts.where ? ` ${facts.where}` : ''}: ${heads.join(', ')}. ${cap(facts.consequence)}.`,
      fix: `${fixes.length > 0 ? fixes.join(', or ') : `make ${facts.newest} follow another head`}.`,
    },
    place,
  )
}
