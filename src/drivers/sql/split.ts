// Where the statements of a SQL text start and end. The gate never executes statements split
// here (the text goes to the server whole, as golang-migrate and dbmate send it); splitting only
// counts statements (an empty down section) and finds the statement a server error belongs to.
// The rules follow psql's lexer: quotes, E'' escapes, $tag$ bodies, nested block comments, and
// semicolons inside parentheses or a function's BEGIN ATOMIC ... END body do not end a statement.

export interface Statement {
  /** Index (UTF-16) of the statement's first character that is not whitespace or a comment. */
  start: number
  /** Index just past the statement's terminating semicolon, or the end of the text. */
  end: number
  /** The first keyword, lower case ('create', 'begin', ...). */
  keyword: string
  /** Its first words outside quotes and comments, lower case (at most WORDS_KEPT): what kind of statement it is. */
  words: string[]
}

/** Enough words to tell `ALTER TYPE x ADD VALUE` or `CREATE UNIQUE INDEX CONCURRENTLY` apart. */
const WORDS_KEPT = 8

const IDENT_START = /[A-Za-z_\u0080-\uffff]/
const IDENT_PART = /[A-Za-z0-9_$\u0080-\uffff]/

export function splitStatements(text: string): Statement[] {
  const statements: Statement[] = []
  let start = -1
  let keyword = ''
  // psql's heuristic for SQL-standard function bodies: in CREATE [OR REPLACE] FUNCTION|PROCEDURE,
  // BEGIN opens a block, CASE nests inside one, END closes one.
  let words: string[] = []
  let parens = 0
  let blocks = 0
  const finish = (end: number) => {
    if (start !== -1) statements.push({ start, end, keyword, words: words.slice(0, WORDS_KEPT) })
    start = -1
    keyword = ''
    words = []
    parens = 0
    blocks = 0
  }
  const mark = (i: number) => {
    if (start === -1) start = i
  }
  let i = 0
  while (i < text.length) {
    const c = text[i] as string
    const next = text[i + 1]
    if (c === '-' && next === '-') {
      const nl = text.indexOf('\n', i)
      i = nl === -1 ? text.length : nl + 1
      continue
    }
    if (c === '/' && next === '*') {
      i = skipBlockComment(text, i)
      continue
    }
    if (/\s/.test(c)) {
      i++
      continue
    }
    if (c === ';') {
      if (parens === 0 && blocks === 0) {
        finish(i + 1)
      }
      i++
      continue
    }
    mark(i)
    if (c === "'") {
      const escapes = i > 0 && /[eE]/.test(text[i - 1] as string) && !IDENT_PART.test(text[i - 2] ?? ' ')
      i = skipQuoted(text, i, "'", escapes)
      continue
    }
    if (c === '"') {
      i = skipQuoted(text, i, '"', false)
      continue
    }
    if (c === '$') {
      const tag = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(text.slice(i, i + 64))
      if (tag && !IDENT_PART.test(text[i - 1] ?? ' ')) {
        const close = text.indexOf(tag[0], i + tag[0].length)
        i = close === -1 ? text.length : close + tag[0].length
        continue
      }
      i++
      continue
    }
    if (c === '(') parens++
    else if (c === ')') parens = Math.max(0, parens - 1)
    if (IDENT_START.test(c)) {
      let j = i + 1
      while (j < text.length && IDENT_PART.test(text[j] as string)) j++
      const word = text.slice(i, j).toLowerCase()
      if (keyword === '') keyword = word
      words.push(word)
      if (parens === 0 && isRoutine(words)) {
        if (word === 'begin') blocks++
        else if (word === 'case' && blocks > 0) blocks++
        else if (word === 'end' && blocks > 0) blocks--
      }
      i = j
      continue
    }
    i++
  }
  finish(text.length)
  return statements
}

/** CREATE [OR REPLACE] FUNCTION|PROCEDURE: the statements whose bodies may hold BEGIN ATOMIC. */
function isRoutine(words: string[]): boolean {
  if (words[0] !== 'create') return false
  const kind = words[1] === 'or' && words[2] === 'replace' ? words[3] : words[1]
  return kind === 'function' || kind === 'procedure'
}

function skipBlockComment(text: string, i: number): number {
  let depth = 0
  while (i < text.length) {
    if (text.startsWith('/*', i)) {
      depth++
      i += 2
    } else if (text.startsWith('*/', i)) {
      depth--
      i += 2
      if (depth === 0) return i
    } else i++
  }
  return i
}

/** Past a quoted string or identifier: a doubled quote stays inside, and so does \' in an E'' string. */
function skipQuoted(text: string, i: number, quote: string, backslashEscapes: boolean): number {
  i++
  while (i < text.length) {
    const c = text[i]
    if (backslashEscapes && c === '\\') {
      i += 2
      continue
    }
    if (c === quote) {
      if (text[i + 1] === quote) {
        i += 2
        continue
      }
      return i + 1
    }
    i++
  }
  return i
}

/** Statements that end or open a transaction: a text holding one is not atomic as a whole. */
export function controlsTransactions(statements: Statement[]): boolean {
  return statements.some((s) => TRANSACTION_CONTROL.has(s.keyword))
}

const TRANSACTION_CONTROL = new Set(['begin', 'start', 'commit', 'end', 'rollback', 'abort', 'prepare'])

/**
 * Whether a text sent whole as one simple query means the same inside BEGIN ... COMMIT. The server
 * runs a text of several statements as one implicit transaction block already, in which a statement
 * that refuses transaction blocks (VACUUM, CREATE INDEX CONCURRENTLY) fails as it would in ours, and a
 * DO or CALL cannot commit: wrapping it changes nothing, unless it controls transactions itself. A
 * lone statement runs outside any block: wrapped only when it is not one that may need that.
 */
export function sameInTransaction(statements: Statement[]): boolean {
  if (controlsTransactions(statements)) return false
  if (statements.length !== 1) return true
  return !mayNeedNoTransactionBlock((statements[0] as Statement).words)
}

/**
 * Statements that cannot run in a transaction block, or behave otherwise in one, by their first
 * words (from the splitter's lexer, which skips quotes and comments): anything CONCURRENTLY; VACUUM,
 * CLUSTER, REINDEX; CREATE/DROP/ALTER of databases, tablespaces, subscriptions and the system; ALTER
 * TYPE ... ADD VALUE (refused in a block before PostgreSQL 12); DO and CALL, which may COMMIT when
 * they run alone; DISCARD ALL. Erring on "may need" only costs an incomplete lock reading.
 */
function mayNeedNoTransactionBlock(words: string[]): boolean {
  const [first, second] = words
  if (words.includes('concurrently')) return true
  if (['vacuum', 'cluster', 'reindex', 'do', 'call', 'discard', 'checkpoint'].includes(first ?? '')) return true
  if (
    ['create', 'drop', 'alter'].includes(first ?? '') &&
    ['database', 'tablespace', 'subscription', 'system'].includes(second ?? '')
  )
    return true
  return first === 'alter' && second === 'type' && words.includes('add') && words.includes('value')
}
