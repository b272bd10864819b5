// The expected hits of the lint fixtures (test/fixtures/lint-golang-migrate, lint-dbmate, lint-alembic, lint-django):
// one revision per rule's bad case (the rule must fire on it) and good case (the rule must stay quiet
// on it; other rules may speak, observed-access-exclusive-lock on any ALTER TABLE of an existing
// table, say). The same revisions in both tools, so an integration test is a loop over this table.
// Generated with the fixtures; `observedOnly`: only the server's observation can see it (the lock a
// function takes), so a test judging the files without a replay leaves it out. The last revision
// (ban-concurrent-index-creation-in-transaction's bad case) fails, which ends the replay there.
import type { LintRuleId } from '../../src/report.js'

export interface FixtureHit {
  rule: LintRuleId
  /** true: the rule must fire on this revision; false: it must stay quiet. */
  bad: boolean
  /** The revision id in test/fixtures/lint-golang-migrate (the version number). */
  golangMigrate: string
  /** The revision id in test/fixtures/lint-alembic. */
  alembic: string
  /** The file name's words, the same in both. */
  slug: string
  observedOnly?: true
}

/**
 * The revision id in test/fixtures/lint-django: `shop.<version, 4 digits>_<slug>`. Django expresses
 * every case, most with its own operations (AddField, AddIndex / AddIndexConcurrently, RemoveIndex /
 * RemoveIndexConcurrently, AddConstraint, AlterField to a ForeignKey or a wider type, RenameField,
 * AlterModelTable, RemoveField, DeleteModel); RunSQL where Django 3.2 has no operation for it (NOT
 * VALID, USING INDEX, a volatile database default, calling a function, CONCURRENTLY in a transaction).
 */
export function djangoRevision(h: FixtureHit): string {
  return `shop.${h.golangMigrate.padStart(4, '0')}_${h.slug}`
}

export const LINT_FIXTURE_HITS: readonly FixtureHit[] = [
  { rule: 'adding-required-field', bad: true, golangMigrate: '2', alembic: 'l02', slug: 'add_region_not_null' },
  {
    rule: 'adding-required-field',
    bad: false,
    golangMigrate: '3',
    alembic: 'l03',
    slug: 'add_channel_not_null_default',
  },
  {
    rule: 'require-concurrent-index-creation',
    bad: true,
    golangMigrate: '4',
    alembic: 'l04',
    slug: 'index_customer_id',
  },
  {
    rule: 'require-concurrent-index-creation',
    bad: false,
    golangMigrate: '5',
    alembic: 'l05',
    slug: 'index_customer_id_concurrently',
  },
  {
    rule: 'require-concurrent-index-deletion',
    bad: true,
    golangMigrate: '6',
    alembic: 'l06',
    slug: 'drop_index_amount',
  },
  {
    rule: 'require-concurrent-index-deletion',
    bad: false,
    golangMigrate: '7',
    alembic: 'l07',
    slug: 'drop_index_note_concurrently',
  },
  {
    rule: 'ban-concurrent-index-creation-in-transaction',
    bad: false,
    golangMigrate: '8',
    alembic: 'l08',
    slug: 'index_code_concurrently',
  },
  {
    rule: 'constraint-missing-not-valid',
    bad: true,
    golangMigrate: '9',
    alembic: 'l09',
    slug: 'check_amount_positive',
  },
  {
    rule: 'constraint-missing-not-valid',
    bad: false,
    golangMigrate: '10',
    alembic: 'l10',
    slug: 'check_amount_small_not_valid',
  },
  { rule: 'adding-foreign-key-constraint', bad: true, golangMigrate: '11', alembic: 'l11', slug: 'fk_orders_customer' },
  {
    rule: 'adding-foreign-key-constraint',
    bad: false,
    golangMigrate: '12',
    alembic: 'l12',
    slug: 'fk_orders_customer_not_valid',
  },
  { rule: 'disallowed-unique-constraint', bad: true, golangMigrate: '13', alembic: 'l13', slug: 'unique_code' },
  {
    rule: 'disallowed-unique-constraint',
    bad: false,
    golangMigrate: '15',
    alembic: 'l15',
    slug: 'unique_ref_using_index',
  },
  { rule: 'changing-column-type', bad: true, golangMigrate: '16', alembic: 'l16', slug: 'amount_bigint' },
  { rule: 'changing-column-type', bad: false, golangMigrate: '17', alembic: 'l17', slug: 'refunds_amount_bigint' },
  {
    rule: 'adding-field-with-default',
    bad: true,
    golangMigrate: '18',
    alembic: 'l18',
    slug: 'add_token_random_default',
  },
  {
    rule: 'adding-field-with-default',
    bad: false,
    golangMigrate: '19',
    alembic: 'l19',
    slug: 'add_created_at_now_default',
  },
  { rule: 'renaming-column', bad: true, golangMigrate: '20', alembic: 'l20', slug: 'rename_legacy' },
  { rule: 'renaming-column', bad: false, golangMigrate: '21', alembic: 'l21', slug: 'drafts_rename_title' },
  { rule: 'renaming-table', bad: true, golangMigrate: '22', alembic: 'l22', slug: 'rename_archive' },
  { rule: 'renaming-table', bad: false, golangMigrate: '23', alembic: 'l23', slug: 'staging_rename' },
  { rule: 'ban-drop-column', bad: true, golangMigrate: '24', alembic: 'l24', slug: 'drop_obsolete' },
  { rule: 'ban-drop-column', bad: false, golangMigrate: '25', alembic: 'l25', slug: 'tmp_calc_drop_b' },
  { rule: 'ban-drop-table', bad: true, golangMigrate: '26', alembic: 'l26', slug: 'drop_old_orders' },
  { rule: 'ban-drop-table', bad: false, golangMigrate: '27', alembic: 'l27', slug: 'scratch_create_drop' },
  { rule: 'require-timeout-settings', bad: true, golangMigrate: '28', alembic: 'l28', slug: 'add_memo' },
  { rule: 'require-timeout-settings', bad: false, golangMigrate: '29', alembic: 'l29', slug: 'add_memo2_lock_timeout' },
  {
    rule: 'observed-access-exclusive-lock',
    bad: true,
    golangMigrate: '30',
    alembic: 'l30',
    slug: 'lock_customers_function',
    observedOnly: true,
  },
  {
    rule: 'observed-access-exclusive-lock',
    bad: false,
    golangMigrate: '31',
    alembic: 'l31',
    slug: 'notes_create_alter',
  },
  {
    rule: 'ban-concurrent-index-creation-in-transaction',
    bad: true,
    golangMigrate: '32',
    alembic: 'l32',
    slug: 'index_ref2_concurrently_in_transaction',
  },
]
