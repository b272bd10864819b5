// Roles, tablespaces and databases belong to the whole server, not to one database. Stairway slices
// replay side by side on databases of one server, so two of them creating or dropping the same role
// would collide ("role ... already exists") where one database passes. Before slicing, the migration
// files are read for such statements; where one appears, auto stays on one database.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { RevisionGraph } from '../drivers/driver.js'

/**
 * CREATE/ALTER/DROP of a role, user (not a user mapping), group, tablespace or database, ALTER
 * SYSTEM, and COMMENT ON / GRANT ... ON / REVOKE ... ON DATABASE (a database's comment and ACL live
 * in shared catalogs, and the database named is usually not the one the migration runs in), where a
 * statement starts: at a line's start, after a quote, a bracket, a semicolon, $$ or a
 * PL/pgSQL keyword (so `op.execute("CREATE ROLE ...")`, `EXECUTE format('DROP ROLE %I', ...)` and
 * `DO $$ BEGIN CREATE ROLE ...` count, and `ALTER TABLE t DROP role` does not).
 */
const SERVER_WIDE = new RegExp(
  String.raw`(?:^|[;'"(]|\$\$|\b(?:BEGIN|THEN|ELSE|LOOP|EXECUTE)\b)[ \t]*` +
    String.raw`((?:CREATE|ALTER|DROP)\s+(?:ROLE|GROUP|TABLESPACE|DATABASE)\b|(?:CREATE|ALTER|DROP)\s+USER\b(?!\s+MAPPING)|ALTER\s+SYSTEM\b` +
    // The privileges between GRANT/REVOKE and ON stay within one statement and one string literal.
    String.raw`|COMMENT\s+ON\s+DATABASE\b|(?:GRANT|REVOKE)\b[^;'"]*?\bON\s+DATABASE\b)`,
  'im',
)

/** CREATE/ALTER/DROP of a role, user or group, where a statement starts (as SERVER_WIDE). */
const ROLE_STATEMENT = new RegExp(
  String.raw`(?:^|[;'"(]|\$\$|\b(?:BEGIN|THEN|ELSE|LOOP|EXECUTE)\b)[ \t]*` +
    String.raw`((?:CREATE|ALTER|DROP)\s+(?:ROLE|GROUP)\b|(?:CREATE|ALTER|DROP)\s+USER\b(?!\s+MAPPING))`,
  'im',
)

/** The text with its comments (and a Python module's docstring: a Python revision's message) blanked, lines kept. */
function withoutProse(name: string, text: string): string {
  const blank = (m: string) => m.replace(/[^\n]/g, ' ')
  if (/\.py$/i.test(name)) {
    return text
      .replace(/^(?:[ \t]*(?:#[^\n]*)?\n)*[ \t]*[rRuU]?("""|\'\'\')[\s\S]*?\1/, blank)
      .replace(/#[^\n]*/g, blank)
  }
  return text.replace(/--[^\n]*/g, blank).replace(/\/\*[\s\S]*?\*\//g, blank)
}

export interface ServerWideStatement {
  /** The file, relative to the project directory. */
  file: string
  line: number
  text: string
}

/**
 * The first statement on server-wide objects in the files next to the revisions (the revision files,
 * their down files, helper modules beside them), or null. Read as text, comments and the module
 * docstring left out; a statement built from pieces ("CREATE " + "ROLE") is not seen.
 */
export function findServerWideStatement(projectDir: string, graph: RevisionGraph): ServerWideStatement | null {
  return findStatement(projectDir, graph, SERVER_WIDE)
}

/** The first statement on roles (CREATE/ALTER/DROP ROLE, USER, GROUP), read as findServerWideStatement reads. */
export function findRoleStatement(projectDir: string, graph: RevisionGraph): ServerWideStatement | null {
  return findStatement(projectDir, graph, ROLE_STATEMENT)
}

function findStatement(projectDir: string, graph: RevisionGraph, pattern: RegExp): ServerWideStatement | null {
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
      const code = withoutProse(name, text)
      const m = pattern.exec(code)
      if (!m?.[1]) continue
      const at = m.index + m[0].length - m[1].length
      const line = code.slice(0, at).split('\n').length
      return { file: path.posix.join(dir, name), line, text: m[1].replace(/\s+/g, ' ').toUpperCase() }
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
