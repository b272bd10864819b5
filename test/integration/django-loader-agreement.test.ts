// The static Django graph against Django's own: for the django-shop fixture and projects built for
// the loader's corner cases, django.db.migrations.loader.MigrationLoader (no database: a fresh one)
// must give every migration of the project's apps the same dependencies as the gate's graph, and the
// same leaf nodes. On Debian's Django 3.2 (scripts/apt-deps.sh installs python3-django; without it
// the test fails, saying so) and on a current Django (test/support/newer-django.ts; skipped with
// pip's reason where it cannot be installed).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { heads } from '../../src/checks/topo.js'
import { DjangoDriver } from '../../src/drivers/django/driver.js'
import { findPython } from '../../src/drivers/python.js'
import { silentLogger } from '../../src/logger.js'
import { migrationFile, writeDjangoProject } from '../support/django.js'
import { newerDjangoPython } from '../support/newer-django.js'

const FIXTURES = path.resolve(__dirname, '../fixtures')
const scratch = mkdtempSync(path.join(tmpdir(), 'mg-django-loader-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

// Django's graph for the given apps: each node's parents, and the leaf nodes.
const LOADER = `
import json, sys, django
django.setup()
from django.db.migrations.loader import MigrationLoader
apps = set(sys.argv[1].split(","))
g = MigrationLoader(None, ignore_no_migrations=True).graph
nodes = {"%s.%s" % k: sorted("%s.%s" % p.key for p in g.node_map[k].parents if p.key[0] in apps) for k in g.nodes if k[0] in apps}
print(json.dumps({"nodes": nodes, "leaves": sorted("%s.%s" % k for k in g.leaf_nodes() if k[0] in apps)}))
`

const debianDjango = () =>
  findPython('django', process.cwd()).catch(() => {
    throw new Error('no Python that imports django: install python3-django (scripts/apt-deps.sh)')
  })
const newer = newerDjangoPython()
if ('skip' in newer) console.warn(`the loader agreement on a current Django skipped: ${newer.skip}`)
const DJANGOS = [
  { label: "Debian's Django", python: debianDjango, skip: false },
  {
    label: `a current Django (${'versions' in newer ? newer.versions : 'absent'})`,
    python: async () => ('python' in newer ? newer.python : ''),
    skip: 'skip' in newer,
  },
]

async function djangosGraph(python: string, dir: string, settings: string, apps: string[]) {
  const out = execFileSync(python, ['-c', LOADER, apps.join(',')], {
    cwd: dir,
    env: { ...process.env, DJANGO_SETTINGS_MODULE: settings, PYTHONPATH: dir, PYTHONDONTWRITEBYTECODE: '1' },
    encoding: 'utf8',
  })
  return JSON.parse(out) as { nodes: Record<string, string[]>; leaves: string[] }
}

async function gatesGraph(dir: string) {
  const g = await new DjangoDriver({ projectDir: dir, logger: silentLogger }).graph()
  return {
    nodes: Object.fromEntries(g.nodes.map((n) => [n.id, [...n.parents, ...n.dependsOn].sort()])),
    leaves: heads(g).sort(),
  }
}

const SETTINGS = `INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "shop", "billing"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
AUTH_USER_MODEL = "shop.Customer"
`
const CUSTOMER = 'from django.contrib.auth.models import AbstractUser\n\n\nclass Customer(AbstractUser):\n    pass\n'
let n = 0

function project(files: Record<string, string>): string {
  return writeDjangoProject(path.join(scratch, `p${++n}`), {
    'proj/settings.py': SETTINGS,
    'shop/__init__.py': '',
    'shop/models.py': CUSTOMER,
    'billing/__init__.py': '',
    ...files,
  })
}

const squash = migrationFile([], "    replaces = [('shop', '0001_initial'), ('shop', '0002_b')]\n")

describe.each(DJANGOS)("the gate's graph is Django's loader's ($label)", ({ python, skip }) => {
  it.skipIf(skip).each([
    ['django-shop', 'shop.settings', ['accounts', 'catalog', 'orders']],
    ['django-replay', 'depot.settings', ['inventory', 'sales']],
    ['django-drift', 'lending.settings', ['library', 'members', 'loans']],
  ])('%s', async (fixture, settings, apps) => {
    const dir = path.join(FIXTURES, fixture)
    expect(await gatesGraph(dir)).toEqual(await djangosGraph(await python(), dir, settings, apps))
  })

  it.skipIf(skip).each([
    [
      'a squash with its originals kept, run_before, a swappable dependency, __latest__',
      {
        'shop/migrations/0001_initial.py': migrationFile([]),
        'shop/migrations/0002_b.py': migrationFile(["('shop', '0001_initial')"]),
        'shop/migrations/0001_squashed_0002_b.py': squash,
        'shop/migrations/0003_c.py': migrationFile(["('shop', '0002_b')"]),
        'billing/migrations/0001_initial.py': migrationFile(
          ["('shop', '0001_initial')", 'migrations.swappable_dependency(settings.AUTH_USER_MODEL)'],
          '    run_before = [("shop", "0003_c")]\n',
        ),
        'billing/migrations/0002_x.py': migrationFile(["('billing', '0001_initial')", "('shop', '__latest__')"]),
      },
    ],
    [
      'a squash with its originals deleted, named by its replaced migrations; __first__ of both apps',
      {
        'shop/migrations/0001_squashed_0002_b.py': squash,
        'shop/migrations/0003_c.py': migrationFile(["('shop', '0002_b')", "('shop', '__first__')"]),
        'billing/migrations/0001_initial.py': migrationFile(["('shop', '0001_initial')", "('auth', '__first__')"]),
        'billing/migrations/0002_x.py': migrationFile(["('billing', '0001_initial')", "('shop', '__first__')"]),
      },
    ],
    [
      'two leaves in one app',
      {
        'shop/migrations/0001_initial.py': migrationFile([]),
        'shop/migrations/0002_a.py': migrationFile(["('shop', '0001_initial')"]),
        'shop/migrations/0002_b.py': migrationFile(["('shop', '0001_initial')"]),
        'billing/migrations/0001_initial.py': migrationFile(["('shop', '0002_a')"]),
      },
    ],
  ])('%s', async (_what, files) => {
    const dir = project(files)
    expect(await gatesGraph(dir)).toEqual(await djangosGraph(await python(), dir, 'proj.settings', ['shop', 'billing']))
  })
})
