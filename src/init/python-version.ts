// The Python version the workflow sets up: the project's own pin where it has one (.python-version,
// pyproject.toml's requires-python or Poetry's python dependency, runtime.txt), else a default.
// Only major.minor: migrations do not care about the patch release, and setup-python always has
// the latest patch of a minor while an exact pin may be missing on the runner image.
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { readTomlTable } from '../drivers/alembic/pyproject.js'

/** The version the documented example workflow sets up (docs/examples/pull-request.yml). */
export const DEFAULT_PYTHON = '3.12'
/** The minor versions a range may pick from, oldest first (CPython releases setup-python serves). */
const MINORS = [8, 9, 10, 11, 12, 13, 14]

export interface PythonVersion {
  version: string
  /** Where it came from, for the line `init` prints: "from .python-version (3.12.1)", "the default: ...". */
  source: string
}

/** The first of `dirs` (nearest first) that pins a version decides; else the default. */
export function pythonVersion(dirs: string[], root: string): PythonVersion {
  for (const dir of dirs) {
    const found = pinIn(dir, path.relative(root, dir))
    if (found) return found
  }
  return {
    version: DEFAULT_PYTHON,
    source: 'the default: no .python-version, requires-python or runtime.txt names one',
  }
}

function pinIn(dir: string, rel: string): PythonVersion | undefined {
  const shown = (file: string) => (rel ? `${rel}/${file}` : file)
  const read = (file: string) => {
    const p = path.join(dir, file)
    return existsSync(p) ? readFileSync(p, 'utf8') : undefined
  }
  // pyenv's file: one version per line, the first wins; "3.12.1", "3.12", not "pypy3.10" or an env name.
  const pinned = read('.python-version')
    ?.split('\n')
    .map((l) => l.trim())
    .find((l) => l && !l.startsWith('#'))
  const exact = pinned && /^(\d+)\.(\d+)/.exec(pinned)
  if (exact) return { version: `${exact[1]}.${exact[2]}`, source: `from ${shown('.python-version')} (${pinned})` }
  const pyproject = read('pyproject.toml')
  if (pyproject !== undefined) {
    const requires = readTomlTable(pyproject, 'project')?.get('requires-python')
    const poetry = readTomlTable(pyproject, 'tool.poetry.dependencies')?.get('python')
    const [spec, what] = typeof requires === 'string' ? [requires, 'requires-python'] : [poetry, 'python']
    if (typeof spec === 'string') {
      const version = versionFor(spec)
      if (version) return { version, source: `from ${shown('pyproject.toml')} ${what} "${spec}"` }
    }
  }
  // Heroku's file: "python-3.11.4".
  const runtime = read('runtime.txt')?.trim()
  const heroku = runtime && /^python-(\d+)\.(\d+)/.exec(runtime)
  if (heroku) return { version: `${heroku[1]}.${heroku[2]}`, source: `from ${shown('runtime.txt')} (${runtime})` }
  return undefined
}

/**
 * The minor version a specifier allows (PEP 440 ">=3.10,<3.13", "~=3.11", "==3.11.*", Poetry's
 * "^3.11" and "~3.11"): the default when it is allowed, else the allowed one nearest to it;
 * undefined when none is (a specifier this cannot read).
 */
export function versionFor(spec: string): string | undefined {
  const tests: Array<(minor: number) => boolean> = []
  for (const clause of spec.split(',').map((c) => c.trim())) {
    if (clause === '' || clause === '*') continue
    const m = /^(>=|<=|==|!=|~=|>|<|\^|~|=)?\s*(\d+)(?:\.(\d+|\*))?(?:\.(\d+|\*))?$/.exec(clause)
    if (!m) return undefined
    tests.push(clauseTest(m[1] ?? '==', Number(m[2]), m[3], m[4]))
  }
  const allowed = MINORS.filter((n) => tests.every((t) => t(n)))
  if (allowed.length === 0) return undefined
  const preferred = Number(DEFAULT_PYTHON.split('.')[1])
  const nearest = allowed.reduce((a, b) => (Math.abs(b - preferred) < Math.abs(a - preferred) ? b : a))
  return `3.${nearest}`
}

/** Whether Python 3.<minor> (any patch) satisfies one clause `op major.minor.patch`. */
function clauseTest(op: string, major: number, minor?: string, patch?: string): (n: number) => boolean {
  const wildcard = minor === undefined || minor === '*'
  const v = wildcard ? 0 : Number(minor)
  // 3.n against major.v: by major first, then minor.
  const cmp = (n: number) => (major !== 3 ? Math.sign(3 - major) : Math.sign(n - v))
  const samePrefix = (n: number) => major === 3 && (wildcard || n === v)
  const hasPatch = patch !== undefined && patch !== '*' && Number(patch) > 0
  switch (op) {
    case '>=':
    case '>': // ">3.10" still allows 3.10.1
      return (n) => cmp(n) >= 0
    case '<=':
      return (n) => cmp(n) <= 0
    case '<': // "<3.12.1" still allows 3.12.0
      return (n) => cmp(n) < 0 || (hasPatch && cmp(n) === 0)
    case '!=':
      return (n) => !(samePrefix(n) && (patch === undefined || patch === '*'))
    case '~=': // "~=3.11" is >=3.11 within 3; "~=3.11.2" is >=3.11.2 within 3.11
      return patch === undefined ? (n) => major === 3 && cmp(n) >= 0 : samePrefix
    case '^': // Poetry: ">=3.11,<4"
      return (n) => major === 3 && cmp(n) >= 0
    case '~': // Poetry: ">=3.11,<3.12"
      return samePrefix
    default:
      return samePrefix
  }
}
