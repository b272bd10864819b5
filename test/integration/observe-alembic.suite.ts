// Observed Alembic steps on a real PostgreSQL (issue 16), run by one file per Alembic generation
// (observe-alembic-debian.test.ts, observe-alembic-newer.test.ts): every statement a revision sent,
// with the line of the `op.` call that sent it and bound parameters filled in; the locks its
// transaction held before commit; the tables rewritten and created; an autocommit block that hides
// part of the step's locks (locksComplete false) without breaking the step.
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

const VERSIONS = 'alembic/versions'
const locks = (r: StepResult | undefined) => r?.observed?.locks.map((l) => `${l.relation} ${l.mode} ${l.existedBefore}`)

export function observeSuite(options: { label: string; interpreter: () => Promise<string>; skip?: string }): void {
  if (options.skip) console.warn(`observed Alembic steps on ${options.label} skipped: ${options.skip}`)
  describe.skipIf(options.skip !== undefined)(`observed Alembic steps (${options.label})`, () => {
    const resources = new ResourceTracker()
    let server: Server
    beforeAll(async () => {
      server = await startTestServer()
    })
    afterAll(async () => {
      await server?.stop()
    })

    /** `ddlLog`: with the gate's DDL log installed, as the replay has it on the servers it starts. */
    async function open(ddlLog = false): Promise<MigrationSession> {
      const python = await options.interpreter()
      const inputs: Record<string, string> = { 'working-directory': join(FIXTURES, 'alembic-observe'), python }
      const driver = createDriver(
        readConfig((name) => inputs[name]),
        silentLogger,
      )
      const db = await server.createDatabase()
      if (ddlLog) {
        const client = new pg.Client({ connectionString: db.url })
        await client.connect()
        await client.query(INSTALL_DDL_LOG)
        await client.end()
      }
      return driver.open(db.url, { stepTimeoutSeconds: 60, resources })
    }

    it.each([
      { log: 'with the DDL log', ddlLog: true },
      { log: 'without it', ddlLog: false },
    ])(
      'records each statement at its op. call, the locks at commit, rewrites and creations ($log)',
      async ({ ddlLog }) => {
        const session = await open(ddlLog)
        try {
          const ids = ['a1000001', 'a1000002', 'a1000003', 'a1000004', 'a1000005', 'a1000006']
          const steps: StepResult[] = []
          for (const id of ids) steps.push(await session.upgrade(id, { observe: true }))
          expect(steps.map((s) => s.error?.message ?? 'ok')).toEqual(ids.map(() => 'ok'))
          const [create, widen, currency, index, autocommit, drop] = steps

          const createFile = `${VERSIONS}/a1000001_create_accounts.py`
          expect(create?.sent?.map((s) => [s.file, s.line])).toEqual([
            [createFile, 19],
            [createFile, 24],
          ])
          expect(create?.sent?.[0]?.sql).toContain('CREATE TABLE accounts')
          expect(create?.observed).toMatchObject({
            created: ['public.accounts', 'public.accounts_id_seq', 'public.accounts_pkey'],
            rewritten: [],
            locksComplete: true,
          })
          // The version table is Alembic's bookkeeping: neither a statement nor a lock of the migration.
          expect(create?.sent?.some((s) => s.sql.includes('alembic_version'))).toBe(false)
          expect(locks(create)?.some((l) => l.includes('alembic_version'))).toBe(false)

          // integer -> bigint on 100 rows: rewritten under ACCESS EXCLUSIVE.
          expect(widen?.sent).toEqual([
            {
              sql: expect.stringMatching(/^ALTER TABLE accounts ALTER COLUMN balance TYPE BIGINT\s*$/),
              file: `${VERSIONS}/a1000002_widen_balance.py`,
              line: 19,
            },
          ])
          expect(widen?.observed).toMatchObject({ rewritten: ['public.accounts', 'public.accounts_pkey'], created: [] })
          expect(locks(widen)).toContain('public.accounts AccessExclusiveLock true')

          // ADD COLUMN with a constant default: the same lock, no rewrite.
          expect(currency?.sent?.map((s) => s.line)).toEqual([19])
          expect(currency?.observed).toEqual({
            locks: [{ relation: 'public.accounts', mode: 'AccessExclusiveLock', existedBefore: true }],
            rewritten: [],
            created: [],
            locksComplete: true,
          })

          // CREATE INDEX: SHARE on the table; a table created and indexed in the same migration is new.
          const indexFile = `${VERSIONS}/a1000004_index_and_new_table.py`
          expect(index?.sent?.map((s) => s.line)).toEqual([19, 20, 25, 26])
          expect(index?.sent?.every((s) => s.file === indexFile)).toBe(true)
          // The bound parameters, as psycopg2 sent them.
          expect(index?.sent?.[3]?.sql).toBe('UPDATE accounts SET balance = balance + 5 WHERE id = 1')
          expect(locks(index)).toEqual(
            expect.arrayContaining([
              'public.accounts ShareLock true',
              'public.ledger AccessExclusiveLock false',
              'public.ix_ledger_account_id AccessExclusiveLock false',
            ]),
          )
          expect(index?.observed?.created).toEqual(
            expect.arrayContaining(['public.ledger', 'public.ix_accounts_balance']),
          )

          // autocommit_block(): the step runs through, its statements are recorded, the locks are incomplete.
          expect(autocommit?.sent?.map((s) => s.sql)).toEqual([
            "UPDATE accounts SET currency = 'USD' WHERE id = 2",
            'CREATE INDEX CONCURRENTLY ix_accounts_currency ON accounts (currency)',
          ])
          expect(autocommit?.observed).toMatchObject({ created: ['public.ix_accounts_currency'], locksComplete: false })
          // What ran before the block was read at the block's first commit.
          expect(locks(autocommit)).toContain('public.accounts RowExclusiveLock true')

          // A dropped table is named (its catalog row is gone at commit); one made and dropped on the way is not.
          expect(locks(drop)).toEqual([
            'public.ix_ledger_account_id AccessExclusiveLock true',
            'public.ledger AccessExclusiveLock true',
            'public.ledger_id_seq AccessExclusiveLock true',
            'public.ledger_pkey AccessExclusiveLock true',
          ])
          expect(drop?.observed).toMatchObject({ created: [], rewritten: [], locksComplete: true })
        } finally {
          await session.close()
        }
      },
    )

    it('records nothing unless asked, and a failing observed step keeps its own error', async () => {
      const session = await open()
      try {
        const plain = await session.upgrade('a1000001')
        expect(plain.ok).toBe(true)
        expect(plain).not.toHaveProperty('sent')
        expect(plain).not.toHaveProperty('observed')
        // The step after it still works as before, and the next observed one is observed alone.
        const widen = await session.upgrade('a1000002', { observe: true })
        expect(widen.sent).toHaveLength(1)
        expect((await session.downgrade('a1000002')).ok).toBe(true)
        // a1000005 needs a1000003's column: it fails with the database's error, at its line.
        const failed = await session.upgrade('a1000005', { observe: true })
        expect(failed.ok).toBe(false)
        expect(failed.error?.message).toContain('currency')
        expect(failed.error?.line).toBe(19)
        expect(failed.sent?.map((s) => s.line)).toEqual([19])
        expect(failed).not.toHaveProperty('observed')
        // The helper went on: the next plain step records nothing.
        const again = await session.upgrade('a1000002')
        expect(again.ok).toBe(true)
        expect(again).not.toHaveProperty('sent')
      } finally {
        await session.close()
      }
    })
  })
}
