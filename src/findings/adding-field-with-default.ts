// adding-field-with-default: a dangerous-operation rule's finding. What it flags, why, and the words of its message
// are the rule's (src/lint/rules/adding-field-with-default.ts); every lint finding is built by lint-rule.ts.
import { ADDING_FIELD_WITH_DEFAULT as RULE } from '../lint/rules/adding-field-with-default.js'
import { lintEntry } from './lint-rule.js'

export const ADDING_FIELD_WITH_DEFAULT = lintEntry(RULE)
