// Times mode live's prediction on a generated 200-revision chain (synthetic-chain.ts) whose
// "production" stands 5 revisions behind head: the copy of the live schema (two pg_dumps and the
// restore on a scratch database), the 5 pending migrations applied on it through the tool's session,
// and their downgrades. Production's version table is shaped as golang-migrate keeps it for SQL
// chains. Prints figures; asserts nothing.
// Run: npx tsx bench/live-predict.ts [revisions] [--alembic] [--python PATH] [--reps N]
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
import { LiveConnection } from '../src/live/connection.js'
import { liveStanding } from '../src/live/pending.js'
import { predictPendingUpgrade } from '../src/live/predict.js'
import { splitLiveUrl } from '../src/live/url.js'
import { silentLogger } from '../src/logger.js'
import { startTestServer } from '../test/support/server.js'
import { ResourceTracker } from '../src/resource-tracker.js'

const args = process.argv.slice(2)
const REVISIONS = Number(args.find((a) => /^\d+$/.test(a)) ?? 200)
const ALEMBIC = args.includes('--alembic')
const PYTHON = args.includes('--python') ? args[args.indexOf('--python') + 1]! : '/usr/bin/python3'
const REPS = args.includes('--reps') ? Number(args[args.indexOf('--reps') + 1]) : 3
const BEHIND = 5

const ms = (t0: number) => Math.round(performance.now() - t0)
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const dir = mkdtempSync(path.join(tmpdir(), 'mg-bench-predict-'))
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
  const liveAt = order.length - 1 - BEHIND
  console.log(`${driver.tool}: ${order.length} revisions, production at ${order[liveAt]} (${BEHIND} behind head)`)

  const production = await server.createDatabase()
  const session = await driver.open(production.url, { stepTimeoutSeconds: 300, resources })
  for (const r of order.slice(0, liveAt + 1)) {
    const s = await session.upgrade(r)
    if (!s.ok) throw new Error(`upgrade ${r}: ${s.error?.message}`)
  }
  await session.close()
  if (!ALEMBIC) {
    const c = new pg.Client({ connectionString: production.url })
    await c.connect()
    await c.query(`DROP TABLE schema_migrations;
      CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
      INSERT INTO schema_migrations VALUES (${Number(order[liveAt])}, false)`)
    await c.end()
  }

  const { connect, toolParams } = splitLiveUrl(production.url)
  const live = await LiveConnection.open(connect, 'production', 'live-database-url')
  const [version] = await live.query<{ server_version: string }>('SHOW server_version')
  const state = await driver.readLiveState!({ query: live.query, toolParams })
  await live.close()
  const pending = liveStanding(graph, state).pending

  const rows: Array<{ total: number; copy: number; up: number; down: number }> = []
  for (let rep = 0; rep < REPS; rep++) {
    const scratch = await server.createDatabase()
    const t0 = performance.now()
    const r = await predictPendingUpgrade({
      driver,
      state,
      pending,
      liveUrl: connect,
      toolParams,
      serverVersion: version!.server_version.split(' ')[0]!,
      scratchUrl: scratch.url,
      drift: [],
      stepTimeoutSeconds: 300,
      resources,
      logger: silentLogger,
    })
    const total = ms(t0)
    await server.dropDatabase(scratch.name)
    if (!r.ran || r.findings.length > 0 || r.rolledBack.length !== BEHIND) {
      throw new Error(`unexpected prediction: ${JSON.stringify({ ...r, dumpArgv: undefined })}`)
    }
    rows.push({ total, copy: r.timings.copyMs, up: r.timings.upgradeMs, down: r.timings.rollbackMs })
    console.log(
      `rep ${rep + 1}: ${total} ms in all: copy ${r.timings.copyMs} ms (pg_dump ${r.pgDump}), ` +
        `${r.applied.length} upgrades ${r.timings.upgradeMs} ms, ${r.rolledBack.length} downgrades ${r.timings.rollbackMs} ms`,
    )
  }
  console.log(
    `median of ${REPS}: ${median(rows.map((r) => r.total))} ms (copy ${median(rows.map((r) => r.copy))}, ` +
      `up ${median(rows.map((r) => r.up))}, down ${median(rows.map((r) => r.down))}); the rest: finding pg_dump, reading the copy's version table, opening the tool's session`,
  )
} catch (error) {
  console.error(error)
  process.exitCode = 1
} finally {
  await server.stop()
  rmSync(dir, { recursive: true, force: true })
}
