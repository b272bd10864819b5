// Every dangerous-operation rule on its bad case and its good case: real SQL through the real
// PostgreSQL parser (libpg-query), observations as the server reports them. A bad case must trip
// its rule; a good case must leave it quiet (other rules may speak on either).
import { describe, expect, it } from 'vitest'
import type { StepObservation } from '../../src/drivers/driver.js'
import { RULES } from '../../src/lint/rules/index.js'
import type { LintRuleId } from '../../src/report.js'
import { ids, lint, observation, step } from '../support/lint.js'

interface Case {
  sql: string[]
  observed?: StepObservation
  error?: string
  /** A word the message must carry (the table, the observed fact). */
  says?: string
}

const AE = 'AccessExclusiveLock'
const existing = (mode = AE, more = {}) => observation([['public.orders', mode, true]], more)

const CASES: Record<LintRuleId, { bad: Case[]; good: Case[] }> = {
  'adding-required-field': {
    bad: [{ sql: ['ALTER TABLE orders ADD COLUMN code text NOT NULL'], observed: existing(), says: 'code' }],
    good: [
      { sql: ["ALTER TABLE orders ADD COLUMN code text NOT NULL DEFAULT 'x'"], observed: existing() },
      { sql: ['ALTER TABLE orders ADD COLUMN code text'], observed: existing() },
      {
        sql: ['CREATE TABLE orders (id int)', 'ALTER TABLE orders ADD COLUMN code text NOT NULL'],
        observed: observation([['public.orders', AE, false]], { created: ['public.orders'] }),
      },
      // No observation: the CREATE TABLE before it says the table is new.
      { sql: ['CREATE TABLE orders (id int)', 'ALTER TABLE orders ADD COLUMN code text NOT NULL'] },
    ],
  },
  'require-concurrent-index-creation': {
    bad: [
      { sql: ['CREATE INDEX ix_orders_a ON orders (a)'], observed: existing('ShareLock'), says: 'ShareLock' },
      { sql: ['CREATE INDEX ix_orders_a ON orders (a)'], says: 'not observed' },
    ],
    good: [
      { sql: ['CREATE INDEX CONCURRENTLY ix_orders_a ON orders (a)'], observed: existing('ShareUpdateExclusiveLock') },
      {
        sql: ['CREATE TABLE orders (a int)', 'CREATE INDEX ix_orders_a ON orders (a)'],
        observed: observation([['public.orders', AE, false]], { created: ['public.orders', 'public.ix_orders_a'] }),
      },
    ],
  },
  'require-concurrent-index-deletion': {
    bad: [{ sql: ['DROP INDEX ix_orders_a'], observed: existing(), says: 'ix_orders_a' }],
    good: [{ sql: ['DROP INDEX CONCURRENTLY ix_orders_a'], observed: observation([], { locksComplete: false }) }],
  },
  'ban-concurrent-index-creation-in-transaction': {
    bad: [
      { sql: ['BEGIN', 'CREATE INDEX CONCURRENTLY ix ON orders (a)'], says: 'BEGIN' },
      { sql: ['CREATE TABLE t (a int); CREATE INDEX CONCURRENTLY ix ON orders (a)'], says: 'implicit transaction' },
      {
        sql: ['CREATE INDEX CONCURRENTLY ix ON orders (a)'],
        error: 'CREATE INDEX CONCURRENTLY cannot run inside a transaction block',
        says: 'failed at it',
      },
    ],
    good: [
      { sql: ['CREATE INDEX CONCURRENTLY ix ON orders (a)'], observed: observation([], { locksComplete: false }) },
      { sql: ['BEGIN', 'COMMIT', 'CREATE INDEX CONCURRENTLY ix ON orders (a)'] },
    ],
  },
  'constraint-missing-not-valid': {
    bad: [
      {
        sql: ['ALTER TABLE orders ADD CONSTRAINT positive CHECK (amount > 0)'],
        observed: existing(),
        says: 'positive',
      },
      {
        sql: [
          'ALTER TABLE orders ADD CONSTRAINT positive CHECK (amount > 0) NOT VALID',
          'ALTER TABLE orders VALIDATE CONSTRAINT positive',
        ],
        observed: existing(),
        says: 'same transaction',
      },
    ],
    good: [
      { sql: ['ALTER TABLE orders ADD CONSTRAINT positive CHECK (amount > 0) NOT VALID'], observed: existing() },
      { sql: ['ALTER TABLE orders VALIDATE CONSTRAINT positive'], observed: existing('ShareUpdateExclusiveLock') },
    ],
  },
  'adding-foreign-key-constraint': {
    bad: [
      {
        sql: ['ALTER TABLE orders ADD CONSTRAINT fk_customer FOREIGN KEY (customer_id) REFERENCES customers (id)'],
        observed: observation([
          ['public.orders', 'ShareRowExclusiveLock', true],
          ['public.customers', 'ShareRowExclusiveLock', true],
        ]),
        says: 'customers',
      },
    ],
    good: [
      {
        sql: [
          'ALTER TABLE orders ADD CONSTRAINT fk_customer FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID',
        ],
        observed: existing('ShareRowExclusiveLock'),
      },
    ],
  },
  'disallowed-unique-constraint': {
    bad: [{ sql: ['ALTER TABLE orders ADD CONSTRAINT uq_code UNIQUE (code)'], observed: existing(), says: 'uq_code' }],
    good: [{ sql: ['ALTER TABLE orders ADD CONSTRAINT uq_code UNIQUE USING INDEX ix_code'], observed: existing() }],
  },
  'changing-column-type': {
    bad: [
      {
        sql: ['ALTER TABLE orders ALTER COLUMN amount TYPE bigint'],
        observed: existing(AE, { rewritten: ['public.orders'] }),
        says: 'rewrote',
      },
      {
        sql: ['ALTER TABLE orders ALTER COLUMN note TYPE text'],
        observed: existing(),
        says: 'no rewrite was observed',
      },
    ],
    good: [
      {
        sql: ['CREATE TABLE orders (amount int)', 'ALTER TABLE orders ALTER COLUMN amount TYPE bigint'],
        observed: observation([['public.orders', AE, false]], { created: ['public.orders'] }),
      },
    ],
  },
  'adding-field-with-default': {
    bad: [
      {
        sql: ['ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid()'],
        observed: existing(AE, { rewritten: ['public.orders'] }),
        says: 'rewrote',
      },
      { sql: ['ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid()'], says: 'not observed' },
    ],
    good: [
      // now() is stable: PostgreSQL stores it once, and the server saw no rewrite.
      { sql: ['ALTER TABLE orders ADD COLUMN created_at timestamptz DEFAULT now()'], observed: existing() },
      { sql: ["ALTER TABLE orders ADD COLUMN status text DEFAULT 'new'::text"] },
    ],
  },
  'renaming-column': {
    bad: [{ sql: ['ALTER TABLE orders RENAME COLUMN amount TO total'], observed: existing(), says: 'amount' }],
    good: [
      {
        sql: ['CREATE TABLE orders (amount int)', 'ALTER TABLE orders RENAME COLUMN amount TO total'],
        observed: observation([['public.orders', AE, false]], { created: ['public.orders'] }),
      },
    ],
  },
  'renaming-table': {
    bad: [{ sql: ['ALTER TABLE orders RENAME TO purchases'], observed: existing(), says: 'purchases' }],
    good: [{ sql: ['CREATE TABLE staging (a int)', 'ALTER TABLE staging RENAME TO orders_new'] }],
  },
  'ban-drop-column': {
    bad: [{ sql: ['ALTER TABLE orders DROP COLUMN legacy'], observed: existing(), says: 'legacy' }],
    good: [{ sql: ['ALTER TABLE orders ADD COLUMN legacy int'], observed: existing() }],
  },
  'ban-drop-table': {
    bad: [{ sql: ['DROP TABLE orders'], observed: existing(), says: 'orders' }],
    good: [{ sql: ['CREATE TABLE scratch (a int)', 'DROP TABLE scratch'] }],
  },
  'require-timeout-settings': {
    bad: [
      { sql: ['ALTER TABLE orders ADD COLUMN note text'], observed: existing(), says: 'observed' },
      { sql: ["SET lock_timeout = '0'", 'ALTER TABLE orders ADD COLUMN note text'], says: 'lock_timeout' },
    ],
    good: [
      { sql: ["SET lock_timeout = '5s'", 'ALTER TABLE orders ADD COLUMN note text'], observed: existing() },
      { sql: ["SET LOCAL lock_timeout TO '2s'", 'ALTER TABLE orders ADD COLUMN note text'] },
      // The server saw no ACCESS EXCLUSIVE lock there: its word wins over the statement's kind.
      { sql: ['ALTER TABLE orders VALIDATE CONSTRAINT positive'], observed: existing('ShareUpdateExclusiveLock') },
    ],
  },
  'observed-access-exclusive-lock': {
    bad: [
      // A function taking the lock: no SQL rule can see it, the server did.
      { sql: ['SELECT archive_orders()'], observed: existing(), says: 'public.orders' },
    ],
    good: [
      { sql: ['SELECT archive_orders()'], observed: existing('RowExclusiveLock') },
      { sql: ['CREATE TABLE orders (a int)'], observed: observation([['public.orders', AE, false]]) },
    ],
  },
}

describe('every rule has cases', () => {
  it('a bad and a good case for each rule id', () => {
    expect(Object.keys(CASES).sort()).toEqual(RULES.map((r) => r.id).sort())
  })
})

describe.each(RULES.map((r) => [r.id] as const))('%s', (id) => {
  const { bad, good } = CASES[id]
  it.each(bad.map((c, i) => [i, c] as const))('fires on bad case %i', async (_, c) => {
    const result = await lint([
      step(c.sql, { ...(c.observed ? { observed: c.observed } : {}), ...(c.error ? { error: c.error } : {}) }),
    ])
    expect(ids(result)).toContain(id)
    const finding = result.findings.find((f) => f.id === id)!
    expect(finding.fix).toBeTruthy()
    expect(finding.statement).toBeTruthy()
    if (c.says) expect(finding.message).toContain(c.says)
  })
  it.each(good.map((c, i) => [i, c] as const))('stays quiet on good case %i', async (_, c) => {
    const result = await lint([
      step(c.sql, { ...(c.observed ? { observed: c.observed } : {}), ...(c.error ? { error: c.error } : {}) }),
    ])
    expect(ids(result)).not.toContain(id)
  })
})

describe('observed-access-exclusive-lock: indexes are their tables', () => {
  const rewrite = (): StepObservation => ({
    locks: [
      { relation: 'public.orders', mode: AE, existedBefore: true },
      { relation: 'public.orders_pkey', mode: AE, existedBefore: true, table: 'public.orders' },
      { relation: 'public.ix_orders_code', mode: AE, existedBefore: true, table: 'public.orders' },
    ],
    rewritten: ['public.orders', 'public.orders_pkey', 'public.ix_orders_code'],
    created: [],
    locksComplete: true,
  })

  it('a table rewritten with its indexes: one finding, on the table', async () => {
    const result = await lint([step(['SELECT rewrite_orders()'], { observed: rewrite() })])
    const hits = result.findings.filter((f) => f.id === 'observed-access-exclusive-lock')
    expect(hits.map((f) => f.message)).toEqual([
      'The server saw the step (no statement names it: a function, a trigger or a DO block took it) hold an ACCESS EXCLUSIVE lock on `public.orders` until the migration committed: no query could read or write it meanwhile.',
    ])
  })

  it('an index alone locked (REINDEX): reported on its table, through the index', async () => {
    const observed: StepObservation = {
      locks: [
        { relation: 'public.orders', mode: 'ShareLock', existedBefore: true },
        { relation: 'public.ix_orders_code', mode: AE, existedBefore: true, table: 'public.orders' },
      ],
      rewritten: ['public.ix_orders_code'],
      created: [],
      locksComplete: true,
    }
    const result = await lint([step(['REINDEX INDEX ix_orders_code'], { observed })])
    const hit = result.findings.find((f) => f.id === 'observed-access-exclusive-lock')
    expect(hit?.message).toContain(
      'on `public.orders` (through its index `public.ix_orders_code`, which every query on it opens)',
    )
    expect(hit?.message).toContain('The server saw the migration hold an ACCESS EXCLUSIVE lock on `public.orders`')
    expect(hit?.message).toContain('(this is its first statement naming `public.orders`)')
  })

  it('the statement a lock is reported at is the first naming its table, not said to be the one that took it', async () => {
    // Django's AlterField of a foreign key (healthchecks accounts.0022): dropping the old constraint
    // takes ACCESS EXCLUSIVE on the referenced table without naming it; the ADD CONSTRAINT that names
    // it takes only SHARE ROW EXCLUSIVE there. The server's locks are the transaction's, not a statement's.
    const observed: StepObservation = {
      locks: [
        { relation: 'public.members', mode: AE, existedBefore: true },
        { relation: 'public.projects', mode: AE, existedBefore: true },
      ],
      rewritten: [],
      created: [],
      locksComplete: true,
    }
    const result = await lint([
      step(
        [
          'ALTER TABLE members DROP CONSTRAINT members_project_id_fk',
          'ALTER TABLE members ADD CONSTRAINT members_project_id_fk FOREIGN KEY (project_id) REFERENCES projects (id)',
        ],
        { observed },
      ),
    ])
    const hit = result.findings.find(
      (f) => f.id === 'observed-access-exclusive-lock' && f.message.includes('`public.projects`'),
    )
    expect(hit?.statement).toContain('ADD CONSTRAINT')
    expect(hit?.message).not.toContain('this statement hold')
    expect(hit?.message).toBe(
      'The server saw the migration hold an ACCESS EXCLUSIVE lock on `public.projects` until it committed (this is its first statement naming `public.projects`): no query could read or write it meanwhile.',
    )
  })

  it("a dropped index's table (no statement names it) is left to the rule that flags the DROP INDEX", async () => {
    const observed: StepObservation = {
      locks: [
        { relation: 'public.orders', mode: AE, existedBefore: true },
        { relation: 'public.ix_orders_amount', mode: AE, existedBefore: true },
      ],
      rewritten: [],
      created: [],
      locksComplete: true,
    }
    const result = await lint([step(['DROP INDEX ix_orders_amount'], { observed })])
    expect(ids(result)).toContain('require-concurrent-index-deletion')
    expect(ids(result)).not.toContain('observed-access-exclusive-lock')
  })
})
