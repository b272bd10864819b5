// changing-column-type: a dangerous-operation rule's finding. What it flags, why, and the words of its message
// are the rule's (src/lint/rules/changing-column-type.ts); every lint finding is built by lint-rule.ts.
import { CHANGING_COLUMN_TYPE as RULE } from '../lint/rules/changing-column-type.js'
import { lintEntry } from './lint-rule.js'

export const CHANGING_COLUMN_TYPE = lintEntry(RULE)
