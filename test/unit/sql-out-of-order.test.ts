// stale-parent for ordered versions, as a pure rule: the base branch's versions and the PR's
// migrations in, findings out.
import { describe, expect, it } from 'vitest'
import { sqlLayout, staleInMerge } from '../../src/drivers/sql/git-layout.js'
import { staleVersions } from '../../src/drivers/sql/out-of-order.js'

describe('staleVersions', () => {
  const base = ['1', '2', '5']

  it('reports a version the PR adds below the base branch latest, naming the fix', () => {
    const head = [
      { version: '1', file: 'migrations/1_a.up.sql' },
      { version: '2', file: 'migrations/2_b.up.sql' },
      { version: '3', file: 'migrations/3_new.up.sql' },
      { version: '5', file: 'migrations/5_c.up.sql' },
    ]
    const findings = staleVersions('golang-migrate', base, head)
    expect(findings.map((f) => [f.id, f.revision, f.file, f.severity])).toEqual([
      ['stale-parent', '3', 'migrations/3_new.up.sql', 'error'],
    ])
    expect(findings[0]?.message).toMatch(/sorts before 5, the latest version on the base branch/)
    expect(findings[0]?.message).toMatch(/skips it for good/)
    expect(findings[0]?.fix).toMatch(/Rename its \.up\.sql and \.down\.sql to a version after 5/)
  })

  it('is silent for versions after the base latest, versions the base has, and an empty base', () => {
    const head = [
      { version: '2', file: 'migrations/2_b.up.sql' },
      { version: '6', file: 'migrations/6_new.up.sql' },
    ]
    expect(staleVersions('golang-migrate', base, head)).toEqual([])
    expect(staleVersions('golang-migrate', [], [{ version: '1', file: 'x' }])).toEqual([])
  })

  it('compares golang-migrate versions as integers and dbmate versions as text, as the tools do', () => {
    // As integers 9 < 10: a PR adding 9 after the base reached 10 is stale, adding 10 after 9 is not.
    expect(staleVersions('golang-migrate', ['10'], [{ version: '9', file: 'a' }])).toHaveLength(1)
    expect(staleVersions('golang-migrate', ['9'], [{ version: '10', file: 'a' }])).toEqual([])
    // As text "10" < "9": dbmate takes 10 for the older one.
    expect(staleVersions('dbmate', ['9'], [{ version: '10', file: 'a' }])).toHaveLength(1)
    const dbmate = staleVersions('dbmate', ['20240301000000'], [{ version: '20240215000000', file: 'db/x.sql' }])
    expect(dbmate[0]?.message).toMatch(/dbmate --strict/)
  })
})

describe('versions from file names, as the git phase reads them (sqlLayout)', () => {
  it('reads versions from file names as each tool does', () => {
    const golang = sqlLayout({ dir: '/p/migrations', format: 'golang-migrate' }, '/p')
    expect(golang.readRevision('', 'migrations/0001_a.up.sql')).toMatchObject({ id: '1' })
    expect(golang.readRevision('', 'migrations/0001_a.down.sql')).toMatchObject({ id: '1' })
    const dbmate = sqlLayout({ dir: '/p/db/migrations', format: 'dbmate' }, '/p')
    expect(dbmate.readRevision('', 'db/migrations/20240101_a.sql')).toMatchObject({ id: '20240101' })
    expect(dbmate.isRevisionFile('/p/db/migrations/20240101_a.sql')).toBe(true)
    expect(dbmate.isRevisionFile('/p/db/schema.txt')).toBe(false)
  })
})

describe('sqlLayout and staleInMerge (the git phase adapter)', () => {
  const project = '/repo/app'
  const golang = { dir: '/repo/app/migrations', format: 'golang-migrate' as const }

  it('knows the migration files, up and down, and reads a version from a file name', () => {
    const layout = sqlLayout(golang, project)
    expect(layout.isRevisionFile('/repo/app/migrations/0003_x.up.sql')).toBe(true)
    expect(layout.isRevisionFile('/repo/app/migrations/0003_x.down.sql')).toBe(true)
    expect(layout.isRevisionFile('/repo/app/migrations/README.md')).toBe(false)
    expect(layout.isRevisionFile('/repo/app/other/0003_x.up.sql')).toBe(false)
    expect(layout.readRevision('', 'migrations/0003_x.up.sql')).toMatchObject({ id: '3', parents: [] })
    expect(layout.newMigrationCommand).toBe('migrate create -ext sql -dir migrations NAME')
    expect(sqlLayout({ dir: '/repo/app/db/migrations', format: 'dbmate' }, project).newMigrationCommand).toBe(
      'dbmate new NAME',
    )
  })

  it('reports what the PR adds below the base latest, once per version', () => {
    const node = (id: string, file: string) => ({ id, parents: [], dependsOn: [], branchLabels: [], file, line: 1 })
    const merged = {
      nodes: [
        node('1', 'migrations/1_a.up.sql'),
        node('3', 'migrations/3_new.down.sql'),
        node('3', 'migrations/3_new.up.sql'),
        node('4', 'migrations/4_base.up.sql'),
        node('5', 'migrations/5_newer.up.sql'),
      ],
      problems: [],
    }
    const findings = staleInMerge(golang, merged, new Set(['3', '5']))
    expect(findings.map((f) => [f.id, f.revision, f.file])).toEqual([['stale-parent', '3', 'migrations/3_new.up.sql']])
  })
})
