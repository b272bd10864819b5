// Which of the gate's Django nodes django_migrations' rows say are applied (drivers/django/live.ts),
// on the django-live fixture's real graph (read from its files): a squash is applied when all it
// replaces are, whatever its own row; other apps' rows are theirs; a partly applied squash is a note.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DjangoDriver } from '../../src/drivers/django/driver.js'
import { appliedLeaves, appliedNodes, djangoLiveWording } from '../../src/drivers/django/live.js'
import { silentLogger } from '../../src/logger.js'

const graph = () =>
  new DjangoDriver({
    projectDir: join(import.meta.dirname, '..', 'fixtures', 'django-live'),
    logger: silentLogger,
  }).graph()

describe("django_migrations' rows as the gate's nodes", () => {
  it('the originals of a squash, with or without its own row, are the squash; auth and contenttypes rows are left out', async () => {
    const g = await graph()
    const rows = ['contenttypes.0001_initial', 'auth.0001_initial', 'shop.0001_initial', 'shop.0002_order']
    expect(appliedNodes(g, rows)).toEqual({ revisions: ['shop.0001_squashed_0002_order'], notes: [] })
    expect(appliedNodes(g, [...rows, 'shop.0001_squashed_0002_order', 'shop.0003_order_buyer'])).toEqual({
      revisions: ['shop.0001_squashed_0002_order', 'shop.0003_order_buyer'],
      notes: [],
    })
  })

  it("a squash's own row without all its originals' is not applied, as Django's loader judges it", async () => {
    const g = await graph()
    const partly = appliedNodes(g, ['shop.0001_initial', 'shop.0001_squashed_0002_order'])
    expect(partly.revisions).toEqual([])
    expect(partly.notes).toEqual([
      "shop.0001_squashed_0002_order is partly applied on the live database (shop.0001_initial of the 2 migrations it replaces): Django will run the rest of the originals instead of it, which the gate's graph (the squash) does not show",
    ])
  })

  it('a row of a project app that names no migration stays, for unknown-revision', async () => {
    const g = await graph()
    expect(appliedNodes(g, ['shop.0001_initial', 'shop.0002_order', 'shop.0009_gone']).revisions).toEqual([
      'shop.0001_squashed_0002_order',
      'shop.0009_gone',
    ])
  })

  it("where it stands is each app's applied leaf; a gap in Django's record is a note", async () => {
    const g = await graph()
    const notes: string[] = []
    const all = ['shop.0001_squashed_0002_order', 'shop.0003_order_buyer', 'shop.0004_order_status']
    expect(appliedLeaves(g, all, notes)).toEqual(['shop.0004_order_status'])
    expect(notes).toEqual([])
    // 0004 recorded without 0003.
    expect(appliedLeaves(g, [all[0]!, all[2]!], notes)).toEqual([
      'shop.0001_squashed_0002_order',
      'shop.0004_order_status',
    ])
    expect(notes).toEqual([
      'shop.0004_order_status is recorded as applied on the live database but shop.0003_order_buyer, which it depends on, is not: `python manage.py migrate` refuses such a database (InconsistentMigrationHistory)',
    ])
  })

  it("the fixes name manage.py's commands", () => {
    expect(djangoLiveWording.upgrade).toBe('python manage.py migrate')
    expect(djangoLiveWording.stamp('shop.0003_order_buyer')).toBe(
      '`python manage.py migrate --fake shop 0003_order_buyer` (`python manage.py showmigrations` shows what Django has recorded)',
    )
  })
})
