// Reads a golang-migrate directory: `VERSION_NAME.up.sql` and `VERSION_NAME.down.sql` per version,
// versions compared as unsigned 64-bit integers (so 0001 and 1 are the same version). golang-migrate
// itself skips files its pattern does not match, silently: such a file never runs, so the ones that
// look like migrations are reported instead of skipped.
import path from 'node:path'
import { listEntries, notAFileReason } from './entries.js'
import { GOLANG_MIGRATE_FILE, readText, relativeFile } from './files.js'
import { compareVersions, isBlank, type SqlDirectory, type SqlMigration, type SqlUnit } from './model.js'
import { splitStatements } from './split.js'

const MAX_VERSION = 2n ** 64n - 1n

interface Part {
  version: string
  name: string
  file: string
  text: string
}

export function readGolangMigrate(dir: string, projectDir: string): SqlDirectory {
  const result: SqlDirectory = { format: 'golang-migrate', dir, migrations: [], unreadable: [] }
  const ups = new Map<string, Part[]>()
  const downs = new Map<string, Part[]>()
  const unreadableUps = new Set<string>()
  // A version whose down file cannot be read has a down: it is reported as unreadable, not as missing.
  const unreadableDowns = new Set<string>()
  for (const { name, notAFile } of listEntries(dir)) {
    const file = relativeFile(projectDir, path.join(dir, name))
    const m = GOLANG_MIGRATE_FILE.exec(name)
    if (!m) {
      // golang-migrate ignores what its pattern does not match; a misnamed file is told its name.
      if (!notAFile && looksLikeMigration(name)) {
        result.unreadable.push({
          file,
          line: 1,
          reason: `its name does not match golang-migrate's VERSION_NAME.up.sql / VERSION_NAME.down.sql, so golang-migrate skips it without a word and it never runs`,
          fix: `rename it (e.g. ${suggestName(name)})`,
        })
      }
      continue
    }
    const [, digits = '', label = '', direction] = m
    const version = BigInt(digits)
    if (version > MAX_VERSION) {
      result.unreadable.push({
        file,
        line: 1,
        reason: `its version ${digits} does not fit golang-migrate's 64-bit version number, so golang-migrate skips it and it never runs`,
        fix: `use a shorter version`,
      })
      continue
    }
    const notAFileProblem = notAFile ? notAFileReason('golang-migrate', notAFile) : undefined
    // Never read before it is known to be a file: opening a named pipe blocks.
    const decoded = notAFileProblem ? undefined : readText(path.join(dir, name))
    if (!decoded || 'problem' in decoded) {
      // Its partner file is not an orphan: it is reported with this one.
      const unreadable = direction === 'up' ? unreadableUps : unreadableDowns
      unreadable.add(version.toString())
      result.unreadable.push({
        file,
        line: 1,
        version: version.toString(),
        ...(notAFileProblem ?? { reason: `it ${decoded?.problem}, so PostgreSQL refuses it`, fix: 'save it as UTF-8' }),
      })
      continue
    }
    const part: Part = { version: version.toString(), name: label, file, text: decoded.text }
    const into = direction === 'up' ? ups : downs
    into.set(part.version, [...(into.get(part.version) ?? []), part])
  }

  const versions = [...new Set([...ups.keys(), ...downs.keys()])].sort((a, b) =>
    compareVersions('golang-migrate', a, b),
  )
  for (const version of versions) {
    const upParts = ups.get(version) ?? []
    const downParts = [...(downs.get(version) ?? [])]
    for (const up of upParts) {
      // A down pairs with the up of the same name; a lone up and a lone down pair whatever their names.
      let i = downParts.findIndex((d) => d.name === up.name)
      if (i === -1 && upParts.length === 1 && downParts.length === 1) i = 0
      const down = i === -1 ? undefined : downParts.splice(i, 1)[0]
      result.migrations.push(migration(up, down, unreadableDowns.has(version)))
    }
    for (const down of downParts) {
      if (upParts.length === 0 && unreadableUps.has(version)) continue
      result.unreadable.push({
        file: down.file,
        line: 1,
        version,
        ...(upParts.length === 0
          ? {
              reason: `it is a down file without an up file: golang-migrate records version ${version} without running anything on the way up`,
              fix: `add ${version}_${down.name}.up.sql or delete this file`,
            }
          : {
              reason: `it is a second down file for version ${version}: golang-migrate refuses the whole directory ("duplicate migration file")`,
              fix: 'delete it or give it the version and name of its up file',
            }),
      })
    }
  }
  return result
}

function migration(up: Part, down: Part | undefined, downUnreadable: boolean): SqlMigration {
  const m: SqlMigration = {
    version: up.version,
    name: up.name,
    file: up.file,
    up: [unit(up)],
    down: [],
  }
  if (!down) {
    // A down file that is there but cannot be read has its own finding; "no down file" would be wrong.
    if (downUnreadable) return m
    m.noDown = `there is no down file (${path.posix.basename(up.file).replace(/\.up\./, '.down.')})`
  } else {
    // A down file with no statement runs (as nothing), exactly like an Alembic downgrade that only
    // says `pass`: the replay judges it by what the upgrade did (irreversible where it changed the
    // schema; nothing to undo where it only changed data).
    m.down = [unit(down)]
  }
  return m
}

/** golang-migrate sends the file as it is: one multi-statement simple query, atomic unless it commits itself. */
function unit(part: Part): SqlUnit {
  return {
    text: part.text,
    file: part.file,
    line: 1,
    transactional: false,
    statements: splitStatements(part.text).length,
    empty: isBlank(part.text),
  }
}

/** A .sql file that starts with a digit or says up/down was meant to be a migration. */
function looksLikeMigration(name: string): boolean {
  return /\.sql$/i.test(name) && (/^\d/.test(name) || /\.(up|down)\./i.test(name))
}

/** The golang-migrate name closest to a misnamed file, its direction kept: 4.down.sql -> 4_name.down.sql, 5_g_down.sql -> 5_g.down.sql. */
function suggestName(name: string): string {
  const m = /^(\d+)(?:[-_.]?(.*?))??(?:[-_.](up|down))?\.sql$/i.exec(name)
  if (!m) return 'VERSION_NAME.up.sql'
  const label = (m[2] || 'name').replace(/[^A-Za-z0-9]+/g, '_')
  return `${m[1]}_${label}.${(m[3] ?? 'up').toLowerCase()}.sql`
}
