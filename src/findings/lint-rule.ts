// What every dangerous-operation finding shares: its catalogue entry, made from its rule's own words
// (src/lint/rules/<id>.ts: what it flags, why it matters), and the one constructor each rule's hit
// goes through. Each id still has its file here (renaming-column.ts, ...) holding its entry.
import { build, type FindingEntry, type Place } from './entry.js'
import type { Finding, LintRuleId, Severity } from '../report.js'
import type { Hit, Rule } from '../lint/rule.js'
import { clipMiddle } from '../clip.js'

/** The longest statement text a finding carries. */
export const STATEMENT_LIMIT = 2000

export function lintEntry<I extends LintRuleId>(rule: Rule<I>): FindingEntry<I> {
  return {
    id: rule.id,
    severity: rule.usual ?? 'warning',
    checked: 'lint',
    happened: rule.what,
    seen: rule.why,
    revisionScoped: true,
  }
}

export function lintFinding(
  entry: FindingEntry<LintRuleId>,
  facts: {
    hit: Hit
    /** The statement's text. */
    statement: string
    /** Where the suppression accepting it is and its reason: the finding is then a notice. */
    allowed?: { by: string; reason: string }
  },
  place: Place,
  severity: Severity,
): Finding {
  const { hit, allowed } = facts
  const f = allowed
    ? build(entry, { message: `${hit.message} Accepted by ${allowed.by}: ${allowed.reason}` }, place, 'notice')
    : build(entry, { message: hit.message, fix: hit.fix }, place, severity)
  f.statement = clipMiddle(facts.statement, STATEMENT_LIMIT)
  return f
}
