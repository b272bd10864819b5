// stale-parent: the pull request's revision builds on a parent the base branch has moved past
// (SQL: a version that sorts before the base's latest). Merged as it is, the chain gets a second
// head, or a deployed database skips the version for good.
import { build, type FindingEntry, type Place } from './entry.js'
import type { Finding } from '../report.js'

export const STALE_PARENT: FindingEntry<'stale-parent'> = {
  id: 'stale-parent',
  severity: 'error',
  checked: 'git',
  happened:
    "the pull request's revision builds on a parent the base branch has moved past (SQL: a version older than the base's latest)",
  seen: 'a second head after the merge, or a version a deployed database skips for good',
}

/** A revision whose parent the base has moved past (a tool whose revisions name their parents). */
export function staleParent(
  facts: {
    revision: string
    parent: string
    base: string
    /** The base's revisions that now follow the parent. */
    followers: string[]
    /** The base's head(s), quoted ("'a1'" or "'a1' or 'b2'"). */
    head: string
    /** What two heads break, in the tool's words. */
    consequence: string
    parentField: string
    file: string
    line: number
    /** What to set the parent to (quoted, with why when it is the PR's own other revision). */
    to: string
    /** The tool's merge command, when it has one. */
    merge?: string
  },
  place: Place,
): Finding {
  const { base } = facts
  return build(
    STALE_PARENT,
    {
      message:
        `Revision ${facts.revision} builds on ${facts.parent}, but ${base} has moved on: ${facts.parent} is followed there by ${facts.followers.join(', ')}, and ${base}'s head is now ${facts.head}. ` +
        `Merged as it is, the chain gets a second head: ${facts.consequence}.`,
      fix:
        `update the branch from ${base} and set ${facts.parentField} in ${facts.file} (line ${facts.line}) to ${facts.to}` +
        `${facts.merge ? `, or merge the heads (\`${facts.merge}\`)` : ''}. ` +
        `A PR check sees ${base} as it was when the check ran; run the gate on merge_group (merge queue) too, which judges each PR on the base it will really land on.`,
    },
    place,
  )
}

/** A version the PR adds that sorts before the base's latest (a tool that orders by version). */
export function staleVersion(
  facts: { file: string; version: string; latest: string; base: string; consequence: string; rename: string },
  place: Place,
): Finding {
  return build(
    STALE_PARENT,
    {
      message: `${facts.file} adds version ${facts.version}, which sorts before ${facts.latest}, the latest version on ${facts.base}: ${facts.consequence}.`,
      fix: `${facts.rename}.`,
    },
    place,
  )
}

/** A chain finding as it reads on the pull request merged with the base (not on the PR alone). */
export function afterMerging(f: Finding, base: string): Finding {
  return { ...f, message: `After merging with ${base} as it is now: ${f.message}` }
}
