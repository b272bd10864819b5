// adding-foreign-key-constraint: a dangerous-operation rule's finding. What it flags, why, and the words of its message
// are the rule's (src/lint/rules/adding-foreign-key-constraint.ts); every lint finding is built by lint-rule.ts.
import { ADDING_FOREIGN_KEY_CONSTRAINT as RULE } from '../lint/rules/adding-foreign-key-constraint.js'
import { lintEntry } from './lint-rule.js'

export const ADDING_FOREIGN_KEY_CONSTRAINT = lintEntry(RULE)
