// Where a live database stands, from its version table's rows: the pending revisions in the tool's
// order, the rows the chain does not know, and where each tool keeps that table.
import { describe, expect, it } from 'vitest'
import type { RevisionGraph, RevisionNode } from '../../src/drivers/driver.js'
import { versionTableOf } from '../../src/drivers/alembic/version-table.js'
import { dbmateTable, golangMigrateTable } from '../../src/drivers/sql/live.js'
import { liveStanding } from '../../src/live/pending.js'

const node = (id: string, parents: string[], dependsOn: string[] = []): RevisionNode => ({
  id,
  parents,
  dependsOn,
  branchLabels: [],
  file: `versions/${id}.py`,
  line: 1,
})
/** a -> b -> (c1 | c2) -> m (merge) -> d */
const branchy: RevisionGraph = {
  nodes: [
    node('a', []),
    node('b', ['a']),
    node('c1', ['b']),
    node('c2', ['b']),
    node('m', ['c1', 'c2']),
    node('d', ['m']),
  ],
  problems: [],
}
const ids = (nodes: RevisionNode[] | null) => nodes?.map((n) => n.id) ?? null

describe('liveStanding', () => {
  it('heads: everything a row builds on is applied; the rest in order', () => {
    expect(ids(liveStanding(branchy, { revisions: ['b'], applied: 'heads' }).pending)).toEqual(['c1', 'c2', 'm', 'd'])
    // Both branches applied: two rows, as Alembic keeps them.
    expect(ids(liveStanding(branchy, { revisions: ['c1', 'c2'], applied: 'heads' }).pending)).toEqual(['m', 'd'])
    expect(ids(liveStanding(branchy, { revisions: ['c2'], applied: 'heads' }).pending)).toEqual(['c1', 'm', 'd'])
    expect(ids(liveStanding(branchy, { revisions: ['d'], applied: 'heads' }).pending)).toEqual([])
    expect(ids(liveStanding(branchy, { revisions: [], applied: 'heads' }).pending)).toHaveLength(6)
  })

  it('an unknown row: the way to head cannot be told (heads, latest), the rest can (each)', () => {
    expect(liveStanding(branchy, { revisions: ['zz'], applied: 'heads' })).toEqual({ unknown: ['zz'], pending: null })
    expect(liveStanding(branchy, { revisions: ['zz'], applied: 'latest' }).pending).toBeNull()
    const each = liveStanding(branchy, { revisions: ['a', 'zz', 'c1'], applied: 'each' })
    expect(each.unknown).toEqual(['zz'])
    // dbmate applies every file it has no row for, an older one too.
    expect(ids(each.pending)).toEqual(['b', 'c2', 'm', 'd'])
  })

  it('depends_on counts as applied before its dependent', () => {
    const g: RevisionGraph = { nodes: [node('a', []), node('x', []), node('b', ['a'], ['x'])], problems: [] }
    expect(ids(liveStanding(g, { revisions: ['b'], applied: 'heads' }).pending)).toEqual([])
  })
})

describe('where each tool keeps its version table', () => {
  it('Alembic: env.py context.configure(version_table=..., version_table_schema=...) literals', () => {
    const env = `
from alembic import context
def run_migrations_offline():
    context.configure(url=url, version_table="deploy_versions", version_table_schema='ops')
def run_migrations_online():
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            version_table="deploy_versions",
            version_table_schema="ops",
        )
`
    expect(versionTableOf(env)).toEqual({ table: 'deploy_versions', schema: 'ops', notes: [] })
    expect(versionTableOf('context.configure(connection=c)\n')).toEqual({ table: 'alembic_version', notes: [] })
  })

  it('Alembic: a value known only at run time is a note, and the default is read', () => {
    const read = versionTableOf('context.configure(connection=c, version_table=settings.VERSION_TABLE)\n')
    expect(read.table).toBe('alembic_version')
    expect(read.notes).toEqual([
      expect.stringMatching(/^env\.py gives context\.configure\(\) version_table=the name settings|an expression/),
    ])
    expect(read.notes[0]).toContain('known only when it runs')
  })

  it('golang-migrate: x-migrations-table, quoted with a schema when x-migrations-table-quoted says so', () => {
    expect(golangMigrateTable(new Map())).toEqual({ table: 'schema_migrations' })
    expect(golangMigrateTable(new Map([['x-migrations-table', 'migrations']]))).toEqual({ table: 'migrations' })
    expect(
      golangMigrateTable(
        new Map([
          ['x-migrations-table', '"ops"."versions"'],
          ['x-migrations-table-quoted', 'true'],
        ]),
      ),
    ).toEqual({ schema: 'ops', table: 'versions' })
  })

  it('dbmate: DBMATE_MIGRATIONS_TABLE, schema-qualified or not', () => {
    expect(dbmateTable({})).toEqual({ table: 'schema_migrations' })
    expect(dbmateTable({ DBMATE_MIGRATIONS_TABLE: 'ops.versions' })).toEqual({ schema: 'ops', table: 'versions' })
  })
})
