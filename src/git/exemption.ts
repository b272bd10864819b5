// The escape hatch for models-changed-without-migration, kept visible to reviewers: a change to the
// models that needs no migration (a relationship, a docstring, a Python-side default) is accepted
// with a written reason, and the reason is shown in the report. The rule:
//
//   1. A line `Migration-Gate-No-Migration: <reason>` in the message of one of the PR's commits
//      (a trailer, by convention). It lives in the history, and works for the CLI and merge queues.
//   2. The PR label (the no-migration-label input) plus the same line in the PR description. A
//      label cannot carry text, so the reason comes from the description; the label makes the
//      exemption visible in the PR list, so the description line alone does not count.
//
// Either way the reason must be non-empty. A label or a line that does not qualify yields a hint.
import type { CommitMessage } from './repo.js'

export const EXEMPTION_KEY = 'Migration-Gate-No-Migration'

const LINE = new RegExp(`^[ \\t]*${EXEMPTION_KEY}[ \\t]*:(.*)$`, 'gim')

export interface Exemption {
  reason: string
  /** Where it was found: "commit 1a2b3c4d5e6f" or "label ... and the PR description". */
  source: string
}

export interface ExemptionInput {
  commits: CommitMessage[]
  labels: string[]
  body?: string
  /** The no-migration-label input. */
  label: string
}

export type ExemptionResult = { exemption: Exemption } | { hint?: string }

/** The reasons given in a text, in order; empty strings for lines without one. */
function reasons(text: string | undefined): string[] {
  return [...(text ?? '').matchAll(LINE)].map((m) => (m[1] ?? '').trim())
}

export function findExemption(input: ExemptionInput): ExemptionResult {
  let emptyLine = false
  for (const commit of input.commits) {
    for (const reason of reasons(commit.message)) {
      if (reason) return { exemption: { reason, source: `commit ${commit.sha.slice(0, 12)}` } }
      emptyLine = true
    }
  }
  const labelled = input.label !== '' && input.labels.includes(input.label)
  const described = reasons(input.body)
  const reason = described.find(Boolean)
  if (labelled && reason) {
    return { exemption: { reason, source: `label "${input.label}" and the PR description` } }
  }
  const line = `\`${EXEMPTION_KEY}: <reason>\``
  if (labelled) {
    return {
      hint: `the label "${input.label}" is set but gives no reason: add a line ${line} to the PR description`,
    }
  }
  if (reason) {
    return {
      hint: `the PR description gives a reason but the label "${input.label}" is not set: add the label (or put the line in a commit message)`,
    }
  }
  if (emptyLine || described.length > 0) return { hint: `a ${EXEMPTION_KEY} line has no reason after the colon` }
  return {}
}
