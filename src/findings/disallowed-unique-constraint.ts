// disallowed-unique-constraint: a dangerous-operation rule's finding. What it flags, why, and the words of its message
// are the rule's (src/lint/rules/disallowed-unique-constraint.ts); every lint finding is built by lint-rule.ts.
import { DISALLOWED_UNIQUE_CONSTRAINT as RULE } from '../lint/rules/disallowed-unique-constraint.js'
import { lintEntry } from './lint-rule.js'

export const DISALLOWED_UNIQUE_CONSTRAINT = lintEntry(RULE)
