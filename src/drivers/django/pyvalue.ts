// Python expressions as Django projects write them in migrations and settings, read from tokens
// (drivers/alembic/pytokens.ts) without running Python: strings, tuples, lists, dicts, None,
// True/False, dotted names and calls (`migrations.swappable_dependency(settings.AUTH_USER_MODEL)`),
// and `a + b` of sequences. Anything else is kept as `unknown` with a few words saying what it is.
import type { Token } from '../alembic/pytokens.js'

export type PyValue =
  | { kind: 'str'; value: string }
  | { kind: 'seq'; items: PyValue[] }
  | { kind: 'dict'; entries: [PyValue, PyValue][] }
  | { kind: 'const'; value: null | boolean }
  | { kind: 'name'; dotted: string }
  | { kind: 'call'; callee: string; args: PyValue[] }
  | { kind: 'concat'; parts: PyValue[] }
  | { kind: 'unknown'; what: string }

/** Evaluates a whole token list as one expression; trailing tokens make it `unknown`. */
export function pyValue(tokens: Token[]): PyValue {
  if (tokens.length === 0) return { kind: 'unknown', what: 'nothing' }
  const reader = new Reader(tokens)
  const value = reader.expression()
  return reader.done() ? value : { kind: 'unknown', what: 'an expression' }
}

class Reader {
  private i = 0
  constructor(private readonly tokens: Token[]) {}

  done(): boolean {
    return this.i >= this.tokens.length
  }

  private peek(): Token | undefined {
    return this.tokens[this.i]
  }

  private isOp(text: string): boolean {
    const t = this.peek()
    return t?.kind === 'op' && t.text === text
  }

  expression(): PyValue {
    // A bare tuple (`a, b`) only where the caller allows it: at the top of an assignment.
    const first = this.sum()
    if (!this.isOp(',')) return first
    const items = [first]
    while (this.isOp(',')) {
      this.i++
      if (this.done()) break
      items.push(this.sum())
    }
    return { kind: 'seq', items }
  }

  private sum(): PyValue {
    const parts = [this.atom()]
    while (this.isOp('+')) {
      this.i++
      parts.push(this.atom())
    }
    return parts.length === 1 ? (parts[0] as PyValue) : { kind: 'concat', parts }
  }

  private atom(): PyValue {
    const t = this.peek()
    if (!t) return { kind: 'unknown', what: 'nothing' }
    if (t.kind === 'string') {
      let value = ''
      while (this.peek()?.kind === 'string') {
        const s = this.peek() as Token
        this.i++
        if (s.value === undefined) return this.skipRest('an f-string')
        if (s.prefix?.includes('b')) return this.skipRest('a bytes literal')
        value += s.value
      }
      return { kind: 'str', value }
    }
    if (t.kind === 'number') return this.skipRest('a number')
    if (t.kind === 'name') {
      this.i++
      if (t.text === 'None') return { kind: 'const', value: null }
      if (t.text === 'True' || t.text === 'False') return { kind: 'const', value: t.text === 'True' }
      let dotted = t.text
      while (this.isOp('.') && this.tokens[this.i + 1]?.kind === 'name') {
        dotted += `.${(this.tokens[this.i + 1] as Token).text}`
        this.i += 2
      }
      if (this.isOp('(')) {
        this.i++
        const args = this.items(')')
        if (!args) return this.skipRest(`a call to ${dotted}()`)
        return { kind: 'call', callee: dotted, args }
      }
      return { kind: 'name', dotted }
    }
    if (t.text === '(' || t.text === '[') {
      this.i++
      const close = t.text === '(' ? ')' : ']'
      const start = this.i
      const items = this.items(close)
      if (!items) return this.skipRest('an expression')
      // `("abc")` is a parenthesized value, not a tuple: no comma inside.
      const hadComma = this.tokens.slice(start, this.i).some((x) => x.kind === 'op' && x.text === ',')
      if (close === ')' && items.length === 1 && !hadComma) return items[0] as PyValue
      return { kind: 'seq', items }
    }
    if (t.text === '{') {
      this.i++
      const entries: [PyValue, PyValue][] = []
      while (!this.isOp('}')) {
        if (this.done()) return { kind: 'unknown', what: 'a dict' }
        const key = this.sum()
        if (!this.isOp(':')) return this.skipRest('a set or a dict comprehension')
        this.i++
        const value = this.sum()
        entries.push([key, value])
        if (this.isOp(',')) this.i++
        else if (!this.isOp('}')) return this.skipRest('a dict')
      }
      this.i++
      return { kind: 'dict', entries }
    }
    return this.skipRest('an expression')
  }

  /** Comma-separated items up to `close` (consumed); undefined when something else is in the way. */
  private items(close: string): PyValue[] | undefined {
    const items: PyValue[] = []
    while (!this.isOp(close)) {
      if (this.done()) return undefined
      // Keyword arguments (`name=value`) are read for their value.
      if (this.peek()?.kind === 'name' && this.tokens[this.i + 1]?.text === '=') this.i += 2
      items.push(this.sum())
      if (this.isOp(',')) this.i++
      else if (!this.isOp(close)) return undefined
    }
    this.i++
    return items
  }

  private skipRest(what: string): PyValue {
    this.i = this.tokens.length + 1
    return { kind: 'unknown', what }
  }
}

/** The strings of a sequence of strings, or undefined. */
export function stringsOf(value: PyValue): string[] | undefined {
  if (value.kind !== 'seq') return undefined
  const out: string[] = []
  for (const item of value.items) {
    if (item.kind !== 'str') return undefined
    out.push(item.value)
  }
  return out
}

/** A few words for what a value is, for messages. */
export function describeValue(value: PyValue): string {
  switch (value.kind) {
    case 'str':
      return 'a string'
    case 'seq':
      return 'a sequence'
    case 'dict':
      return 'a dict'
    case 'const':
      return String(value.value === null ? 'None' : value.value ? 'True' : 'False')
    case 'name':
      return `the name ${value.dotted}`
    case 'call':
      return `a call to ${value.callee}()`
    case 'concat':
      return 'a sum'
    case 'unknown':
      return value.what
  }
}
