// require-timeout-settings: a dangerous-operation rule's finding. What it flags, why, and the words of its message
// are the rule's (src/lint/rules/require-timeout-settings.ts); every lint finding is built by lint-rule.ts.
import { REQUIRE_TIMEOUT_SETTINGS as RULE } from '../lint/rules/require-timeout-settings.js'
import { lintEntry } from './lint-rule.js'

export const REQUIRE_TIMEOUT_SETTINGS = lintEntry(RULE)
