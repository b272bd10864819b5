// Where the migration projects are when working-directory is not one: run from a repository root
// whose project sits in backend/, a new user gets "no alembic.ini" and nothing to go on. A bounded
// walk below the directory finds alembic.ini files, SQL migration directories and Django's manage.py, so the error can
// name them and the working-directory to set.
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { formatOf } from './sql/files.js'

export interface ProjectBelow {
  /** The working-directory to set, relative to the directory searched ('.' is never returned). */
  workingDirectory: string
  /** What was found there: "backend/alembic.ini", "db/migration (golang-migrate)". */
  found: string
}

const SKIP = new Set(['node_modules', '.git', '.venv', 'venv', '__pycache__', 'site-packages', 'dist', 'build', '.tox'])
const MAX_DEPTH = 4
const MAX_DIRS = 3000

export function projectsBelow(root: string, limit = 5): ProjectBelow[] {
  const found: ProjectBelow[] = []
  const queue: Array<{ dir: string; depth: number }> = [{ dir: root, depth: 0 }]
  let seen = 0
  while (queue.length > 0 && found.length < limit && seen < MAX_DIRS) {
    const { dir, depth } = queue.shift() as { dir: string; depth: number }
    seen++
    let entries
    try {
      entries = readdirSync(dir, { withFileTypes: true })
    } catch {
      continue
    }
    const rel = path.relative(root, dir).split(path.sep).join('/')
    const names = entries.filter((e) => e.isFile()).map((e) => e.name)
    if (rel !== '' && names.includes('alembic.ini')) {
      // Flask-Migrate keeps alembic.ini in migrations/: the project is the directory above.
      const project = path.posix.basename(rel) === 'migrations' ? path.posix.dirname(rel) : rel
      found.push({ workingDirectory: project === '' ? '.' : project, found: `${rel}/alembic.ini` })
    } else if (rel !== '' && names.includes('manage.py')) {
      // A Django project: manage.py sits in the project's root, its apps below it.
      found.push({ workingDirectory: rel, found: `${rel}/manage.py` })
      continue
    } else if (rel !== '') {
      const format = formatOf(names)
      if (format && names.some((n) => n.endsWith('.sql'))) {
        found.push({ workingDirectory: rel, found: `${rel} (${format})` })
        continue
      }
    }
    if (depth >= MAX_DEPTH) continue
    for (const e of entries) {
      if (e.isDirectory() && !SKIP.has(e.name) && !e.name.startsWith('.'))
        queue.push({ dir: path.join(dir, e.name), depth: depth + 1 })
    }
  }
  return found.filter((p) => p.workingDirectory !== '.')
}

/** "; below it: backend/alembic.ini (working-directory: backend), ..." or '' when nothing is there. */
export function projectsBelowHint(root: string): string {
  const below = projectsBelow(root)
  if (below.length === 0) return ''
  return `; below it: ${below.map((p) => `${p.found} (working-directory: ${p.workingDirectory})`).join(', ')}`
}
