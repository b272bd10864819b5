// observed-access-exclusive-lock: a dangerous-operation rule's finding. What it flags, why, and the words of its message
// are the rule's (src/lint/rules/observed-access-exclusive-lock.ts); every lint finding is built by lint-rule.ts.
import { OBSERVED_ACCESS_EXCLUSIVE_LOCK as RULE } from '../lint/rules/observed-access-exclusive-lock.js'
import { lintEntry } from './lint-rule.js'

export const OBSERVED_ACCESS_EXCLUSIVE_LOCK = lintEntry(RULE)
