// The git rule judged by model drift, on real repositories, real Alembic and real PostgreSQL: a
// model file changed without a migration needs none when the models still match what the migrations
// build, and drift merged to the base before is pre-existing for a PR that does not touch it.
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runGate } from '../../src/gate.js'
import { readConfig } from '../../src/inputs.js'
import { silentLogger } from '../../src/logger.js'
import type { GateReport } from '../../src/report.js'
import { scratchDir, TestRepo } from '../support/git.js'
import { pythonWithAlembic } from '../support/python.js'

const scratch = scratchDir()
afterAll(scratch.remove)
let n = 0

async function gate(dir: string, inputs: Record<string, string> = {}): Promise<GateReport> {
  const python = await pythonWithAlembic()
  const config = readConfig(
    (name) => ({ 'working-directory': dir, postgres: 'local', python, 'base-ref': 'main', ...inputs })[name],
  )
  return runGate(config, { logger: silentLogger })
}

/** A fixture committed on main, then a branch `pr` checked out. */
function base(fixture: string): TestRepo {
  const repo = TestRepo.init(join(scratch.dir, `repo-${++n}`)).copyFixture(fixture)
  repo.commit(`base: ${fixture}`)
  return repo.checkout('pr', true)
}

const summary = (r: GateReport) => r.findings.map((f) => `${f.id}:${f.severity}@${f.file ?? ''}`).sort()

describe('models-changed-without-migration, judged by model drift', () => {
  it('a docstring edit of a model file needs no migration: a notice, and the gate passes', async () => {
    const repo = base('alembic-clean').edit('models.py', (t) => t.replace('"""Models at head', '"""The models at head'))
    repo.commit('docs: reword the models docstring')
    const r = await gate(repo.dir)
    expect(summary(r)).toEqual(['models-changed-without-migration:notice@models.py'])
    expect(r.findings[0]?.message).toMatch(/none is needed: model-drift compared the models with the migrated database/)
    expect(r.findings[0]?.message).toMatch(/\(chats, messages, orgs, pdfs, plans, users\) match/)
    expect(r.result).toBe('pass')
  })

  it('stays an error where drift cannot judge it (model-drift off)', async () => {
    const repo = base('alembic-clean').edit('models.py', (t) => t.replace('"""Models at head', '"""The models at head'))
    repo.commit('docs: reword the models docstring')
    const r = await gate(repo.dir, { 'model-drift': 'false' })
    expect(summary(r)).toEqual(['models-changed-without-migration:error@models.py'])
    expect(r.result).toBe('fail')
  })

  it('stays an error, beside the drift itself, where the change needs a migration', async () => {
    const repo = base('alembic-clean').edit('models.py', (t) =>
      t.replace(
        '    page_count = Column(Integer)\n',
        '    page_count = Column(Integer)\n    pages_done = Column(Integer)\n',
      ),
    )
    repo.commit('add pages_done')
    const r = await gate(repo.dir)
    expect(summary(r)).toEqual(['model-drift:error@models.py', 'models-changed-without-migration:error@models.py'])
    expect(r.result).toBe('fail')
  })
})

describe('model drift already on the base', () => {
  it('is pre-existing for a PR that touches neither those models nor their migrations', async () => {
    const repo = base('alembic-drift').write('README.md', '# notes\n')
    repo.commit('docs: a readme')
    const r = await gate(repo.dir)
    expect(r.findings).toHaveLength(4)
    expect(r.findings.every((f) => f.id === 'model-drift' && f.severity === 'notice' && f.preExisting)).toBe(true)
    expect(r.findings.every((f) => f.message.startsWith('pre-existing: '))).toBe(true)
    expect(r.notes.some((note) => /4 model-drift differences .* already on main/.test(note))).toBe(true)
    expect(r.result).toBe('pass')
    const strict = await gate(repo.dir, { strict: 'true' })
    expect(strict.findings.filter((f) => f.severity === 'error')).toHaveLength(4)
    expect(strict.result).toBe('fail')
  })

  it("is the PR's once it adds a migration naming the drifted table", async () => {
    const repo = base('alembic-drift')
    repo.write(
      'alembic/versions/0f1e2d3c4b5a_touch_pdfs.py',
      `"""add note to pdfs

Revision ID: 0f1e2d3c4b5a
Revises: bb86aaac9fb9
Create Date: 2026-11-26 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '0f1e2d3c4b5a'
down_revision = 'bb86aaac9fb9'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("pdfs", sa.Column("note", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("pdfs", "note")
`,
    )
    repo.commit('add pdfs.note')
    const r = await gate(repo.dir)
    // pdfs: the migration names it, so its drift is this PR's (and the new column is drift too).
    const errors = r.findings.filter((f) => f.severity === 'error').map((f) => f.message)
    expect(errors.length).toBeGreaterThanOrEqual(2)
    expect(errors.every((m) => /pdfs/.test(m))).toBe(true)
    // chats and audit_events: untouched, so pre-existing.
    const old = r.findings.filter((f) => f.preExisting).map((f) => f.message)
    expect(old.some((m) => /ix_chats_last_message_at/.test(m))).toBe(true)
    expect(old.some((m) => /audit_events/.test(m))).toBe(true)
    expect(r.result).toBe('fail')
  })
})

describe('model drift in a Flask-Migrate project', () => {
  it('names flask db migrate, the command Flask-Migrate users run, in both findings', async () => {
    const repo = base('flask-migrate-app').edit('app.py', (t) =>
      t.replace(
        '    last_login_at = db.Column(db.DateTime, index=True)\n',
        '    last_login_at = db.Column(db.DateTime, index=True)\n    bio = db.Column(db.Text)\n',
      ),
    )
    repo.commit('add bio, no migration')
    const r = await gate(repo.dir, { 'model-paths': 'app.py' })
    expect(summary(r)).toEqual(['model-drift:error@app.py', 'models-changed-without-migration:error@app.py'])
    for (const f of r.findings) {
      expect(f.fix).toContain('`flask db migrate -m "describe the change"`')
      expect(`${f.message} ${f.fix}`).not.toMatch(/alembic revision/)
    }
    expect(r.findings.find((f) => f.id === 'model-drift')?.message).toMatch(/^models declare users\.bio/)
  })
})
