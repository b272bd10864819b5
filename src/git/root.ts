// The repository a project lives in, found without running git: the nearest directory above the
// project holding `.git` (a directory, or a file for worktrees and submodules). Reports name files
// from there, as annotations and links on GitHub do.
import { existsSync } from 'node:fs'
import path from 'node:path'

/** The project directory relative to its repository's root ('' at the root), or undefined outside one. */
export function projectPathInRepository(projectDir: string): string | undefined {
  const root = repositoryRoot(projectDir)
  return root === undefined ? undefined : path.relative(root, path.resolve(projectDir)).split(path.sep).join('/')
}

/** The absolute root of the repository holding `projectDir`, or undefined outside one. */
export function repositoryRoot(projectDir: string): string | undefined {
  let dir = path.resolve(projectDir)
  for (;;) {
    if (existsSync(path.join(dir, '.git'))) return dir
    const up = path.dirname(dir)
    if (up === dir) return undefined
    dir = up
  }
}
