// A Python tokenizer, just enough to read revision headers without running Python: strings (every
// prefix and quote style, f-strings with nested quotes), comments, brackets across lines, backslash
// continuations, and logical lines. It is not a parser: it catches what breaks tokenizing (an
// unterminated string, an unclosed bracket, a stray character) and leaves the rest of Python's
// grammar to Alembic itself (the cross-check reports what only Python sees).

export type TokenKind = 'name' | 'string' | 'number' | 'op'

export interface Token {
  kind: TokenKind
  text: string
  /** Offset into the normalized source (\r\n and \r turned into \n). */
  offset: number
  /** Strings only: the decoded value; undefined for f-strings, whose value needs Python. */
  value?: string
  /** Strings only: the lower-cased prefix (r, b, f, rb, ...). */
  prefix?: string
}

/** One logical line: a statement (or several joined by ';'), brackets and continuations folded in. */
export interface LogicalLine {
  tokens: Token[]
  /** True when the line starts in column 0: a module-level statement. */
  topLevel: boolean
}

export class PySyntaxError extends Error {
  readonly offset: number
  /** A fix more specific than "fix the syntax", when the cause is known. */
  readonly fix: string | undefined
  constructor(message: string, offset: number, fix?: string) {
    super(message)
    this.name = 'PySyntaxError'
    this.offset = offset
    this.fix = fix
  }
}

/** Python reads \r\n and lone \r as \n; doing the same keeps offsets and line numbers simple. */
export function normalizeNewlines(source: string): string {
  return source.includes('\r') ? source.replace(/\r\n?/g, '\n') : source
}

/** 1-based line of an offset. `starts` comes from lineStarts(). */
export function lineAt(starts: number[], offset: number): number {
  let lo = 0
  let hi = starts.length - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if ((starts[mid] ?? 0) <= offset) lo = mid
    else hi = mid - 1
  }
  return lo + 1
}

export function lineStarts(source: string): number[] {
  const starts = [0]
  for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) starts.push(i + 1)
  return starts
}

const OPS3 = new Set(['**=', '//=', '>>=', '<<=', '...'])
const OPS2 = new Set([
  '->',
  ':=',
  '==',
  '!=',
  '<=',
  '>=',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '@=',
  '**',
  '//',
  '<<',
  '>>',
])
const OPS1 = new Set([
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  ':',
  ';',
  '.',
  '=',
  '+',
  '-',
  '*',
  '/',
  '%',
  '&',
  '|',
  '^',
  '~',
  '<',
  '>',
  '@',
  '!',
])
const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' }
// Every prefix Python accepts (t-strings are 3.14's template strings).
const STRING_PREFIXES = new Set(['r', 'u', 'b', 'f', 't', 'br', 'rb', 'fr', 'rf', 'tr', 'rt'])

const isNameStart = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 0x80
const isNameChar = (c: number): boolean => isNameStart(c) || (c >= 48 && c <= 57)
const isDigit = (c: number): boolean => c >= 48 && c <= 57

// A line starting with 7 of <, = or > then a space or the end of the line: `<<<<<<< HEAD`, `=======`.
const CONFLICT_MARKER = /^(<{7}|={7}|>{7})( |\n|$)/

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '\n': '',
}

/** Splits normalized source into logical lines. Throws PySyntaxError where tokenizing fails. */
export function logicalLines(src: string): LogicalLine[] {
  const lines: LogicalLine[] = []
  const brackets: { ch: string; offset: number }[] = []
  let tokens: Token[] = []
  let topLevel = true
  let i = 0
  const n = src.length

  const indents = { stack: [0], expectBlock: false }
  const endLine = (): void => {
    checkIndent(src, tokens, indents)
    lines.push({ tokens, topLevel })
    tokens = []
  }
  const push = (token: Token): void => {
    if (tokens.length === 0) topLevel = token.offset === 0 || src.charCodeAt(token.offset - 1) === 10
    tokens.push(token)
  }

  while (i < n) {
    const c = src.charCodeAt(i)
    const ch = src[i] as string
    if (c === 10) {
      // A newline ends the logical line unless a bracket is open.
      if (brackets.length === 0 && tokens.length > 0) {
        endLine()
      }
      i++
    } else if (c === 32 || c === 9 || c === 12) {
      i++
    } else if (c === 35) {
      const end = src.indexOf('\n', i)
      i = end === -1 ? n : end
    } else if (c === 92) {
      if (src.charCodeAt(i + 1) !== 10)
        throw new PySyntaxError('unexpected character after line continuation character', i)
      i += 2
    } else if (
      (c === 60 || c === 61 || c === 62) &&
      (i === 0 || src.charCodeAt(i - 1) === 10) &&
      CONFLICT_MARKER.test(src.slice(i, i + 8))
    ) {
      // Git leaves these when a merge conflict is committed unresolved; Python rejects them.
      throw new PySyntaxError(
        `unresolved merge conflict marker '${src.slice(i, i + 7)}'`,
        i,
        'resolve the merge conflict and delete the markers (for a conflict over down_revision: keep one parent and merge heads if both branches stay)',
      )
    } else if (c === 0) {
      throw new PySyntaxError('source code contains a NUL byte (a binary file?)', i)
    } else if (isNameStart(c)) {
      let j = i + 1
      while (j < n && isNameChar(src.charCodeAt(j))) j++
      const word = src.slice(i, j)
      const next = src[j]
      if ((next === '"' || next === "'") && STRING_PREFIXES.has(word.toLowerCase())) {
        const str = scanString(src, j, word.toLowerCase(), i)
        push(str.token)
        i = str.end
      } else {
        push({ kind: 'name', text: word, offset: i })
        i = j
      }
    } else if (ch === '"' || ch === "'") {
      const str = scanString(src, i, '', i)
      push(str.token)
      i = str.end
    } else if (isDigit(c) || (c === 46 && isDigit(src.charCodeAt(i + 1)))) {
      let j = i + 1
      while (j < n && (isNameChar(src.charCodeAt(j)) || src.charCodeAt(j) === 46)) j++
      push({ kind: 'number', text: src.slice(i, j), offset: i })
      i = j
    } else {
      const op = OPS3.has(src.slice(i, i + 3))
        ? src.slice(i, i + 3)
        : OPS2.has(src.slice(i, i + 2))
          ? src.slice(i, i + 2)
          : OPS1.has(ch)
            ? ch
            : undefined
      if (op === undefined)
        throw new PySyntaxError(`invalid character '${ch}' (U+${c.toString(16).toUpperCase().padStart(4, '0')})`, i)
      if (op === '(' || op === '[' || op === '{') brackets.push({ ch: op, offset: i })
      else if (op in CLOSERS) {
        const open = brackets.pop()
        if (!open) throw new PySyntaxError(`unmatched '${op}'`, i)
        if (open.ch !== CLOSERS[op]) throw new PySyntaxError(`closing '${op}' does not match '${open.ch}'`, i)
      }
      push({ kind: 'op', text: op, offset: i })
      i += op.length
    }
  }
  const open = brackets.pop()
  if (open) throw new PySyntaxError(`'${open.ch}' was never closed`, open.offset)
  if (tokens.length > 0) endLine()
  if (indents.expectBlock) throw new PySyntaxError('expected an indented block at the end of the file', n)
  return lines
}

/**
 * Python's INDENT/DEDENT rules, which its tokenizer enforces before any grammar: a block after a
 * line ending in ':' must be indented, nothing else may be, and a dedent must return to an
 * enclosing level. Tabs count to the next multiple of 8, as in Python.
 */
function checkIndent(src: string, tokens: Token[], indents: { stack: number[]; expectBlock: boolean }): void {
  const first = tokens[0] as Token
  let start = first.offset
  while (start > 0 && src.charCodeAt(start - 1) !== 10) start--
  let width = 0
  for (let k = start; k < first.offset; k++) {
    const c = src.charCodeAt(k)
    width = c === 9 ? (Math.floor(width / 8) + 1) * 8 : c === 12 ? 0 : width + 1
  }
  const top = indents.stack[indents.stack.length - 1] as number
  if (indents.expectBlock) {
    if (width <= top) throw new PySyntaxError('expected an indented block', first.offset)
    indents.stack.push(width)
  } else if (width > top) {
    throw new PySyntaxError('unexpected indent', first.offset)
  } else {
    while (width < (indents.stack[indents.stack.length - 1] as number)) indents.stack.pop()
    if (width !== indents.stack[indents.stack.length - 1])
      throw new PySyntaxError('unindent does not match any outer indentation level', first.offset)
  }
  const last = tokens[tokens.length - 1] as Token
  indents.expectBlock = last.kind === 'op' && last.text === ':'
}

/**
 * Scans one string literal whose opening quote is at `q`. Raw strings keep backslashes; f-strings are
 * scanned through their replacement fields (which may hold strings in the same quotes since 3.12).
 */
function scanString(src: string, q: number, prefix: string, start: number): { token: Token; end: number } {
  const quote = src[q] as string
  const triple = src.startsWith(quote.repeat(3), q)
  const delim = triple ? quote.repeat(3) : quote
  const raw = prefix.includes('r')
  const formatted = prefix.includes('f') || prefix.includes('t')
  const q0 = quote.charCodeAt(0)
  // The value is built from slices between escapes, not character by character: docstrings and SQL
  // strings are most of a revision file.
  let value = ''
  let j = q + delim.length
  let from = j
  const n = src.length
  for (;;) {
    // Skip plain characters in one go.
    let c = src.charCodeAt(j)
    while (j < n && c !== q0 && c !== 92 && c !== 10 && !(formatted && c === 123)) c = src.charCodeAt(++j)
    if (j >= n) throw new PySyntaxError(`unterminated ${triple ? 'triple-quoted ' : ''}string literal`, start)
    value += src.slice(from, j)
    if (c === q0 && (!triple || src.startsWith(delim, j))) {
      j += delim.length
      break
    }
    if (c === 10 && !triple) throw new PySyntaxError('unterminated string literal', start)
    if (c === 92) {
      if (j + 1 >= n) throw new PySyntaxError('unterminated string literal', start)
      if (raw) {
        value += src.slice(j, j + 2)
        j += 2
      } else {
        const esc = decodeEscape(src, j)
        value += esc.text
        j = esc.end
      }
    } else if (c === 123) {
      j = src.charCodeAt(j + 1) === 123 ? j + 2 : skipReplacementField(src, j + 1, start)
    } else {
      // A quote inside a triple-quoted string, or a newline in one.
      value += src[j] as string
      j++
    }
    from = j
  }
  const token: Token = { kind: 'string', text: src.slice(start, j), offset: start, prefix }
  if (!formatted) token.value = value
  return { token, end: j }
}

/** Skips an f-string replacement field `{...}` (the `{` already consumed); returns the offset after `}`. */
function skipReplacementField(src: string, from: number, start: number): number {
  let depth = 0
  let j = from
  while (j < src.length) {
    const ch = src[j] as string
    if (ch === '"' || ch === "'") {
      // A nested string, possibly with its own prefix letters just before it (already skipped as text).
      let p = j
      while (p > from && /[rRbBfFuUtT]/.test(src[p - 1] as string)) p--
      j = scanString(src, j, src.slice(p, j).toLowerCase(), j).end
    } else if (ch === '(' || ch === '[' || ch === '{') {
      depth++
      j++
    } else if (ch === ')' || ch === ']') {
      depth--
      j++
    } else if (ch === '}') {
      if (depth === 0) return j + 1
      depth--
      j++
    } else {
      j++
    }
  }
  throw new PySyntaxError("f-string: expecting '}'", start)
}

function decodeEscape(src: string, j: number): { text: string; end: number } {
  const next = src[j + 1] as string
  const simple = SIMPLE_ESCAPES[next]
  if (simple !== undefined) return { text: simple, end: j + 2 }
  const hex = (len: number): { text: string; end: number } => {
    const digits = src.slice(j + 2, j + 2 + len)
    if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== len)
      throw new PySyntaxError(`truncated \\${next}${'X'.repeat(len)} escape`, j)
    return { text: String.fromCodePoint(parseInt(digits, 16)), end: j + 2 + len }
  }
  if (next === 'x') return hex(2)
  if (next === 'u') return hex(4)
  if (next === 'U') return hex(8)
  if (next >= '0' && next <= '7') {
    const m = /^[0-7]{1,3}/.exec(src.slice(j + 1, j + 4)) as RegExpExecArray
    return { text: String.fromCharCode(parseInt(m[0], 8)), end: j + 1 + m[0].length }
  }
  if (next === 'N' && src[j + 2] === '{') {
    const close = src.indexOf('}', j + 3)
    if (close !== -1) return { text: src.slice(j, close + 1), end: close + 1 }
  }
  // Python keeps an unknown escape as written (with a warning).
  return { text: '\\' + next, end: j + 2 }
}

/**
 * The logical lines of a migration file's source, or why it is not valid Python: the line, the
 * message an unparseable-migration finding gives, and the fix.
 */
export function pythonLinesOf(
  source: string,
  line: (offset: number) => number,
  file: string,
): { lines: LogicalLine[] } | { at: number; message: string; fix: string } {
  try {
    return { lines: logicalLines(source) }
  } catch (error) {
    if (!(error instanceof PySyntaxError)) throw error
    const at = line(error.offset)
    const fix = error.fix ?? `fix the syntax (\`python -m py_compile ${file}\` shows the error)`
    return { at, message: `is not valid Python: ${error.message} (line ${at})`, fix }
  }
}
