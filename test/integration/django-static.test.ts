// The Django driver end to end without Python or a database: the CLI on the django-shop fixture
// (static passes; every replay mode refuses in one line, exit 2), and the git checks on a Django
// repository where two PRs each add a migration to one app.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { afterAll, describe, expect, it } from 'vitest'
import { runGate } from '../../src/gate.js'
import { readConfig } from '../../src/inputs.js'
import { renderJson } from '../../src/render/json.js'
import { silentLogger } from '../../src/logger.js'
import type { GateReport } from '../../src/report.js'
import { lastLine, runCli } from '../support/cli.js'
import { migrationFile } from '../support/django.js'
import { FIXTURES, scratchDir, TestRepo } from '../support/git.js'

const scratch = scratchDir('mg-django-git-')
afterAll(scratch.remove)
let n = 0

const SHOP = join(FIXTURES, 'django-shop')
const NOTE = 'orders/migrations/0004_order_note.py'
const PAID = 'orders/migrations/0004_order_paid.py'
const onStatus = migrationFile(["('orders', '0003_order_status')"])

async function gate(dir: string, inputs: Record<string, string> = {}): Promise<GateReport> {
  const config = readConfig((name) => ({ 'working-directory': dir, mode: 'static', ...inputs })[name])
  return runGate(config, { logger: silentLogger })
}

const ids = (r: GateReport) => r.findings.map((f) => `${f.id}@${f.file ?? ''}`).sort()

describe('the CLI on a Django project', () => {
  it('mode static judges the graph, without Python: PASS with the five migrations', () => {
    // No interpreter on PATH: static mode must not need one.
    const r = runCli(['check', SHOP, '--mode', 'static'], { PATH: '/nonexistent' })
    expect(r.stdout + r.stderr).toContain('migration-gate: PASS (django, static, 5 revisions)')
    expect(r.code).toBe(0)
  })

  it('mode live goes to the live database (test/integration/live-django.test.ts): one that refuses is one line and exit 2', () => {
    const r = runCli(['check', SHOP, '--mode', 'live', '--live-database-url', 'postgresql://nobody@127.0.0.1:1/x'])
    expect(r.code).toBe(2)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(lastLine(r.stderr)).toBe(
      'migration-gate: live-database-url: the live database 127.0.0.1:1/x refused the connection (nothing listens there?)',
    )
  })
})

describe('git checks on a Django repository', () => {
  /** django-shop on main; pr adds orders 0004_order_note; main meanwhile adds orders 0004_order_paid. */
  function movedBase(): TestRepo {
    const repo = TestRepo.init(join(scratch.dir, `repo-${++n}`)).copyFixture('django-shop')
    repo.commit('base: django-shop')
    repo.checkout('pr', true).write(NOTE, onStatus)
    repo.commit('PR: order note')
    repo.checkout('main').write(PAID, onStatus)
    repo.commit('main moves on: order paid')
    return repo.checkout('pr')
  }

  it('stale-parent: the PR builds on a leaf the base has moved past, fixed by re-parenting in Django terms', async () => {
    const repo = movedBase()
    expect(ids(await gate(repo.dir))).toEqual([])
    const r = await gate(repo.dir, { 'base-ref': 'main' })
    expect(ids(r)).toEqual([`stale-parent@${NOTE}`])
    const f = r.findings[0]
    expect(f).toMatchObject({ revision: 'orders.0004_order_note', line: 7 })
    expect(f?.message).toContain('orders.0003_order_status is followed there by orders.0004_order_paid')
    expect(f?.message).toContain("main's head is now 'orders.0004_order_paid'")
    expect(f?.fix).toContain(`set dependencies in ${NOTE} (line 7) to ("orders", "0004_order_paid")`)
    expect(f?.fix).toContain('`python manage.py makemigrations --merge orders`')
    expect(r.git?.prRevisions).toEqual(['orders.0004_order_note'])
  })

  it('multiple-heads in the merge result, named by app; stale-parent once the base is known', async () => {
    const repo = movedBase()
    // What actions/checkout checks out for a pull request: the PR merged into the base's tip.
    repo.checkout('main').checkout('merge', true).git('merge', '-q', '--no-ff', 'pr', '-m', 'Merge pr into main')
    const alone = await gate(repo.dir)
    expect(ids(alone)).toEqual([`multiple-heads@${PAID}`])
    expect(alone.findings[0]?.message).toContain('2 head revisions in app orders: orders.0004_order_note')
    expect(alone.findings[0]?.fix).toContain('`python manage.py makemigrations --merge orders`')
    expect(ids(await gate(repo.dir, { 'base-ref': 'main' }))).toEqual([`stale-parent@${NOTE}`])
  })

  it('no finding when the base moved on in another app: each app keeps one leaf', async () => {
    const repo = TestRepo.init(join(scratch.dir, `repo-${++n}`)).copyFixture('django-shop')
    repo.commit('base: django-shop')
    repo.checkout('pr', true).write(NOTE, onStatus)
    repo.commit('PR: order note')
    repo
      .checkout('main')
      .write('catalog/migrations/0005_product_weight.py', migrationFile(["('catalog', '0004_product_stock')"]))
    repo.commit('main moves on in catalog')
    repo.checkout('pr')
    expect(ids(await gate(repo.dir, { 'base-ref': 'main' }))).toEqual([])
  })

  it("models-changed-without-migration: an app's models.py changed without a migration, with makemigrations as the fix", async () => {
    const repo = TestRepo.init(join(scratch.dir, `repo-${++n}`)).copyFixture('django-shop')
    repo.commit('base: django-shop')
    repo.checkout('pr', true).edit('orders/models.py', (t) => `${t}    note = models.TextField(blank=True)\n`)
    repo.commit('PR: a field without its migration')
    const r = await gate(repo.dir, { 'base-ref': 'main' })
    expect(ids(r)).toEqual(['models-changed-without-migration@orders/models.py'])
    expect(r.findings[0]?.fix).toContain('`python manage.py makemigrations orders`')
    repo.write(NOTE, onStatus)
    repo.commit('PR: and its migration')
    expect(ids(await gate(repo.dir, { 'base-ref': 'main' }))).toEqual([])
  })
})

describe('the JSON report', () => {
  it('of a Django run, with findings, is valid under docs/report.schema.json', async () => {
    const schema = JSON.parse(readFileSync(join(FIXTURES, '..', '..', 'docs', 'report.schema.json'), 'utf8')) as object
    const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema)
    const repo = TestRepo.init(join(scratch.dir, `repo-${++n}`)).copyFixture('django-shop')
    repo.write(NOTE, onStatus).write(PAID, onStatus)
    const r = await gate(repo.dir)
    expect(r.tool).toBe('django')
    expect(ids(r)).toEqual([`multiple-heads@${PAID}`])
    validate(JSON.parse(renderJson(r)))
    expect((validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`)).toEqual([])
  })
})

describe('notes', () => {
  it('says when the apps come from scanning because INSTALLED_APPS cannot be read statically', async () => {
    const repo = TestRepo.init(join(scratch.dir, `repo-${++n}`)).copyFixture('django-shop')
    repo.edit('shop/settings.py', (t) =>
      t.replace('INSTALLED_APPS = DJANGO_APPS + [', 'INSTALLED_APPS = load_apps() + ['),
    )
    const r = await gate(repo.dir)
    expect(r.notes).toContain(
      "django: INSTALLED_APPS in shop/settings.py is not a list of string literals the gate can read without running Python; the apps are the project's <app>/migrations/ packages instead",
    )
    // The same graph as read from INSTALLED_APPS: the apps' directories are their labels here.
    expect(r.chain?.revisions).toBe(5)
    expect(ids(r)).toEqual([])
  })
})
