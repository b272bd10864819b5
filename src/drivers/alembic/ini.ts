// Reads an .ini file the way Python's configparser.ConfigParser does for Alembic's Config: full-line
// comments only (an inline "# ..." stays part of the value, as Alembic sees it), multi-line values by
// indentation, lower-cased keys, strict duplicates, and %(name)s interpolation at read time.

export class IniError extends Error {
  readonly line: number | undefined
  constructor(message: string, line?: number) {
    super(message)
    this.name = 'IniError'
    this.line = line
  }
}

export interface Ini {
  /** DEFAULT section values (Alembic puts `here` there). */
  defaults: Map<string, string>
  sections: Map<string, Map<string, string>>
}

const SECTION = /^\[(.+)\]/
const OPTION = /^(.*?)\s*([=:])\s*(.*)$/

/** Parses ini text. `defaults` are the constructor defaults (Alembic's config_args: `here`). */
export function parseIni(text: string, defaults: Record<string, string> = {}): Ini {
  // Values are kept as lists of lines until the end, as configparser does.
  const rawDefaults = new Map<string, string[]>()
  const rawSections = new Map<string, Map<string, string[]>>()
  let current: Map<string, string[]> | undefined
  let currentName = ''
  let option: string | undefined
  let indentLevel = 0

  text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .forEach((raw, index) => {
      const lineNo = index + 1
      const stripped = raw.trim()
      const comment = stripped.startsWith('#') || stripped.startsWith(';')
      if (comment || stripped === '') {
        // configparser keeps blank lines inside a multi-line value; comment lines are simply dropped.
        if (!comment && current && option !== undefined) current.get(option)?.push('')
        return
      }
      const indent = raw.length - raw.trimStart().length
      if (current && option !== undefined && indent > indentLevel) {
        current.get(option)?.push(stripped)
        return
      }
      indentLevel = indent
      const header = SECTION.exec(stripped)
      if (header) {
        currentName = header[1] as string
        option = undefined
        if (currentName === 'DEFAULT') {
          current = rawDefaults
        } else {
          if (rawSections.has(currentName)) throw new IniError(`section [${currentName}] appears twice`, lineNo)
          current = new Map()
          rawSections.set(currentName, current)
        }
        return
      }
      if (!current) throw new IniError('text before the first [section] header', lineNo)
      const m = OPTION.exec(stripped)
      const key = m?.[1]?.trimEnd().toLowerCase()
      if (!m || !key) throw new IniError(`cannot read "${stripped.slice(0, 60)}" (expected key = value)`, lineNo)
      if (current.has(key)) throw new IniError(`option '${key}' appears twice in [${currentName}]`, lineNo)
      current.set(key, [(m[3] as string).trim()])
      option = key
    })

  const joined = (values: Map<string, string[]>): Map<string, string> =>
    new Map([...values].map(([k, v]) => [k, v.join('\n').trimEnd()]))
  return {
    defaults: new Map([...Object.entries(defaults), ...joined(rawDefaults)]),
    sections: new Map([...rawSections].map(([name, values]) => [name, joined(values)])),
  }
}

/** A value with %(name)s interpolated (BasicInterpolation), or undefined when the option is absent. */
export function iniGet(ini: Ini, section: string, key: string): string | undefined {
  const values = ini.sections.get(section)
  const raw = values?.get(key) ?? ini.defaults.get(key)
  if (raw === undefined) return undefined
  const lookup = (name: string): string | undefined => values?.get(name) ?? ini.defaults.get(name)
  return interpolate(raw, lookup, key, 1)
}

// configparser stops at this depth ("InterpolationDepthError").
const MAX_DEPTH = 10

function interpolate(raw: string, lookup: (name: string) => string | undefined, key: string, depth: number): string {
  if (depth > MAX_DEPTH) throw new IniError(`option '${key}': interpolation nested too deeply (a %(...)s loop?)`)
  let out = ''
  let rest = raw
  for (;;) {
    const p = rest.indexOf('%')
    if (p < 0) return out + rest
    out += rest.slice(0, p)
    rest = rest.slice(p)
    if (rest[1] === '%') {
      out += '%'
      rest = rest.slice(2)
      continue
    }
    const m = /^%\(([^)]+)\)s/.exec(rest)
    if (!m) throw new IniError(`option '${key}': '%' must be followed by '%' or '(' (write %% for a literal %)`)
    const name = (m[1] as string).toLowerCase()
    const v = lookup(name)
    if (v === undefined) throw new IniError(`option '${key}' refers to %(${name})s, which is not set`)
    out += v.includes('%') ? interpolate(v, lookup, key, depth + 1) : v
    rest = rest.slice(m[0].length)
  }
}
