// Every rule, in the order the README's "Dangerous operations" section lists them. A Record over
// LintRuleId, so a new id without its rule does not compile.
import type { LintRuleId } from '../../report.js'
import type { Rule } from '../rule.js'
import { ADDING_FIELD_WITH_DEFAULT } from './adding-field-with-default.js'
import { ADDING_FOREIGN_KEY_CONSTRAINT } from './adding-foreign-key-constraint.js'
import { ADDING_REQUIRED_FIELD } from './adding-required-field.js'
import { BAN_CONCURRENT_INDEX_CREATION_IN_TRANSACTION } from './ban-concurrent-index-creation-in-transaction.js'
import { BAN_DROP_COLUMN } from './ban-drop-column.js'
import { BAN_DROP_TABLE } from './ban-drop-table.js'
import { CHANGING_COLUMN_TYPE } from './changing-column-type.js'
import { CONSTRAINT_MISSING_NOT_VALID } from './constraint-missing-not-valid.js'
import { DISALLOWED_UNIQUE_CONSTRAINT } from './disallowed-unique-constraint.js'
import { OBSERVED_ACCESS_EXCLUSIVE_LOCK } from './observed-access-exclusive-lock.js'
import { RENAMING_COLUMN } from './renaming-column.js'
import { RENAMING_TABLE } from './renaming-table.js'
import { REQUIRE_CONCURRENT_INDEX_CREATION } from './require-concurrent-index-creation.js'
import { REQUIRE_CONCURRENT_INDEX_DELETION } from './require-concurrent-index-deletion.js'
import { REQUIRE_TIMEOUT_SETTINGS } from './require-timeout-settings.js'

export const RULE_BY_ID: { readonly [I in LintRuleId]: Rule<I> } = {
  'adding-required-field': ADDING_REQUIRED_FIELD,
  'require-concurrent-index-creation': REQUIRE_CONCURRENT_INDEX_CREATION,
  'require-concurrent-index-deletion': REQUIRE_CONCURRENT_INDEX_DELETION,
  'ban-concurrent-index-creation-in-transaction': BAN_CONCURRENT_INDEX_CREATION_IN_TRANSACTION,
  'constraint-missing-not-valid': CONSTRAINT_MISSING_NOT_VALID,
  'adding-foreign-key-constraint': ADDING_FOREIGN_KEY_CONSTRAINT,
  'disallowed-unique-constraint': DISALLOWED_UNIQUE_CONSTRAINT,
  'changing-column-type': CHANGING_COLUMN_TYPE,
  'adding-field-with-default': ADDING_FIELD_WITH_DEFAULT,
  'renaming-column': RENAMING_COLUMN,
  'renaming-table': RENAMING_TABLE,
  'ban-drop-column': BAN_DROP_COLUMN,
  'ban-drop-table': BAN_DROP_TABLE,
  'require-timeout-settings': REQUIRE_TIMEOUT_SETTINGS,
  'observed-access-exclusive-lock': OBSERVED_ACCESS_EXCLUSIVE_LOCK,
}

export const RULES: readonly Rule[] = Object.values(RULE_BY_ID)

export const isRuleId = (id: string): id is LintRuleId => Object.hasOwn(RULE_BY_ID, id)
