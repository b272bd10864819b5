// The git checks over real git repositories built from the fixture projects: a base commit on main,
// a PR branch, sometimes a base that moved on, shallow clones of all that. Static mode: no database.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { GateError } from '../../src/errors.js'
import { runGate } from '../../src/gate.js'
import { chooseBase } from '../../src/git/base.js'
import { readGitHubContext, type GitHubEnvironment } from '../../src/github/context.js'
import { locateBase } from '../../src/git/fetch.js'
import { GitRepo } from '../../src/git/repo.js'
import { readConfig } from '../../src/inputs.js'
import { silentLogger } from '../../src/logger.js'
import type { GateReport } from '../../src/report.js'
import { revisionFile, scratchDir, TestRepo } from '../support/git.js'

const scratch = scratchDir()
afterAll(scratch.remove)
let n = 0
const newRepo = () => TestRepo.init(join(scratch.dir, `repo-${++n}`))

const HEAD_REV = 'bb86aaac9fb9' // alembic-clean's head
const VERSIONS = 'alembic/versions'

async function gate(dir: string, inputs: Record<string, string> = {}, github?: GitHubEnvironment): Promise<GateReport> {
  const config = readConfig((name) => ({ 'working-directory': dir, mode: 'static', ...inputs })[name])
  return runGate(config, { logger: silentLogger, ...(github ? { github: readGitHubContext(github) } : {}) })
}

const ids = (r: GateReport) => r.findings.map((f) => `${f.id}@${f.file ?? ''}`).sort()

/** alembic-clean committed on main, then a branch `pr` checked out. */
function cleanBase(): TestRepo {
  const repo = newRepo().copyFixture('alembic-clean')
  repo.commit('base: alembic-clean')
  return repo.checkout('pr', true)
}

const addColumnToModels = (text: string) =>
  text.replace(
    '    page_count = Column(Integer)\n',
    '    page_count = Column(Integer)\n    pages_done = Column(Integer)\n',
  )

/** A GitHub pull_request event as the runner hands it over: env plus a payload file. */
function pullRequestEvent(baseSha: string, extra: { labels?: string[]; body?: string } = {}): GitHubEnvironment {
  const payload = {
    pull_request: {
      number: 7,
      base: { sha: baseSha, ref: 'main' },
      labels: (extra.labels ?? []).map((name) => ({ name })),
      body: extra.body ?? null,
    },
  }
  return {
    env: { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: '/event.json', GITHUB_BASE_REF: 'main' },
    readFile: (p) => {
      if (p !== '/event.json') throw new Error(`unexpected read of ${p}`)
      return JSON.stringify(payload)
    },
  }
}

describe('models-changed-without-migration', () => {
  it('fires on a model change without a migration, at the changed line, with the command', async () => {
    const repo = cleanBase().edit('models.py', addColumnToModels)
    repo.commit('add pages_done')
    const r = await gate(repo.dir, { 'base-ref': 'main' })
    expect(ids(r)).toEqual(['models-changed-without-migration@models.py'])
    const f = r.findings[0]
    expect(f?.severity).toBe('error')
    expect(f?.line).toBe(repo.read('models.py').split('\n').indexOf('    pages_done = Column(Integer)') + 1)
    expect(f?.fix).toContain('`alembic revision --autogenerate -m "describe the change"`')
    expect(f?.fix).toContain('Migration-Gate-No-Migration: <reason>')
    expect(r.result).toBe('fail')
    expect(r.git).toMatchObject({ base: 'main', baseSource: 'base-ref', changedFiles: 1, prRevisions: [], deepened: 0 })
    expect(r.timings.phases.git).toBeGreaterThanOrEqual(0)
  })

  it('stays silent when the PR adds a migration, or changes no model', async () => {
    const repo = cleanBase().edit('models.py', addColumnToModels)
    repo.write(
      `${VERSIONS}/1a2b3c4d5e6f_add_pages_done.py`,
      revisionFile('1a2b3c4d5e6f', HEAD_REV, 'pdfs', 'pages_done'),
    )
    repo.commit('add pages_done with its migration')
    const r = await gate(repo.dir, { 'base-ref': 'main' })
    expect(ids(r)).toEqual([])
    expect(r.git?.prRevisions).toEqual(['1a2b3c4d5e6f'])

    const other = cleanBase().write('README.md', 'docs only\n')
    other.commit('docs')
    expect(ids(await gate(other.dir, { 'base-ref': 'main' }))).toEqual([])
  })

  it('the incident: pdfs.processing_started_at added to the models, no migration', async () => {
    const repo = newRepo().copyFixture('alembic-incident-processing-started-at')
    const models = repo.read('models.py')
    repo.edit('models.py', (t) => t.replace('    processing_started_at = Column(DateTime())\n', ''))
    repo.commit('base: models match the migrations')
    repo.checkout('pr', true).write('models.py', models)
    repo.commit('track when processing starts')
    const r = await gate(repo.dir, { 'base-ref': 'main' })
    expect(ids(r)).toEqual(['models-changed-without-migration@models.py'])
    expect(r.findings[0]?.line).toBe(27)
  })

  it("knows the module env.py's target_metadata comes from, whatever its name", async () => {
    const repo = newRepo().copyFixture('alembic-clean')
    repo.write('schema_defs.py', repo.read('models.py')).remove('models.py')
    repo.edit('alembic/env.py', (t) => t.replace('from models import Base', 'from schema_defs import Base as Model'))
    repo.edit('alembic/env.py', (t) => t.replace('target_metadata = Base.metadata', 'target_metadata = Model.metadata'))
    repo.commit('base: models in schema_defs.py')
    repo.checkout('pr', true).edit('schema_defs.py', addColumnToModels)
    repo.commit('add pages_done')
    expect(ids(await gate(repo.dir, { 'base-ref': 'main' }))).toEqual([
      'models-changed-without-migration@schema_defs.py',
    ])
    // model-paths replaces the defaults, env.py's module included.
    expect(ids(await gate(repo.dir, { 'base-ref': 'main', 'model-paths': 'app/**/*.py' }))).toEqual([])
  })

  it('Flask-Migrate: model-paths names app.py, and the fix is flask db migrate', async () => {
    const repo = newRepo().copyFixture('flask-migrate-app')
    repo.commit('base')
    repo
      .checkout('pr', true)
      .edit('app.py', (t) =>
        t.replace(
          '    last_login_at = db.Column(db.DateTime, index=True)\n',
          '    last_login_at = db.Column(db.DateTime, index=True)\n    bio = db.Column(db.Text)\n',
        ),
      )
    repo.commit('add bio')
    // env.py names no module (Flask-Migrate takes the metadata from the app): nothing matches by default.
    expect(ids(await gate(repo.dir, { 'base-ref': 'main' }))).toEqual([])
    const r = await gate(repo.dir, { 'base-ref': 'main', 'model-paths': 'app.py' })
    expect(ids(r)).toEqual(['models-changed-without-migration@app.py'])
    expect(r.findings[0]?.fix).toContain('`flask db migrate -m "describe the change"`')
  })

  it('judges the working tree: an uncommitted model change fires, an untracked new migration counts', async () => {
    const repo = cleanBase().edit('models.py', addColumnToModels)
    expect(ids(await gate(repo.dir, { 'base-ref': 'main' }))).toEqual(['models-changed-without-migration@models.py'])
    repo.write(
      `${VERSIONS}/1a2b3c4d5e6f_add_pages_done.py`,
      revisionFile('1a2b3c4d5e6f', HEAD_REV, 'pdfs', 'pages_done'),
    )
    const r = await gate(repo.dir, { 'base-ref': 'main' })
    expect(ids(r)).toEqual([])
    expect(r.git?.prRevisions).toEqual(['1a2b3c4d5e6f'])
  })

  it('a project below the repository root: paths relative to the project, defaults scoped to it', async () => {
    const repo = newRepo().copyFixture('alembic-clean', 'services/api')
    repo.write('shared/models.py', 'x = 1\n')
    repo.commit('base')
    repo.checkout('pr', true).edit('services/api/models.py', addColumnToModels)
    repo.edit('shared/models.py', () => 'x = 2\n')
    repo.commit('change models in two places')
    const project = join(repo.dir, 'services', 'api')
    const r = await gate(project, { 'base-ref': 'main' })
    // shared/models.py is outside working-directory: another project's models, not this one's.
    expect(ids(r)).toEqual(['models-changed-without-migration@models.py'])
    expect(r.git?.projectPath).toBe('services/api')
    const wide = await gate(project, { 'base-ref': 'main', 'model-paths': '**/models.py' })
    expect(ids(wide)).toEqual([
      'models-changed-without-migration@../../shared/models.py',
      'models-changed-without-migration@models.py',
    ])
  })
})

describe('the no-migration exemption', () => {
  function modelsOnlyPr(message: string): TestRepo {
    const repo = cleanBase().edit('models.py', (t) => t.replace('"""Models at head', '"""The models at head'))
    repo.commit(message)
    return repo
  }

  it('a commit message line with a reason: a notice, the reason in the report', async () => {
    const repo = modelsOnlyPr('Docstring only\n\nMigration-Gate-No-Migration: docstring change, no schema change')
    const r = await gate(repo.dir, { 'base-ref': 'main' })
    expect(r.result).toBe('pass')
    expect(r.findings).toMatchObject([
      { id: 'models-changed-without-migration', severity: 'notice', file: 'models.py' },
    ])
    expect(r.findings[0]?.message).toContain('docstring change, no schema change')
    expect(r.git?.exemption).toMatchObject({ reason: 'docstring change, no schema change' })
    expect(r.git?.exemption?.source).toMatch(/^commit [0-9a-f]{12}$/)
    expect(r.notes.some((n) => n.includes('no migration needed') && n.includes('docstring change'))).toBe(true)
  })

  it('a commit line without a reason does not count', async () => {
    const r = await gate(modelsOnlyPr('Docstring\n\nMigration-Gate-No-Migration:').dir, { 'base-ref': 'main' })
    expect(r.findings[0]?.severity).toBe('error')
    expect(r.findings[0]?.fix).toContain('has no reason')
  })

  it('the label with the reason in the PR description counts; either alone does not', async () => {
    const repo = modelsOnlyPr('Docstring only')
    const base = repo.git('rev-parse', 'main')
    const label = 'migration-gate:no-migration-needed'
    const body = 'Tidies a docstring.\n\nMigration-Gate-No-Migration: docstring only'
    const both = await gate(repo.dir, {}, pullRequestEvent(base, { labels: ['bug', label], body }))
    expect(both.result).toBe('pass')
    expect(both.git).toMatchObject({
      baseSource: 'pull_request',
      base: 'main',
      exemption: { reason: 'docstring only' },
    })
    expect(both.git?.exemption?.source).toContain(label)

    const labelOnly = await gate(repo.dir, {}, pullRequestEvent(base, { labels: [label] }))
    expect(labelOnly.result).toBe('fail')
    expect(labelOnly.findings[0]?.fix).toContain('gives no reason')

    const bodyOnly = await gate(repo.dir, {}, pullRequestEvent(base, { body }))
    expect(bodyOnly.result).toBe('fail')
    expect(bodyOnly.findings[0]?.fix).toContain('is not set')

    // A custom label.
    const custom = await gate(
      repo.dir,
      { 'no-migration-label': 'schema-ok' },
      pullRequestEvent(base, { labels: ['schema-ok'], body }),
    )
    expect(custom.result).toBe('pass')
  })
})

describe('migration-edited', () => {
  const old = `${VERSIONS}/8dca1cf9ca88_create_pdfs.py`

  it('fires on a modified base migration, with the revision; severity is configurable', async () => {
    const repo = cleanBase().edit(old, (t) => t.replace('sa.String(length=255)', 'sa.String(length=300)'))
    repo.commit('widen filename in the old migration')
    const r = await gate(repo.dir, { 'base-ref': 'main' })
    expect(ids(r)).toEqual([`migration-edited@${old}`])
    expect(r.findings[0]).toMatchObject({ severity: 'error', revision: '8dca1cf9ca88' })
    expect(r.findings[0]?.message).toMatch(/exists on main and this PR modifies it.*may already be applied/)
    expect(r.findings[0]?.line).toBeGreaterThan(1)
    expect(r.git?.prRevisions).toEqual(['8dca1cf9ca88'])
    const soft = await gate(repo.dir, { 'base-ref': 'main', 'migration-edited-severity': 'warning' })
    expect(soft.findings[0]?.severity).toBe('warning')
    expect(soft.result).toBe('pass')
  })

  it('fires on a deleted one and on a renamed and changed one; a pure rename and a new revision are silent', async () => {
    const deleted = cleanBase()
    deleted.git('rm', '-q', `${VERSIONS}/bb86aaac9fb9_add_plan_to_orgs_and_org_overview_view.py`)
    deleted.commit('drop the last migration')
    const d = await gate(deleted.dir, { 'base-ref': 'main' })
    expect(ids(d)).toEqual([`migration-edited@${VERSIONS}/bb86aaac9fb9_add_plan_to_orgs_and_org_overview_view.py`])
    expect(d.findings[0]?.message).toContain('deletes it')

    const renamed = cleanBase()
    renamed.git('mv', old, `${VERSIONS}/8dca1cf9ca88_pdfs.py`)
    renamed.commit('rename only')
    expect(ids(await gate(renamed.dir, { 'base-ref': 'main' }))).toEqual([])
    renamed.edit(`${VERSIONS}/8dca1cf9ca88_pdfs.py`, (t) => t.replace('"""create pdfs', '"""create the pdfs table'))
    renamed.commit('and a change')
    const r = await gate(renamed.dir, { 'base-ref': 'main' })
    expect(ids(r)).toEqual([`migration-edited@${VERSIONS}/8dca1cf9ca88_pdfs.py`])
    expect(r.findings[0]?.message).toContain('renames it')

    const added = cleanBase()
    added.write(`${VERSIONS}/1a2b3c4d5e6f_add_x.py`, revisionFile('1a2b3c4d5e6f', HEAD_REV, 'pdfs', 'x'))
    added.commit('new migration')
    expect(ids(await gate(added.dir, { 'base-ref': 'main' }))).toEqual([])
  })
})

describe('stale-parent: the chain judged on the merge with the current base', () => {
  const Y = `${VERSIONS}/2b2b2b2b2b2b_add_y.py`

  /** main: alembic-clean, then X on the head; pr (forked before X): Y on the same head. */
  function movedBase(): TestRepo {
    const repo = cleanBase()
    repo.write(Y, revisionFile('2b2b2b2b2b2b', HEAD_REV, 'orgs', 'y'))
    repo.commit('PR: add y')
    repo
      .checkout('main')
      .write(`${VERSIONS}/1a1a1a1a1a1a_add_x.py`, revisionFile('1a1a1a1a1a1a', HEAD_REV, 'orgs', 'x'))
    repo.commit('main moves on: add x')
    return repo.checkout('pr')
  }

  it('names the revision to re-parent on, at the down_revision line; no multiple-heads besides', async () => {
    const repo = movedBase()
    const r = await gate(repo.dir, { 'base-ref': 'main' })
    expect(ids(r)).toEqual([`stale-parent@${Y}`])
    const f = r.findings[0]
    expect(f).toMatchObject({ severity: 'error', revision: '2b2b2b2b2b2b', line: 14 })
    expect(f?.message).toContain("main's head is now '1a1a1a1a1a1a'")
    expect(f?.fix).toContain(`set down_revision in ${Y} (line 14) to '1a1a1a1a1a1a'`)
    expect(f?.fix).toContain('merge_group')
    expect(r.git?.prRevisions).toEqual(['2b2b2b2b2b2b'])
  })

  it('is silent once the PR builds on the new head', async () => {
    const repo = movedBase()
    repo.git('merge', '-q', 'main', '-m', 'update from main')
    repo.edit(Y, (t) => t.replace(`down_revision = '${HEAD_REV}'`, "down_revision = '1a1a1a1a1a1a'"))
    repo.commit('re-parent y on x')
    expect(ids(await gate(repo.dir, { 'base-ref': 'main' }))).toEqual([])
  })

  it("replaces multiple-heads in GitHub's merge commit checkout (refs/pull/N/merge)", async () => {
    const repo = movedBase()
    // What actions/checkout checks out for pull_request: the PR merged into the base's tip.
    repo.checkout('main').checkout('merge', true).git('merge', '-q', '--no-ff', 'pr', '-m', 'Merge pr into main')
    const base = repo.git('rev-parse', 'main')
    // Without a base the tree alone shows two heads.
    expect(ids(await gate(repo.dir))).toEqual([`multiple-heads@${Y}`])
    const r = await gate(repo.dir, {}, pullRequestEvent(base))
    expect(ids(r)).toEqual([`stale-parent@${Y}`])
    expect(r.git?.mergeBase).toBe(base)
  })

  it("the PR's own two heads on a stale parent: one fix that puts them in a line, not a contradicting multiple-heads", async () => {
    const repo = movedBase()
    repo.write(`${VERSIONS}/3c3c3c3c3c3c_add_z.py`, revisionFile('3c3c3c3c3c3c', HEAD_REV, 'orgs', 'z'))
    repo.commit('PR: add z on the same parent')
    const r = await gate(repo.dir, { 'base-ref': 'main' })
    // Both onto main's head would leave two heads; so y onto main's head, z onto y.
    expect(r.findings.map((f) => `${f.id}@${f.revision}`)).toEqual([
      'stale-parent@2b2b2b2b2b2b',
      'stale-parent@3c3c3c3c3c3c',
    ])
    expect(r.findings[0]?.fix).toContain("to '1a1a1a1a1a1a'")
    expect(r.findings[1]?.fix).toContain("to '2b2b2b2b2b2b' (this PR's other revision, built on '1a1a1a1a1a1a'")
  })
})

describe('base resolution and shallow clones', () => {
  /** An origin with main moved on, a PR branch forked 6 commits back, and a shallow clone of pr. */
  function shallowSetup(depthFromFork = 6): { origin: TestRepo; clone: TestRepo } {
    const origin = movedOrigin(depthFromFork)
    const cloneDir = join(scratch.dir, `clone-${++n}`)
    origin.git('clone', '-q', '--depth', '1', '--branch', 'pr', `file://${origin.dir}`, cloneDir)
    return { origin, clone: new TestRepo(cloneDir) }
  }

  function movedOrigin(commits: number): TestRepo {
    const origin = cleanBase()
    for (let i = 0; i < commits; i++) origin.write(`notes/${i}.txt`, `${i}\n`).commit(`pr work ${i}`)
    origin.write(`${VERSIONS}/2b2b2b2b2b2b_add_y.py`, revisionFile('2b2b2b2b2b2b', HEAD_REV, 'orgs', 'y'))
    origin.commit('PR: add y')
    origin
      .checkout('main')
      .write(`${VERSIONS}/1a1a1a1a1a1a_add_x.py`, revisionFile('1a1a1a1a1a1a', HEAD_REV, 'orgs', 'x'))
    origin.commit('main: add x')
    return origin.checkout('pr')
  }

  it('fetches the base and deepens a depth-1 clone until the merge base appears', async () => {
    const { clone } = shallowSetup()
    expect(clone.git('rev-parse', '--is-shallow-repository')).toBe('true')
    const r = await gate(clone.dir, { 'base-ref': 'main' })
    expect(ids(r)).toEqual([`stale-parent@${VERSIONS}/2b2b2b2b2b2b_add_y.py`])
    expect(r.git?.deepened).toBeGreaterThan(0)
    expect(clone.git('rev-parse', 'refs/remotes/origin/main')).toBe(r.git?.baseSha)
  })

  it('works from the pull_request payload alone (base sha not in the clone)', async () => {
    const { origin, clone } = shallowSetup()
    const base = origin.git('rev-parse', 'main')
    const r = await gate(clone.dir, {}, pullRequestEvent(base))
    expect(r.git).toMatchObject({ baseSource: 'pull_request', baseSha: base, base: 'main' })
    expect(ids(r)).toEqual([`stale-parent@${VERSIONS}/2b2b2b2b2b2b_add_y.py`])
  })

  it('fails with one line naming base-ref and fetch-depth: 0 when it cannot fetch', async () => {
    const { clone } = shallowSetup()
    clone.git('remote', 'set-url', 'origin', `file://${join(scratch.dir, 'no-such-origin')}`)
    const error = await gate(clone.dir, { 'base-ref': 'main' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(GateError)
    expect((error as GateError).input).toBe('base-ref')
    expect((error as GateError).message).toMatch(/^base-ref: main is not in the clone .*fetch-depth: 0\)$/)
    expect((error as GateError).message).not.toContain('\n')
  })

  it('gives up after the bounded deepening rounds, with one line naming fetch-depth: 0', async () => {
    const { clone } = shallowSetup(6)
    const repo = await GitRepo.open(clone.dir)
    const base = chooseBase('main', undefined)
    if (!repo || !base) throw new Error('setup')
    const error = await locateBase(repo, base, silentLogger, [1, 1]).catch((e: unknown) => e)
    expect((error as GateError).message).toBe(
      'base-ref: no common ancestor of HEAD and main within 2 commits fetched into the shallow clone; fetch the whole history (actions/checkout: fetch-depth: 0)',
    )
    // The default rounds reach it.
    expect((await locateBase(repo, base, silentLogger)).deepened).toBeGreaterThan(2)
  })

  it('a base-ref that names nothing, and a directory outside git: one line naming base-ref', async () => {
    const repo = cleanBase()
    const typo = await gate(repo.dir, { 'base-ref': 'mian' }).catch((e: unknown) => e)
    expect((typo as GateError).message).toMatch(/^base-ref: mian is not in the clone/)
    const outside = join(scratch.dir, 'not-a-repo')
    new TestRepo(outside).copyFixture('alembic-clean')
    const none = await gate(outside, { 'base-ref': 'main' }).catch((e: unknown) => e)
    expect((none as GateError).message).toMatch(/^base-ref: .* is not inside a git repository/)
  })

  it('without a base the git phase does not run', async () => {
    const repo = cleanBase().edit('models.py', addColumnToModels)
    repo.commit('models only')
    const r = await gate(repo.dir)
    expect(r.git).toBeUndefined()
    expect(r.timings.phases.git).toBeUndefined()
    expect(ids(r)).toEqual([])
    // A push event carries no base either.
    const push: GitHubEnvironment = { env: { GITHUB_EVENT_NAME: 'push' }, readFile: () => '{}' }
    expect((await gate(repo.dir, {}, push)).git).toBeUndefined()
  })
})

describe('the CLI with --base-ref', () => {
  const root = join(import.meta.dirname, '..', '..')
  const cli = (...args: string[]) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli.ts'), ...args], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 120_000,
    })
    return { code: r.status, stdout: r.stdout, stderr: r.stderr }
  }

  it('exits 1 on a model change without a migration, 2 with one line outside a repository', () => {
    const repo = cleanBase().edit('models.py', addColumnToModels)
    repo.commit('models only')
    const r = cli('check', repo.dir, '--mode', 'static', '--base-ref', 'main')
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('models-changed-without-migration')
    expect(cli('check', repo.dir, '--mode', 'static').code).toBe(0)

    const outside = join(scratch.dir, 'cli-not-a-repo')
    new TestRepo(outside).copyFixture('alembic-clean')
    const none = cli('check', outside, '--mode', 'static', '--base-ref', 'main')
    expect(none.code).toBe(2)
    expect(none.stderr.trim().split('\n').at(-1)).toMatch(
      /^migration-gate: base-ref: .* is not inside a git repository/,
    )
  })
})
