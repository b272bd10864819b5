// renaming-column: a dangerous-operation rule's finding. What it flags, why, and the words of its message
// are the rule's (src/lint/rules/renaming-column.ts); every lint finding is built by lint-rule.ts.
import { RENAMING_COLUMN as RULE } from '../lint/rules/renaming-column.js'
import { lintEntry } from './lint-rule.js'

export const RENAMING_COLUMN = lintEntry(RULE)
