// Times live-drift on a generated 200-revision chain (synthetic-chain.ts) whose "production" stands 5
// revisions behind head with one column added by hand: building the expected schema (the plain upgrade
// to the live revision, a snapshot after each step), the comparison, and the matching-revision search
// when the version table is 5 behind the schema. Counts the statements sent to the live database and
// how long its read-only transaction (the only one, holding ACCESS SHARE locks) stayed open. Prints
// figures; asserts nothing. Run: npx tsx bench/live-drift.ts [revisions] [--alembic] [--python PATH]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { writeAlembicProject } from './generate-alembic.js'
import { writeSqlProject } from './generate-sql.js'
import { planChain } from './synthetic-chain.js'
import { topologicalOrder } from '../src/checks/topo.js'
import { createDriver } from '../src/drivers/detect.js'
import type { MigrationDriver } from '../src/drivers/driver.js'
import { readConfig } from '../src/inputs.js'
import { liveDriftFindings } from '../src/live/drift.js'
import { ExpectedSchema } from '../src/live/expected-schema.js'
import { silentLogger } from '../src/logger.js'
import { startTestServer } from '../test/support/server.js'
import { ResourceTracker } from '../src/resource-tracker.js'

const args = process.argv.slice(2)
const REVISIONS = Number(args.find((a) => /^\d+$/.test(a)) ?? 200)
const ALEMBIC = args.includes('--alembic')
const PYTHON = args.includes('--python') ? args[args.indexOf('--python') + 1]! : '/usr/bin/python3'
const BEHIND = 5

const ms = (t0: number) => Math.round(performance.now() - t0)

const dir = mkdtempSync(path.join(tmpdir(), 'mg-bench-live-'))
const server = await startTestServer()
const resources = new ResourceTracker()
try {
  const plan = planChain(REVISIONS)
  if (ALEMBIC) writeAlembicProject(dir, plan, { python: PYTHON })
  else writeSqlProject(dir, plan)
  const inputs: Record<string, string> = { 'working-directory': dir, python: PYTHON }
  const driver: MigrationDriver = createDriver(
    readConfig((n) => inputs[n]),
    silentLogger,
  )
  const graph = await driver.graph()
  const order = topologicalOrder(graph)
  const live = order[order.length - 1 - BEHIND]!
  console.log(`${driver.tool}: ${order.length} revisions, production at ${live} (${BEHIND} behind head)`)

  /** A production database migrated through `through`, then `byHand`. */
  async function production(through: number, byHand: string): Promise<string> {
    const db = await server.createDatabase()
    const session = await driver.open(db.url, { stepTimeoutSeconds: 300, resources })
    for (const r of order.slice(0, through + 1)) {
      const s = await session.upgrade(r)
      if (!s.ok) throw new Error(`upgrade ${r}: ${s.error?.message}`)
    }
    await session.close()
    const c = new pg.Client({ connectionString: db.url })
    c.on('error', () => {})
    await c.connect()
    await c.query(byHand)
    await c.end()
    return db.url
  }

  async function check(url: string, label: string): Promise<void> {
    const scratch = await server.createDatabase()
    const t0 = performance.now()
    const built = await ExpectedSchema.build({
      driver,
      url: scratch.url,
      graph,
      revisions: [live],
      ignore: [],
      stepTimeoutSeconds: 300,
      resources,
    })
    if (!built.ok) throw new Error(built.reason)
    const buildMs = ms(t0)
    const client = new pg.Client({ connectionString: url })
    client.on('error', () => {})
    await client.connect()
    let queries = 0
    let locks = ''
    let openMs = 0
    const t1 = performance.now()
    await client.query('BEGIN READ ONLY')
    const result = await liveDriftFindings({
      live: async (text) => {
        queries++
        return (await client.query(text)).rows
      },
      versionTables: driver.bookkeepingTables,
      expected: built.schema,
      severity: 'error',
      liveRead: async () => {
        const held = await client.query<{ mode: string; n: string; user_relations: string }>(
          `SELECT mode, count(*) AS n, count(*) FILTER (WHERE relation >= 16384) AS user_relations
             FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'relation' GROUP BY mode`,
        )
        locks = held.rows.map((r) => `${r.n} ${r.mode} (${r.user_relations} on user relations)`).join(', ')
        await client.query('COMMIT')
        openMs = ms(t1)
      },
    })
    const compareMs = ms(t1)
    await client.end()
    await built.schema.close()
    console.log(
      `${label}: build to the live revision ${buildMs} ms; comparison (search included) ${compareMs} ms; ` +
        `${result.findings.length} finding(s)${result.matching ? `, matching ${result.matching.join(', ')}` : ''}; ` +
        `${queries} statement(s) on the live database, its read-only transaction open ${openMs} ms, locks ${locks}`,
    )
  }

  // The incident: a column added by hand to the first table (whichever the generated chain made).
  const drifted = await production(
    order.length - 1 - BEHIND,
    `DO $$ DECLARE t text; BEGIN
       SELECT relname INTO t FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'
         AND relname NOT IN ('alembic_version', 'schema_migrations') ORDER BY relname LIMIT 1;
       EXECUTE format('ALTER TABLE %I ADD COLUMN processing_started_at timestamp', t);
     END $$`,
  )
  await check(drifted, 'a column added by hand')
  const handMade = await production(
    order.length - 1 - BEHIND,
    'CREATE TABLE hand_made (id int); CREATE INDEX ix_hand_made ON hand_made (id)',
  )
  await check(handMade, 'a table and index made by hand')
  // Migrated to head but the version table says 5 behind: the search builds the 5 revisions after it.
  const stampedBehind = await production(
    order.length - 1,
    ALEMBIC
      ? `UPDATE alembic_version SET version_num = '${live}'`
      : `DELETE FROM schema_migrations WHERE version::bigint > ${Number(live)}`,
  )
  await check(stampedBehind, `stamped ${BEHIND} behind its schema`)
} catch (error) {
  console.error(error)
  process.exitCode = 1
} finally {
  await server.stop()
  rmSync(dir, { recursive: true, force: true })
}
