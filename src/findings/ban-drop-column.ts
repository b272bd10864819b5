// ban-drop-column: a dangerous-operation rule's finding. What it flags, why, and the words of its message
// are the rule's (src/lint/rules/ban-drop-column.ts); every lint finding is built by lint-rule.ts.
import { BAN_DROP_COLUMN as RULE } from '../lint/rules/ban-drop-column.js'
import { lintEntry } from './lint-rule.js'

export const BAN_DROP_COLUMN = lintEntry(RULE)
