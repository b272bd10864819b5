// Roles, tablespaces and databases belong to the whole server, not to one database. Stairway slices
// replay side by side on databases of one server, so two of them creating or dropping the same role
// would collide ("role ... already exists") where one database passes. Before slicing, the migration
// files are read for such statements; where one appears, auto stays on one database.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { RevisionGraph } from '../drivers/driver.js'

/** CREATE/ALTER/DROP of a role, user (not a user mapping), group, tablespace or database; ALTER SYSTEM. */
const SERVER_WIDE =
  /\b(?:CREATE|ALTER|DROP)\s+(?:ROLE|GROUP|TABLESPACE|DATABASE)\b|\b(?:CREATE|ALTER|DROP)\s+USER\b(?!\s+MAPPING)|\bALTER\s+SYSTEM\b/i

export interface ServerWideStatement {
  /** The file, relative to the project directory. */
  file: string
  line: number
  text: string
}

/**
 * The first statement on server-wide objects in the files next to the revisions (the revision files,
 * their down files, helper modules beside them), or null. Text, not parsed: a comment that mentions
 * CREATE ROLE also counts, which only costs speed.
 */
export function findServerWideStatement(projectDir: string, graph: RevisionGraph): ServerWideStatement | null {
  const dirs = [...new Set(graph.nodes.map((n) => path.posix.dirname(n.file)))].sort()
  for (const dir of dirs) {
    let names: string[]
    try {
      names = readdirSync(path.join(projectDir, dir)).sort()
    } catch {
      continue
    }
    for (const name of names) {
      if (!/\.(py|sql)$/i.test(name)) continue
      let text: string
      try {
        text = readFileSync(path.join(projectDir, dir, name), 'utf8')
      } catch {
        continue
      }
      const m = SERVER_WIDE.exec(text)
      if (!m) continue
      const line = text.slice(0, m.index).split('\n').length
      return { file: path.posix.join(dir, name), line, text: m[0].replace(/\s+/g, ' ') }
    }
  }
  return null
}

/**
 * The number of databases to use: auto (`explicit` false) stays on one where a server-wide statement
 * was found; an explicit count is kept, with a note saying what may go wrong.
 */
export function workersGiven(
  wanted: number,
  explicit: boolean,
  shared: ServerWideStatement | null,
): { workers: number; note?: string } {
  if (wanted <= 1 || !shared) return { workers: Math.max(1, wanted) }
  const where = `${shared.file}:${shared.line} (${shared.text})`
  if (!explicit) {
    return {
      workers: 1,
      note: `stairway on one database: ${where} touches objects every database of the server shares, which databases side by side would trip over`,
    }
  }
  return {
    workers: wanted,
    note: `replay-workers: ${wanted} kept although ${where} touches objects every database of the server shares; if the slices trip over each other ("already exists"), use 1`,
  }
}
