// The README's "Dangerous operations" section lists every rule, generated from the rule files
// (`npm run action-yml` rewrites it): what it flags, why, the fix and how to allow it.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { withTable } from '../../scripts/findings-tables.js'
import { README_LINT_RULES, renderLintRules } from '../../scripts/lint-rules-doc.js'
import { RULES } from '../../src/lint/rules/index.js'

const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8')

describe("the README's rules", () => {
  it('are the ones the rule files generate', () => {
    expect(withTable(readme, README_LINT_RULES, 'README.md')).toBe(readme)
  })
  it('give every rule its id, why, fix and how to allow it', () => {
    const text = renderLintRules()
    for (const r of RULES) {
      const section = text.slice(text.indexOf(`#### \`${r.id}\``)).split('\n#### ')[0]!
      expect(section, r.id).toContain('**Why:**')
      expect(section, r.id).toContain('**Fix:**')
      expect(section, r.id).toContain(`migration-gate: allow ${r.id} -- <reason>`)
    }
  })
})
