// The Django graph as the loader builds it for a fresh database, and the chain findings over it:
// squashes (originals deleted or kept), __first__/__latest__, swappable and run_before dependencies,
// heads per app, and each finding's message in Django's words.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { checkChain } from '../../src/checks/chain.js'
import { DjangoDriver } from '../../src/drivers/django/driver.js'
import type { RevisionGraph } from '../../src/drivers/driver.js'
import { silentLogger } from '../../src/logger.js'
import type { Finding } from '../../src/report.js'
import { migrationFile, writeDjangoProject } from '../support/django.js'

const FIXTURES = path.resolve(__dirname, '../fixtures')
const scratch = mkdtempSync(path.join(tmpdir(), 'mg-django-graph-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))
let n = 0

async function graphOf(dir: string): Promise<RevisionGraph> {
  return new DjangoDriver({ projectDir: dir, logger: silentLogger }).graph()
}

/** A project with apps shop and billing (plus django.contrib.auth) and these files. */
function project(files: Record<string, string>, apps = ['shop', 'billing']): string {
  return writeDjangoProject(path.join(scratch, `p${++n}`), files, apps)
}

async function findings(dir: string): Promise<Finding[]> {
  const driver = new DjangoDriver({ projectDir: dir, logger: silentLogger })
  const graph = await driver.graph()
  return [...graph.problems, ...checkChain(graph, driver.chainWording)]
}

const edges = (g: RevisionGraph) =>
  Object.fromEntries(g.nodes.map((node) => [node.id, [...node.parents, ...node.dependsOn.map((d) => `~${d}`)]]))

describe('the django-shop fixture', () => {
  it('is the graph Django builds: squashes in place of what they replace, swappable and __first__ resolved', async () => {
    const g = await graphOf(path.join(FIXTURES, 'django-shop'))
    // ~ marks a dependency on another app. catalog's originals are deleted, orders' are kept: either
    // way the squash stands for them, and catalog.0004 (naming the deleted 0003) depends on it.
    expect(edges(g)).toEqual({
      'accounts.0001_initial': [],
      'catalog.0001_squashed_0003_product_description': [],
      'catalog.0004_product_stock': ['catalog.0001_squashed_0003_product_description'],
      'orders.0001_squashed_0002_order_total': [
        '~accounts.0001_initial',
        '~catalog.0001_squashed_0003_product_description',
      ],
      'orders.0003_order_status': [
        'orders.0001_squashed_0002_order_total',
        '~accounts.0001_initial',
        '~catalog.0001_squashed_0003_product_description',
      ],
    })
    expect(g.problems).toEqual([])
    expect(checkChain(g, new DjangoDriver({ projectDir: '.', logger: silentLogger }).chainWording)).toEqual([])
    const status = g.nodes.find((x) => x.id === 'orders.0003_order_status')
    expect(status).toMatchObject({
      file: 'orders/migrations/0003_order_status.py',
      line: 6,
      parentsLine: 8,
      scope: 'orders',
    })
  })
})

describe('dependencies', () => {
  it('resolves __first__ and __latest__ of another app, ignores __first__ of its own app and apps outside the project', async () => {
    const g = await graphOf(
      project({
        'shop/migrations/0001_initial.py': migrationFile(["('shop', '__first__')", "('auth', '0012_alter_user')"]),
        'shop/migrations/0002_more.py': migrationFile(["('shop', '0001_initial')"]),
        'billing/migrations/0001_initial.py': migrationFile(["('shop', '__first__')"]),
        'billing/migrations/0002_more.py': migrationFile(["('billing', '0001_initial')", "('shop', '__latest__')"]),
      }),
    )
    expect(edges(g)).toEqual({
      'shop.0001_initial': [],
      'shop.0002_more': ['shop.0001_initial'],
      'billing.0001_initial': ['~shop.0001_initial'],
      'billing.0002_more': ['billing.0001_initial', '~shop.0002_more'],
    })
  })

  it('makes a swappable dependency a dependency on the app AUTH_USER_MODEL names, and nothing for auth.User', async () => {
    const files = {
      'shop/migrations/0001_initial.py': migrationFile([]),
      'billing/migrations/0001_initial.py': migrationFile([
        'migrations.swappable_dependency(settings.AUTH_USER_MODEL)',
      ]),
    }
    const custom = project({
      ...files,
      'proj/settings.py':
        'INSTALLED_APPS = ["django.contrib.auth", "shop", "billing"]\nAUTH_USER_MODEL = "shop.Customer"\n',
    })
    expect(edges(await graphOf(custom))['billing.0001_initial']).toEqual(['~shop.0001_initial'])
    expect(edges(await graphOf(project(files)))['billing.0001_initial']).toEqual([])
  })

  it('turns run_before into a dependency of the named migration', async () => {
    const g = await graphOf(
      project({
        'shop/migrations/0001_initial.py': migrationFile([], '    run_before = [("billing", "0001_initial")]\n'),
        'billing/migrations/0001_initial.py': migrationFile([]),
      }),
    )
    expect(edges(g)['billing.0001_initial']).toEqual(['~shop.0001_initial'])
  })
})

describe('squashed migrations', () => {
  const squash = migrationFile([], "    replaces = [('shop', '0001_initial'), ('shop', '0002_b')]\n")
  it('with the originals kept: the squash replaces them, and what named them names the squash', async () => {
    const g = await graphOf(
      project({
        'shop/migrations/0001_initial.py': migrationFile([]),
        'shop/migrations/0002_b.py': migrationFile(["('shop', '0001_initial')"]),
        'shop/migrations/0001_squashed_0002_b.py': squash,
        'shop/migrations/0003_c.py': migrationFile(["('shop', '0002_b')"]),
        'billing/migrations/0001_initial.py': migrationFile(["('shop', '0001_initial')"]),
      }),
    )
    expect(edges(g)).toEqual({
      'shop.0001_squashed_0002_b': [],
      'shop.0003_c': ['shop.0001_squashed_0002_b'],
      'billing.0001_initial': ['~shop.0001_squashed_0002_b'],
    })
  })

  it('with the originals deleted: a dependency on one of them is no missing-parent', async () => {
    const dir = project({
      'shop/migrations/0001_squashed_0002_b.py': squash,
      'shop/migrations/0003_c.py': migrationFile(["('shop', '0002_b')"]),
      'billing/migrations/0001_initial.py': migrationFile(["('shop', '0001_initial')"]),
    })
    expect(edges(await graphOf(dir))['shop.0003_c']).toEqual(['shop.0001_squashed_0002_b'])
    expect(await findings(dir)).toEqual([])
  })
})

describe('findings', () => {
  it('multiple-heads: two leaves in one app, with the merge for that app; one leaf per app is no finding', async () => {
    const found = await findings(
      project({
        'shop/migrations/0001_initial.py': migrationFile([]),
        'shop/migrations/0002_a.py': migrationFile(["('shop', '0001_initial')"]),
        'shop/migrations/0002_b.py': migrationFile(["('shop', '0001_initial')"]),
        'billing/migrations/0001_initial.py': migrationFile(["('shop', '0002_a')"]),
      }),
    )
    expect(found).toHaveLength(1)
    expect(found[0]).toMatchObject({
      id: 'multiple-heads',
      revision: 'shop.0002_b',
      file: 'shop/migrations/0002_b.py',
      line: 7,
    })
    expect(found[0]?.message).toBe(
      '2 head revisions in app shop: shop.0002_a (shop/migrations/0002_a.py), shop.0002_b (shop/migrations/0002_b.py). `python manage.py migrate` refuses to run ("Conflicting migrations detected; multiple leaf nodes in the migration graph"), so the deploy stops.',
    )
    expect(found[0]?.fix).toBe(
      'Run `python manage.py makemigrations --merge shop` and commit the merge revision, or if shop.0002_b has not been applied anywhere yet, set dependencies in shop/migrations/0002_b.py (line 7) to ("shop", "0002_a").',
    )
  })

  it("missing-parent: a dependency on a migration no app has, pointing at that app's leaf", async () => {
    const found = await findings(
      project({
        'shop/migrations/0001_initial.py': migrationFile([]),
        'billing/migrations/0001_initial.py': migrationFile(["('shop', '0009_gone')"]),
      }),
    )
    expect(found).toHaveLength(1)
    expect(found[0]).toMatchObject({ id: 'missing-parent', revision: 'billing.0001_initial', line: 7 })
    expect(found[0]?.message).toBe(
      "billing/migrations/0001_initial.py (revision billing.0001_initial) names dependencies 'shop.0009_gone', but no revision 'shop.0009_gone' exists. Django's loader refuses the whole graph: every `python manage.py migrate` and `showmigrations` fails with NodeNotFoundError (\"... dependencies reference nonexistent parent node ('shop', '0009_gone')\").",
    )
    expect(found[0]?.fix).toContain('(the current head is shop.0001_initial)')
  })

  it('revision-cycle: across apps', async () => {
    const found = await findings(
      project({
        'shop/migrations/0001_initial.py': migrationFile(["('billing', '0001_initial')"]),
        'billing/migrations/0001_initial.py': migrationFile(["('shop', '0001_initial')"]),
      }),
    )
    expect(found.map((f) => f.id)).toEqual(['revision-cycle'])
    expect(found[0]?.message).toBe(
      'Revisions form a cycle: billing.0001_initial -> shop.0001_initial -> billing.0001_initial (each names the next as its dependencies). Django refuses a graph with a cycle: every `python manage.py migrate` fails with CircularDependencyError.',
    )
  })

  it('duplicate-revision: two installed apps with one label', async () => {
    const dir = writeDjangoProject(path.join(scratch, `p${++n}`), {
      'proj/settings.py': 'INSTALLED_APPS = ["legacy.shop", "shop"]\n',
      'legacy/__init__.py': '',
      'legacy/shop/__init__.py': '',
      'legacy/shop/migrations/0001_initial.py': migrationFile([]),
      'shop/__init__.py': '',
      'shop/migrations/0001_initial.py': migrationFile([]),
    })
    const found = await findings(dir)
    expect(found.map((f) => `${f.id}@${f.file}`)).toEqual(['duplicate-revision@shop/migrations/0001_initial.py'])
    expect(found[0]?.message).toContain('Django refuses to start ("Application labels aren\'t unique")')
  })

  it('unparseable-migration: the broken file, and no missing-parent for what names it', async () => {
    const found = await findings(
      project({
        'shop/migrations/0001_initial.py': migrationFile([]),
        'shop/migrations/0002_broken.py': 'class Migration(:\n',
        'billing/migrations/0001_initial.py': migrationFile(["('shop', '0002_broken')"]),
      }),
    )
    expect(found.map((f) => `${f.id}@${f.file}:${f.line}`)).toEqual([
      'unparseable-migration@shop/migrations/0002_broken.py:1',
    ])
  })

  it('loads what Django loads from a migrations package: not _private, ~backup or non-.py files', async () => {
    const g = await graphOf(
      project({
        'shop/migrations/0001_initial.py': migrationFile([]),
        'shop/migrations/_helpers.py': 'x = (\n',
        'shop/migrations/~0002_old.py': 'x = (\n',
        'shop/migrations/README.txt': 'notes',
        'billing/migrations/0001_initial.py': migrationFile([]),
      }),
    )
    expect(g.nodes.map((x) => x.id).sort()).toEqual(['billing.0001_initial', 'shop.0001_initial'])
    expect(g.problems).toEqual([])
  })
})
