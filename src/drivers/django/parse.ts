// One Django migration file read without importing it: the `class Migration` line and its
// `dependencies`, `replaces`, `run_before` and `initial`, as Django's loader takes them. A file the
// gate cannot read (invalid Python, no Migration class, a dependency computed at import time) is an
// unparseable-migration finding, never a crash.
import type { Finding } from '../../report.js'
import { unparseableMigration } from '../../findings/unparseable-migration.js'
import { lineAt, lineStarts, normalizeNewlines, pythonLinesOf, type Token } from '../alembic/pytokens.js'
import { describeValue, pyValue, type PyValue } from './pyvalue.js'

/** A dependency as written: an (app, name) pair, or a swappable dependency on a setting. */
export type DependencyRef = { app: string; name: string } | { setting: string }

export interface ParsedMigration {
  /** 1-based line of `class Migration`. */
  line: number
  dependencies: DependencyRef[]
  /** 1-based line of `dependencies =`, when declared. */
  dependenciesLine?: number
  replaces: { app: string; name: string }[]
  runBefore: DependencyRef[]
  initial: boolean
}

export type ParsedMigrationResult = { migration: ParsedMigration } | { problem: Finding }

export const BREAKS_DJANGO =
  'Django imports every migration file of every app to build its graph, so this one file stops `python manage.py migrate` (and `showmigrations`) for the whole project.'
const ONLY_THE_GATE =
  'The gate reads migrations without running Python, so it cannot place this one in the graph and the chain checks skip it.'

const FIELDS = new Set(['dependencies', 'replaces', 'run_before', 'initial'])

/** `id` (app.name), when known, goes into a problem's place, so no dependency on it reads as missing. */
export function parseMigrationSource(text: string, file: string, id?: string): ParsedMigrationResult {
  const problem = (line: number, what: string, consequence: string, fix: string): { problem: Finding } => ({
    problem: unparseableMigration(
      { file, problem: what, consequence, fix: `${fix}.` },
      { file, line, ...(id ? { revision: id } : {}) },
    ),
  })
  const source = normalizeNewlines(text)
  const starts = lineStarts(source)
  const line = (offset: number): number => lineAt(starts, offset)
  const column = (offset: number): number => offset - (starts[line(offset) - 1] ?? 0)
  const read = pythonLinesOf(source, line, file)
  if (!('lines' in read)) return problem(read.at, read.message, BREAKS_DJANGO, read.fix)
  const { lines } = read
  const classAt = lines.findIndex((l) => {
    const [kw, name] = l.tokens
    return l.topLevel && kw?.text === 'class' && name?.text === 'Migration'
  })
  const classLine = lines[classAt]
  if (!classLine) {
    return problem(
      1,
      'declares no module-level `class Migration` (Django: "Migration ... has no Migration class")',
      BREAKS_DJANGO,
      'declare `class Migration(migrations.Migration)` in it, or move the file out of the migrations package (Django loads every module there whose name does not start with _ or ~)',
    )
  }
  const parsed: ParsedMigration = {
    line: line((classLine.tokens[0] as Token).offset),
    dependencies: [],
    replaces: [],
    runBefore: [],
    initial: false,
  }
  // The class body: the lines after it until the next module-level statement, at the body's own
  // indentation (a nested def's `dependencies = ...` is not the class attribute).
  let bodyColumn: number | undefined
  for (const l of lines.slice(classAt + 1)) {
    if (l.topLevel) break
    const first = l.tokens[0] as Token
    bodyColumn ??= column(first.offset)
    if (column(first.offset) !== bodyColumn) continue
    const eq = l.tokens[1]
    if (first.kind !== 'name' || !FIELDS.has(first.text) || eq?.text !== '=') continue
    const value = pyValue(l.tokens.slice(2))
    const at = line(first.offset)
    const unreadable = (what: string) =>
      problem(
        at,
        `sets \`${first.text}\` from ${what}, which the gate cannot read without running Python`,
        ONLY_THE_GATE,
        `write \`${first.text}\` as a literal list of ("app_label", "migration_name") tuples (swappable_dependency(settings.AUTH_USER_MODEL) is read too)`,
      )
    if (first.text === 'initial') {
      parsed.initial = value.kind === 'const' && value.value === true
      continue
    }
    if (value.kind !== 'seq') return unreadable(describeValue(value))
    const refs: DependencyRef[] = []
    for (const item of value.items) {
      const ref = dependencyRef(item)
      if (!ref) return unreadable(`an item that is ${describeValue(item)}, not an (app, name) pair`)
      refs.push(ref)
    }
    if (first.text === 'dependencies') {
      parsed.dependencies = refs
      parsed.dependenciesLine = at
    } else if (first.text === 'run_before') {
      parsed.runBefore = refs
    } else {
      const pairs = refs.filter((r): r is { app: string; name: string } => 'app' in r)
      if (pairs.length !== refs.length) return unreadable('a swappable dependency, which `replaces` cannot name')
      parsed.replaces = pairs
    }
  }
  return { migration: parsed }
}

/** ("app", "name"), or swappable_dependency(settings.X) (Django: X's app, `__first__`). */
function dependencyRef(item: PyValue): DependencyRef | undefined {
  if (item.kind === 'seq' && item.items.length === 2) {
    const [app, name] = item.items
    if (app?.kind === 'str' && name?.kind === 'str') return { app: app.value, name: name.value }
  }
  if (item.kind === 'call' && /(^|\.)swappable_dependency$/.test(item.callee) && item.args.length === 1) {
    const arg = item.args[0] as PyValue
    if (arg.kind === 'name' && arg.dotted.startsWith('settings.')) return { setting: arg.dotted.slice(9) }
    // swappable_dependency("accounts.User"): the model named directly.
    if (arg.kind === 'str') return { setting: `=${arg.value}` }
  }
  return undefined
}

/** A migration file that cannot be read at all (a dangling symlink, no permission). */
export function unreadableFile(file: string, id: string, code: string): Finding {
  return unparseableMigration(
    { file, problem: `cannot be read (${code})`, consequence: BREAKS_DJANGO, fix: 'restore the file or remove it.' },
    { file, line: 1, revision: id },
  )
}
