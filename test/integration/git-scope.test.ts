// Judge the PR, not the whole history, through a real stairway: the base carries
// alembic-enum-residue's bad downgrade (32c3ebc38184 leaves type mood behind); the PR adds a clean
// revision on top. The residue is pre-existing: a notice, and the gate passes; strict fails on it;
// without a base it counts as before.
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runGate } from '../../src/gate.js'
import { readConfig } from '../../src/inputs.js'
import { silentLogger } from '../../src/logger.js'
import type { GateReport } from '../../src/report.js'
import { revisionFile, scratchDir, TestRepo } from '../support/git.js'
import { pythonWithAlembic } from '../support/python.js'

const scratch = scratchDir()
afterAll(scratch.remove)

async function gate(dir: string, inputs: Record<string, string> = {}): Promise<GateReport> {
  const python = await pythonWithAlembic()
  const config = readConfig((name) => ({ 'working-directory': dir, postgres: 'local', python, ...inputs })[name])
  return runGate(config, { logger: silentLogger })
}

function residueRepo(name: string): TestRepo {
  const repo = TestRepo.init(join(scratch.dir, name)).copyFixture('alembic-enum-residue')
  repo.commit('base: alembic-enum-residue')
  repo.checkout('pr', true)
  repo.write(
    'alembic/versions/4d4d4d4d4d4d_add_nickname.py',
    revisionFile('4d4d4d4d4d4d', '13ef259690e1', 'users', 'nickname'),
  )
  repo.edit('models.py', (t) =>
    t.replace(
      '    last_seen_at = Column(DateTime(timezone=True))\n',
      '    last_seen_at = Column(DateTime(timezone=True))\n    nickname = Column(String(50))\n',
    ),
  )
  repo.commit('add users.nickname')
  return repo
}

describe('replay findings on revisions the base already has are pre-existing', () => {
  it('the old residue is a notice, the PR revision is judged, the gate passes; strict fails', async () => {
    const repo = residueRepo('residue')
    const r = await gate(repo.dir, { 'base-ref': 'main' })
    expect(r.findings).toHaveLength(1)
    const f = r.findings[0]
    expect(f).toMatchObject({
      id: 'downgrade-residue',
      revision: '32c3ebc38184',
      severity: 'notice',
      preExisting: true,
    })
    expect(f?.message).toMatch(/^pre-existing: Downgrading/)
    expect(r.result).toBe('pass')
    expect(r.git).toMatchObject({ prRevisions: ['4d4d4d4d4d4d'], preExisting: 1 })
    expect(r.notes).toContainEqual(
      expect.stringMatching(/^1 pre-existing finding in revisions already on main \(notices/),
    )
    // The PR's revision was replayed up, down, up.
    expect(r.steps.filter((s) => s.revision === '4d4d4d4d4d4d' && s.ok).map((s) => s.phase)).toEqual([
      'first',
      'down',
      're',
    ])

    const strict = await gate(repo.dir, { 'base-ref': 'main', strict: 'true' })
    expect(strict.findings).toMatchObject([{ id: 'downgrade-residue', severity: 'error' }])
    expect(strict.findings[0]?.message).not.toMatch(/^pre-existing/)
    expect(strict.result).toBe('fail')
    expect(strict.git?.preExisting).toBe(1)

    // No base (a push to main, the CLI without --base-ref): every finding counts.
    const all = await gate(repo.dir)
    expect(all.findings).toMatchObject([{ id: 'downgrade-residue', severity: 'error' }])
    expect(all.result).toBe('fail')
  })

  it('a PR that changes a file the migrations run with (env.py) owns every finding', async () => {
    const repo = residueRepo('support')
    repo.edit('alembic/env.py', (t) => `${t}\n# tuned by the PR\n`)
    repo.commit('touch env.py')
    const r = await gate(repo.dir, { 'base-ref': 'main' })
    expect(r.findings).toMatchObject([{ id: 'downgrade-residue', revision: '32c3ebc38184', severity: 'error' }])
    expect(r.result).toBe('fail')
    expect(r.notes).toContainEqual(
      expect.stringMatching(/every revision counts as this change's: it changes alembic\/env\.py/),
    )
  })

  it('a PR that edits the bad revision owns its findings', async () => {
    const repo = residueRepo('edited')
    repo.edit('alembic/versions/32c3ebc38184_create_feedback.py', (t) =>
      t.replace('"""create feedback', '"""create the feedback table'),
    )
    repo.commit('touch the old revision')
    const r = await gate(repo.dir, { 'base-ref': 'main' })
    expect(r.findings.map((f) => `${f.id}:${f.severity}`).sort()).toEqual([
      'downgrade-residue:error',
      'migration-edited:error',
    ])
    expect(r.git?.prRevisions).toEqual(['32c3ebc38184', '4d4d4d4d4d4d'])
  })
})
