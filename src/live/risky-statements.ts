// The statements of a migration's SQL that existing rows can make fail: SET NOT NULL, ADD COLUMN ...
// NOT NULL without a default, a unique constraint or index (a primary key is both), ALTER COLUMN ...
// TYPE; and the statements that may prepare the rows for them (an UPDATE of the column, a DELETE),
// which make a risk a note instead. Read from the text alone (no database), as PostgreSQL's grammar
// has them; anything else is left alone.
import { splitStatements } from '../drivers/sql/split.js'

/** A table as the statement names it: schema when written, names unquoted (folded to lower case unless quoted). */
export interface TableRef {
  schema?: string
  name: string
}

export type RiskyStatement =
  | { kind: 'set-not-null'; table: TableRef; column: string; text: string }
  | { kind: 'add-not-null'; table: TableRef; column: string; text: string }
  /** columns: null for an expression index, whose values the column statistics cannot tell. */
  | { kind: 'unique'; table: TableRef; columns: string[] | null; partial: boolean; text: string }
  /** using: the USING expression as written, when there is one. */
  | { kind: 'type'; table: TableRef; column: string; type: string; using?: string; text: string }
  /** Statements that change rows first: an UPDATE (the columns it sets) or a DELETE. */
  | { kind: 'update'; table: TableRef; columns: string[]; text: string }
  | { kind: 'delete'; table: TableRef; text: string }

interface Token {
  /** Lower case for a plain word; as written (unquoted) for a quoted identifier; the raw text otherwise. */
  value: string
  kind: 'word' | 'quoted' | 'string' | 'number' | 'symbol'
  start: number
  end: number
}

/** Every risky statement of `sql`, in order. */
export function riskyStatements(sql: string): RiskyStatement[] {
  const found: RiskyStatement[] = []
  for (const s of splitStatements(sql)) {
    const text = sql.slice(s.start, s.end).replace(/;\s*$/, '').trim()
    const tokens = tokenize(text)
    found.push(...readStatement(tokens, text))
  }
  return found
}

function readStatement(t: Token[], text: string): RiskyStatement[] {
  const w = (i: number) => (t[i]?.kind === 'word' ? t[i].value : undefined)
  if (w(0) === 'alter' && w(1) === 'table') return alterTable(t, text)
  if (w(0) === 'create' && w(1) === 'unique' && w(2) === 'index') return createUniqueIndex(t, text)
  if (w(0) === 'update') {
    let i = 1
    if (w(i) === 'only') i++
    const table = tableRef(t, i)
    if (!table) return []
    const set = t.findIndex((x, k) => k >= table.next && x.kind === 'word' && x.value === 'set')
    if (set < 0) return []
    // SET a = ..., b = ... names each column before its "=" at depth 0; SET (a, b) = ... names them in parentheses.
    const columns: string[] = []
    const tuple = t[set + 1]?.value === '(' ? parenthesizedNames(t, set + 1) : undefined
    if (tuple) columns.push(...tuple)
    let depth = 0
    for (let k = set + 1; k < t.length; k++) {
      const x = t[k] as Token
      if (x.kind === 'word' && depth === 0 && ['from', 'where', 'returning'].includes(x.value)) break
      if (x.value === '(') depth++
      if (x.value === ')') depth--
      if (depth === 0 && isName(x) && t[k + 1]?.value === '=') columns.push(x.value)
    }
    return [{ kind: 'update', table: table.ref, columns, text }]
  }
  if (w(0) === 'delete' && w(1) === 'from') {
    const table = tableRef(t, w(2) === 'only' ? 3 : 2)
    return table ? [{ kind: 'delete', table: table.ref, text }] : []
  }
  return []
}

/** ALTER TABLE [IF EXISTS] [ONLY] name [*] action [, action ...] */
function alterTable(t: Token[], text: string): RiskyStatement[] {
  let i = 2
  if (word(t, i) === 'if' && word(t, i + 1) === 'exists') i += 2
  if (word(t, i) === 'only') i++
  const table = tableRef(t, i)
  if (!table) return []
  i = table.next
  if (t[i]?.value === '*') i++
  const found: RiskyStatement[] = []
  for (const action of splitTopLevel(t.slice(i), ',')) {
    found.push(...alterAction(action, table.ref, text))
  }
  return found
}

function alterAction(a: Token[], table: TableRef, text: string): RiskyStatement[] {
  const w = (i: number) => word(a, i)
  if (w(0) === 'alter') {
    let i = 1
    if (w(i) === 'column') i++
    const column = a[i]
    if (!column || !isName(column)) return []
    const rest = i + 1
    if (w(rest) === 'set' && w(rest + 1) === 'not' && w(rest + 2) === 'null')
      return [{ kind: 'set-not-null', table, column: column.value, text }]
    let k = rest
    if (w(k) === 'set' && w(k + 1) === 'data') k += 2
    if (w(k) !== 'type') return []
    const typeStart = k + 1
    let typeEnd = typeStart
    while (typeEnd < a.length && !['collate', 'using'].includes(w(typeEnd) ?? '')) typeEnd++
    const first = a[typeStart]
    const last = a[typeEnd - 1]
    if (!first || !last) return []
    const type = text.slice(first.start, last.end)
    const usingAt = a.findIndex((x, j) => j >= typeEnd && x.kind === 'word' && x.value === 'using')
    const using =
      usingAt >= 0 && a[usingAt + 1] ? text.slice((a[usingAt + 1] as Token).start, (a.at(-1) as Token).end) : undefined
    return [{ kind: 'type', table, column: column.value, type, ...(using ? { using } : {}), text }]
  }
  if (w(0) !== 'add') return []
  let i = 1
  // ADD [CONSTRAINT name] UNIQUE | PRIMARY KEY (...): a table constraint.
  if (w(i) === 'constraint') i += 2
  if (w(i) === 'unique' || (w(i) === 'primary' && w(i + 1) === 'key')) {
    const primary = w(i) === 'primary'
    let k = primary ? i + 2 : i + 1
    if (w(k) === 'nulls') k += w(k + 1) === 'not' ? 3 : 2
    // UNIQUE USING INDEX name: the index exists already, built over these rows.
    if (w(k) === 'using') return []
    const columns = parenthesizedNames(a, k)
    if (!columns) return []
    const unique: RiskyStatement = { kind: 'unique', table, columns, partial: false, text }
    if (!primary) return [unique]
    return [...columns.map((column) => ({ kind: 'set-not-null' as const, table, column, text })), unique]
  }
  if (i !== 1) return []
  // ADD [COLUMN] [IF NOT EXISTS] name type [constraints]
  if (['check', 'foreign', 'exclude'].includes(w(i) ?? '')) return []
  if (w(i) === 'column') i++
  if (w(i) === 'if' && w(i + 1) === 'not' && w(i + 2) === 'exists') i += 3
  const column = a[i]
  if (!column || !isName(column)) return []
  const words = a.slice(i + 1).map((x) => (x.kind === 'word' ? x.value : ''))
  const has = (...seq: string[]) => words.some((_, j) => seq.every((s, k) => words[j + k] === s))
  // A default, a generated value or an identity fills the existing rows.
  if (has('default') || has('generated')) return []
  const notNull = has('not', 'null') || has('primary', 'key')
  const found: RiskyStatement[] = notNull ? [{ kind: 'add-not-null', table, column: column.value, text }] : []
  return found
}

/** CREATE UNIQUE INDEX [CONCURRENTLY] [[IF NOT EXISTS] name] ON [ONLY] table [USING method] ( ... ) ... [WHERE ...] */
function createUniqueIndex(t: Token[], text: string): RiskyStatement[] {
  const on = t.findIndex((x) => x.kind === 'word' && x.value === 'on')
  if (on < 0) return []
  let i = on + 1
  if (word(t, i) === 'only') i++
  const table = tableRef(t, i)
  if (!table) return []
  i = table.next
  if (word(t, i) === 'using') i += 2
  const close = closingParen(t, i)
  if (close < 0) return []
  const partial = t.slice(close + 1).some((x) => x.kind === 'word' && x.value === 'where')
  // Each element: a column, perhaps with COLLATE, an operator class, ASC/DESC, NULLS FIRST/LAST; an
  // expression is anything else.
  const columns: string[] = []
  for (const element of splitTopLevel(t.slice(i + 1, close), ',')) {
    const head = element[0]
    const nextIsCall = element[1]?.value === '(' || element[1]?.value === '.'
    if (!head || !isName(head) || nextIsCall)
      return [{ kind: 'unique', table: table.ref, columns: null, partial, text }]
    columns.push(head.value)
  }
  return [{ kind: 'unique', table: table.ref, columns, partial, text }]
}

/** A possibly schema-qualified name at `i`, and the index past it. */
function tableRef(t: Token[], i: number): { ref: TableRef; next: number } | undefined {
  const first = t[i]
  if (!first || !isName(first)) return undefined
  if (t[i + 1]?.value === '.' && t[i + 2] && isName(t[i + 2] as Token)) {
    return { ref: { schema: first.value, name: (t[i + 2] as Token).value }, next: i + 3 }
  }
  return { ref: { name: first.value }, next: i + 1 }
}

/** The names in the parentheses opening at `i`: "(a, b)"; undefined when anything else is in there. */
function parenthesizedNames(t: Token[], i: number): string[] | undefined {
  if (t[i]?.value !== '(') return undefined
  const close = closingParen(t, i)
  if (close < 0) return undefined
  const names: string[] = []
  for (const part of splitTopLevel(t.slice(i + 1, close), ',')) {
    if (part.length !== 1 || !isName(part[0] as Token)) return undefined
    names.push((part[0] as Token).value)
  }
  return names
}

function closingParen(t: Token[], open: number): number {
  if (t[open]?.value !== '(') return -1
  let depth = 0
  for (let k = open; k < t.length; k++) {
    if (t[k]?.value === '(') depth++
    if (t[k]?.value === ')' && --depth === 0) return k
  }
  return -1
}

function splitTopLevel(t: Token[], separator: string): Token[][] {
  const parts: Token[][] = [[]]
  let depth = 0
  for (const x of t) {
    if (x.value === '(') depth++
    if (x.value === ')') depth--
    if (depth === 0 && x.kind === 'symbol' && x.value === separator) parts.push([])
    else parts.at(-1)?.push(x)
  }
  return parts.filter((p) => p.length > 0)
}

const word = (t: Token[], i: number) => (t[i]?.kind === 'word' ? t[i].value : undefined)
const isName = (x: Token) => x.kind === 'word' || x.kind === 'quoted'

/** The statement's tokens, comments left out. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < text.length) {
    const c = text[i] as string
    if (/\s/.test(c)) {
      i++
      continue
    }
    if (text.startsWith('--', i)) {
      const nl = text.indexOf('\n', i)
      i = nl < 0 ? text.length : nl + 1
      continue
    }
    if (text.startsWith('/*', i)) {
      let depth = 0
      while (i < text.length) {
        if (text.startsWith('/*', i)) (depth++, (i += 2))
        else if (text.startsWith('*/', i)) {
          i += 2
          if (--depth === 0) break
        } else i++
      }
      continue
    }
    const start = i
    if (c === '"') {
      let value = ''
      i++
      while (i < text.length) {
        if (text[i] === '"' && text[i + 1] === '"') ((value += '"'), (i += 2))
        else if (text[i] === '"') break
        else value += text[i++]
      }
      i++
      tokens.push({ value, kind: 'quoted', start, end: i })
      continue
    }
    if (c === "'") {
      i++
      while (i < text.length) {
        if (text[i] === "'" && text[i + 1] === "'") i += 2
        else if (text[i] === "'") break
        else i++
      }
      i++
      tokens.push({ value: text.slice(start, i), kind: 'string', start, end: i })
      continue
    }
    const dollar = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i, i + 64))
    if (dollar) {
      const close = text.indexOf(dollar[0], i + dollar[0].length)
      i = close < 0 ? text.length : close + dollar[0].length
      tokens.push({ value: text.slice(start, i), kind: 'string', start, end: i })
      continue
    }
    const name = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/.exec(text.slice(i, i + 256))
    if (name) {
      i += name[0].length
      tokens.push({ value: name[0].toLowerCase(), kind: 'word', start, end: i })
      continue
    }
    const num = /^\d+(\.\d+)?/.exec(text.slice(i, i + 64))
    if (num) {
      i += num[0].length
      tokens.push({ value: num[0], kind: 'number', start, end: i })
      continue
    }
    // '::' stays one symbol, so a cast is not read as two separators.
    const symbol = text.startsWith('::', i) ? '::' : c
    i += symbol.length
    tokens.push({ value: symbol, kind: 'symbol', start, end: i })
  }
  return tokens
}
