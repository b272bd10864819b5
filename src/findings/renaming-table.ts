// renaming-table: a dangerous-operation rule's finding. What it flags, why, and the words of its message
// are the rule's (src/lint/rules/renaming-table.ts); every lint finding is built by lint-rule.ts.
import { RENAMING_TABLE as RULE } from '../lint/rules/renaming-table.js'
import { lintEntry } from './lint-rule.js'

export const RENAMING_TABLE = lintEntry(RULE)
