// A venv with newer versions of a tool's Python packages, so a tool's tests run on two generations
// (the distro's, through /usr/bin/python3, and this one): newer-alembic.ts, newer-django.ts. An
// environment variable may name an interpreter (CI hands over setup-python's); else a venv is built
// once with pip from whatever index pip is set up for: its configured index, else its default one.
// Only when that install really fails does the caller skip, with pip's own error as the reason.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'

export interface VenvSpec {
  /** The venv's directory name under node_modules/.cache. */
  name: string
  /** What pip installs. */
  packages: string[]
  /** Python code that imports what the tests need and prints its versions. */
  probe: string
  /** What the probe imports, for messages: "alembic and sqlalchemy". */
  imports: string
  /** The variable that may name an interpreter instead (a failure, not a skip, when it does not work). */
  envVar: string
}

/** The interpreter the venv is made from: the distro's, with python3-venv (scripts/apt-deps.sh installs it). */
const BASE_PYTHON = '/usr/bin/python3'

export type NewerPython = { python: string; versions: string } | { skip: string }

type Ran = { ok: true; stdout: string } | { ok: false; error: string }

/** Runs a command to the end; on failure, the lines that say why (pip's ERROR lines, else the last lines). */
function run(command: string, args: string[], timeoutMs: number): Ran {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] })
  if (r.status === 0) return { ok: true, stdout: r.stdout }
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code
    return { ok: false, error: code === 'ETIMEDOUT' ? `timed out after ${timeoutMs / 1000} s` : r.error.message }
  }
  const lines = `${r.stderr}\n${r.stdout}`
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
  const errors = lines.filter((l) => l.startsWith('ERROR:') || l.startsWith('Error:'))
  const said = (errors.length ? errors : lines.slice(-3)).join(' | ')
  return { ok: false, error: said || (r.signal ? `killed by ${r.signal}` : `exit code ${r.status}`) }
}

function versionsOf(python: string, spec: VenvSpec): Ran {
  // Everything the packages bring: a venv built before a package joined the list is built again.
  return run(python, ['-c', spec.probe], 60_000)
}

/** The index URLs pip is configured for (config files and PIP_* variables alike), as `pip config list` shows them. */
function configuredIndexes(python: string): { index: string[]; extra: string[] } {
  const listed = run(python, ['-m', 'pip', 'config', 'list'], 60_000)
  const found = { index: [] as string[], extra: [] as string[] }
  if (!listed.ok) return found
  for (const m of listed.stdout.matchAll(/^\S*?\.(extra-)?index-url='([^']*)'$/gm)) {
    const urls = (m[2] ?? '').split(/\s+/).filter(Boolean)
    ;(m[1] ? found.extra : found.index).push(...urls)
  }
  return found
}

/**
 * The pip installs to try, in order. Where only extra indexes are configured, those alone come first:
 * pip would otherwise ask its default index too, and where that cannot be reached it retries for most
 * of a minute before using the others. Then the plain install, as pip itself would do it.
 */
function attempts(python: string): { what: string; args: string[] }[] {
  const { index, extra } = configuredIndexes(python)
  const plain = {
    what: `${index.length ? `the configured index ${index.join(' ')}` : "pip's default index"}${extra.length ? ` with ${extra.join(' ')}` : ''}`,
    args: [],
  }
  if (index.length || !extra.length) return [plain]
  const [first, ...rest] = extra
  return [
    {
      what: `the configured extra indexes alone (${extra.join(' ')})`,
      args: ['--index-url', first as string, ...rest.flatMap((u) => ['--extra-index-url', u])],
    },
    plain,
  ]
}

/** Synchronous, so a test file can decide at collection time whether its suite runs. */
export function venvPython(spec: VenvSpec): NewerPython {
  const given = process.env[spec.envVar]
  if (given) {
    // Named on purpose (CI does): an interpreter that does not work is a failure, not a skip.
    const v = versionsOf(given, spec)
    if (!v.ok) throw new Error(`${spec.envVar}=${given} cannot import ${spec.imports}: ${v.error}`)
    return { python: given, versions: v.stdout.trim() }
  }
  const venv = join(import.meta.dirname, '..', '..', 'node_modules', '.cache', spec.name)
  const python = join(venv, 'bin', 'python')
  if (existsSync(python)) {
    const v = versionsOf(python, spec)
    if (v.ok) return { python, versions: v.stdout.trim() }
    rmSync(venv, { recursive: true, force: true })
  }
  return build(spec, venv)
}

/**
 * Builds the venv in a directory of this process's own and renames it into place: test files run in
 * parallel workers, and two of them may build at once. The venv is used through bin/python only,
 * which does not mind the move (its console scripts would).
 */
function build(spec: VenvSpec, venv: string): NewerPython {
  const own = `${venv}.${process.pid}`
  rmSync(own, { recursive: true, force: true })
  mkdirSync(dirname(venv), { recursive: true })
  const made = run(BASE_PYTHON, ['-m', 'venv', own], 120_000)
  if (!made.ok) return { skip: `${BASE_PYTHON} -m venv failed (is python3-venv installed?): ${made.error}` }
  const failures: string[] = []
  for (const attempt of attempts(join(own, 'bin', 'python'))) {
    const installed = run(
      join(own, 'bin', 'python'),
      ['-m', 'pip', 'install', '-q', ...attempt.args, ...spec.packages],
      600_000,
    )
    if (installed.ok) {
      try {
        renameSync(own, venv)
      } catch {
        // Another worker's venv got there first: use that one.
        rmSync(own, { recursive: true, force: true })
      }
      const python = join(venv, 'bin', 'python')
      const v = versionsOf(python, spec)
      if (v.ok) return { python, versions: v.stdout.trim() }
      return { skip: `the venv built with pip cannot import ${spec.imports}: ${v.error}` }
    }
    failures.push(`from ${attempt.what}: ${installed.error}`)
  }
  rmSync(own, { recursive: true, force: true })
  return { skip: `pip could not install ${spec.packages.join(' ')} into a venv ${failures.join('; ')}` }
}
