// unknown-revision says where the revision came from, from the git history of every ref and of the
// clone's reflog: a branch deleted without being merged, a branch never merged, a file deleted from
// the checked-out branch. Real repositories (test/support/git.ts), a real PostgreSQL plays production.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Server } from '../../src/postgres/provider.js'
import { revisionFile, scratchDir, TestRepo } from '../support/git.js'
import { productionAt, sql } from '../support/live.js'
import { gateReport } from '../support/report-scenarios.js'
import { startTestServer } from '../support/server.js'

const HEAD = 'bb86aaac9fb9'
let server: Server
const dirs: Array<() => void> = []
beforeAll(async () => {
  server = await startTestServer()
}, 60_000)
afterAll(async () => {
  await server?.stop()
  for (const remove of dirs) remove()
})

function repo(): TestRepo {
  const { dir, remove } = scratchDir('mg-live-git-')
  dirs.push(remove)
  const r = TestRepo.init(dir).copyFixture('alembic-clean')
  r.commit('the chain')
  return r
}

/**
 * A database built by the migrations up to `builtTo`, then stamped at `revision` (by hand: no file of
 * the checkout declares it).
 */
async function stampedAt(projectDir: string, revision: string, builtTo = 'head'): Promise<string> {
  const db = await productionAt(server, projectDir, builtTo)
  await sql(db.url, 'UPDATE alembic_version SET version_num = $1', [revision])
  return db.url
}

const FILE = (id: string) => `alembic/versions/${id}_add_nickname.py`
const short = (r: TestRepo, sha: string) => r.git('rev-parse', '--short', sha)

describe('unknown-revision: where the revision came from', () => {
  it('a branch deleted without being merged (found in the reflog)', async () => {
    const r = repo()
    r.checkout('feature/nickname', true).write(
      FILE('f00dfeed0001'),
      revisionFile('f00dfeed0001', HEAD, 'users', 'nickname'),
    )
    const added = r.commit('add nickname')
    r.checkout('main').git('branch', '-D', 'feature/nickname')
    const report = await gateReport(r.dir, {
      mode: 'live',
      'live-database-url': await stampedAt(r.dir, 'f00dfeed0001'),
    })
    expect(report.result).toBe('fail')
    expect(report.findings.map((f) => f.id)).toEqual(['unknown-revision'])
    const f = report.findings[0]!
    expect(f.revision).toBe('f00dfeed0001')
    expect(f.message).toContain(
      `The file that declared it was ${FILE('f00dfeed0001')}, added in ${short(r, added)} on a branch that no longer exists (found in this clone's reflog), never merged into main.`,
    )
    expect(f.fix).toContain(`git checkout ${short(r, added)} -- ${FILE('f00dfeed0001')}`)
    // Built to head, then stamped: its schema is head's, the revision to stamp.
    expect(f.fix).toContain(`Its schema is exactly ${HEAD}'s`)
    expect(f.fix).toContain('`alembic stamp bb86aaac9fb9`')
    expect(report.live).toMatchObject({ revisions: ['f00dfeed0001'], pending: null, behind: null })
  }, 120_000)

  it('a branch that still exists and was never merged', async () => {
    const r = repo()
    r.checkout('feature/tz', true).write(FILE('f00dfeed0002'), revisionFile('f00dfeed0002', HEAD, 'users', 'tz'))
    const added = r.commit('add tz')
    r.checkout('main')
    const report = await gateReport(r.dir, {
      mode: 'live',
      'live-database-url': await stampedAt(r.dir, 'f00dfeed0002'),
    })
    expect(report.findings[0]?.message).toContain(`added in ${short(r, added)} on feature/tz, never merged into main.`)
  }, 120_000)

  it('a file deleted from the checked-out branch', async () => {
    const r = repo()
    r.write(FILE('f00dfeed0003'), revisionFile('f00dfeed0003', HEAD, 'users', 'nick'))
    const added = r.commit('add nick')
    r.remove(FILE('f00dfeed0003'))
    const deleted = r.commit('drop nick again')
    const report = await gateReport(r.dir, {
      mode: 'live',
      'live-database-url': await stampedAt(r.dir, 'f00dfeed0003'),
    })
    expect(report.findings[0]?.message).toContain(
      `added in ${short(r, added)}, deleted from main in ${short(r, deleted)}.`,
    )
    expect(report.findings[0]?.fix).toContain(`git checkout ${short(r, deleted)}^ -- ${FILE('f00dfeed0003')}`)
  }, 120_000)

  it('a revision no commit declares: said so, without an origin', async () => {
    const r = repo()
    const report = await gateReport(r.dir, {
      mode: 'live',
      'live-database-url': await stampedAt(r.dir, 'deadbeef9999'),
    })
    expect(report.findings.map((f) => f.id)).toEqual(['unknown-revision'])
    expect(report.findings[0]?.message).toContain(
      "No commit reachable from this repository's refs (nor its reflog) declares it",
    )
  }, 120_000)
})

describe('unknown-revision: the revision whose schema the database has', () => {
  it('built up to an earlier revision, then stamped with an id no file declares: the fix names that revision', async () => {
    const r = repo()
    const report = await gateReport(r.dir, {
      mode: 'live',
      'live-database-url': await stampedAt(r.dir, 'f00dfeed0004', '2aa223e4e29e'),
    })
    expect(report.findings.map((f) => f.id)).toEqual(['unknown-revision'])
    const fix = report.findings[0]?.fix
    expect(fix).toContain("Its schema is exactly 2aa223e4e29e's")
    expect(fix).toContain('or stamp 2aa223e4e29e: `alembic stamp 2aa223e4e29e`')
  }, 120_000)

  it('a schema no revision builds (a column added by hand): says none matches, and names no stamp', async () => {
    const r = repo()
    const url = await stampedAt(r.dir, 'f00dfeed0005')
    await sql(url, 'ALTER TABLE users ADD COLUMN nickname text')
    const report = await gateReport(r.dir, { mode: 'live', 'live-database-url': url })
    expect(report.findings.map((f) => f.id)).toEqual(['unknown-revision'])
    const fix = report.findings[0]?.fix
    expect(fix).toContain("its schema is no revision's of the chain")
    expect(fix).not.toContain('alembic stamp')
  }, 120_000)
})
