// constraint-missing-not-valid: a dangerous-operation rule's finding. What it flags, why, and the words of its message
// are the rule's (src/lint/rules/constraint-missing-not-valid.ts); every lint finding is built by lint-rule.ts.
import { CONSTRAINT_MISSING_NOT_VALID as RULE } from '../lint/rules/constraint-missing-not-valid.js'
import { lintEntry } from './lint-rule.js'

export const CONSTRAINT_MISSING_NOT_VALID = lintEntry(RULE)
