// buildObservation: the readings of a step (relations before and after, locks at its commits) turned
// into what the dangerous-operation rules read. The readings themselves are real in
// test/integration/observe-*.test.ts; here, the cases a fixture cannot easily show.
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

describe('buildObservation', () => {
  it('keeps the strongest mode per relation, whichever commit of the step held it', () => {
    const o = buildObservation({
      before: [rel(20000, 20000, 'public.t')],
      after: [rel(20000, 20000, 'public.t')],
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

  it('names a relation the step dropped from the relations before it, and leaves out one it created and dropped', () => {
    const o = buildObservation({
      before: [rel(20000, 20000, 'public.gone')],
      after: [],
      locks: [lock(20000, 'AccessExclusiveLock', null), lock(30000, 'AccessExclusiveLock', null)],
      complete: true,
      bookkeeping: [],
    })
    expect(o.locks).toEqual([{ relation: 'public.gone', mode: 'AccessExclusiveLock', existedBefore: true }])
    expect(o).toMatchObject({ rewritten: [], created: [] })
  })

  it('tells rewritten (file node changed) from created (new oid), and never calls a relation without storage rewritten', () => {
    const o = buildObservation({
      before: [rel(1, 100, 'public.t'), rel(2, null, 'public.v'), rel(3, 300, 'public.same')],
      after: [rel(1, 101, 'public.t'), rel(2, null, 'public.v'), rel(3, 300, 'public.same'), rel(4, 400, 'public.new')],
      locks: [],
      complete: false,
      bookkeeping: [],
    })
    expect(o).toEqual({ locks: [], rewritten: ['public.t'], created: ['public.new'], locksComplete: false })
  })

  it('without a reading after the step (locks complete), takes what was created and rewritten from the lock rows', () => {
    const o = buildObservation({
      before: [rel(1, 100, 'public.t'), rel(2, 200, 'public.t_pkey'), rel(3, 300, 'public.read')],
      locks: [
        // first commit (a dbmate step's first block): t rewritten, tmp created, read only read
        lock(1, 'AccessExclusiveLock', 'public.t', 'public.t', 101),
        lock(3, 'AccessShareLock', 'public.read', 'public.read', 300),
        lock(9, 'AccessExclusiveLock', 'public.tmp', 'public.tmp', 900),
        // second commit: tmp dropped again (no name any more), t rewritten once more
        lock(9, 'AccessExclusiveLock', null, null, null),
        lock(1, 'AccessExclusiveLock', 'public.t', 'public.t', 102),
      ],
      complete: true,
      bookkeeping: [],
    })
    expect(o).toMatchObject({ rewritten: ['public.t'], created: [], locksComplete: true })
    expect(o.locks.map((l) => l.relation)).toEqual(['public.read', 'public.t', 'public.tmp'])
  })

  it("leaves out the tool's bookkeeping table and its indexes, by bare name or schema.name", () => {
    const readings = {
      before: [rel(1, 1, 'public.alembic_version'), rel(2, 2, 'public.alembic_version_pkc')],
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
