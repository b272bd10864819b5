// The real PostgreSQL parser (libpg-query, compiled to WebAssembly), loaded on first use only: a
// run with lint off, or with nothing to judge, never pays for it. The module starts compiling its
// .wasm the moment it is imported, so it is imported here, dynamically, and nowhere else (the
// bundle puts it in a chunk of its own, with the .wasm beside it: scripts/bundle.mjs).
import type { Node } from 'libpg-query'

/** One statement of a text, as the parser gives it, with its own text. */
export interface ParsedSql {
  stmt: Node
  /** The statement's text, cut out of the text parsed (without the separating semicolon). */
  sql: string
  /** Lines of the text parsed before the statement's first one (0 for the first statement). */
  lineOffset: number
}

/** Parses a text that may hold several statements; throws the parser's error for a text it rejects. */
export type ParseSql = (text: string) => ParsedSql[]

let loading: Promise<ParseSql> | undefined

/** The parser, loaded once per process. */
export function loadParser(): Promise<ParseSql> {
  loading ??= (async () => {
    const imported = await import('libpg-query')
    // The package's entry is CommonJS (its `main`), which esbuild and Node hand a dynamic import as
    // the module's `default`; tools resolving its ESM build give the names themselves.
    const pg = 'loadModule' in imported ? imported : (imported as { default: typeof imported }).default
    await pg.loadModule()
    return (text: string) => {
      const parsed = pg.parseSync(text)
      return (parsed.stmts ?? []).flatMap((raw) => {
        if (!raw.stmt) return []
        // Offsets are in bytes of UTF-8, as the C parser counts them.
        const bytes = Buffer.from(text, 'utf8')
        const start = raw.stmt_location ?? 0
        const end = raw.stmt_len ? start + raw.stmt_len : bytes.length
        const sql = bytes.subarray(start, end).toString('utf8')
        // stmt_location points at the end of the previous statement's semicolon: count the lines
        // up to the statement's first character that is not blank.
        const lead = sql.length - sql.trimStart().length
        const lineOffset =
          bytes.subarray(0, start).toString('utf8').split('\n').length - 1 + (sql.slice(0, lead).split('\n').length - 1)
        return [{ stmt: raw.stmt, sql: sql.trim(), lineOffset }]
      })
    }
  })()
  return loading
}

/** Whether the parser was asked for in this process (a run with nothing to judge never asks). */
export const parserRequested = () => loading !== undefined
