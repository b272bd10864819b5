// Reads one Alembic revision file without importing it: revision, down_revision, branch_labels,
// depends_on (with their lines) and the message. Alembic itself imports every file in versions/ to
// build its graph, so a single broken file stops every Alembic command; here it becomes one
// `unparseable-migration` finding and the other files are still checked.
import type { Finding } from '../../report.js'
import { unparseableMigration } from '../../findings/unparseable-migration.js'
import { moduleAssignments, moduleDocstring, type Assignment, type Literal } from './literals.js'
import { lineAt, lineStarts, normalizeNewlines, pythonLinesOf } from './pytokens.js'

export interface ParsedRevision {
  id: string
  parents: string[]
  dependsOn: string[]
  branchLabels: string[]
  /** 1-based lines of the declarations. */
  line: number
  parentsLine?: number
  dependsOnLine?: number
  branchLabelsLine?: number
  /** The docstring's first line: Alembic's template puts the -m message there. */
  message?: string
  /** The line of `def downgrade()`, where findings about the downgrade point. */
  downgradeLine?: number
}

export type ParseResult = { revision: ParsedRevision } | { problem: Finding }

const HEADER_NAMES: ReadonlySet<string> = new Set(['revision', 'down_revision', 'branch_labels', 'depends_on'])
// Alembic refuses these in an id (Revision.verify_rev_id): they are its own range and relative syntax.
const ILLEGAL_ID_CHARS = ['@', '-', '+']
// Alembic 0.1 files without a `revision` variable take the id from a hex file name (Script._from_filename).
const LEGACY_NAME = /^([a-f0-9]+)\.py$/

export const BREAKS_ALEMBIC =
  'Alembic imports every file in the versions directory to build its graph, so this one file breaks every Alembic command, even `alembic heads`.'
const ONLY_THE_GATE =
  'The gate reads revision headers without running Python, so it cannot place this revision in the chain and the chain checks skip it.'

/** True for an unparseable-migration finding whose cause also stops Alembic (not only the gate). */
export function breaksAlembic(finding: Finding): boolean {
  return finding.id === 'unparseable-migration' && finding.message.includes(BREAKS_ALEMBIC)
}

/**
 * Parses one revision file. `file` is the path shown in findings (relative to the project, POSIX);
 * its base name matters for Alembic's legacy id-from-file-name rule.
 */
export function parseRevisionFile(bytes: Uint8Array, file: string): ParseResult {
  const text = decode(bytes)
  if (text === undefined) {
    return broken(
      file,
      1,
      'is not UTF-8 text (a binary or mis-encoded file?)',
      'remove it from the versions directory, or save it as UTF-8',
    )
  }
  return parseRevisionSource(text, file)
}

export function parseRevisionSource(text: string, file: string): ParseResult {
  const source = normalizeNewlines(text)
  const starts = lineStarts(source)
  const line = (offset: number): number => lineAt(starts, offset)

  const read = pythonLinesOf(source, line, file)
  if (!('lines' in read)) return broken(file, read.at, read.message, read.fix, salvageId(source))
  const { lines } = read

  // Python semantics: the last module-level assignment wins.
  const last = new Map<string, Assignment>()
  for (const a of moduleAssignments(lines, HEADER_NAMES)) last.set(a.name, a)

  const rev = last.get('revision')
  const baseName = file.slice(file.lastIndexOf('/') + 1)
  let id: string
  let idLine: number
  if (!rev) {
    const legacy = LEGACY_NAME.exec(baseName)
    if (!legacy?.[1]) {
      return broken(
        file,
        1,
        'declares no module-level `revision` (Alembic: "Could not determine revision id from filename")',
        'declare `revision = "<id>"` at module level, or move the file out of the versions directory: Alembic treats every .py file there as a revision, except __init__.py',
      )
    }
    id = legacy[1]
    idLine = 1
  } else {
    if ('notLiteral' in rev.value || typeof rev.value.literal !== 'string') {
      const what = 'notLiteral' in rev.value ? rev.value.notLiteral : describe(rev.value.literal)
      return unreadable(
        file,
        line(rev.offset),
        `sets \`revision\` from ${what}, not a string literal`,
        'write the id as a string literal: `revision = "<id>"`',
      )
    }
    id = rev.value.literal
    idLine = line(rev.offset)
    const illegal = ILLEGAL_ID_CHARS.filter((c) => id.includes(c))
    if (illegal.length > 0 || id === '') {
      const why =
        id === ''
          ? 'an empty revision id'
          : `revision id '${id}' contains ${illegal.map((c) => `'${c}'`).join(', ')}, which Alembic does not allow in an id`
      return broken(
        file,
        idLine,
        `declares ${why}`,
        'use an id of letters, digits and underscores (Alembic generates 12 hex digits)',
        id,
      )
    }
  }

  const down = last.get('down_revision')
  if (!down) {
    return broken(
      file,
      idLine,
      'declares no module-level `down_revision` (Alembic fails reading it: "module has no attribute \'down_revision\'")',
      'add `down_revision = None` for a first revision, or the parent revision id',
      id,
    )
  }
  const parents = idList(down)
  if (parents === undefined) return notLiteral(file, down, line, id)

  const parsed: ParsedRevision = {
    id,
    parents,
    dependsOn: [],
    branchLabels: [],
    line: idLine,
    parentsLine: line(down.offset),
  }
  const deps = last.get('depends_on')
  if (deps) {
    const list = idList(deps)
    if (list === undefined) return notLiteral(file, deps, line, id)
    parsed.dependsOn = list
    parsed.dependsOnLine = line(deps.offset)
  }
  const labels = last.get('branch_labels')
  if (labels) {
    const list = idList(labels)
    if (list === undefined) return notLiteral(file, labels, line, id)
    parsed.branchLabels = list
    parsed.branchLabelsLine = line(labels.offset)
  }
  const message = firstLine(moduleDocstring(lines))
  if (message !== undefined) parsed.message = message
  const downgrade = lines.find((l) => l.topLevel && l.tokens[0]?.text === 'def' && l.tokens[1]?.text === 'downgrade')
  if (downgrade?.tokens[0]) parsed.downgradeLine = line(downgrade.tokens[0].offset)
  return { revision: parsed }
}

/**
 * The id of a file that does not tokenize, when a plain `revision = "..."` line still shows it: a
 * revision naming this id as its parent is then not reported as missing its parent.
 */
function salvageId(source: string): string | undefined {
  return /^revision\s*(?::[^=\n]*)?=\s*(['"])([^'"\n]+)\1\s*(?:#.*)?$/m.exec(source)?.[2]
}

/** Alembic's util.to_tuple: None -> (), a string -> (s,), a sequence as it is. Undefined: not a literal. */
function idList(a: Assignment): string[] | undefined {
  if ('notLiteral' in a.value) return undefined
  const v: Literal = a.value.literal
  if (v === null) return []
  // Duplicates add nothing to the graph (Alembic dedupes down revisions too).
  return [...new Set(typeof v === 'string' ? [v] : v)]
}

function describe(v: Literal): string {
  return v === null ? 'None' : 'a sequence'
}

/**
 * The message: the docstring's first line. Alembic's template writes the -m message there, and
 * nothing (or "None", or Flask-Migrate's "empty message") without one; a docstring that starts
 * with its header lines ("Revision ID: ...") has no message either.
 */
function firstLine(doc: string | undefined): string | undefined {
  const first = doc
    ?.split('\n')
    .map((s) => s.trim())
    .find((s) => s.length > 0)
  if (first === undefined || NO_MESSAGE.test(first)) return undefined
  return first
}

const NO_MESSAGE = /^(revision id|revises|create date)\s*:|^(none|empty message)$/i

function notLiteral(file: string, a: Assignment, line: (offset: number) => number, id: string): ParseResult {
  const what = 'notLiteral' in a.value ? a.value.notLiteral : 'a value'
  const example =
    a.name === 'down_revision'
      ? '`down_revision = "<parent id>"` or a tuple of ids for a merge'
      : `\`${a.name} = None\`, a string or a tuple of strings`
  return unreadable(
    file,
    line(a.offset),
    `sets \`${a.name}\` from ${what}, not a literal`,
    `write it as a literal: ${example}`,
    id,
  )
}

function broken(file: string, line: number, what: string, fix: string, revision?: string): ParseResult {
  return { problem: problem(file, line, what, BREAKS_ALEMBIC, fix, revision) }
}

function unreadable(file: string, line: number, what: string, fix: string, revision?: string): ParseResult {
  return { problem: problem(file, line, what, ONLY_THE_GATE, fix, revision) }
}

function problem(
  file: string,
  line: number,
  what: string,
  consequence: string,
  fix: string,
  revision: string | undefined,
): Finding {
  return unparseableMigration(
    { file, problem: what, consequence, fix: `${fix}.` },
    { ...(revision !== undefined ? { revision } : {}), file, line },
  )
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** UTF-8 (Python's default source encoding), or the encoding a PEP 263 coding cookie names. */
function decode(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes)
  } catch {
    const head = Buffer.from(bytes.subarray(0, 200)).toString('latin1').split('\n').slice(0, 2).join('\n')
    const cookie = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/m.exec(head)?.[1]
    if (!cookie) return undefined
    // Node builds without full ICU lack TextDecoder('latin-1'); Buffer has it.
    if (/^(latin[-_]?1|iso[-_]?8859[-_]1|l1)$/i.test(cookie)) return Buffer.from(bytes).toString('latin1')
    try {
      return new TextDecoder(cookie, { fatal: true }).decode(bytes)
    } catch {
      return undefined
    }
  }
}
