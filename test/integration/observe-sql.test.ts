// Observed steps of the SQL drivers on a real PostgreSQL (issue 16): the statements each file sent
// with their file:line, and what the server saw: the locks held before COMMIT, the tables rewritten
// (ALTER COLUMN TYPE on a table of rows, not ADD COLUMN with a constant default), what the step
// created, and locksComplete false where a file runs outside a transaction the gate can look into.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDriver } from '../../src/drivers/detect.js'
import type { MigrationSession, StepResult } from '../../src/drivers/driver.js'
import { readConfig } from '../../src/inputs.js'
import { silentLogger } from '../../src/logger.js'
import type { Server } from '../../src/postgres/provider.js'
import { ResourceTracker } from '../../src/resource-tracker.js'
import { INSTALL_DDL_LOG } from '../../src/schema/ddl-log.js'
import { FIXTURES } from '../support/run-gate.js'
import { startTestServer } from '../support/server.js'

const resources = new ResourceTracker()
let server: Server
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server?.stop()
})

/**
 * A session on a new database of `dir` (a fixture's name, or a directory). `ddlLog`: with the gate's DDL
 * log installed, as the replay has it on the servers it starts (dropped relations are named from it).
 */
async function open(fixture: string, ddlLog = false): Promise<{ session: MigrationSession; ids: string[] }> {
  const dir = fixture.startsWith('/') ? fixture : join(FIXTURES, fixture)
  const driver = createDriver(
    readConfig((name) => ({ 'working-directory': dir })[name]),
    silentLogger,
  )
  const graph = await driver.graph()
  const db = await server.createDatabase()
  if (ddlLog) {
    const client = new pg.Client({ connectionString: db.url })
    await client.connect()
    await client.query(INSTALL_DDL_LOG)
    await client.end()
  }
  const session = await driver.open(db.url, { stepTimeoutSeconds: 60, resources })
  return { session, ids: graph.nodes.map((n) => n.id) }
}

/** Every relation lock as `relation mode existedBefore`, for one comparison per step. */
const locks = (r: StepResult) => r.observed?.locks.map((l) => `${l.relation} ${l.mode} ${l.existedBefore}`)

/** What the fixtures' first four migrations do the same way in both tools (the files differ in their lines). */
function commonSteps(
  steps: StepResult[],
  lines: { accounts: number[]; widen: number; currency: number; index: number[] },
) {
  const [create, widen, currency, index] = steps as [StepResult, StepResult, StepResult, StepResult]
  expect(create.sent?.map((s) => s.line)).toEqual(lines.accounts)
  expect(create.observed).toMatchObject({
    created: ['public.accounts', 'public.accounts_id_seq', 'public.accounts_pkey'],
    rewritten: [],
    locksComplete: true,
  })
  expect(locks(create)).toContain('public.accounts AccessExclusiveLock false')

  // integer -> bigint on 100 rows: the table (and its primary key index) rewritten.
  expect(widen.sent).toMatchObject([
    { sql: 'ALTER TABLE accounts ALTER COLUMN balance TYPE bigint;', line: lines.widen },
  ])
  expect(widen.observed).toMatchObject({
    rewritten: ['public.accounts', 'public.accounts_pkey'],
    created: [],
    locksComplete: true,
  })
  expect(locks(widen)).toContain('public.accounts AccessExclusiveLock true')

  // A constant default on PostgreSQL 11+: the same lock, no rewrite.
  expect(currency.sent?.map((s) => s.line)).toEqual([lines.currency])
  expect(currency.observed).toMatchObject({ rewritten: [], created: [], locksComplete: true })
  expect(locks(currency)).toEqual(['public.accounts AccessExclusiveLock true'])

  // CREATE INDEX takes SHARE on the table; the table created and indexed here did not exist before.
  expect(index.sent?.map((s) => s.line)).toEqual(lines.index)
  expect(locks(index)).toEqual([
    'public.accounts ShareLock true',
    'public.ix_accounts_balance AccessExclusiveLock false',
    'public.ix_ledger_account_id AccessExclusiveLock false',
    'public.ledger AccessExclusiveLock false',
    'public.ledger_id_seq AccessExclusiveLock false',
    'public.ledger_pkey AccessExclusiveLock false',
  ])
  expect(index.observed).toMatchObject({ rewritten: [], locksComplete: true })
  expect(index.observed?.created).toContain('public.ledger')
}

describe.each([
  { log: 'with the DDL log', ddlLog: true },
  { log: 'without the DDL log', ddlLog: false },
])('observed SQL steps ($log)', ({ ddlLog }) => {
  it('golang-migrate: a file sent whole is wrapped to read its locks, unless it must run on its own', async () => {
    const { session, ids } = await open('sql-golang-observe', ddlLog)
    try {
      const steps: StepResult[] = []
      for (const id of ids) steps.push(await session.upgrade(id, { observe: true }))
      expect(steps.map((s) => s.ok)).toEqual(ids.map(() => true))
      const file = (n: number) => steps[n]?.sent?.[0]?.file
      expect(file(1)).toBe('migrations/2_widen_balance.up.sql')
      // Comments before a statement are not part of it; its first line is where it starts.
      expect(steps[0]?.sent?.[0]).toEqual({
        sql: 'CREATE TABLE accounts (id serial PRIMARY KEY, balance integer NOT NULL);',
        file: 'migrations/1_create_accounts.up.sql',
        line: 2,
      })
      commonSteps(steps, { accounts: [2, 3], widen: 2, currency: 2, index: [1, 4, 5] })
      // CREATE INDEX CONCURRENTLY cannot run in a transaction block: sent as it is, locks unread.
      expect(steps[4]?.observed).toEqual({
        locks: [],
        rewritten: [],
        created: ['public.ix_accounts_currency'],
        locksComplete: false,
      })
      // A file with its own BEGIN/COMMIT: its statements are recorded, its locks are not read.
      expect(steps[5]?.sent?.map((s) => s.sql)).toEqual([
        'BEGIN;',
        "UPDATE accounts SET currency = 'USD' WHERE id = 2;",
        'COMMIT;',
      ])
      expect(steps[5]?.observed?.locksComplete).toBe(false)
    } finally {
      await session.close()
    }
  })

  it('dbmate: the locks of each block are read before its COMMIT; transaction:false is not looked into', async () => {
    const { session, ids } = await open('sql-dbmate-observe', ddlLog)
    try {
      const steps: StepResult[] = []
      for (const id of ids) steps.push(await session.upgrade(id, { observe: true }))
      expect(steps.map((s) => s.ok)).toEqual(ids.map(() => true))
      expect(steps[1]?.sent?.[0]?.file).toBe('db/migrations/20241201100100_widen_balance.sql')
      commonSteps(steps, { accounts: [2, 3], widen: 2, currency: 2, index: [2, 3, 4] })
      expect(steps[4]?.observed).toMatchObject({
        locks: [],
        created: ['public.ix_accounts_currency'],
        locksComplete: false,
      })
    } finally {
      await session.close()
    }
  })

  it('names a table the step dropped, and leaves out one it created and dropped again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-observe-drop-'))
    try {
      mkdirSync(join(dir, 'migrations'))
      const file = (name: string, sql: string) => writeFileSync(join(dir, 'migrations', name), sql)
      file(
        '1_create.up.sql',
        'CREATE TABLE old (id int PRIMARY KEY);\nINSERT INTO old SELECT generate_series(1, 10);\n',
      )
      file('1_create.down.sql', 'DROP TABLE old;\n')
      file('2_drop.up.sql', 'DROP TABLE old;\nCREATE TABLE scratch (id int);\nDROP TABLE scratch;\n')
      file('2_drop.down.sql', 'CREATE TABLE old (id int PRIMARY KEY);\n')
      const { session, ids } = await open(dir, ddlLog)
      try {
        const [create, drop] = [
          await session.upgrade(ids[0] as string),
          await session.upgrade(ids[1] as string, { observe: true }),
        ]
        expect([create.ok, drop.ok]).toEqual([true, true])
        expect(locks(drop)).toEqual(['public.old AccessExclusiveLock true', 'public.old_pkey AccessExclusiveLock true'])
        expect(drop.observed).toMatchObject({ created: [], rewritten: [], locksComplete: true })
      } finally {
        await session.close()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('observed SQL steps', () => {
  it('records nothing for a step not asked to observe, and a failed step keeps what it sent without observations', async () => {
    const { session, ids } = await open('sql-golang-observe')
    try {
      const [first, second] = ids as [string, string]
      const plain = await session.upgrade(first)
      expect(plain.ok).toBe(true)
      expect(plain).not.toHaveProperty('sent')
      expect(plain).not.toHaveProperty('observed')
      const down = await session.downgrade(first)
      expect(down).not.toHaveProperty('sent')
      // 2 needs the table 1 creates: it fails, and says what it sent.
      const failed = await session.upgrade(second, { observe: true })
      expect(failed.ok).toBe(false)
      expect(failed.sent).toHaveLength(1)
      expect(failed).not.toHaveProperty('observed')
    } finally {
      await session.close()
    }
  })
})
