// stale-parent for SQL versions through the real git phase: a PR branch adds a timestamped version
// while main merges a newer one. Static mode: no database. Real repositories (test/support/git.ts).
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runGate } from '../../src/gate.js'
import { readConfig } from '../../src/inputs.js'
import { silentLogger } from '../../src/logger.js'
import type { GateReport } from '../../src/report.js'
import { scratchDir, TestRepo } from '../support/git.js'

const scratch = scratchDir('mg-sql-git-')
afterAll(scratch.remove)
let n = 0

async function gate(dir: string, inputs: Record<string, string> = {}): Promise<GateReport> {
  const config = readConfig(
    (name) => ({ 'working-directory': dir, mode: 'static', 'base-ref': 'main', ...inputs })[name],
  )
  return runGate(config, { logger: silentLogger })
}

const ids = (r: GateReport) => r.findings.map((f) => `${f.id}@${f.revision ?? ''}`).sort()

/** A fixture on main, a branch `pr` from there, and main then merging the files of `mainAdds`. */
function movedBase(fixture: string, mainAdds: Record<string, string>): TestRepo {
  const repo = TestRepo.init(join(scratch.dir, `repo-${++n}`)).copyFixture(fixture)
  repo.commit(`base: ${fixture}`)
  repo.checkout('pr', true)
  repo.checkout('main')
  for (const [file, text] of Object.entries(mainAdds)) repo.write(file, text)
  repo.commit('main moves on')
  return repo.checkout('pr')
}

describe('stale-parent for ordered versions', () => {
  const golangMain = {
    'migrations/20240215000000_add_plan_limits.up.sql': 'ALTER TABLE subscriptions ADD COLUMN seats int;\n',
    'migrations/20240215000000_add_plan_limits.down.sql': 'ALTER TABLE subscriptions DROP COLUMN seats;\n',
  }

  it('golang-migrate: fires on a version the PR adds below the one main merged meanwhile', async () => {
    const repo = movedBase('sql-golang-clean', golangMain)
    repo.write('migrations/20240210000000_add_muted.up.sql', 'ALTER TABLE accounts ADD COLUMN muted boolean;\n')
    repo.write('migrations/20240210000000_add_muted.down.sql', 'ALTER TABLE accounts DROP COLUMN muted;\n')
    repo.commit('pr: add muted')
    const r = await gate(repo.dir)
    expect(ids(r)).toEqual(['stale-parent@20240210000000'])
    const f = r.findings[0]
    expect(f?.file).toBe('migrations/20240210000000_add_muted.up.sql')
    expect(f?.message).toMatch(/sorts before 20240215000000, the latest version on main/)
    expect(f?.message).toMatch(/golang-migrate only runs versions after the current one/)
  })

  it('golang-migrate: silent when the PR version comes after main', async () => {
    const repo = movedBase('sql-golang-clean', golangMain)
    repo.write('migrations/20240220000000_add_muted.up.sql', 'ALTER TABLE accounts ADD COLUMN muted boolean;\n')
    repo.write('migrations/20240220000000_add_muted.down.sql', 'ALTER TABLE accounts DROP COLUMN muted;\n')
    repo.commit('pr: add muted')
    expect(ids(await gate(repo.dir))).toEqual([])
  })

  it('dbmate: fires the same way, with what dbmate does about it', async () => {
    const repo = movedBase('sql-dbmate-clean', {
      'db/migrations/20240320000000_chat_topics.sql':
        '-- migrate:up\nALTER TABLE chats ADD COLUMN topic text;\n-- migrate:down\nALTER TABLE chats DROP COLUMN topic;\n',
    })
    repo.write(
      'db/migrations/20240318000000_chat_pinned.sql',
      '-- migrate:up\nALTER TABLE chats ADD COLUMN pinned boolean;\n-- migrate:down\nALTER TABLE chats DROP COLUMN pinned;\n',
    )
    repo.commit('pr: pinned')
    const r = await gate(repo.dir)
    expect(ids(r)).toEqual(['stale-parent@20240318000000'])
    expect(r.findings[0]?.message).toMatch(/dbmate --strict/)
  })
})

describe("dbmate's schema dump", () => {
  // dbmate rewrites db/schema.sql on every migrate, so nearly every PR with a migration changes it.
  // It must not count as a file the migrations run with: that made every revision the PR's and
  // silently turned pre-existing scoping off for dbmate projects.
  it('a PR that changes db/schema.sql with its migration owns that migration only', async () => {
    const repo = TestRepo.init(join(scratch.dir, `repo-${++n}`)).copyFixture('sql-dbmate-clean')
    repo.write('db/schema.sql', '-- dumped by dbmate\nCREATE TABLE chats (id bigint);\n')
    repo.commit('base: sql-dbmate-clean with its schema dump')
    repo.checkout('pr', true)
    repo.write(
      'db/migrations/20240401000000_chat_pinned.sql',
      '-- migrate:up\nALTER TABLE chats ADD COLUMN pinned boolean;\n-- migrate:down\nALTER TABLE chats DROP COLUMN pinned;\n',
    )
    repo.write('db/schema.sql', '-- dumped by dbmate\nCREATE TABLE chats (id bigint, pinned boolean);\n')
    repo.commit('pr: pinned, and the dump dbmate rewrote')
    const r = await gate(repo.dir)
    expect(r.git?.prRevisions).toEqual(['20240401000000'])
    expect(r.notes.filter((note) => note.includes('every revision counts'))).toEqual([])
  })

  it("another file beside the migrations still makes every revision the PR's", async () => {
    const repo = TestRepo.init(join(scratch.dir, `repo-${++n}`)).copyFixture('sql-dbmate-clean')
    repo.write('db/seed.sql', 'INSERT INTO chats VALUES (1);\n')
    repo.commit('base')
    repo.checkout('pr', true)
    repo.write('db/seed.sql', 'INSERT INTO chats VALUES (2);\n')
    repo.commit('pr: seed')
    const r = await gate(repo.dir)
    expect(r.git?.prRevisions.length).toBeGreaterThan(1)
    expect(r.notes.some((note) => note.includes('every revision counts'))).toBe(true)
  })
})

describe('model files of a SQL project', () => {
  // SQL tools have no models: a models.py beside golang-migrate files is some application's, and
  // only model-paths makes it one the migrations must follow (it did by default before drivers
  // owned their model globs).
  it("a models.py counts only where model-paths names it, and the fix is the tool's own command", async () => {
    const repo = TestRepo.init(join(scratch.dir, `repo-${++n}`)).copyFixture('sql-golang-clean')
    repo.write('app/models.py', 'class Account:\n    email = None\n')
    repo.commit('base: an application beside the migrations')
    repo.checkout('pr', true)
    repo.write('app/models.py', 'class Account:\n    email = None\n    plan = None\n')
    repo.commit('pr: the model gains plan, no migration')
    const models = (r: GateReport) => r.findings.filter((f) => f.id === 'models-changed-without-migration')
    expect(models(await gate(repo.dir))).toEqual([])
    const named = models(await gate(repo.dir, { 'model-paths': 'app/models.py' }))
    expect(named.map((f) => `${f.severity}@${f.file}`)).toEqual(['error@app/models.py'])
    expect(named[0]?.fix).toContain('`migrate create -ext sql -dir migrations NAME`')
  })
})
