// The lint inputs, parsed: `lint` (off, warn, error), `lint-rules` (a severity or off per rule) and
// `lint-allow` (revisions' accepted hits, each with a reason). Every error names its input, one line.
import { GateError } from '../errors.js'
import type { LintRuleId, Severity } from '../report.js'
import { isRuleId, RULE_BY_ID, RULES } from './rules/index.js'

export type LintLevel = 'off' | 'warn' | 'error'

export interface LintConfig {
  /** off: nothing judged (the parser never loaded); warn: findings are warnings; error: errors. */
  level: LintLevel
  /** Per-rule overrides of the level's severity; off disables the rule. */
  rules: ReadonlyMap<LintRuleId, Severity | 'off'>
  /** revision -> rule -> reason: hits accepted as notices (lint-allow). */
  allow: ReadonlyMap<string, ReadonlyMap<LintRuleId, string>>
  /**
   * The revisions judged (the pull request's, when a base is known): others are history, not
   * judged. Undefined: every step given.
   */
  revisions?: ReadonlySet<string>
}

export const LINT_OFF: LintConfig = { level: 'off', rules: new Map(), allow: new Map() }

/** The severity a rule's hits get under `config`, or off. */
export function severityOf(config: LintConfig, id: LintRuleId): Severity | 'off' {
  if (config.level === 'off') return 'off'
  const given = config.rules.get(id)
  if (given !== undefined) return given
  if (RULE_BY_ID[id].usual === 'notice') return 'notice'
  return config.level === 'error' ? 'error' : 'warning'
}

const SEVERITIES = ['error', 'warning', 'notice', 'off'] as const

/** `RULE=SEVERITY` items, one per line or comma separated. */
export function parseLintRules(text: string): Map<LintRuleId, Severity | 'off'> {
  const rules = new Map<LintRuleId, Severity | 'off'>()
  for (const item of text.split(/[\n,]/).map((s) => s.trim())) {
    if (!item || item.startsWith('#')) continue
    const [id = '', severity = ''] = item.split('=', 2).map((s) => s.trim())
    if (!isRuleId(id)) {
      throw new GateError(
        `lint-rules: "${item}" names no rule (rules: ${RULES.map((r) => r.id).join(', ')})`,
        'lint-rules',
      )
    }
    if (!(SEVERITIES as readonly string[]).includes(severity)) {
      throw new GateError(
        `lint-rules: "${item}" needs RULE=SEVERITY, SEVERITY one of ${SEVERITIES.join(', ')}`,
        'lint-rules',
      )
    }
    rules.set(id, severity as Severity | 'off')
  }
  return rules
}

/** `REVISION RULE: reason` lines (the reason required), like allow-irreversible. */
export function parseLintAllow(text: string): Map<string, Map<LintRuleId, string>> {
  const allow = new Map<string, Map<LintRuleId, string>>()
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    const m = /^(\S+)\s+([^\s:]+)\s*:\s*(.*)$/.exec(line)
    if (!m?.[1] || !m[2] || !m[3]?.trim()) {
      throw new GateError(
        `lint-allow: "${line}" needs a revision, a rule and a reason ("REVISION RULE: why it is accepted")`,
        'lint-allow',
      )
    }
    if (!isRuleId(m[2]))
      throw new GateError(`lint-allow: "${line}" names no rule: ${m[2]} is not a lint rule id`, 'lint-allow')
    const rules = allow.get(m[1]) ?? new Map<LintRuleId, string>()
    rules.set(m[2], m[3].trim())
    allow.set(m[1], rules)
  }
  return allow
}
