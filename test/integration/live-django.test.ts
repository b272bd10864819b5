// mode live on a Django project: a database on a real PostgreSQL plays production, migrated by
// Django's own `python manage.py migrate` (a real interpreter, the fixture's settings reading
// DATABASE_URL) up to a migration, sometimes changed by hand afterwards; then the gate in mode live
// reads where it stands from django_migrations, tells the pending migrations' SQL, compares the live
// schema and tries the pending migrations on a copy of it. The gate only reads production: its
// schema and django_migrations' rows are the same after every run.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Server } from '../../src/postgres/provider.js'
import type { GateReport } from '../../src/report.js'
import { takeSnapshot } from '../../src/schema/snapshot.js'
import { FIXTURES, sql } from '../support/live.js'
import { pythonWithDjango } from '../support/python.js'
import { gateOnFixture } from '../support/run-gate.js'
import { startTestServer } from '../support/server.js'

const PROJECT = join(FIXTURES, 'django-live')
let server: Server
beforeAll(async () => {
  server = await startTestServer()
}, 60_000)
afterAll(async () => {
  await server?.stop()
})

/** A new database migrated by `python manage.py migrate [shop <target>]`, as a deploy would. */
async function productionAt(target?: string): Promise<string> {
  const db = await server.createDatabase()
  const python = await pythonWithDjango()
  const run = spawnSync(python, ['manage.py', 'migrate', ...(target ? ['shop', target] : []), '--no-input'], {
    cwd: PROJECT,
    env: { ...process.env, DATABASE_URL: db.url, PYTHONDONTWRITEBYTECODE: '1' },
    encoding: 'utf8',
  })
  if (run.status !== 0) throw new Error(`manage.py migrate failed: ${run.stderr}`)
  return db.url
}

/** What a run could change on production: its catalog and django_migrations' rows. */
async function fingerprint(url: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const rows = await client.query('SELECT id, app, name FROM django_migrations ORDER BY id').catch(() => null)
    return { snapshot: await takeSnapshot(client), rows: rows?.rows ?? null }
  } finally {
    await client.end()
  }
}

/** The gate in mode live on production, which must be unchanged afterwards. */
async function live(url: string, more: Record<string, string> = {}): Promise<GateReport> {
  const before = await fingerprint(url)
  const report = await gateOnFixture('django-live', {
    mode: 'live',
    'live-database-url': url,
    python: await pythonWithDjango(),
    ...more,
  })
  expect(await fingerprint(url)).toEqual(before)
  return report
}

const ids = (report: GateReport) => report.findings.map((f) => `${f.id}@${f.revision ?? ''}`).sort()

describe('mode live: where a Django database stands', () => {
  it("migrated through the squash: the pending migrations in Django's order, their SQL, and a prediction that applies them", async () => {
    // Django applies the squash and records the two migrations it replaces and the squash itself.
    const url = await productionAt('0001_squashed_0002_order')
    const report = await live(url)
    expect(report.result).toBe('pass')
    expect(report.live?.versionTable).toBe('public.django_migrations')
    // The squash stands for what it replaces; contenttypes' and auth's rows are not the project's.
    expect(report.live?.revisions).toEqual(['shop.0001_squashed_0002_order'])
    expect(report.live?.pending?.map((p) => p.revision)).toEqual(['shop.0003_order_buyer', 'shop.0004_order_status'])
    expect(report.live?.pending?.[1]).toMatchObject({ file: 'shop/migrations/0004_order_status.py' })
    // sqlmigrate's SQL, composed without a database.
    expect(report.live?.pending?.[0]?.sql).toContain('ALTER TABLE "orders" ADD COLUMN "buyer_id" integer NULL')
    expect(report.live?.pending?.[1]?.sql).toContain('CREATE INDEX "orders_status_idx" ON "orders" ("status")')
    expect(ids(report)).toEqual(['pending-migrations@shop.0003_order_buyer'])
    const pending = report.findings.find((f) => f.id === 'pending-migrations')
    expect(pending?.severity).toBe('notice')
    expect(pending?.message).toContain('`python manage.py migrate` will apply 2')
    // The prediction ran both on the copy (auth's migrations with 0003, as Django would) and back.
    expect(report.notes.filter((n) => /prediction|SQL unavailable/.test(n))).toEqual([])
  }, 120_000)

  it('a column added by hand: live-drift, and the prediction says the pending migration adding it fails there', async () => {
    const url = await productionAt('0003_order_buyer')
    await sql(url, "ALTER TABLE orders ADD COLUMN status varchar(20) NOT NULL DEFAULT 'new'")
    const report = await live(url)
    expect(report.result).toBe('fail')
    expect(report.live?.revisions).toEqual(['shop.0003_order_buyer'])
    const failed = report.findings.find((f) => f.id === 'pending-upgrade-failed')
    expect(failed).toMatchObject({ revision: 'shop.0004_order_status' })
    expect(failed?.message).toContain(
      '`python manage.py migrate` would fail on the live database at revision shop.0004_order_status',
    )
    expect(failed?.message).toContain('column "status" of relation "orders" already exists')
    expect(report.findings.some((f) => f.id === 'live-drift' && /orders\.status|status/.test(f.message))).toBe(true)
  }, 120_000)

  it('migrated before the squash existed (the originals recorded, not the squash): the same standing', async () => {
    const url = await productionAt('0001_squashed_0002_order')
    await sql(url, "DELETE FROM django_migrations WHERE app = 'shop' AND name = '0001_squashed_0002_order'")
    const report = await live(url, { 'live-predict': 'false' })
    expect(report.live?.revisions).toEqual(['shop.0001_squashed_0002_order'])
    expect(report.live?.pending?.map((p) => p.revision)).toEqual(['shop.0003_order_buyer', 'shop.0004_order_status'])
    expect(ids(report)).toEqual(['pending-migrations@shop.0003_order_buyer'])
  }, 120_000)

  it('at head: nothing pending, and live-expect: head passes', async () => {
    const url = await productionAt()
    const report = await live(url, { 'live-expect': 'head' })
    expect(report.result).toBe('pass')
    expect(report.live?.behind).toBe(0)
    // Where it stands: each app's applied leaf (every row is read; the leaves say it).
    expect(report.live?.revisions).toEqual(['shop.0004_order_status'])
    expect(report.findings).toEqual([])
  }, 120_000)

  it("a migration the repository lacks: unknown-revision with Django's commands in the fix", async () => {
    const url = await productionAt()
    await sql(url, "INSERT INTO django_migrations (app, name, applied) VALUES ('shop', '0005_order_note', now())")
    const report = await live(url, { 'live-predict': 'false' })
    const unknown = report.findings.find((f) => f.id === 'unknown-revision')
    expect(unknown?.revision).toBe('shop.0005_order_note')
    expect(unknown?.fix).toContain('python manage.py migrate --fake shop ')
    expect(unknown?.fix).toContain('python manage.py showmigrations')
  }, 120_000)

  it('an empty database: every migration pending, the squash first, no error', async () => {
    const db = await server.createDatabase()
    const report = await live(db.url, { 'live-predict': 'false', 'live-drift-severity': 'off' })
    expect(report.result).toBe('pass')
    expect(report.live?.revisions).toEqual([])
    expect(report.live?.pending?.map((p) => p.revision)).toEqual([
      'shop.0001_squashed_0002_order',
      'shop.0003_order_buyer',
      'shop.0004_order_status',
    ])
    expect(report.live?.pending?.[0]?.sql).toContain('CREATE TABLE "customers"')
  }, 120_000)
})
