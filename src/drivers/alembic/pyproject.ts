// Alembic 1.16+ also reads [tool.alembic] from pyproject.toml (the `pyproject` template keeps
// script_location there and only the database URL and logging in alembic.ini). This reads one named
// table: strings, arrays of strings and booleans, which is all the keys the gate needs can hold
// ([tool.alembic], and [project] requires-python for `migration-gate init`). Anything else in the
// table is skipped rather than misread.

export type TomlValue = string | string[] | boolean

/** The [tool.alembic] table of a pyproject.toml, or undefined when it has none. */
export function readToolAlembic(text: string): Map<string, TomlValue> | undefined {
  return readTomlTable(text, 'tool.alembic')
}

/** The table `[name]` (dotted: 'tool.poetry.dependencies') of a TOML text, or undefined when it has none. */
export function readTomlTable(text: string, name: string): Map<string, TomlValue> | undefined {
  const header = new RegExp(`^\\[\\s*${name.split('.').join('\\s*\\.\\s*')}\\s*\\]$`)
  const lines = text.replace(/\r\n?/g, '\n').split('\n')
  let inTable = false
  let found = false
  const values = new Map<string, TomlValue>()
  for (let i = 0; i < lines.length; i++) {
    const line = stripComment(lines[i] as string).trim()
    if (line.startsWith('[')) {
      inTable = header.test(line)
      found ||= inTable
      continue
    }
    if (!inTable || line === '') continue
    const m = /^([A-Za-z0-9_-]+|"[^"]*")\s*=\s*(.*)$/.exec(line)
    if (!m) continue
    const key = (m[1] as string).replace(/^"|"$/g, '')
    let rest = m[2] as string
    // An array may run over several lines.
    while (rest.startsWith('[') && !balanced(rest) && i + 1 < lines.length)
      rest += '\n' + stripComment(lines[++i] as string)
    const value = parseValue(rest.trim())
    if (value !== undefined) values.set(key, value)
  }
  return found ? values : undefined
}

/** Python's `value % toml_args`, as Alembic applies it to every toml string: %(here)s and %%. */
export function tomlInterpolate(value: string, args: Record<string, string>): string {
  return value.replace(/%\(([^)]+)\)s|%%/g, (all, name: string | undefined) =>
    name === undefined ? '%' : (args[name] ?? all),
  )
}

function parseValue(text: string): TomlValue | undefined {
  if (text === 'true' || text === 'false') return text === 'true'
  const s = parseString(text)
  if (s !== undefined && s.rest.trim() === '') return s.value
  if (text.startsWith('[')) {
    const items: string[] = []
    let rest = text.slice(1).trim()
    for (;;) {
      if (rest.startsWith(']')) return items
      const item = parseString(rest)
      if (!item) return undefined
      items.push(item.value)
      rest = item.rest.trim()
      if (rest.startsWith(',')) rest = rest.slice(1).trim()
      else if (!rest.startsWith(']')) return undefined
    }
  }
  return undefined
}

function parseString(text: string): { value: string; rest: string } | undefined {
  if (text.startsWith("'")) {
    const end = text.indexOf("'", 1)
    return end < 0 ? undefined : { value: text.slice(1, end), rest: text.slice(end + 1) }
  }
  if (!text.startsWith('"')) return undefined
  let value = ''
  for (let i = 1; i < text.length; i++) {
    const ch = text[i] as string
    if (ch === '"') return { value, rest: text.slice(i + 1) }
    if (ch === '\\') {
      const next = text[++i]
      const escapes: Record<string, string> = { n: '\n', t: '\t', '\\': '\\', '"': '"', r: '\r' }
      value += next !== undefined ? (escapes[next] ?? next) : ''
    } else value += ch
  }
  return undefined
}

/** Drops a # comment that is outside quotes. */
function stripComment(line: string): string {
  let quote = ''
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string
    if (quote) {
      if (ch === '\\' && quote === '"') i++
      else if (ch === quote) quote = ''
    } else if (ch === '"' || ch === "'") quote = ch
    else if (ch === '#') return line.slice(0, i)
  }
  return line
}

function balanced(text: string): boolean {
  let depth = 0
  let quote = ''
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = ''
    } else if (ch === '"' || ch === "'") quote = ch
    else if (ch === '[') depth++
    else if (ch === ']') depth--
  }
  return depth <= 0
}
