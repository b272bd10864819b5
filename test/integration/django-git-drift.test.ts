// models-changed-without-migration on Django repositories, judged by model drift, with Debian's
// Django and a real PostgreSQL: an app's models.py (or a module of its models/ package) changed
// needs a new migration in that app (makemigrations writes one there, and a migration of another
// app does not follow the change), and none where the models still match their migrations (a
// docstring edit).
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runGate } from '../../src/gate.js'
import { readConfig } from '../../src/inputs.js'
import { silentLogger } from '../../src/logger.js'
import type { GateReport } from '../../src/report.js'
import { migrationFile } from '../support/django.js'
import { scratchDir, TestRepo } from '../support/git.js'
import { pythonWithDjango } from '../support/python.js'

const scratch = scratchDir('mg-django-git-drift-')
afterAll(scratch.remove)
let n = 0

async function gate(dir: string): Promise<GateReport> {
  const python = await pythonWithDjango()
  const inputs: Record<string, string> = {
    'working-directory': dir,
    mode: 'stairway',
    postgres: 'local',
    python,
    'base-ref': 'main',
  }
  return runGate(
    readConfig((name) => inputs[name]),
    { logger: silentLogger },
  )
}

/** A fixture committed on main, then a branch `pr` checked out. */
function base(fixture: string): TestRepo {
  const repo = TestRepo.init(join(scratch.dir, `repo-${++n}`)).copyFixture(fixture)
  repo.commit(`base: ${fixture}`)
  return repo.checkout('pr', true)
}

const summary = (r: GateReport) => r.findings.map((f) => `${f.id}:${f.severity}@${f.file ?? ''}`).sort()

const addNote = (t: string) =>
  t.replace('    status = models.CharField', '    note = models.TextField(null=True)\n    status = models.CharField')
/** The migration makemigrations writes for addNote. */
const NOTE_MIGRATION = migrationFile(["('orders', '0003_order_status')"])
  .replace(
    '    operations = []',
    "    operations = [\n        migrations.AddField(model_name='order', name='note', field=models.TextField(null=True)),\n    ]",
  )
  .replace('from django.db import migrations', 'from django.db import migrations, models')

describe('models-changed-without-migration on a Django project, judged by model drift', () => {
  it("a docstring edit of an app's models.py needs no migration: a notice, and the gate passes", async () => {
    const repo = base('django-shop').edit('orders/models.py', (t) =>
      t.replace('class Order(models.Model):\n', 'class Order(models.Model):\n    """An order of one product."""\n\n'),
    )
    repo.commit('docs: say what an order is')
    const r = await gate(repo.dir)
    expect(summary(r)).toEqual(['models-changed-without-migration:notice@orders/models.py'])
    expect(r.findings[0]?.message).toContain(
      'none is needed: model-drift compared the models with the migrated database',
    )
    expect(r.findings[0]?.message).toContain('the tables it declares (orders_order) match what the migrations build')
    expect(r.result).toBe('pass')
  })

  it('a field added with a migration in another app only: an error naming the app and its makemigrations, beside the drift', async () => {
    const repo = base('django-shop').edit('orders/models.py', addNote)
    repo.write('catalog/migrations/0005_product_weight.py', migrationFile(["('catalog', '0004_product_stock')"]))
    repo.commit('add Order.note; an empty catalog migration')
    const r = await gate(repo.dir)
    expect(summary(r)).toEqual([
      'model-drift:error@orders/models.py',
      'models-changed-without-migration:error@orders/models.py',
    ])
    const rule = r.findings.find((f) => f.id === 'models-changed-without-migration')
    expect(rule?.message).toContain(
      '`orders/models.py` changed, a model file, but this PR adds no migration in app orders',
    )
    expect(rule?.fix).toContain('Run `python manage.py makemigrations orders`')
    const drift = r.findings.find((f) => f.id === 'model-drift')
    expect(drift).toMatchObject({ line: 9 })
    expect(drift?.message).toContain('app orders: makemigrations would write "Add field note to order"')
    expect(r.result).toBe('fail')
  })

  it('the same field with its migration in its own app: no finding', async () => {
    const repo = base('django-shop').edit('orders/models.py', addNote)
    repo.write('orders/migrations/0004_order_note.py', NOTE_MIGRATION)
    repo.commit('add Order.note with its migration')
    const r = await gate(repo.dir)
    expect(summary(r)).toEqual([])
    expect(r.result).toBe('pass')
  })

  it("a module of an app's models/ package is a model file; drift already on the base is the PR's only where it touches it", async () => {
    const repo = base('django-drift').edit('members/models/member.py', (t) =>
      t.replace('"""A library member."""', '"""A member of the library."""'),
    )
    repo.commit('docs: reword the member docstring')
    const r = await gate(repo.dir)
    // member.py's own drift (the nickname its migration still builds) keeps the rule an error there;
    // the other apps' drift was on main already: notices.
    expect(summary(r)).toEqual([
      'model-drift:error@members/models/member.py',
      'model-drift:notice@library/models.py',
      'model-drift:notice@library/models.py',
      'model-drift:notice@loans/models.py',
      'model-drift:notice@loans/models.py',
      'models-changed-without-migration:error@members/models/member.py',
    ])
    expect(r.findings.find((f) => f.id === 'models-changed-without-migration')?.fix).toContain(
      '`python manage.py makemigrations members`',
    )
  })
})
