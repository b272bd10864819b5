// missing-parent: a revision names a parent (or a dependency) that no file declares: everything
// after it cannot be placed, and every command that loads the chain fails.
import { build, cap, type FindingEntry, type Place } from './entry.js'
import type { Finding } from '../report.js'

export const MISSING_PARENT: FindingEntry<'missing-parent'> = {
  id: 'missing-parent',
  severity: 'error',
  checked: 'chain',
  happened: 'a `down_revision` (or a dependency) names a revision that does not exist',
  seen: "`KeyError` / `Can't locate revision identified by '...'`",
}

export function missingParent(
  facts: {
    /** The file naming it, and its revision. */
    file: string
    revision: string
    /** The field that names it ("down_revision", "depends_on"), and whether it is the parent field. */
    field: string
    isParent: boolean
    ref: string
    /** Whether the tool also takes branch labels where it takes ids (a dependency may name one). */
    labels: boolean
    /** What it breaks, in the tool's words. */
    consequence: string
    /** The current heads, to point the parent at. */
    heads: string[]
  },
  place: Place,
): Finding {
  const { field, ref, heads } = facts
  const what =
    facts.isParent || !facts.labels
      ? `no revision '${ref}' exists`
      : `'${ref}' is neither a revision id nor a branch label`
  const headHint =
    heads.length === 1
      ? ` (the current head is ${heads[0]})`
      : heads.length > 1
        ? ` (current heads: ${heads.join(', ')})`
        : ''
  return build(
    MISSING_PARENT,
    {
      message: `${facts.file} (revision ${facts.revision}) names ${field} '${ref}', but ${what}. ${cap(facts.consequence)}.`,
      fix:
        `${facts.isParent ? `point ${field} at an existing revision${headHint}` : `name an existing revision in ${field}, or drop it`}, ` +
        `or restore the file that declared '${ref}' (deleted, renamed, or not merged yet?).`,
    },
    place,
  )
}
