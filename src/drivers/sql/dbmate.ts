// Reads a dbmate directory: one file per version, `VERSION_NAME.sql`, holding `-- migrate:up` and
// `-- migrate:down` blocks (dbmate 2 allows several up/down pairs in one file). A marker line may
// carry options; `transaction:false` runs that block outside a transaction. The parsing rules and
// error texts are dbmate's own (pkg/dbmate/migration.go), so a file dbmate refuses is refused here.
import path from 'node:path'
import { listEntries, notAFileReason } from './entries.js'
import { DBMATE_FILE, readText, relativeFile } from './files.js'
import { isBlank, lineAt, type SqlDirectory, type SqlUnit } from './model.js'
import { splitStatements } from './split.js'

const UP = /^--\s*migrate:up(?:\s*$|\s+\S+)/gm
const DOWN = /^--\s*migrate:down(?:\s*$|\s+\S+)/gm
const MISSING_UP = "dbmate requires each migration to define an up block with '-- migrate:up'"
const MISSING_DOWN = "dbmate requires each migration to define a down block with '-- migrate:down'"
const WRONG_ORDER = "dbmate requires '-- migrate:up' to appear before '-- migrate:down'"
const STATEMENT_BEFORE = "dbmate does not support statements preceding the '-- migrate:up' block"

export function readDbmate(dir: string, projectDir: string): SqlDirectory {
  const result: SqlDirectory = { format: 'dbmate', dir, migrations: [], unreadable: [] }
  for (const { name, notAFile } of listEntries(dir)) {
    const file = relativeFile(projectDir, path.join(dir, name))
    const m = DBMATE_FILE.exec(name)
    if (notAFile) {
      // Never opened (a named pipe blocks); without a version dbmate skips it by its name alone.
      if (m) result.unreadable.push({ file, line: 1, version: m[1] as string, ...notAFileReason('dbmate', notAFile) })
      continue
    }
    const decoded = m || name.endsWith('.sql') ? readText(path.join(dir, name)) : undefined
    if (!m) {
      // dbmate skips a .sql file without leading version digits; one with markers was meant to run.
      if (decoded && 'text' in decoded && /^--\s*migrate:up/m.test(decoded.text)) {
        result.unreadable.push({
          file,
          line: 1,
          reason: `its name does not start with a version, so dbmate skips it without a word and it never runs`,
          fix: `rename it VERSION_NAME.sql (\`dbmate new\` uses a UTC timestamp, e.g. 20240131120000_${name})`,
        })
      }
      continue
    }
    const version = m[1] as string
    if (!decoded || 'problem' in decoded) {
      const problem = decoded && 'problem' in decoded ? decoded.problem : 'cannot be read'
      result.unreadable.push({
        file,
        line: 1,
        version,
        reason: `it ${problem}, so PostgreSQL refuses it`,
        fix: 'save it as UTF-8',
      })
      continue
    }
    const parsed = parseDbmate(decoded.text, file)
    if ('error' in parsed) {
      result.unreadable.push({
        file,
        line: parsed.line,
        version,
        reason: `dbmate refuses it: "${parsed.error}"`,
        fix: parsed.fix,
      })
      continue
    }
    const label = name.slice(version.length, -'.sql'.length).replace(/^[_-]+/, '')
    // An empty -- migrate:down block runs (as nothing), like an Alembic downgrade that only says
    // `pass`: the replay judges it by what the upgrade did.
    result.migrations.push({ version, name: label, file, up: parsed.up, down: parsed.down })
  }
  return result
}

export type ParsedDbmate = { up: SqlUnit[]; down: SqlUnit[] } | { error: string; line: number; fix: string }

/** Splits a dbmate file into its up and down blocks, each with its options; or dbmate's own error. */
export function parseDbmate(text: string, file: string): ParsedDbmate {
  const ups = [...text.matchAll(UP)].map((x) => x.index)
  const downs = [...text.matchAll(DOWN)].map((x) => x.index)
  const first = ups[0]
  if (first === undefined) {
    return { error: MISSING_UP, line: 1, fix: 'start the file with a `-- migrate:up` line' }
  }
  const before = splitStatements(text.slice(0, first))[0]
  if (before) {
    return {
      error: STATEMENT_BEFORE,
      line: lineAt(text, before.start),
      fix: 'move the statement below `-- migrate:up`',
    }
  }
  const early = downs.find((d) => d < first)
  if (early !== undefined) {
    return {
      error: WRONG_ORDER,
      line: lineAt(text, early),
      fix: 'put the `-- migrate:down` block after the `-- migrate:up` block',
    }
  }
  const up: SqlUnit[] = []
  const down: SqlUnit[] = []
  for (const [i, start] of ups.entries()) {
    const end = ups[i + 1] ?? text.length
    const inside = downs.filter((d) => d > start && d < end)
    const split = inside[0]
    // dbmate reports a section with two down markers as a missing up block.
    if (inside.length > 1) {
      return {
        error: MISSING_UP,
        line: lineAt(text, inside[1] as number),
        fix: 'add the `-- migrate:up` line it lacks',
      }
    }
    if (split === undefined) {
      // An indented marker is no marker to dbmate: it would run the "down" SQL as part of the up.
      const indented = /^[ \t]+--\s*migrate:down\b/m.exec(text.slice(start, end))
      if (indented) {
        const line = lineAt(text, start + indented.index)
        return {
          error: MISSING_DOWN,
          line,
          fix: `the \`-- migrate:down\` on line ${line} is indented, and dbmate only reads markers that start a line: remove the indentation`,
        }
      }
      return {
        error: MISSING_DOWN,
        line: lineAt(text, start),
        fix: 'add a `-- migrate:down` block that undoes the up block',
      }
    }
    up.push(block(text, start, split, file))
    down.push(block(text, split, end, file))
  }
  return { up, down }
}

/** One block, from its marker line (a comment, harmless to send) to the next marker. */
function block(text: string, start: number, end: number, file: string): SqlUnit {
  const body = text.slice(start, end)
  return {
    text: body,
    file,
    line: lineAt(text, start),
    transactional: options(body).get('transaction') !== 'false',
    statements: splitStatements(body).length,
    // What follows the marker line: the marker itself is a comment the tool always sends.
    empty: isBlank(body.slice(body.indexOf('\n') + 1 || body.length)),
  }
}

/** The marker line's `key:value` options, as dbmate reads them. */
function options(body: string): Map<string, string> {
  const first = (body.split('\n', 1)[0] ?? '').replace(/^--\s*migrate:(up|down)/, '').trim()
  const found = new Map<string, string>()
  if (!first) return found
  for (const pair of first.split(/\s+/)) {
    const kv = pair.split(':')
    if (kv.length === 2) found.set(kv[0] as string, kv[1] as string)
  }
  return found
}
