// How the workflow installs the project's Python dependencies (env.py imports the app, its models
// and a database driver), from what the project has, nearest directory first: uv.lock, poetry.lock,
// a requirements file, an installable pyproject.toml; else the bare minimum, with a warning.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { readTomlTable } from '../drivers/alembic/pyproject.js'

export type InstallKind = 'uv' | 'poetry' | 'requirements' | 'pyproject' | 'minimal'

export interface PythonInstall {
  kind: InstallKind
  /** The directory to run it in, relative to the repository root ('.' at the root). */
  dir: string
  /** The file that decided it, relative to `dir` (uv.lock, requirements/base.txt); none for minimal. */
  file?: string
  /** Other requirements files seen and left out (dev, test...), for the line `init` prints. */
  skipped: string[]
}

/** Requirements files that install tooling, not the app: never "the main one". */
const NOT_MAIN = /(^|[-_./])(dev|devel|develop|test|tests|testing|lint|docs?|ci|local|typing|mypy)([-_.]|$)/i
/** Among the others, these names say "the app's own", in this order. */
const MAIN_NAMES = ['base', 'main', 'prod', 'production', 'common', 'app', 'runtime']

export function pythonInstall(dirs: string[], root: string): PythonInstall {
  for (const dir of dirs) {
    const rel = path.relative(root, dir).split(path.sep).join('/') || '.'
    const at = (f: string) => existsSync(path.join(dir, f))
    if (at('uv.lock')) return { kind: 'uv', dir: rel, file: 'uv.lock', skipped: [] }
    if (at('poetry.lock')) return { kind: 'poetry', dir: rel, file: 'poetry.lock', skipped: [] }
    const requirements = requirementsFiles(dir)
    const main = mainRequirements(requirements)
    if (main) return { kind: 'requirements', dir: rel, file: main, skipped: requirements.filter((f) => f !== main) }
    if (installable(path.join(dir, 'pyproject.toml')))
      return { kind: 'pyproject', dir: rel, file: 'pyproject.toml', skipped: [] }
  }
  return { kind: 'minimal', dir: '.', skipped: [] }
}

/** requirements*.txt beside the project, and *.txt in a requirements/ directory. */
function requirementsFiles(dir: string): string[] {
  const txt = (d: string) => {
    try {
      return readdirSync(d)
        .filter((f) => f.endsWith('.txt') && statSync(path.join(d, f)).isFile())
        .sort()
    } catch {
      return []
    }
  }
  const here = txt(dir).filter((f) => f.startsWith('requirements'))
  const nested = txt(path.join(dir, 'requirements')).map((f) => `requirements/${f}`)
  return [...here, ...nested]
}

/** requirements.txt; else a base/main/prod one; else the first that is not dev or test tooling. */
export function mainRequirements(files: string[]): string | undefined {
  if (files.includes('requirements.txt')) return 'requirements.txt'
  const candidates = files.filter((f) => !NOT_MAIN.test(f.replace(/^requirements\/?/, '').replace(/\.txt$/, '')))
  const stem = (f: string) => path.posix.basename(f, '.txt').replace(/^requirements[-_]?/, '')
  for (const name of MAIN_NAMES) {
    const hit = candidates.find((f) => stem(f) === name)
    if (hit) return hit
  }
  return candidates[0]
}

/** A pyproject.toml pip can install: it declares a [project] or a [build-system]. */
function installable(file: string): boolean {
  if (!existsSync(file)) return false
  const text = readFileSync(file, 'utf8')
  return readTomlTable(text, 'project') !== undefined || readTomlTable(text, 'build-system') !== undefined
}
