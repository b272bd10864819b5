// require-concurrent-index-creation: a dangerous-operation rule's finding. What it flags, why, and the words of its message
// are the rule's (src/lint/rules/require-concurrent-index-creation.ts); every lint finding is built by lint-rule.ts.
import { REQUIRE_CONCURRENT_INDEX_CREATION as RULE } from '../lint/rules/require-concurrent-index-creation.js'
import { lintEntry } from './lint-rule.js'

export const REQUIRE_CONCURRENT_INDEX_CREATION = lintEntry(RULE)
