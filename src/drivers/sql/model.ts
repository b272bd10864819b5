// What a plain-SQL migration is once read: a version, its file(s), and the SQL to send for each
// direction, cut into units that each go to the server as one simple query.

export type SqlFormat = 'golang-migrate' | 'dbmate'

export interface SqlUnit {
  /** The SQL text, sent whole (multi-statement, simple query protocol). */
  text: string
  /** File the text comes from, relative to the project directory, POSIX separators. */
  file: string
  /** 1-based line of the text's first character in that file. */
  line: number
  /**
   * Wrapped in BEGIN/COMMIT by the gate (dbmate's default). When false the text goes as it is:
   * golang-migrate always sends it so (the server still runs a multi-statement text as one
   * implicit transaction), and dbmate does for `transaction:false`.
   */
  transactional: boolean
  /** Statements in the text, comments and blank lines left out. */
  statements: number
  /**
   * Nothing but whitespace (after the marker line, for a dbmate block): the tools run it as
   * nothing. A comment makes it not empty: golang-migrate's own advice for a deliberate no-op.
   */
  empty: boolean
}

export interface SqlMigration {
  /** The version as the tool records it: golang-migrate's integer, dbmate's digits as written. */
  version: string
  /** The name part of the file name ("create_users"). */
  name: string
  /** The file that declares the version (golang-migrate: the .up.sql file). */
  file: string
  up: SqlUnit[]
  /** The down units; none when there is no down SQL at all. */
  down: SqlUnit[]
  /** Why there is no down SQL, when there is none (for messages). */
  noDown?: string
}

/** The migrations of one directory in the tool's order, and what could not be read. */
export interface SqlDirectory {
  format: SqlFormat
  /** The migrations directory, absolute. */
  dir: string
  /** Every readable migration in the tool's order (duplicated versions included, in file order). */
  migrations: SqlMigration[]
  /** Files that look like migrations but cannot be used: file, line and why. */
  /** Files the tool cannot use: why (a clause about "it"), and how to fix it. */
  unreadable: { file: string; line: number; reason: string; fix: string; version?: string }[]
}

/** Whitespace as the tools trim it (Go's strings.TrimSpace, ASCII part): a BOM is not whitespace to them. */
export const isBlank = (text: string) => /^[\t\n\v\f\r ]*$/.test(text)

/** The tool's order of two versions: golang-migrate compares integers, dbmate compares text. */
export function compareVersions(format: SqlFormat, a: string, b: string): number {
  if (format === 'golang-migrate') {
    const x = BigInt(a)
    const y = BigInt(b)
    return x < y ? -1 : x > y ? 1 : 0
  }
  return a < b ? -1 : a > b ? 1 : 0
}

/** 1-based line of a UTF-16 index in a text. */
export function lineAt(text: string, index: number): number {
  let line = 1
  for (let i = 0; i < index && i < text.length; i++) if (text.charCodeAt(i) === 10) line++
  return line
}
