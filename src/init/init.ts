// `migration-gate init`: a workflow for the project in a directory. Finds the project as the gate
// does, the repository root above it (the workflow goes in the root's .github/workflows, with the
// project's path as working-directory), the Python version and install the project's own files
// name, and the PostgreSQL major of its compose file; then says what it assumed, one line each.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { GateError } from '../errors.js'
import { DEFAULT_MAJOR } from '../postgres/postgres-version.js'
import { repositoryRoot } from '../git/root.js'
import { findProject, type FoundProject } from './project.js'
import { postgresFromCompose, postgresInputs, type PostgresLookup } from './postgres-major.js'
import { pythonInstall, type PythonInstall } from './python-install.js'
import { pythonVersion } from './python-version.js'
import { dirsUpToRoot } from './search-dirs.js'
import { minimalPackages, renderWorkflow, type WorkflowPlan } from './workflow.js'

export const WORKFLOW_FILE = '.github/workflows/migration-gate.yml'

export interface InitOptions {
  /** The project directory (default '.'). */
  dir: string
  /** Also run on pushes: a branch name, or true for the repository's default branch. */
  push?: string | true
}

export interface InitPlan extends WorkflowPlan {
  /** Absolute path of the workflow file to write. */
  target: string
  /** The workflow's text. */
  text: string
  /** Said as a warning: the workflow will likely need an edit. */
  warnings: string[]
}

export function planInit(options: InitOptions): InitPlan {
  const project = findProject(options.dir)
  const gitRoot = repositoryRoot(project.dir)
  // Outside a repository the project directory stands in for the root: the file goes there.
  const root = gitRoot ?? project.dir
  const workingDirectory = path.relative(root, project.dir).split(path.sep).join('/') || '.'
  const dirs = dirsUpToRoot(project.dir, root)
  const python =
    project.tool === 'alembic' ? { version: pythonVersion(dirs, root), install: pythonInstall(dirs, root) } : undefined
  const postgres = postgresFromCompose(dirs, root)
  const push = options.push === true ? defaultBranch(root) : options.push
  const warnings: string[] = []
  if (python?.install.kind === 'minimal') {
    warnings.push(
      `no uv.lock, poetry.lock, requirements*.txt or installable pyproject.toml in ${workingDirectory === '.' ? 'the project' : `${workingDirectory} or above it`}: the workflow installs only ${minimalPackages(project)}; add what env.py imports`,
    )
  }
  const assumptions = [
    `tool: ${project.tool} (${project.kind}: ${evidenceLine(project, workingDirectory)})`,
    `directory: ${workingDirectory} (${gitRoot ? 'working-directory, relative to the repository root' : "not in a git repository: the workflow goes in the project directory; move it to the repository's .github/workflows"}${project.below ? '; the only project below the directory given' : ''})`,
    `python: ${python ? `${python.version.version}, ${python.version.source}` : `none (${project.kind} migrations run without Python)`}`,
    `install: ${python ? installLine(project, python.install) : 'nothing'}`,
    `postgres: ${postgresLine(postgres)}`,
    ...(push ? [`push: also on pushes to ${push}`] : []),
  ]
  const plan: WorkflowPlan = {
    project,
    workingDirectory,
    postgres,
    assumptions,
    ...(python ? { python } : {}),
    ...(push ? { push } : {}),
  }
  return { ...plan, target: path.join(root, WORKFLOW_FILE), text: renderWorkflow(plan), warnings }
}

/** Writes the plan's file; refuses to replace one without `force`. Returns whether one was replaced. */
export function writeWorkflow(plan: InitPlan, force: boolean): boolean {
  const existed = existsSync(plan.target)
  if (existed && !force) throw new GateError(`${shownPath(plan.target)} already exists; --force overwrites it`)
  mkdirSync(path.dirname(plan.target), { recursive: true })
  writeFileSync(plan.target, plan.text)
  return existed
}

/** A path as a user typed it: relative to the current directory when below it. */
export function shownPath(file: string): string {
  const rel = path.relative(process.cwd(), file)
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file
}

/** What says which tool, from the repository root: "backend/alembic.ini", "db/migrations/". */
function evidenceLine(project: FoundProject, workingDirectory: string): string {
  const shown = path.posix.join(workingDirectory, project.evidence)
  if (project.tool !== 'sql') return shown
  return shown === '.' ? 'files in the project directory' : `${shown}/`
}

function installLine(project: FoundProject, install: PythonInstall): string {
  const where = install.dir === '.' ? '' : ` in ${install.dir}`
  switch (install.kind) {
    case 'uv':
      return `uv sync --locked (uv.lock${where})`
    case 'poetry':
      return `poetry install --no-root (poetry.lock${where})`
    case 'requirements': {
      const skipped = install.skipped.length ? `; left out: ${install.skipped.join(', ')}` : ''
      return `pip install -r ${install.file} (the main requirements file${where}${skipped})`
    }
    case 'pyproject':
      return `pip install . (pyproject.toml${where})`
    case 'minimal':
      return `pip install ${minimalPackages(project)} (no lock, requirements or installable pyproject.toml found)`
  }
}

function postgresLine(postgres: PostgresLookup): string {
  if (postgres.found) {
    const { major, image, file, kept } = postgres.found
    const inputs = postgresInputs(postgres.found)
    const set = [
      ...(inputs.version ? [`postgres-version ${inputs.version}`] : []),
      ...(inputs.image
        ? [`postgres-image ${inputs.image}${kept ? ' (its extensions kept)' : ' (a major the gate is not tested on)'}`]
        : []),
    ]
    return `${major} from ${file} (${image}): ${set.join(', ')}`
  }
  const read = postgres.without.length ? `; ${postgres.without.join(', ')} names none` : ''
  return `${DEFAULT_MAJOR}, the action's default (no compose file names a postgres image with a major${read}); set postgres-version to production's major`
}

/** origin's HEAD branch, else the branch checked out, else main. */
function defaultBranch(root: string): string {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    } catch {
      return ''
    }
  }
  const remote = git('symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD')
  if (remote) return remote.replace(/^origin\//, '')
  return git('symbolic-ref', '--quiet', '--short', 'HEAD') || 'main'
}
