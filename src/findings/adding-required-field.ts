// adding-required-field: a dangerous-operation rule's finding. What it flags, why, and the words of its message
// are the rule's (src/lint/rules/adding-required-field.ts); every lint finding is built by lint-rule.ts.
import { ADDING_REQUIRED_FIELD as RULE } from '../lint/rules/adding-required-field.js'
import { lintEntry } from './lint-rule.js'

export const ADDING_REQUIRED_FIELD = lintEntry(RULE)
