// How reports name a monorepo's project: its directory relative to the workspace (the repository
// root in the action, the current directory for the CLI), as working-directory names it.
import { isAbsolute, relative } from 'node:path'

export function projectLabel(projectDir: string, rootDir: string | undefined): string {
  if (rootDir === undefined) return projectDir
  const rel = relative(rootDir, projectDir).split('\\').join('/')
  if (rel === '') return '.'
  return rel === '..' || rel.startsWith('../') || isAbsolute(rel) ? projectDir : rel
}
