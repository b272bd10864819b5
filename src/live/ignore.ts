// The live-ignore input: objects of the live database that live-drift leaves out, one pattern a line,
// each with its reason ("public.audit_*: written by the audit trigger tool"), as allow-irreversible takes
// revisions. The reason is required: a drift check switched off without one is a silent pass.
//
// Patterns are globs over "schema.object": `*` is any run of characters within one name (it never
// crosses a dot), `?` one character. An object inside a relation is named "schema.table.part" (a
// column, index, constraint, trigger, policy, rule), and a pattern that matches its table covers it
// too; an index is also a relation of its schema ("schema.index"). A schema itself is named
// "schema.*", so the pattern `audit.*` leaves out schema audit and everything in it.
import { GateError } from '../errors.js'

export interface IgnoreRule {
  /** As the user wrote it. */
  pattern: string
  reason: string
  /** True when the pattern matches this "schema.object" name. */
  matches(name: string): boolean
}

const INPUT = 'live-ignore'

/** One rule per line ("SCHEMA.OBJECT: reason"); blank lines and # comments skipped; every error names the input. */
export function parseLiveIgnore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = []
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    const m = /^([^:\s]+)\s*:\s*(.+)$/.exec(line)
    if (!m?.[1] || !m[2]) {
      throw new GateError(`${INPUT}: "${line}" needs a reason ("SCHEMA.OBJECT: why it is left out")`, INPUT)
    }
    const pattern = m[1]
    if (!pattern.includes('.') || pattern.startsWith('.') || pattern.endsWith('.')) {
      throw new GateError(
        `${INPUT}: "${pattern}" is not SCHEMA.OBJECT (write public.${pattern.replace(/^\.+|\.+$/g, '') || 'name'}, or *.name for any schema)`,
        INPUT,
      )
    }
    const re = patternToRegExp(pattern)
    rules.push({ pattern, reason: m[2].trim(), matches: (name) => re.test(name) })
  }
  return rules
}

function patternToRegExp(pattern: string): RegExp {
  let re = ''
  for (const c of pattern) {
    if (c === '*') re += '[^.]*'
    else if (c === '?') re += '[^.]'
    else re += c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')
  }
  return new RegExp(`^${re}$`)
}

/** The first rule matching any of an object's names, if one does. */
export function ruleFor(rules: readonly IgnoreRule[], names: readonly string[]): IgnoreRule | undefined {
  return rules.find((r) => names.some((n) => r.matches(n)))
}
