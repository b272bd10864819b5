// The Django replay (stairway and roundtrip) and model-drift through runGate on real Django projects
// and a real PostgreSQL: the findings test/fixtures/README.md states for django-replay,
// django-replay-hang, django-replay-aliases, django-shop and django-drift. Run by one file per Django
// generation (django-replay-debian.test.ts: Debian's 3.2; django-replay-newer.test.ts: 5.x or later).
// One server per file (a url server, where the gate creates its scratch databases).
import { chmodSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runGate } from '../../src/gate.js'
import { readConfig } from '../../src/inputs.js'
import { silentLogger } from '../../src/logger.js'
import type { Server } from '../../src/postgres/provider.js'
import type { GateReport } from '../../src/report.js'
import { FIXTURES } from '../support/run-gate.js'
import { startTestServer } from '../support/server.js'

export function djangoReplaySuite(options: { label: string; interpreter: () => Promise<string>; skip?: string }): void {
  if (options.skip) console.warn(`the Django replay on ${options.label} skipped: ${options.skip}`)
  describe.skipIf(options.skip !== undefined)(`the Django replay (${options.label})`, () => {
    suite(options.interpreter)
  })
}

const found = (r: GateReport) =>
  r.findings.map((f) => `${f.id}@${f.revision ?? ''}@${f.file ?? ''}:${f.line ?? ''}`).sort()

function suite(interpreter: () => Promise<string>): void {
  let server: Server
  let python: string
  const scratch = mkdtempSync(join(tmpdir(), 'django-replay-'))

  beforeAll(async () => {
    server = await startTestServer()
    python = await interpreter()
  })

  afterAll(async () => {
    await server?.stop()
    rmSync(scratch, { recursive: true, force: true })
  })

  function gate(fixture: string, inputs: Record<string, string> = {}): Promise<GateReport> {
    const all: Record<string, string> = {
      'working-directory': fixture.startsWith('/') ? fixture : join(FIXTURES, fixture),
      postgres: 'url',
      'database-url': server.urlFor('postgres'),
      python,
      ...inputs,
    }
    return runGate(
      readConfig((name) => all[name]),
      { logger: silentLogger },
    )
  }

  const NODES = [
    'inventory.0001_initial',
    'inventory.0002_seed_items',
    'inventory.0003_restock',
    'inventory.0004_item_sku',
    'inventory.0005_stock_index_concurrently',
    'sales.0001_squashed_0002_order_quantity',
    'sales.0003_order_buyer',
  ]

  describe('stairway over a Django project', () => {
    it('finds the RunPython without reverse_code and the index reverse_sql forgets; the rest passes', async () => {
      const r = await gate('django-replay', { mode: 'stairway' })
      const dir = 'inventory/migrations'
      expect(found(r)).toEqual([
        `downgrade-residue@inventory.0004_item_sku@${dir}/0004_item_sku.py:5`,
        // The RunPython operation's own line: Django names no file, the helper finds operations[0].
        `irreversible-migration@inventory.0003_restock@${dir}/0003_restock.py:15`,
      ])
      const residue = r.findings.find((f) => f.id === 'downgrade-residue')
      expect(residue?.details).toContain('index inventory_item_name_idx on inventory_item: present now, absent before')
      expect(residue?.fix).toContain('DROP INDEX inventory_item_name_idx')
      const irreversible = r.findings.find((f) => f.id === 'irreversible-migration')
      expect(irreversible?.message).toContain('its RunPython operation (operations[0]) has no reverse_code')
      expect(irreversible?.fix).toContain('reverse_code (migrations.RunPython.noop where nothing needs undoing)')
      // The squash stands for the migrations it replaces; the originals are never steps.
      const firstUps = r.steps.filter((s) => s.phase === 'first').map((s) => s.revision)
      expect([...firstUps].sort()).toEqual(NODES)
      expect(firstUps.indexOf('sales.0003_order_buyer')).toBeGreaterThan(
        firstUps.indexOf('inventory.0005_stock_index_concurrently'),
      )
      // Every step but the irreversible downgrade and the re-upgrade the residue breaks ran through;
      // the non-atomic CREATE INDEX CONCURRENTLY went up, down and up again.
      const failed = r.steps.filter((s) => !s.ok).map((s) => `${s.direction} ${s.revision}`)
      expect(failed.sort()).toEqual(['downgrade inventory.0003_restock', 'upgrade inventory.0004_item_sku'])
      const concurrent = r.steps.filter((s) => s.revision === 'inventory.0005_stock_index_concurrently')
      expect(concurrent.map((s) => `${s.direction}:${s.ok}`)).toEqual([
        'upgrade:true',
        'downgrade:true',
        'upgrade:true',
      ])
    })

    it('an allow-listed irreversible migration is a notice', async () => {
      const r = await gate('django-replay', {
        mode: 'stairway',
        'allow-irreversible': 'inventory.0003_restock: the restock is data only',
      })
      const irreversible = r.findings.find((f) => f.id === 'irreversible-migration')
      expect(irreversible?.severity).toBe('notice')
    })

    it('passes django-shop: squashes, a custom user model on auth, cross-app dependencies', async () => {
      const r = await gate('django-shop', { mode: 'stairway' })
      expect(found(r)).toEqual([])
      expect(r.result).toBe('pass')
      expect(r.steps).toHaveLength(15)
      expect(r.steps.every((s) => s.ok)).toBe(true)
    })
  })

  describe('roundtrip over a Django project', () => {
    it('every migration down in reverse order stops at the irreversible one; the re-upgrade trips on the residue', async () => {
      const r = await gate('django-replay', { mode: 'roundtrip' })
      expect(r.findings.map((f) => `${f.id}@${f.revision ?? ''}`).sort()).toEqual([
        'irreversible-migration@inventory.0003_restock',
        'reupgrade-mismatch@inventory.0004_item_sku',
      ])
      const downs = r.steps.filter((s) => s.direction === 'downgrade').map((s) => s.revision)
      expect(downs).toEqual([
        'sales.0003_order_buyer',
        'sales.0001_squashed_0002_order_quantity',
        'inventory.0005_stock_index_concurrently',
        'inventory.0004_item_sku',
        'inventory.0003_restock',
      ])
    })

    it('django-shop goes to head, back to nothing (auth and contenttypes included) and up again', async () => {
      const r = await gate('django-shop', { mode: 'roundtrip' })
      expect(found(r)).toEqual([])
      expect(r.steps).toHaveLength(15)
    })
  })

  describe('the Django helper', () => {
    it('settings that read DATABASE_URL and PGDATABASE get the scratch database; a hanging RunPython is a step-timeout', async () => {
      const r = await gate('django-replay-hang', { mode: 'stairway', 'step-timeout': '3' })
      expect(found(r)).toEqual(['step-timeout@ledger.0002_wait@ledger/migrations/0002_wait.py:11'])
      // 0001 ran up, down and up on the database the settings read from the environment.
      expect(r.steps.filter((s) => s.revision === 'ledger.0001_initial').every((s) => s.ok)).toBe(true)
      expect(r.steps.filter((s) => s.revision === 'ledger.0001_initial')).toHaveLength(3)
    })

    it('settings reading a variable the gate was told not to set: one line naming it and database-url-env', async () => {
      const error = await gate('django-replay-hang', { mode: 'stairway', 'database-url-env': 'none' }).catch(
        (e: unknown) => e,
      )
      expect(String(error)).toBe(
        "GateError: django: cannot set up the project (config/settings.py:11): KeyError: 'DATABASE_URL' (the environment variable DATABASE_URL is read and not set: set it for the gate's step; if it holds the database, name it in database-url-env or database-parts-env instead)",
      )
    })

    it('an interpreter without Django: one line naming the python input, before any database', async () => {
      // The same interpreter without its site packages: it cannot import django.
      const bare = join(scratch, 'bare-python')
      writeFileSync(bare, `#!/bin/sh\nexec ${python} -S "$@"\n`)
      chmodSync(bare, 0o755)
      const error = await gate('django-replay', { mode: 'stairway', python: bare }).catch((e: unknown) => e)
      expect(String(error)).toBe(
        `GateError: python: ${bare} cannot import django (install it there, or point python at the project's interpreter)`,
      )
    })
  })

  describe('model-drift: what makemigrations would write', () => {
    it.each(['stairway', 'roundtrip'])(
      "%s: one error per operation at head, at the model or the field, with the app's makemigrations",
      async (mode) => {
        const r = await gate('django-drift', { mode })
        expect(
          r.findings.map((f) => `${f.id}:${f.severity}@${f.file ?? ''}:${f.line ?? ''} ${f.message.split('. ')[0]}`),
        ).toEqual([
          'model-drift:error@library/models.py:13 app library: makemigrations would write "Add field isbn to book": the models declare it and no migration does',
          // NOT NULL without a default: makemigrations --noinput would stop and ask; the difference is there all the same.
          'model-drift:error@library/models.py:14 app library: makemigrations would write "Add field pages to book": the models declare it and no migration does',
          'model-drift:error@loans/models.py:8 app loans: makemigrations would write "Alter field note on loan": the models and the migrations disagree',
          'model-drift:error@loans/models.py:12 app loans: makemigrations would write "Create model Reminder": the models declare it and no migration does',
          // The field is gone from the model: the model class's line, in its models/ package module.
          'model-drift:error@members/models/member.py:4 app members: makemigrations would write "Remove field nickname from member": the migrations build it and the models no longer declare it',
        ])
        expect(r.findings.map((f) => f.fix)).toEqual([
          'Write the migration (`python manage.py makemigrations library`, then review it), or change the model to match.',
          'Write the migration (`python manage.py makemigrations library`, then review it), or change the model to match.',
          'Write the migration (`python manage.py makemigrations loans`, then review it), or change the model to match.',
          'Write the migration (`python manage.py makemigrations loans`, then review it), or change the model to match.',
          'Write the migration (`python manage.py makemigrations members`, then review it), or change the model to match.',
        ])
        // The replay itself passes: three apps, loans depending on library and members.
        expect(r.steps.filter((s) => !s.ok)).toEqual([])
        expect(r.steps).toHaveLength(9)
        expect(r.result).toBe('fail')
      },
    )

    it('the projects whose models match their migrations have none (makemigrations --check: no changes)', async () => {
      for (const fixture of ['django-shop', 'django-replay-aliases']) {
        const r = await gate(fixture, { mode: 'stairway' })
        expect(r.findings.filter((f) => f.id === 'model-drift')).toEqual([])
        expect(r.timings.phases.drift, fixture).toBeDefined()
      }
    })

    it('model-drift false: not compared', async () => {
      const r = await gate('django-drift', { mode: 'stairway', 'model-drift': 'false' })
      expect(found(r)).toEqual([])
      expect(r.result).toBe('pass')
    })
  })

  describe('two leaf migrations in one app (a conflict)', () => {
    /** django-drift with loans.0002_loan_returned and loans.0002_loan_renewals both on loans.0001_initial. */
    function twoLeaves(): string {
      const dir = join(scratch, 'two-leaves')
      rmSync(dir, { recursive: true, force: true })
      cpSync(join(FIXTURES, 'django-drift'), dir, { recursive: true })
      for (const name of ['0002_loan_returned', '0002_loan_renewals']) {
        writeFileSync(
          join(dir, 'loans', 'migrations', `${name}.py`),
          'from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n\n    dependencies = [("loans", "0001_initial")]\n\n    operations = []\n',
        )
      }
      return dir
    }

    it.each(['stairway', 'roundtrip'])(
      '%s: multiple-heads only; each leaf steps down alone, without unapplying the other',
      async (mode) => {
        const r = await gate(twoLeaves(), { mode, 'model-drift': 'false' })
        expect(found(r)).toEqual(['multiple-heads@loans.0002_loan_returned@loans/migrations/0002_loan_returned.py:6'])
        expect(r.steps.filter((s) => !s.ok).map((s) => `${s.direction} ${s.revision}: ${s.error ?? ''}`)).toEqual([])
        const downs = r.steps.filter((s) => s.direction === 'downgrade').map((s) => s.revision)
        expect(downs).toContain('loans.0002_loan_returned')
        expect(downs).toContain('loans.0002_loan_renewals')
      },
    )
  })

  describe('a project with more than one database', () => {
    it('points every alias at the scratch database: the database the settings name is never written', async () => {
      // A database the gate did not create, standing for the project's own: a migration writes through its alias.
      const own = await server.createDatabase()
      process.env.LEGACY_DATABASE_URL = own.url
      try {
        const r = await gate('django-replay-aliases', { mode: 'stairway' })
        expect(found(r)).toEqual([])
        expect(r.steps.filter((s) => s.ok)).toHaveLength(6)
        const client = new pg.Client({ connectionString: own.url })
        await client.connect()
        try {
          const tables = await client.query(`SELECT relname FROM pg_class WHERE relname = 'legacy_marker'`)
          expect(tables.rows).toEqual([])
        } finally {
          await client.end()
        }
      } finally {
        delete process.env.LEGACY_DATABASE_URL
        await server.dropDatabase(own.name)
      }
    })
  })
}
