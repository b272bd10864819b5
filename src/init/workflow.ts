// The workflow text `init` writes. Built on docs/examples/pull-request.yml, step for step and with
// its comments (a unit test holds the two together): the same trigger, permissions, concurrency,
// checkout with full history, Python set up and the app's dependencies installed where the tool
// needs them, then the action with the detected inputs.
import type { FoundProject } from './project.js'
import type { PythonInstall } from './python-install.js'
import type { PythonVersion } from './python-version.js'
import { postgresInputs, type PostgresLookup } from './postgres-major.js'
import { DEFAULT_MAJOR, SUPPORTED_MAJORS } from '../postgres/postgres-version.js'

export interface WorkflowPlan {
  project: FoundProject
  /** The project directory relative to the repository root ('.' at the root). */
  workingDirectory: string
  /** Set for Alembic and Flask-Migrate; SQL tools need no Python. */
  python?: { version: PythonVersion; install: PythonInstall }
  postgres: PostgresLookup
  /** Also run on pushes to this branch. */
  push?: string
  /** One line each, what was assumed: copied into the file's header. */
  assumptions: string[]
}

/** The packages installed when the project says nothing about its dependencies. */
export function minimalPackages(project: FoundProject): string {
  const flask = project.kind === 'Flask-Migrate' ? 'flask flask-migrate ' : ''
  return `${flask}alembic sqlalchemy psycopg2-binary`
}

export function renderWorkflow(plan: WorkflowPlan): string {
  const pr = plan.push
    ? '${{ github.event.pull_request.number || github.ref }}'
    : '${{ github.event.pull_request.number }}'
  const lines = [
    '# Written by `migration-gate init`: the gate as a required status check on every pull request.',
    '# What it found (edit below where it guessed wrong):',
    ...plan.assumptions.map((a) => `#   ${a}`),
    '#',
    '# After the first run, make "migration-gate" required: Settings -> Branches (or Rulesets) -> Require',
    '# status checks to pass -> add "migration-gate". No `paths:` filter on purpose: a required check whose',
    '# workflow is skipped stays "expected" forever and blocks pull requests that touch no migration.',
    'name: migrations',
    'on:',
    '  pull_request:',
    ...(plan.push
      ? [
          '  push: # the git checks are off on a push (no base to compare with); the replay runs',
          `    branches: [${yamlScalar(plan.push)}]`,
        ]
      : []),
    '# `pull_request`, never `pull_request_target`: the gate imports env.py and runs every migration of the',
    "# pull request. Under pull_request_target that code would run with this repository's secrets and a",
    "# write token; under pull_request, a fork's code gets a read-only token and no secrets.",
    'permissions:',
    '  contents: read # check out the code',
    '  pull-requests: write # only for `comment: true` (the sticky PR comment); drop both if you turn it off',
    'concurrency:',
    `  group: migration-gate-${pr}`,
    "  cancel-in-progress: true # a cancelled run's post step still removes its database",
    'jobs:',
    '  migration-gate:',
    '    runs-on: ubuntu-latest',
    '    timeout-minutes: 20',
    '    steps:',
    '      - uses: actions/checkout@v4',
    '        with:',
    '          fetch-depth: 0 # the git checks compare with the base branch',
    ...(plan.python ? pythonSteps(plan.project, plan.python) : []),
    '      - uses: migration-gate/migration-gate@v0',
    '        with:',
    `          working-directory: ${yamlScalar(plan.workingDirectory)} # ${whereComment(plan.project)}`,
    `          tool: ${plan.project.tool}`,
    ...(plan.python ? ['          python: python'] : []),
    ...postgresLines(plan.postgres),
    "          comment: true # a fork's read-only token makes this a warning, never a failure",
  ]
  return `${lines.join('\n')}\n`
}

function whereComment(project: FoundProject): string {
  if (project.tool === 'sql')
    return `its migrations: ${project.evidence === '.' ? 'this directory' : `${project.evidence}/`}`
  return project.kind === 'Flask-Migrate' ? 'the Flask app, with migrations/ in it' : `where ${project.evidence} is`
}

function pythonSteps(project: FoundProject, python: { version: PythonVersion; install: PythonInstall }): string[] {
  const { install } = python
  const inDir = install.dir === '.' ? [] : [`        working-directory: ${yamlScalar(install.dir)}`]
  const steps = [
    '      - uses: actions/setup-python@v5',
    '        with:',
    `          python-version: '${python.version.version}' # ${python.version.source}`,
  ]
  switch (install.kind) {
    case 'uv':
      return [
        ...steps,
        '      - uses: astral-sh/setup-uv@v7',
        '      - run: | # the locked dependencies, in .venv; its python first on PATH for `python: python` below',
        '          uv sync --locked',
        '          echo "$PWD/.venv/bin" >> "$GITHUB_PATH"',
        ...inDir,
      ]
    case 'poetry':
      return [
        ...steps,
        '      - run: pipx install poetry',
        // --no-root: the migrations need the dependencies; env.py imports the app from the checkout.
        '      - run: | # the locked dependencies; their environment first on PATH for `python: python` below',
        '          poetry env use python',
        '          poetry install --no-interaction --no-root',
        '          echo "$(poetry env info --path)/bin" >> "$GITHUB_PATH"',
        ...inDir,
      ]
    case 'requirements':
      return [
        ...steps,
        `      - run: pip install -r ${shellWord(install.file as string)} # your app's dependencies: alembic, SQLAlchemy, a driver`,
        ...inDir,
      ]
    case 'pyproject':
      return [
        ...steps,
        '      - run: pip install . # your app and its dependencies: alembic, SQLAlchemy, a driver',
        ...inDir,
      ]
    case 'minimal':
      return [
        ...steps,
        `      - run: pip install ${minimalPackages(project)} # no requirements file found: add what env.py imports`,
      ]
  }
}

function postgresLines(postgres: PostgresLookup): string[] {
  if (!postgres.found) {
    return [`          # postgres-version: '16' # production's major; unset: ${DEFAULT_MAJOR}, the newest supported`]
  }
  const { file, image, kept, major } = postgres.found
  const inputs = postgresInputs(postgres.found)
  const lines: string[] = []
  if (inputs.version)
    lines.push(`          postgres-version: '${inputs.version}' # production's major: ${file} runs ${image}`)
  if (inputs.image) {
    const why = kept
      ? `${file}'s own image, for its extensions`
      : `production runs ${major} (${file}), outside the majors the gate is tested on (${SUPPORTED_MAJORS[0]} to ${SUPPORTED_MAJORS.at(-1)})`
    lines.push(`          postgres-image: ${yamlScalar(inputs.image)} # ${why}`)
  }
  return lines
}

/** A YAML plain scalar when it is one, else single-quoted. */
export function yamlScalar(value: string): string {
  const plain =
    /^[A-Za-z0-9_./][A-Za-z0-9_./:-]*$/.test(value) &&
    !/^[0-9][0-9._:]*$/.test(value) && // a number, or a sexagesimal
    !/^(true|false|yes|no|on|off|null|y|n)$/i.test(value) &&
    !value.endsWith(':')
  return plain ? value : `'${value.replace(/'/g, "''")}'`
}

/** A word for sh, quoted when it needs to be. */
function shellWord(value: string): string {
  return /^[A-Za-z0-9_./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`
}
