// working-directory as a list, for monorepos: one directory per line (the CLI: one per argument),
// globs allowed. Each line names existing directories or is an error naming it: a glob that matches
// nothing, or a directory that is not there, must never pass silently by judging fewer projects.
import { readdirSync, statSync } from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'
import { GateError } from './errors.js'
import { globToRegExp } from './git/glob.js'

const INPUT = 'working-directory'
const GLOB_CHARS = /[*?[{]/

/** The lines of a working-directory value (blank lines and surrounding spaces dropped). */
export function projectLines(text: string): string[] {
  return text
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean)
}

/**
 * The project directories, absolute, sorted and without repeats; globs expanded against `cwd`
 * (directories only). One plain line is returned as is: whether it is a directory is checked when
 * the run starts, as it always was.
 */
export function projectDirs(text: string, cwd: string = process.cwd()): string[] {
  const lines = projectLines(text)
  if (lines.length === 0) return [resolve(cwd, '.')]
  const only = lines[0] as string
  if (lines.length === 1 && !GLOB_CHARS.test(only)) return [resolve(cwd, only)]
  const dirs = new Set<string>()
  for (const line of lines) {
    if (!GLOB_CHARS.test(line)) {
      const dir = resolve(cwd, line)
      if (!isDirectory(dir)) throw new GateError(`${INPUT}: ${line} is not a directory`, INPUT)
      dirs.add(dir)
      continue
    }
    const found = expandGlob(line, cwd)
    if (found.length === 0) throw new GateError(`${INPUT}: ${line} matches no directory`, INPUT)
    for (const dir of found) dirs.add(dir)
  }
  return [...dirs].sort()
}

/**
 * The directories a glob names: `*` and `?` within one path segment, `{a,b}` alternatives, `**` any
 * number of directories. Wildcards skip hidden directories and node_modules (a shell's `*` skips the
 * hidden ones too; node_modules holds packages, not the repository's projects).
 */
function expandGlob(glob: string, cwd: string): string[] {
  const start = isAbsolute(glob) ? '/' : cwd
  const segments = glob.split('/').filter((s) => s !== '' && s !== '.')
  let current = [start]
  for (const segment of segments) {
    const next: string[] = []
    for (const dir of current) {
      if (segment === '**') next.push(dir, ...descendants(dir))
      else if (!GLOB_CHARS.test(segment)) {
        const child = resolve(dir, segment)
        if (isDirectory(child)) next.push(child)
      } else {
        // One segment: no `/` in it, so the path glob's regular expression matches names alone.
        const re = globToRegExp(segment)
        for (const name of childDirs(dir)) if (re.test(name)) next.push(join(dir, name))
      }
    }
    current = [...new Set(next)]
  }
  return current.filter(isDirectory)
}

/** Subdirectories a wildcard may match: hidden ones and node_modules left out. */
function childDirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules')
      .map((e) => e.name)
  } catch {
    return []
  }
}

function descendants(dir: string): string[] {
  const out: string[] = []
  for (const name of childDirs(dir)) {
    const child = join(dir, name)
    out.push(child, ...descendants(child))
  }
  return out
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory()
  } catch {
    return false
  }
}
