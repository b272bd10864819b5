// mode live through a real PgBouncer in transaction pooling in front of a real PostgreSQL: every
// query of the live connection is its own READ ONLY transaction with its limits SET LOCAL, so it
// works where consecutive transactions may land on different server connections. The whole live check
// (runGate, mode live) through the pooler gives the same report as straight to the server.
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest'
import type { Server } from '../../src/postgres/provider.js'
import { FIXTURES, productionAt, sql } from '../support/live.js'
import { pgbouncerBinary, startPgbouncer, type Bouncer } from '../support/pgbouncer.js'
import { gateOnFixture } from '../support/run-gate.js'
import { startTestServer } from '../support/server.js'

const binary = pgbouncerBinary()
const MISSING =
  'pgbouncer is not installed (apt package pgbouncer; scripts/apt-deps.sh installs it): the PgBouncer proof cannot run'
let server: Server
let bouncer: Bouncer | undefined
let db: { name: string; url: string }

beforeAll(async () => {
  server = await startTestServer()
  db = await productionAt(server, join(FIXTURES, 'alembic-clean'), '2aa223e4e29e')
  await sql(db.url, "INSERT INTO orgs (name) VALUES ('acme'), ('globex')")
  if (binary) bouncer = await startPgbouncer(binary, db.url)
}, 120_000)

afterAll(async () => {
  await bouncer?.stop()
  await server?.stop()
})

/** The bouncer, or: in CI a failure saying why, elsewhere a skip saying why. */
function needBouncer(ctx: TestContext): Bouncer {
  if (bouncer) return bouncer
  if (process.env.CI) throw new Error(MISSING)
  console.log(`skipped: ${MISSING}`)
  return ctx.skip(MISSING)
}

describe('mode live through PgBouncer (pool_mode = transaction)', () => {
  it('the same report as straight to the server', async (ctx) => {
    const pooler = needBouncer(ctx)
    const direct = await gateOnFixture('alembic-clean', { mode: 'live', 'live-database-url': db.url })
    const pooled = await gateOnFixture('alembic-clean', { mode: 'live', 'live-database-url': pooler.through(db.url) })
    expect(pooled.findings).toEqual(direct.findings)
    expect(pooled.findings.map((f) => f.id)).toEqual(['pending-migrations'])
    expect(pooled.result).toBe(direct.result)
    const { database: _d1, longestTransactionMs: _t1, ...directLive } = direct.live ?? {}
    const { database: _d2, longestTransactionMs: _t2, ...pooledLive } = pooled.live ?? {}
    expect(pooledLive).toEqual(directLive)
    expect(pooled.live?.pending?.length).toBe(3)
    expect(pooled.live?.database).toBe(`127.0.0.1:${pooler.port}/${db.name}`)
    // It went through the pooler, which logged the gate's login.
    expect(pooler.log()).toMatch(new RegExp(`login attempt: db=${db.name} `))
  }, 180_000)
})
