// buildObservation: the readings of a step (the watermark before it, the locks at its commits, the
// relations after it where the locks are incomplete) turned into what the dangerous-operation rules
// read. The readings themselves are real in test/integration/observe-*.test.ts; here, the cases a
// fixture cannot easily show.
import { describe, expect, it } from 'vitest'
import { buildObservation, type LockRow, type RelationRow } from '../../src/drivers/observation.js'

const rel = (oid: number, filenode: number | null, name: string): RelationRow => [oid, filenode, name]
const lock = (oid: number, mode: string, name: string | null, of = name, filenode: number | null = oid): LockRow => [
  oid,
  mode,
  name,
  of,
  filenode,
]
/** A relation dropped by the step, as the locks query returns it: no catalog row, maybe a name from the DDL log. */
const dropped = (oid: number, mode: string, name: string | null = null): LockRow => [oid, mode, name, null, null]

describe('buildObservation', () => {
  it('keeps the strongest mode per relation, whichever commit of the step held it', () => {
    const o = buildObservation({
      watermark: 20000,
      locks: [
        lock(20000, 'RowExclusiveLock', 'public.t'),
        lock(20000, 'ShareLock', 'public.t'),
        lock(20000, 'AccessShareLock', 'public.t'),
      ],
      complete: true,
      bookkeeping: [],
    })
    expect(o.locks).toEqual([{ relation: 'public.t', mode: 'ShareLock', existedBefore: true }])
  })

  it('names a dropped relation from the DDL log, and leaves out one the step created and dropped', () => {
    const o = buildObservation({
      watermark: 25000,
      locks: [
        dropped(20000, 'AccessExclusiveLock', 'public.gone'),
        dropped(30000, 'AccessExclusiveLock', 'public.tmp'),
      ],
      complete: true,
      bookkeeping: [],
    })
    expect(o.locks).toEqual([{ relation: 'public.gone', mode: 'AccessExclusiveLock', existedBefore: true }])
    expect(o).toMatchObject({ rewritten: [], created: [] })
  })

  it('without the DDL log, names a dropped relation from the relations read before the step', () => {
    const o = buildObservation({
      watermark: 25000,
      before: [rel(20000, 20000, 'public.gone')],
      locks: [dropped(20000, 'AccessExclusiveLock'), dropped(30000, 'AccessExclusiveLock')],
      complete: true,
      bookkeeping: [],
    })
    expect(o.locks).toEqual([{ relation: 'public.gone', mode: 'AccessExclusiveLock', existedBefore: true }])
  })

  it('tells created (oid above the watermark) from rewritten (file node above it), never a relation without storage', () => {
    const o = buildObservation({
      watermark: 300,
      after: [
        rel(1, 301, 'public.t'),
        rel(2, null, 'public.v'),
        rel(3, 300, 'public.same'),
        rel(304, 304, 'public.new'),
      ],
      locks: [],
      complete: false,
      bookkeeping: [],
    })
    expect(o).toEqual({ locks: [], rewritten: ['public.t'], created: ['public.new'], locksComplete: false })
  })

  it('a file node above the oid but not above the watermark was rewritten by an earlier step', () => {
    const o = buildObservation({
      watermark: 500,
      locks: [lock(1, 'AccessExclusiveLock', 'public.t', 'public.t', 450)],
      complete: true,
      bookkeeping: [],
    })
    expect(o).toMatchObject({ rewritten: [], created: [] })
    expect(o.locks).toEqual([{ relation: 'public.t', mode: 'AccessExclusiveLock', existedBefore: true }])
  })

  it('without a reading after the step (locks complete), takes what was created and rewritten from the lock rows', () => {
    const o = buildObservation({
      watermark: 300,
      locks: [
        // first commit (a dbmate step's first block): t rewritten, tmp created, read only read
        lock(1, 'AccessExclusiveLock', 'public.t', 'public.t', 301),
        lock(3, 'AccessShareLock', 'public.read', 'public.read', 300),
        lock(900, 'AccessExclusiveLock', 'public.tmp', 'public.tmp', 900),
        // second commit: tmp dropped again (named by the DDL log), t rewritten once more
        dropped(900, 'AccessExclusiveLock', 'public.tmp'),
        lock(1, 'AccessExclusiveLock', 'public.t', 'public.t', 902),
      ],
      complete: true,
      bookkeeping: [],
    })
    expect(o).toMatchObject({ rewritten: ['public.t'], created: [], locksComplete: true })
    expect(o.locks.map((l) => `${l.relation} ${l.existedBefore}`)).toEqual([
      'public.read true',
      'public.t true',
      'public.tmp false',
    ])
  })

  it("leaves out the tool's bookkeeping table and its indexes, by bare name or schema.name", () => {
    const readings = {
      watermark: 2,
      after: [
        rel(1, 1, 'public.alembic_version'),
        rel(2, 2, 'public.alembic_version_pkc'),
        rel(3, 3, 'app.alembic_version'),
      ],
      locks: [
        lock(1, 'RowExclusiveLock', 'public.alembic_version'),
        lock(2, 'RowExclusiveLock', 'public.alembic_version_pkc', 'public.alembic_version'),
      ],
      complete: true,
    }
    expect(buildObservation({ ...readings, bookkeeping: ['alembic_version'] })).toMatchObject({
      locks: [],
      created: [],
    })
    // schema.name: only that schema's table is the tool's; a table of that name elsewhere is the migration's.
    const o = buildObservation({ ...readings, bookkeeping: ['public.alembic_version'] })
    expect(o).toMatchObject({ locks: [], created: ['app.alembic_version'] })
  })
})
