// live-drift on real PostgreSQL: "production" is a database migrated by a fixture's real migrations
// (the gate's own driver session) up to a revision, then changed by hand; the expected schema is built
// on a scratch database of the same server by ExpectedSchema, and the live side is read only inside a
// BEGIN READ ONLY transaction, so the comparison provably needs no write there.
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDriver } from '../../src/drivers/detect.js'
import type { MigrationDriver } from '../../src/drivers/driver.js'
import { readConfig } from '../../src/inputs.js'
import { liveDriftFindings, type LiveDriftResult } from '../../src/live/drift.js'
import { ExpectedSchema } from '../../src/live/expected-schema.js'
import { parseLiveIgnore } from '../../src/live/ignore.js'
import { silentLogger } from '../../src/logger.js'
import type { Server } from '../../src/postgres/provider.js'
import { FIXTURES } from '../support/run-gate.js'
import { pythonWithAlembic } from '../support/python.js'
import { startTestServer } from '../support/server.js'
import { ResourceTracker } from '../../src/resource-tracker.js'

/** What this file's driver sessions are tracked by, as a run's are by its own. */
const resources = new ResourceTracker()

let server: Server
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server?.stop()
})

async function driverFor(fixture: string): Promise<MigrationDriver> {
  const inputs: Record<string, string> = {
    'working-directory': join(FIXTURES, fixture),
    python: await pythonWithAlembic(),
  }
  return createDriver(
    readConfig((name) => inputs[name]),
    silentLogger,
  )
}

async function sql(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(text)
  } finally {
    await client.end()
  }
}

/** A database built by the fixture's own migrations up to `revisions` (in order), then `byHand` run on it. */
async function production(fixture: string, revisions: string[], byHand = ''): Promise<string> {
  const driver = await driverFor(fixture)
  const db = await server.createDatabase()
  const session = await driver.open(db.url, { stepTimeoutSeconds: 60, resources })
  try {
    for (const r of revisions) expect((await session.upgrade(r)).ok, `upgrade ${r}`).toBe(true)
  } finally {
    await session.close()
  }
  if (byHand) await sql(db.url, byHand)
  return db.url
}

/**
 * The live check as the live phase will run it: the live revisions read from the version table and
 * the snapshot taken inside one BEGIN READ ONLY transaction, the expected schema on a scratch database.
 */
async function liveCheck(
  fixture: string,
  liveUrl: string,
  options: { versionQuery: string; ignore?: string; stamp?: (revisions: string[]) => string },
): Promise<LiveDriftResult & { revisions: string[] }> {
  // revisions: where the expected schema stands (the version table's rows without those another needs).
  const driver = await driverFor(fixture)
  const live = new pg.Client({ connectionString: liveUrl })
  await live.connect()
  const scratch = await server.createDatabase()
  try {
    await live.query('BEGIN READ ONLY')
    const readOnly = await live.query<{ transaction_read_only: string }>('SHOW transaction_read_only')
    expect(readOnly.rows[0]?.transaction_read_only).toBe('on')
    const revisions = (await live.query<{ v: string }>(options.versionQuery)).rows.map((r) => r.v)
    const built = await ExpectedSchema.build({
      driver,
      url: scratch.url,
      graph: await driver.graph(),
      revisions,
      ignore: parseLiveIgnore(options.ignore ?? ''),
      stepTimeoutSeconds: 60,
      resources,
    })
    if (!built.ok) throw new Error(built.reason)
    try {
      let statements = 0
      let ended = false
      const result = await liveDriftFindings({
        live: async (text) => {
          expect(ended, 'a statement after liveRead').toBe(false)
          statements++
          return (await live.query(text)).rows
        },
        versionTables: driver.bookkeepingTables,
        expected: built.schema,
        severity: 'error',
        ...(options.stamp ? { stamp: options.stamp } : {}),
        liveRead: async () => {
          // Every lock the comparison took on the live database, still held: ACCESS SHARE only.
          const locks = await live.query<{ mode: string }>(
            "SELECT DISTINCT mode FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'relation'",
          )
          expect(locks.rows.map((l) => l.mode)).toEqual(['AccessShareLock'])
          // Still the same read-only transaction: nothing above committed or wrote.
          await live.query('COMMIT')
          ended = true
        },
      })
      expect(ended).toBe(true)
      expect(statements).toBe(1)
      return { ...result, revisions: built.schema.revisions }
    } finally {
      await built.schema.close()
    }
  } finally {
    await live.end()
    await server.dropDatabase(scratch.name)
  }
}

const ALEMBIC = { versionQuery: 'SELECT version_num AS v FROM alembic_version' }
const GOLANG = { versionQuery: 'SELECT version::text AS v FROM schema_migrations' }
const CLEAN = ['8a8e67227d08', '2408316dc6a3', '2aa223e4e29e', '8dca1cf9ca88', 'e6777887bdf6', 'bb86aaac9fb9']

describe('live-drift against a production database changed by hand', () => {
  it('finds the hand-added pdfs.processing_started_at, owned by the migration that creates pdfs', async () => {
    const fixture = 'alembic-incident-processing-started-at'
    const url = await production(
      fixture,
      ['1564855c1467', '68e1411b5760'],
      'ALTER TABLE pdfs ADD COLUMN processing_started_at timestamp',
    )
    const r = await liveCheck(fixture, url, ALEMBIC)
    expect(r.revisions).toEqual(['68e1411b5760'])
    expect(r.findings).toHaveLength(1)
    expect(r.findings[0]).toMatchObject({
      id: 'live-drift',
      severity: 'error',
      file: 'alembic/versions/68e1411b5760_create_pdfs.py',
      line: 13,
    })
    expect(r.findings[0]?.message).toMatch(
      /^column pdfs\.processing_started_at: present in the live database, absent in the migrations\. No migration creates it \(its relation pdfs comes from revision 68e1411b5760\): .*adds it again/,
    )
    expect(r.findings[0]?.fix).toMatch(/^Write the migration that creates it/)
    expect(r.matching).toBeUndefined()
  })

  it('finds an index added by hand, at the migration that creates its table', async () => {
    const url = await production('alembic-clean', CLEAN, 'CREATE INDEX ix_chats_title ON chats (title)')
    const r = await liveCheck('alembic-clean', url, ALEMBIC)
    expect(r.findings).toHaveLength(1)
    expect(r.findings[0]).toMatchObject({
      id: 'live-drift',
      file: 'alembic/versions/2408316dc6a3_create_chats_and_messages.py',
      line: 13,
    })
    expect(r.findings[0]?.message).toMatch(
      /^index ix_chats_title on chats: present in the live database, absent in the migrations\. No migration creates it \(its relation chats comes from revision 2408316dc6a3\)/,
    )
  })

  it('finds an enum value added by hand, at the migration that creates the type', async () => {
    const url = await production('alembic-clean', CLEAN.slice(0, 4), "ALTER TYPE pdf_status ADD VALUE 'archived'")
    const r = await liveCheck('alembic-clean', url, ALEMBIC)
    expect(r.revisions).toEqual(['8dca1cf9ca88'])
    expect(r.findings).toHaveLength(1)
    expect(r.findings[0]).toMatchObject({ id: 'live-drift', file: 'alembic/versions/8dca1cf9ca88_create_pdfs.py' })
    expect(r.findings[0]?.message).toMatch(
      /^type pdf_status \(enum\): labels uploaded, processing, ready, failed, archived in the live database, uploaded, processing, ready, failed in the migrations\. The migrations build it otherwise \(revision 8dca1cf9ca88\)/,
    )
  })

  it('finds what the migrations build and production lacks, in a golang-migrate project', async () => {
    const versions = ['20240105093000', '20240112140500', '20240120081500', '20240201120000']
    const url = await production('sql-golang-clean', versions, 'DROP TRIGGER accounts_touch_updated_at ON accounts')
    const r = await liveCheck('sql-golang-clean', url, GOLANG)
    expect(r.revisions).toEqual(['20240201120000'])
    expect(r.findings).toHaveLength(1)
    expect(r.findings[0]).toMatchObject({ id: 'live-drift', file: 'migrations/20240112140500_touch_updated_at.up.sql' })
    expect(r.findings[0]?.message).toMatch(
      /^trigger accounts_touch_updated_at on accounts: absent in the live database, present in the migrations\. The migrations build it \(revision 20240112140500\): code relying on the migrations' schema fails/,
    )
    expect(r.findings[0]?.fix).toBe(
      'Build it here by hand as revision 20240112140500, or, if it was removed on purpose, write the migration that removes it.',
    )
  })

  it('finds that the schema is exactly an earlier version when the last one was undone by hand', async () => {
    // The last version only creates an index; dropping it by hand leaves exactly 20240120081500's schema.
    const versions = ['20240105093000', '20240112140500', '20240120081500', '20240201120000']
    const url = await production('sql-golang-clean', versions, 'DROP INDEX ix_subscriptions_account_id')
    const r = await liveCheck('sql-golang-clean', url, GOLANG)
    expect(r.matching).toEqual(['20240120081500'])
    expect(r.findings).toHaveLength(1)
    expect(r.findings[0]).toMatchObject({
      id: 'live-drift',
      file: 'migrations/20240120081500_create_subscriptions.up.sql',
      details: [
        'index ix_subscriptions_account_id on subscriptions: absent in the live database, present in the migrations',
      ],
    })
    expect(r.findings[0]?.fix).toBe(
      'Stamp the revision whose schema it has: record 20240120081500 as applied in the version table without running it, then upgrade.',
    )
  })
})

describe('live-drift where production is what the migrations build', () => {
  it('says nothing about a clean production', async () => {
    const url = await production('alembic-clean', CLEAN)
    const r = await liveCheck('alembic-clean', url, ALEMBIC)
    expect(r.findings).toEqual([])
    expect(r.notes).toEqual([])
  })

  it('says nothing about a clean golang-migrate production either', async () => {
    const url = await production('sql-golang-clean', ['20240105093000', '20240112140500'])
    expect((await liveCheck('sql-golang-clean', url, GOLANG)).findings).toEqual([])
  })

  it('leaves out what a live-ignore pattern names, with its reason in a note', async () => {
    const url = await production('alembic-clean', CLEAN, 'CREATE INDEX ix_chats_title ON chats (title)')
    const r = await liveCheck('alembic-clean', url, {
      ...ALEMBIC,
      ignore: 'public.ix_chats_t*: made by the DBA for the reports\npublic.nothing_here: a pattern matching nothing',
    })
    expect(r.findings).toEqual([])
    expect(r.notes).toEqual([
      'live-ignore public.ix_chats_t* left out index public.chats.ix_chats_title of the live database: made by the DBA for the reports',
      "live-ignore public.nothing_here matches nothing in the live database or the migrations' schema",
    ])
  })
})

describe('live-drift where the version table is wrong', () => {
  const stamp = (revisions: string[]) => `\`alembic stamp ${revisions.join(' ')}\``

  it('tells a database stamped ahead of its schema to stamp the earlier revision it matches', async () => {
    // Migrated to 2aa223e4e29e, then stamped 8dca1cf9ca88 by hand: pdfs and pdf_status never built.
    const url = await production(
      'alembic-clean',
      CLEAN.slice(0, 3),
      "UPDATE alembic_version SET version_num = '8dca1cf9ca88'",
    )
    const r = await liveCheck('alembic-clean', url, { ...ALEMBIC, stamp })
    expect(r.matching).toEqual(['2aa223e4e29e'])
    expect(r.findings).toHaveLength(1)
    expect(r.findings[0]).toMatchObject({
      id: 'live-drift',
      file: 'alembic/versions/2aa223e4e29e_add_last_message_at_to_chats.py',
    })
    expect(r.findings[0]?.message).toMatch(
      /^The live database is stamped at 8dca1cf9ca88, but its schema is exactly the one the migrations build at 2aa223e4e29e, with \d+ differences from 8dca1cf9ca88's\./,
    )
    expect(r.findings[0]?.fix).toBe(
      'Stamp the revision whose schema it has: `alembic stamp 2aa223e4e29e`, then upgrade.',
    )
    expect(r.findings[0]?.details).toEqual(
      expect.arrayContaining(['table pdfs: absent in the live database, present in the migrations']),
    )
  })

  it('names every revision with that schema where a data migration lies between, the earliest first', async () => {
    // Only d5e4455cae32 ran, then the version table was set to head: 1dce7515a9cc (data only) has
    // d5e4455cae32's schema too, and nothing says whether its data change ran.
    const url = await production(
      'alembic-data-only',
      ['d5e4455cae32'],
      "UPDATE alembic_version SET version_num = 'dc9a9da06170'",
    )
    const r = await liveCheck('alembic-data-only', url, { ...ALEMBIC, stamp })
    expect(r.matching).toEqual(['d5e4455cae32'])
    expect(r.findings).toHaveLength(1)
    expect(r.findings[0]?.message).toMatch(
      /^The live database is stamped at dc9a9da06170, but its schema is exactly the one the migrations build at d5e4455cae32 \(and at 1dce7515a9cc: the revisions between change no schema, so check whether their data changes ran before choosing\), with 1 difference from dc9a9da06170's\./,
    )
    expect(r.findings[0]?.details).toEqual([
      'column users.timezone: absent in the live database, present in the migrations',
    ])
  })

  it('searches the chain beyond the stamped revision for one stamped behind its schema', async () => {
    // Migrated to 8dca1cf9ca88, then stamped back at 2408316dc6a3: the version table missed two steps.
    const url = await production(
      'alembic-clean',
      CLEAN.slice(0, 4),
      "UPDATE alembic_version SET version_num = '2408316dc6a3'",
    )
    const r = await liveCheck('alembic-clean', url, { ...ALEMBIC, stamp })
    expect(r.matching).toEqual(['8dca1cf9ca88'])
    expect(r.findings).toHaveLength(1)
    expect(r.findings[0]?.fix).toBe(
      'Stamp the revision whose schema it has: `alembic stamp 8dca1cf9ca88`, then upgrade.',
    )
  })
})

describe('live-drift where the chain cannot build the live revision', () => {
  it('says why, in one line for a note, and leaves no session open', async () => {
    const driver = await driverFor('alembic-upgrade-fails')
    const graph = await driver.graph()
    const scratch = await server.createDatabase()
    try {
      const input = { driver, url: scratch.url, graph, ignore: [], stepTimeoutSeconds: 60, resources }
      const unknown = await ExpectedSchema.build({ ...input, revisions: ['0badc0ffee00'] })
      expect(unknown).toEqual({ ok: false, reason: 'the chain has no revision 0badc0ffee00' })
      const failing = await ExpectedSchema.build({ ...input, revisions: ['33167238df46'] })
      expect(failing).toMatchObject({ ok: false, revision: '30eb669f75af' })
      expect(failing.ok === false && failing.reason).toMatch(
        /^revision 30eb669f75af \(alembic\/versions\/30eb669f75af_[a-z_]+\.py\) fails to upgrade on an empty database: NotNullViolation: column "display_name" of relation "users" contains null values/,
      )
      // The failed build closed its helper and its catalog connection: nobody is left in the database.
      const other = new pg.Client({ connectionString: server.urlFor(scratch.name) })
      await other.connect()
      try {
        const sessions = await other.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
        )
        expect(sessions.rows[0]?.n).toBe(0)
      } finally {
        await other.end()
      }
    } finally {
      await server.dropDatabase(scratch.name)
    }
  })
})
