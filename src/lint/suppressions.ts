// Suppression comments in migration files: `# migration-gate: allow RULE -- reason` (Python) or
// `-- migration-gate: allow RULE -- reason` (SQL), on the statement's line or in the comment lines
// right above it. Several rules may be named, comma separated. The reason is required.
export interface Directive {
  file: string
  /** 1-based. */
  line: number
  /** The rule ids as written (checked by the engine). */
  rules: string[]
  /** Empty when the comment gives none. */
  reason: string
}

const MARKER = /(?:#|--)\s*migration-gate:\s*allow\b(.*)$/

/** Every directive in a file's text. */
export function readDirectives(file: string, text: string): Directive[] {
  const out: Directive[] = []
  text.split('\n').forEach((content, i) => {
    const m = MARKER.exec(content)
    if (!m) return
    const rest = m[1] ?? ''
    const cut = rest.indexOf('--')
    const names = cut === -1 ? rest : rest.slice(0, cut)
    out.push({
      file,
      line: i + 1,
      rules: names.split(/[\s,]+/).filter(Boolean),
      reason: cut === -1 ? '' : rest.slice(cut + 2).trim(),
    })
  })
  return out
}

const isComment = (line: string) => /^\s*(#|--)/.test(line)

/**
 * Whether the directive covers a statement at `line` of its file: on that line, or in the run of
 * comment lines directly above it.
 */
export function covers(directive: Directive, line: number, lines: readonly string[]): boolean {
  if (directive.line === line) return true
  if (directive.line > line) return false
  for (let l = directive.line; l < line; l++) if (!isComment(lines[l - 1] ?? '')) return false
  return true
}
