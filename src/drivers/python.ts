// Finds a Python interpreter that can import a module (alembic). The `python` input wins; without it
// the usual names are tried, because on Debian only /usr/bin/python3 sees the distro's packages while a
// pyenv or venv python3 may come first on PATH.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { promisify } from 'node:util'
import { GateError } from '../errors.js'

const run = promisify(execFile)
const CANDIDATES = ['python3', '/usr/bin/python3', 'python']

async function canImport(python: string, module: string): Promise<boolean> {
  try {
    // From a neutral directory: a project's own "alembic/" script dir must not pass for the package.
    await run(python, ['-c', `import ${module}`], { cwd: tmpdir(), timeout: 30_000 })
    return true
  } catch {
    return false
  }
}

/** The interpreters tried, in order, when the `python` input is empty. */
export function pythonCandidates(cwd: string): string[] {
  // A project virtualenv is the most likely home of the project's own dependencies.
  const venvs = ['.venv/bin/python', 'venv/bin/python'].map((p) => `${cwd}/${p}`)
  return [...venvs, ...CANDIDATES]
}

export async function findPython(module: string, cwd: string, explicit?: string): Promise<string> {
  if (explicit) {
    if (explicit.includes('/') && !existsSync(explicit))
      throw new GateError(`python: ${explicit} does not exist`, 'python')
    if (await canImport(explicit, module)) return explicit
    throw new GateError(
      `python: ${explicit} cannot import ${module} (install it there, or point python at the project's interpreter)`,
      'python',
    )
  }
  for (const candidate of pythonCandidates(cwd)) {
    if (await canImport(candidate, module)) return candidate
  }
  throw new GateError(
    `python: no interpreter that can import ${module} (tried ${CANDIDATES.join(', ')}); install ${module} or set python`,
    'python',
  )
}

/** True when `python` imports one of `modules` (the PostgreSQL drivers a framework may use). */
export async function importsAny(python: string, modules: string[]): Promise<boolean> {
  for (const module of modules) if (await canImport(python, module)) return true
  return false
}
