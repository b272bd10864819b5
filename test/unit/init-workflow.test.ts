// `migration-gate init`: the workflow it plans for each shape of project, built in real temp git
// repositories from the fixture projects. Every generated file is parsed as YAML and held against
// action.yml (only real inputs) and against docs/examples/pull-request.yml (the same essential
// steps), so the generator and the documented example cannot drift apart unnoticed.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { GateError } from '../../src/errors.js'
import { planInit, writeWorkflow, type InitPlan } from '../../src/init/init.js'
import { postgresImageIn } from '../../src/init/postgres-major.js'
import { mainRequirements } from '../../src/init/python-install.js'
import { versionFor } from '../../src/init/python-version.js'
import { scratchDir, TestRepo } from '../support/git.js'

const repoRoot = join(import.meta.dirname, '..', '..')

interface Step {
  uses?: string
  run?: string
  with?: Record<string, unknown>
  'working-directory'?: string
}
interface Workflow {
  on: Record<string, unknown>
  permissions: Record<string, string>
  concurrency: Record<string, unknown>
  jobs: { 'migration-gate': { 'runs-on': string; 'timeout-minutes': number; steps: Step[] } }
}

const actionInputs = new Set(
  Object.keys((parse(readFileSync(join(repoRoot, 'action.yml'), 'utf8')) as { inputs: object }).inputs),
)
const example = parse(readFileSync(join(repoRoot, 'docs', 'examples', 'pull-request.yml'), 'utf8')) as Workflow

/** The plan's workflow, parsed; fails the test when a `with:` key of the action is not an input of action.yml. */
function workflowOf(plan: InitPlan): Workflow {
  const workflow = parse(plan.text) as Workflow
  const gate = gateStep(workflow)
  for (const key of Object.keys(gate.with ?? {})) expect(actionInputs, `input ${key}`).toContain(key)
  return workflow
}
const steps = (w: Workflow) => w.jobs['migration-gate'].steps
const gateStep = (w: Workflow) => steps(w).find((s) => s.uses?.startsWith('migration-gate/migration-gate@')) as Step
const runs = (w: Workflow) => steps(w).filter((s) => s.run !== undefined)

const cleanups: Array<() => void> = []
afterEach(() => cleanups.splice(0).forEach((c) => c()))
function repo(): TestRepo {
  const { dir, remove } = scratchDir('mg-init-test-')
  cleanups.push(remove)
  return TestRepo.init(join(dir, 'repo'))
}

describe('init on a plain Alembic project with requirements.txt', () => {
  it('matches the documented example step for step', () => {
    const r = repo().copyFixture('alembic-clean').write('requirements.txt', 'alembic\nsqlalchemy\npsycopg2-binary\n')
    const plan = planInit({ dir: r.dir })
    expect(plan.target).toBe(join(r.dir, '.github', 'workflows', 'migration-gate.yml'))
    const w = workflowOf(plan)
    // The example's shape: trigger, permissions, concurrency, runner, timeout.
    expect(Object.keys(w.on)).toEqual(Object.keys(example.on))
    expect(w.permissions).toEqual(example.permissions)
    expect(w.concurrency).toEqual(example.concurrency)
    const job = w.jobs['migration-gate']
    const documented = example.jobs['migration-gate']
    expect(job['runs-on']).toBe(documented['runs-on'])
    expect(job['timeout-minutes']).toBe(documented['timeout-minutes'])
    // The same steps, in order, with the same actions at the same versions and the same install.
    expect(steps(w).map((s) => s.uses ?? s.run)).toEqual(steps(example).map((s) => s.uses ?? s.run))
    expect(steps(w)[0]!.with).toEqual(steps(example)[0]!.with) // fetch-depth: 0
    expect(steps(w)[1]!.with).toEqual(steps(example)[1]!.with) // python 3.12 by default
    // Every input the example gives, the generated step gives with the same value (postgres-version
    // aside: the example's is production's major, unknown here), plus the tool it found.
    const gate = gateStep(w).with!
    const documentedGate = gateStep(example).with!
    for (const [key, value] of Object.entries(documentedGate)) {
      if (key !== 'postgres-version') expect(gate[key], key).toEqual(value)
    }
    expect(gate.tool).toBe('alembic')
    expect(gate['postgres-version']).toBeUndefined() // no compose file: the action's default
    expect(gate['postgres-image']).toBeUndefined()
    expect(plan.assumptions).toEqual([
      'tool: alembic (Alembic: alembic.ini)',
      'directory: . (working-directory, relative to the repository root)',
      'python: 3.12, the default: no .python-version, requires-python or runtime.txt names one',
      'install: pip install -r requirements.txt (the main requirements file)',
      expect.stringMatching(/^postgres: 18, the action's default \(no compose file names/),
    ])
    expect(plan.warnings).toEqual([])
  })
})

describe('init: Python version and install from the project files', () => {
  it('uv.lock: setup-uv and uv sync, the version from .python-version', () => {
    const r = repo().copyFixture('alembic-clean').write('uv.lock', 'version = 1\n').write('.python-version', '3.11.9\n')
    const plan = planInit({ dir: r.dir })
    const w = workflowOf(plan)
    expect(steps(w).map((s) => s.uses ?? 'run')).toEqual([
      'actions/checkout@v4',
      'actions/setup-python@v5',
      'astral-sh/setup-uv@v7',
      'run',
      'migration-gate/migration-gate@v0',
    ])
    expect(steps(w)[1]!.with!['python-version']).toBe('3.11')
    expect(runs(w)[0]!.run).toBe('uv sync --locked\necho "$PWD/.venv/bin" >> "$GITHUB_PATH"\n')
    expect(gateStep(w).with!.python).toBe('python')
    expect(plan.assumptions[2]).toBe('python: 3.11, from .python-version (3.11.9)')
    expect(plan.assumptions[3]).toBe('install: uv sync --locked (uv.lock)')
  })

  it("poetry.lock: poetry install, the version from Poetry's python dependency", () => {
    const r = repo()
      .copyFixture('alembic-clean')
      .write('poetry.lock', '')
      .write('pyproject.toml', '[tool.poetry]\nname = "app"\n\n[tool.poetry.dependencies]\npython = "~3.10"\n')
    const plan = planInit({ dir: r.dir })
    const w = workflowOf(plan)
    expect(steps(w)[1]!.with!['python-version']).toBe('3.10')
    expect(runs(w).map((s) => s.run)).toEqual([
      'pipx install poetry',
      'poetry env use python\npoetry install --no-interaction --no-root\necho "$(poetry env info --path)/bin" >> "$GITHUB_PATH"\n',
    ])
    expect(plan.assumptions[2]).toBe('python: 3.10, from pyproject.toml python "~3.10"')
  })

  it('requirements files: the main one, dev and test ones left out and named', () => {
    const r = repo()
      .copyFixture('alembic-clean')
      .write('requirements-dev.txt', 'pytest\n')
      .write('requirements/test.txt', 'pytest\n')
      .write('requirements/base.txt', 'alembic\n')
      .write('runtime.txt', 'python-3.13.1\n')
    const plan = planInit({ dir: r.dir })
    const w = workflowOf(plan)
    expect(runs(w)[0]!.run).toBe('pip install -r requirements/base.txt')
    expect(plan.assumptions[3]).toBe(
      'install: pip install -r requirements/base.txt (the main requirements file; left out: requirements-dev.txt, requirements/test.txt)',
    )
    expect(plan.assumptions[2]).toBe('python: 3.13, from runtime.txt (python-3.13.1)')
  })

  it('an installable pyproject.toml: pip install ., the version from requires-python', () => {
    const r = repo()
      .copyFixture('alembic-clean')
      .write(
        'pyproject.toml',
        '[project]\nname = "app"\nrequires-python = ">=3.13"\ndependencies = [\n  "alembic",\n]\n',
      )
    const w = workflowOf(planInit({ dir: r.dir }))
    expect(runs(w)[0]!.run).toBe('pip install .')
    expect(steps(w)[1]!.with!['python-version']).toBe('3.13')
  })

  it('nothing to install from: the bare minimum, with a warning', () => {
    const r = repo().copyFixture('flask-migrate-app')
    const plan = planInit({ dir: r.dir })
    const w = workflowOf(plan)
    expect(runs(w)[0]!.run).toBe('pip install flask flask-migrate alembic sqlalchemy psycopg2-binary')
    expect(plan.assumptions[0]).toBe('tool: alembic (Flask-Migrate: migrations/alembic.ini)')
    expect(plan.warnings).toEqual([
      expect.stringMatching(
        /^no uv\.lock, poetry\.lock, requirements\*\.txt or installable pyproject\.toml in the project: .* add what env\.py imports$/,
      ),
    ])
  })
})

describe('init: where the project is', () => {
  it('in a subdirectory of a repository: the file at the root, working-directory the path from it', () => {
    const r = repo()
      .copyFixture('alembic-clean', 'services/api')
      .write('services/api/requirements.txt', 'alembic\n')
      .write('.python-version', '3.11\n')
    const plan = planInit({ dir: join(r.dir, 'services', 'api') })
    expect(plan.target).toBe(join(r.dir, '.github', 'workflows', 'migration-gate.yml'))
    const w = workflowOf(plan)
    expect(gateStep(w).with!['working-directory']).toBe('services/api')
    // The install runs where requirements.txt is; the version comes from the root's pin.
    expect(runs(w)[0]).toMatchObject({ run: 'pip install -r requirements.txt', 'working-directory': 'services/api' })
    expect(steps(w)[1]!.with!['python-version']).toBe('3.11')
    expect(plan.assumptions[1]).toBe('directory: services/api (working-directory, relative to the repository root)')
  })

  it('run at the root with one project below: that one, said so', () => {
    const r = repo().copyFixture('alembic-clean', 'backend')
    const plan = planInit({ dir: r.dir })
    expect(gateStep(workflowOf(plan)).with!['working-directory']).toBe('backend')
    expect(plan.assumptions[1]).toBe(
      'directory: backend (working-directory, relative to the repository root; the only project below the directory given)',
    )
  })

  it('a root with only a pyproject.toml: the project below, the install from the root', () => {
    const r = repo()
      .write('pyproject.toml', '[project]\nname = "app"\nrequires-python = ">=3.11,<3.12"\n')
      .copyFixture('alembic-clean', 'backend')
    const plan = planInit({ dir: r.dir })
    const w = workflowOf(plan)
    expect(gateStep(w).with!['working-directory']).toBe('backend')
    expect(runs(w)[0]).toEqual({ run: 'pip install .' })
    expect(steps(w)[1]!.with!['python-version']).toBe('3.11')
  })

  it('a broken alembic.ini in the directory given: its error, not the project below', () => {
    const r = repo().write('alembic.ini', '[alembic]\n').copyFixture('alembic-clean', 'backend')
    expect(() => planInit({ dir: r.dir })).toThrow(/^working-directory: alembic\.ini has no script_location/)
  })

  it('several projects below: the error names each and its working-directory', () => {
    const r = repo().copyFixture('alembic-clean', 'api').copyFixture('sql-golang-clean', 'billing')
    expect(() => planInit({ dir: r.dir })).toThrow(
      /no migration project found in .*; below it: .*\(working-directory: api\).*\(working-directory: billing\/migrations\)/,
    )
  })

  it('a SQL project: no Python at all', () => {
    const r = repo().copyFixture('sql-dbmate-clean')
    const plan = planInit({ dir: r.dir })
    const w = workflowOf(plan)
    expect(steps(w).map((s) => s.uses)).toEqual(['actions/checkout@v4', 'migration-gate/migration-gate@v0'])
    expect(gateStep(w).with).toEqual({ 'working-directory': '.', tool: 'sql', comment: true })
    expect(plan.assumptions.slice(0, 4)).toEqual([
      'tool: sql (dbmate: db/migrations/)',
      'directory: . (working-directory, relative to the repository root)',
      'python: none (dbmate migrations run without Python)',
      'install: nothing',
    ])
  })

  it('no project: one line naming the directory, a GateError (exit 2)', () => {
    const r = repo().write('README.md', 'nothing here\n')
    expect(() => planInit({ dir: r.dir })).toThrow(GateError)
    expect(() => planInit({ dir: r.dir })).toThrow(
      new RegExp(`^working-directory: no migration project found in ${r.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `),
    )
    expect(() => planInit({ dir: join(r.dir, 'missing') })).toThrow(/^working-directory: .*missing is not a directory$/)
  })

  it('outside a git repository: the file goes in the project directory', () => {
    const { dir, remove } = scratchDir('mg-init-nogit-')
    cleanups.push(remove)
    const plan = planInit({ dir: copyInto(dir) })
    expect(plan.target).toBe(join(dir, '.github', 'workflows', 'migration-gate.yml'))
    expect(plan.assumptions[1]).toMatch(
      /^directory: \. \(not in a git repository: the workflow goes in the project directory/,
    )
  })

  it('refuses to overwrite without force, overwrites with it', () => {
    const r = repo().copyFixture('sql-golang-clean')
    const plan = planInit({ dir: r.dir })
    expect(writeWorkflow(plan, false)).toBe(false)
    r.write('.github/workflows/migration-gate.yml', 'mine\n')
    expect(() => writeWorkflow(plan, false)).toThrow(/migration-gate\.yml already exists; --force overwrites it$/)
    expect(r.read('.github/workflows/migration-gate.yml')).toBe('mine\n')
    expect(writeWorkflow(plan, true)).toBe(true)
    expect(r.read('.github/workflows/migration-gate.yml')).toBe(plan.text)
  })
})

/** A project in a plain (non-git) directory: the SQL fixture's files copied in. */
function copyInto(dir: string): string {
  new TestRepo(dir).copyFixture('sql-golang-clean')
  return dir
}

describe('init --push', () => {
  it('adds pushes to the branch checked out when there is no origin, and keeps runs of pushes apart', () => {
    const r = repo().copyFixture('sql-golang-clean')
    r.git('checkout', '-q', '-b', 'trunk')
    const plan = planInit({ dir: r.dir, push: true })
    const w = workflowOf(plan)
    expect(w.on).toEqual({ pull_request: null, push: { branches: ['trunk'] } })
    expect(w.concurrency.group).toBe('migration-gate-${{ github.event.pull_request.number || github.ref }}')
    expect(plan.assumptions.at(-1)).toBe('push: also on pushes to trunk')
    expect(workflowOf(planInit({ dir: r.dir, push: 'release' })).on).toEqual({
      pull_request: null,
      push: { branches: ['release'] },
    })
  })
})

describe('init: the PostgreSQL major from a compose file', () => {
  it('postgres:16 in docker-compose.yml: postgres-version 16', () => {
    const r = repo()
      .copyFixture('sql-golang-clean')
      .write('docker-compose.yml', 'services:\n  app:\n    image: node:20\n  db:\n    image: postgres:16\n')
    const plan = planInit({ dir: r.dir })
    expect(gateStep(workflowOf(plan)).with!['postgres-version']).toBe('16')
    expect(gateStep(workflowOf(plan)).with!['postgres-image']).toBeUndefined()
    expect(plan.assumptions[4]).toBe('postgres: 16 from docker-compose.yml (postgres:16): postgres-version 16')
  })

  it('a major outside the tested range (postgres:12): postgres-image, used as it is', () => {
    const r = repo()
      .copyFixture('sql-golang-clean')
      .write('docker-compose.yml', 'services:\n  db:\n    image: postgres:12\n')
    const plan = planInit({ dir: r.dir })
    expect(gateStep(workflowOf(plan)).with!['postgres-version']).toBeUndefined()
    expect(gateStep(workflowOf(plan)).with!['postgres-image']).toBe('postgres:12-alpine')
    expect(plan.assumptions[4]).toBe(
      'postgres: 12 from docker-compose.yml (postgres:12): postgres-image postgres:12-alpine (a major the gate is not tested on)',
    )
  })

  it('a postgis image in compose.yaml: kept, for its extensions', () => {
    const r = repo()
      .copyFixture('sql-golang-clean')
      .write('compose.yaml', 'services:\n  db:\n    image: postgis/postgis:15-3.4\n')
    const plan = planInit({ dir: r.dir })
    expect(gateStep(workflowOf(plan)).with!['postgres-image']).toBe('postgis/postgis:15-3.4')
    expect(gateStep(workflowOf(plan)).with!['postgres-version']).toBe('15')
    expect(plan.assumptions[4]).toBe(
      'postgres: 15 from compose.yaml (postgis/postgis:15-3.4): postgres-version 15, postgres-image postgis/postgis:15-3.4 (its extensions kept)',
    )
  })

  it('a compose file without postgres: the default, said so', () => {
    const r = repo().copyFixture('sql-golang-clean').write('compose.yaml', 'services:\n  cache:\n    image: redis:7\n')
    const plan = planInit({ dir: r.dir })
    expect(gateStep(workflowOf(plan)).with!['postgres-version']).toBeUndefined()
    expect(plan.assumptions[4]).toMatch(
      /^postgres: 18, the action's default .*; compose\.yaml names none\); set postgres-version/,
    )
  })

  it.each([
    ['image: postgres:16-alpine', 'postgres:16-alpine', '16'],
    ['image: "docker.io/library/postgres:15.4"', 'postgres:15-alpine', '15'],
    ['- image: postgres:${PG_VERSION:-14}-bookworm', 'postgres:14-alpine', '14'],
    ['image: postgres:9.6', 'postgres:9.6-alpine', '9.6'],
    // Images built on the official one keep their extensions: the migrations may create them.
    ['image: postgis/postgis:15-3.4', 'postgis/postgis:15-3.4', '15'],
    ['image: pgvector/pgvector:pg17', 'pgvector/pgvector:pg17', '17'],
    ['image: timescale/timescaledb:2.14.2-pg16', 'timescale/timescaledb:2.14.2-pg16', '16'],
    ['image: bitnami/postgresql:16.3.0', 'postgres:16-alpine', '16'],
  ])('%s', (line, postgresImage, major) => {
    expect(postgresImageIn(`services:\n  db:\n    ${line}\n`)).toMatchObject({ postgresImage, major })
  })

  it.each(['image: postgres', 'image: postgres:latest', 'image: mysql:8', 'image: myorg/postgres-tools:1'])(
    '%s: no major',
    (line) => {
      expect(postgresImageIn(`services:\n  db:\n    ${line}\n`)).toBeUndefined()
    },
  )
})

describe('init: reading a Python version specifier', () => {
  it.each([
    ['>=3.8', '3.12'],
    ['>=3.10,<3.13', '3.12'],
    ['>=3.13', '3.13'],
    ['<3.12', '3.11'],
    ['<3.12.1', '3.12'],
    ['~=3.11', '3.12'],
    ['~=3.11.2', '3.11'],
    ['==3.10.*', '3.10'],
    ['^3.11', '3.12'],
    ['~3.9', '3.9'],
    ['>=3.9,!=3.12.*', '3.11'],
    ['>=3.10,<4.0', '3.12'],
  ])('%s -> %s', (spec, version) => {
    expect(versionFor(spec)).toBe(version)
  })

  it.each(['>=4', 'banana', '==2.7'])('%s: none', (spec) => {
    expect(versionFor(spec)).toBeUndefined()
  })
})

describe('init: the main requirements file', () => {
  it.each([
    [['requirements-dev.txt', 'requirements.txt'], 'requirements.txt'],
    [['requirements-dev.txt', 'requirements-prod.txt'], 'requirements-prod.txt'],
    [['requirements/dev.txt', 'requirements/local.txt', 'requirements/production.txt'], 'requirements/production.txt'],
    [['requirements-test.txt', 'requirements_docs.txt', 'requirements-app.txt'], 'requirements-app.txt'],
    [['requirements-dev.txt', 'requirements-lint.txt'], undefined],
  ])('%j -> %s', (files, main) => {
    expect(mainRequirements(files)).toBe(main)
  })
})
