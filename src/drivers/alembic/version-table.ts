// Where Alembic keeps the applied revisions: env.py's context.configure(version_table=...,
// version_table_schema=...), read statically (no Python, no import of the project). Values that are
// not literals (read from settings at run time) cannot be known here: the defaults are used and a
// note says so.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { VersionTable } from '../live-table.js'
import type { AlembicConfig } from './config.js'
import { evaluate, splitTopLevel } from './literals.js'
import { logicalLines, normalizeNewlines, PySyntaxError, type Token } from './pytokens.js'

const KEYS = ['version_table', 'version_table_schema'] as const
type Key = (typeof KEYS)[number]

export interface AlembicVersionTable extends VersionTable {
  /** What could not be read statically, for a note. */
  notes: string[]
}

export function alembicVersionTable(config: AlembicConfig): AlembicVersionTable {
  let source: string
  try {
    source = readFileSync(join(config.scriptLocation, 'env.py'), 'utf8')
  } catch {
    return { table: 'alembic_version', notes: [] }
  }
  return versionTableOf(source)
}

/** The version table env.py's configure() calls name, from its source. */
export function versionTableOf(source: string): AlembicVersionTable {
  const notes: string[] = []
  const found: Partial<Record<Key, Set<string>>> = {}
  let lines
  try {
    lines = logicalLines(normalizeNewlines(source))
  } catch (error) {
    if (!(error instanceof PySyntaxError)) throw error
    return {
      table: 'alembic_version',
      notes: [`env.py could not be read (${error.message}): the version table is taken to be alembic_version`],
    }
  }
  for (const line of lines) {
    for (const args of configureCalls(line.tokens)) {
      for (const arg of splitTopLevel(args, ',')) {
        const [name, eq, ...rest] = arg
        if (name?.kind !== 'name' || eq?.text !== '=' || !(KEYS as readonly string[]).includes(name.text)) continue
        const key = name.text as Key
        const value = evaluate(rest)
        if ('literal' in value && typeof value.literal === 'string') (found[key] ??= new Set()).add(value.literal)
        else if (!('literal' in value && value.literal === null)) {
          notes.push(
            `env.py gives context.configure() ${key}=${'notLiteral' in value ? value.notLiteral : 'a sequence'}, which is known only when it runs: the live check reads ${key === 'version_table' ? 'the table alembic_version' : 'the version table through the search_path'}`,
          )
        }
      }
    }
  }
  const one = (key: Key): string | undefined => {
    const values = [...(found[key] ?? [])]
    if (values.length > 1)
      notes.push(
        `env.py's configure() calls give ${key} ${values.length} values (${values.join(', ')}); the live check reads ${values[values.length - 1]}`,
      )
    return values[values.length - 1]
  }
  const table = one('version_table') ?? 'alembic_version'
  const schema = one('version_table_schema')
  return { table, ...(schema ? { schema } : {}), notes }
}

/** The argument tokens of each `configure(...)` call in a logical line (context.configure or a bare configure). */
function configureCalls(tokens: Token[]): Token[][] {
  const calls: Token[][] = []
  for (let i = 0; i < tokens.length - 1; i++) {
    if (tokens[i]!.text !== 'configure' || tokens[i]!.kind !== 'name' || tokens[i + 1]!.text !== '(') continue
    let depth = 0
    for (let j = i + 1; j < tokens.length; j++) {
      const t = tokens[j]!
      if (t.kind !== 'op') continue
      if ('([{'.includes(t.text)) depth++
      else if (')]}'.includes(t.text) && --depth === 0) {
        calls.push(tokens.slice(i + 2, j))
        break
      }
    }
  }
  return calls
}
