// A Django project's apps read from its settings without running them, and the detection of a
// Django project among the tools.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { detectTool } from '../../src/drivers/detect-tool.js'
import { projectsBelowHint } from '../../src/drivers/projects-below.js'
import { readDjangoProject } from '../../src/drivers/django/settings.js'
import { GateError } from '../../src/errors.js'
import { findProject } from '../../src/init/project.js'
import { migrationFile, writeDjangoProject } from '../support/django.js'

const FIXTURES = path.resolve(__dirname, '../fixtures')
const scratch = mkdtempSync(path.join(tmpdir(), 'mg-django-settings-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))
let n = 0
const dir = (files: Record<string, string>) => writeDjangoProject(path.join(scratch, `p${++n}`), files)

const apps = (p: ReturnType<typeof readDjangoProject>) =>
  p.apps.map((a) => `${a.label}=${a.module}:${a.migrationsDir ? path.relative(p.projectDir, a.migrationsDir) : 'none'}`)

describe('readDjangoProject', () => {
  it('reads the fixture: manage.py names the settings, INSTALLED_APPS is a sum of lists, AppConfig paths', () => {
    const p = readDjangoProject(path.join(FIXTURES, 'django-shop'))
    expect(p.settingsModule).toBe('shop.settings')
    expect(apps(p)).toEqual([
      'accounts=accounts:accounts/migrations',
      'catalog=catalog:catalog/migrations',
      'orders=orders:orders/migrations',
    ])
    expect([...p.externalLabels]).toEqual(['auth', 'contenttypes'])
    expect(p.authUserModel).toBe('accounts.User')
    expect(p).toMatchObject({ scanned: false, notes: [] })
  })

  it('follows star imports of a settings package, +=, an AppConfig label, and MIGRATION_MODULES', () => {
    const p = readDjangoProject(
      dir({
        'proj/settings/__init__.py': '',
        'proj/settings/base.py': 'APPS = ["shop.apps.ShopConfig"]\nINSTALLED_APPS = ["django.contrib.auth"] + APPS\n',
        'proj/settings/prod.py':
          'from .base import *\n\nINSTALLED_APPS += ["billing", "legacy"]\nMIGRATION_MODULES = {"billing": "billing.db_migrations", "legacy": None}\nAUTH_USER_MODEL = "store.Customer"\n',
        'shop/__init__.py': '',
        'shop/apps.py':
          'from django.apps import AppConfig\n\n\nclass ShopConfig(AppConfig):\n    name = "shop"\n    label = "store"\n',
        'shop/migrations/0001_initial.py': migrationFile([]),
        'billing/__init__.py': '',
        'billing/db_migrations/__init__.py': '',
        'billing/db_migrations/0001_initial.py': migrationFile([]),
        'legacy/__init__.py': '',
        'legacy/migrations/0001_initial.py': migrationFile([]),
      }),
      'proj.settings.prod',
    )
    expect(apps(p)).toEqual([
      'store=shop:shop/migrations',
      'billing=billing:billing/db_migrations',
      'legacy=legacy:none',
    ])
    expect(p.authUserModel).toBe('store.Customer')
  })

  it('names each place a settings file changes INSTALLED_APPS conditionally, by its line', () => {
    const p = readDjangoProject(
      dir({
        'proj/settings.py':
          'INSTALLED_APPS = ["shop"]\nif DEBUG:\n    INSTALLED_APPS += ["debug_toolbar"]\nfor name in PLUGINS:\n    INSTALLED_APPS.append(name)\n',
        'shop/__init__.py': '',
        'shop/migrations/0001_initial.py': migrationFile([]),
      }),
      'proj.settings',
    )
    expect(apps(p)).toEqual(['shop=shop:shop/migrations'])
    expect(p.notes).toEqual([
      'django: proj/settings.py:3 changes INSTALLED_APPS conditionally; the gate reads only its unconditional value',
      'django: proj/settings.py:5 changes INSTALLED_APPS conditionally; the gate reads only its unconditional value',
    ])
  })

  it("takes a module app's label from the one AppConfig in its apps.py (Django 3.2+)", () => {
    const p = readDjangoProject(
      dir({
        'proj/settings.py': 'INSTALLED_APPS = ("shop",)\n',
        'shop/__init__.py': '',
        'shop/apps.py':
          'from django.apps import AppConfig\n\nclass ShopConfig(AppConfig):\n    name = "shop"\n    label = "store"\n',
        'shop/migrations/0001_initial.py': migrationFile([]),
      }),
    )
    expect(apps(p)).toEqual(['store=shop:shop/migrations'])
  })

  it('falls back to the migrations packages, with a note, when INSTALLED_APPS is computed', () => {
    const p = readDjangoProject(
      dir({
        'proj/settings.py': 'import os\nINSTALLED_APPS = os.environ["APPS"].split(",")\n',
        'shop/__init__.py': '',
        'shop/migrations/0001_initial.py': migrationFile([]),
        'billing/__init__.py': '',
        'billing/migrations/0001_initial.py': migrationFile([]),
      }),
    )
    expect(p.scanned).toBe(true)
    expect(apps(p)).toEqual(['billing=billing:billing/migrations', 'shop=shop:shop/migrations'])
    expect(p.notes).toEqual([
      "django: INSTALLED_APPS in proj/settings.py is not a list of string literals the gate can read without running Python; the apps are the project's <app>/migrations/ packages instead",
    ])
  })

  it('the django-settings input wins over manage.py', () => {
    const files = {
      'proj/settings.py': 'INSTALLED_APPS = ["shop"]\n',
      'proj/other.py': 'INSTALLED_APPS = ["billing"]\n',
      'shop/__init__.py': '',
      'billing/__init__.py': '',
    }
    const d = dir(files)
    expect(readDjangoProject(d).apps.map((a) => a.label)).toEqual(['shop'])
    expect(readDjangoProject(d, 'proj.other').apps.map((a) => a.label)).toEqual(['billing'])
  })
})

describe('detection', () => {
  it('tool auto: manage.py is Django; the django-settings input is Django whatever else is there', () => {
    expect(detectTool(path.join(FIXTURES, 'django-shop'))).toBe('django')
    expect(detectTool(path.join(FIXTURES, 'alembic-clean'), undefined, undefined, 'proj.settings')).toBe('django')
  })

  it("an alembic.ini or a SQL migrations directory beside manage.py keeps today's choice", () => {
    expect(detectTool(dir({ 'alembic.ini': '[alembic]\nscript_location = alembic\n' }))).toBe('alembic')
    expect(detectTool(dir({ 'migrations/1_init.up.sql': 'select 1;\n', 'migrations/1_init.down.sql': '' }))).toBe('sql')
  })

  it('a Django project below working-directory is named in the error, with the working-directory to set', () => {
    const root = path.join(scratch, `root${++n}`)
    writeDjangoProject(path.join(root, 'backend'), { 'shop/migrations/0001_initial.py': migrationFile([]) })
    expect(projectsBelowHint(root)).toBe('; below it: backend/manage.py (working-directory: backend)')
    expect(() => detectTool(root)).toThrow(/below it: backend\/manage.py \(working-directory: backend\)/)
  })

  it('init refuses a Django project in one line naming working-directory', () => {
    const error = (() => {
      try {
        findProject(path.join(FIXTURES, 'django-shop'))
      } catch (e) {
        return e
      }
      return undefined
    })()
    expect(error).toBeInstanceOf(GateError)
    expect((error as GateError).message).toMatch(
      /^working-directory: .*django-shop is a Django project, which init does not write workflows for yet/,
    )
  })
})
