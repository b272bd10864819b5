// Module-level assignments of a Python file, with literal values (strings, None, tuples and lists of
// strings) evaluated the way Python would, and anything else described instead of evaluated.
import type { LogicalLine, Token } from './pytokens.js'

/** A literal value: None, a string, or a sequence of strings (tuple, list or set). */
export type Literal = null | string | string[]

export type Value = { literal: Literal } | { notLiteral: string }

export interface Assignment {
  name: string
  value: Value
  /** Offset of the assigned name (for the line number). */
  offset: number
}

// A line starting with one of these is a compound statement: its body is not a module-level assignment.
const COMPOUND = new Set([
  'if',
  'elif',
  'else',
  'for',
  'while',
  'with',
  'try',
  'except',
  'finally',
  'def',
  'class',
  'async',
  'match',
  'case',
])
const AUGMENTED = new Set(['+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '@=', '**=', '//=', '>>=', '<<='])

/**
 * Module-level assignments to `names`, in source order (Python semantics: the last one wins).
 * Only statements starting in column 0 count, as at import time only they bind module attributes
 * unconditionally.
 */
export function moduleAssignments(lines: LogicalLine[], names: ReadonlySet<string>): Assignment[] {
  const found: Assignment[] = []
  for (const line of lines) {
    if (!line.topLevel) continue
    const first = line.tokens[0]
    if (!first || (first.kind === 'name' && COMPOUND.has(first.text)) || (first.kind === 'op' && first.text === '@'))
      continue
    for (const statement of splitTopLevel(line.tokens, ';')) {
      assignmentsIn(statement, names, found)
    }
  }
  return found
}

/** The module docstring: the first statement, when it is nothing but (non-f) string literals. */
export function moduleDocstring(lines: LogicalLine[]): string | undefined {
  const first = lines[0]
  if (!first || !first.tokens.every((t) => t.kind === 'string' && t.value !== undefined && !t.prefix?.includes('b')))
    return undefined
  return first.tokens.map((t) => t.value).join('')
}

function assignmentsIn(tokens: Token[], names: ReadonlySet<string>, found: Assignment[]): void {
  const head = tokens[0]
  if (!head) return
  const second = tokens[1]
  // `revision += "x"` rebinds the name to something computed.
  if (head.kind === 'name' && names.has(head.text) && second?.kind === 'op' && AUGMENTED.has(second.text)) {
    found.push({
      name: head.text,
      value: { notLiteral: `an augmented assignment (${second.text})` },
      offset: head.offset,
    })
    return
  }
  const parts = splitTopLevel(tokens, '=')
  if (parts.length < 2) return
  const valueTokens = parts[parts.length - 1] as Token[]
  for (const target of parts.slice(0, -1)) {
    const name = target[0]
    if (!name || name.kind !== 'name' || !names.has(name.text)) continue
    // `name = ...` or an annotated `name: Union[str, None] = ...`; anything else (`name.attr = `,
    // `name[0] = `, tuple unpacking) does not bind the module attribute from a literal.
    const annotated = target[1]?.kind === 'op' && target[1].text === ':'
    if (target.length !== 1 && !annotated) continue
    found.push({ name: name.text, value: evaluate(valueTokens), offset: name.offset })
  }
}

/** Splits tokens on an operator at bracket depth 0. */
export function splitTopLevel(tokens: Token[], op: string): Token[][] {
  const parts: Token[][] = [[]]
  let depth = 0
  for (const t of tokens) {
    if (t.kind === 'op') {
      if (t.text === '(' || t.text === '[' || t.text === '{') depth++
      else if (t.text === ')' || t.text === ']' || t.text === '}') depth--
      else if (depth === 0 && t.text === op) {
        parts.push([])
        continue
      }
    }
    ;(parts[parts.length - 1] as Token[]).push(t)
  }
  return parts
}

/** Evaluates a literal expression, or says in a few words what it is instead. */
export function evaluate(tokens: Token[]): Value {
  if (tokens.length === 0) return { notLiteral: 'nothing' }
  const first = tokens[0] as Token
  const last = tokens[tokens.length - 1] as Token
  if (tokens.length === 1 && first.kind === 'name' && first.text === 'None') return { literal: null }
  if (tokens.every((t) => t.kind === 'string')) {
    if (tokens.some((t) => t.value === undefined)) return { notLiteral: 'an f-string' }
    if (tokens.some((t) => t.prefix?.includes('b'))) return { notLiteral: 'a bytes literal' }
    return { literal: tokens.map((t) => t.value).join('') }
  }
  // `down_revision = "a", "b"` is a tuple without brackets.
  const bare = splitTopLevel(tokens, ',')
  if (bare.length > 1) return sequence(bare)
  const open = first.kind === 'op' ? first.text : ''
  const pairs: Record<string, string> = { '(': ')', '[': ']', '{': '}' }
  if (open in pairs && last.kind === 'op' && last.text === pairs[open] && enclosesAll(tokens)) {
    const inner = tokens.slice(1, -1)
    const items = splitTopLevel(inner, ',')
    const hasComma = items.length > 1
    // `("abc")` is a parenthesized string, not a tuple.
    if (open === '(' && !hasComma && inner.length > 0) return evaluate(inner)
    if (open === '{' && inner.some((t) => t.kind === 'op' && t.text === ':')) return { notLiteral: 'a dict' }
    return sequence(items)
  }
  if (tokens.length === 1 && first.kind === 'name') return { notLiteral: `the name ${first.text}` }
  if (first.kind === 'name' && tokens[1]?.kind === 'op' && tokens[1].text === '(')
    return { notLiteral: `a call to ${first.text}()` }
  return { notLiteral: 'an expression' }
}

/** Items split on commas: a trailing comma leaves one empty item at the end, as do `()` and `[]`. */
function sequence(items: Token[][]): Value {
  const last = items[items.length - 1]
  if (last && last.length === 0) items = items.slice(0, -1)
  const values: string[] = []
  for (const item of items) {
    const v = evaluate(item)
    if ('notLiteral' in v) return item.length === 0 ? { notLiteral: 'a sequence with an empty item' } : v
    if (typeof v.literal !== 'string') return { notLiteral: 'a sequence holding something other than strings' }
    values.push(v.literal)
  }
  return { literal: values }
}

/** True when the first bracket closes at the last token (so `(a) + (b)` is not one group). */
function enclosesAll(tokens: Token[]): boolean {
  let depth = 0
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token
    if (t.kind !== 'op') continue
    if (t.text === '(' || t.text === '[' || t.text === '{') depth++
    else if (t.text === ')' || t.text === ']' || t.text === '}') {
      depth--
      if (depth === 0 && i !== tokens.length - 1) return false
    }
  }
  return true
}
