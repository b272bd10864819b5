// Where `init` looks for a project's Python and Docker files: the project directory first, then
// each directory above it up to the repository root. A project in backend/ often keeps its
// requirements.txt beside alembic.ini, but its .python-version or docker-compose.yml at the root.
import path from 'node:path'

/** Absolute directories from `projectDir` up to `root` (both included); only `projectDir` when root is undefined. */
export function dirsUpToRoot(projectDir: string, root: string | undefined): string[] {
  const dirs = [path.resolve(projectDir)]
  if (root === undefined) return dirs
  const top = path.resolve(root)
  let dir = dirs[0] as string
  while (dir !== top) {
    const up = path.dirname(dir)
    if (up === dir || path.relative(top, up).startsWith('..')) break
    dirs.push(up)
    dir = up
  }
  return dirs
}
