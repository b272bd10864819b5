// ban-concurrent-index-creation-in-transaction: a dangerous-operation rule's finding. What it flags, why, and the words of its message
// are the rule's (src/lint/rules/ban-concurrent-index-creation-in-transaction.ts); every lint finding is built by lint-rule.ts.
import { BAN_CONCURRENT_INDEX_CREATION_IN_TRANSACTION as RULE } from '../lint/rules/ban-concurrent-index-creation-in-transaction.js'
import { lintEntry } from './lint-rule.js'

export const BAN_CONCURRENT_INDEX_CREATION_IN_TRANSACTION = lintEntry(RULE)
