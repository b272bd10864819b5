// The git checks' view of a SQL migrations directory (MigrationLayout in drivers/driver.ts): which files are
// migrations, and a file as another commit has it read as a node whose id is its version. The
// version lives in the file name, so the text is not needed. Nodes read here carry no parents: the
// merge result is judged by checkMerged (staleInMerge), by version order, not by parents.
import path from 'node:path'
import type { MigrationLayout } from '../driver.js'
import type { RevisionGraph } from '../driver.js'
import type { Finding } from '../../report.js'
import { unparseableMigration } from '../../findings/unparseable-migration.js'
import { DBMATE_FILE, GOLANG_MIGRATE_FILE, type SqlLocation } from './files.js'
import { compareVersions } from './model.js'
import { staleVersions } from './out-of-order.js'

export function sqlLayout(location: SqlLocation, projectDir: string): MigrationLayout {
  const pattern = location.format === 'golang-migrate' ? GOLANG_MIGRATE_FILE : DBMATE_FILE
  const dir = path.relative(projectDir, location.dir).split(path.sep).join('/') || '.'
  return {
    migrationDirs: [location.dir],
    // Down files count: editing an applied down file changes what a rollback does.
    isRevisionFile: (abs) => path.dirname(abs) === location.dir && pattern.test(path.basename(abs)),
    // SQL tools have no models: only model-paths makes a file one.
    modelFiles: [],
    modelGlobs: [],
    // The directory above the migrations (db/ for db/migrations): a seed or helper script there
    // (db/seed.sql) goes with the migrations. Golang-migrate's usual ./migrations has the project
    // directory above it, which never counts.
    supportDirs: [path.dirname(location.dir)],
    ...(location.format === 'dbmate' ? { generatedFiles: [dbmateSchemaFile(projectDir)] } : {}),
    newMigrationCommand:
      location.format === 'golang-migrate'
        ? `migrate create -ext sql -dir ${dir} NAME`
        : `dbmate${dir === 'db/migrations' ? '' : ` --migrations-dir ${dir}`} new NAME`,
    readRevision(_text, file) {
      const m = pattern.exec(path.posix.basename(file))
      const digits = m?.[1]
      if (!digits) {
        return unparseableMigration(
          {
            file,
            problem: `is not named like a ${location.format} migration`,
            fix:
              location.format === 'golang-migrate'
                ? 'name it VERSION_NAME.up.sql (or .down.sql), as `migrate create` does.'
                : 'name it VERSION_NAME.sql, as `dbmate new` does.',
          },
          { file, line: 1 },
        )
      }
      const id = location.format === 'golang-migrate' ? BigInt(digits).toString() : digits
      return { id, parents: [], dependsOn: [], branchLabels: [], file, line: 1 }
    },
    checkMerged: (merged, prAdded, base) => staleInMerge(location, merged, prAdded, base),
    compareIds: (a, b) => compareVersions(location.format, a, b),
  }
}

/**
 * stale-parent over the chain as the merge would have it (the working tree's versions plus what the
 * base added since the fork): the versions the PR adds that sort before the base's latest.
 */
export function staleInMerge(
  location: SqlLocation,
  merged: RevisionGraph,
  prAdded: ReadonlySet<string>,
  baseLabel?: string,
): Finding[] {
  const base = merged.nodes.filter((n) => !prAdded.has(n.id)).map((n) => n.id)
  const added = merged.nodes.filter((n) => prAdded.has(n.id)).map((n) => ({ version: n.id, file: n.file }))
  // One finding per version, at its up file where golang-migrate has both.
  const once = new Map<string, { version: string; file: string }>()
  for (const a of added) {
    const seen = once.get(a.version)
    if (!seen || (/\.down\./.test(seen.file) && !/\.down\./.test(a.file))) once.set(a.version, a)
  }
  return staleVersions(location.format, base, [...once.values()], baseLabel)
}

/**
 * The schema dump dbmate writes after every migrate and rollback: DBMATE_SCHEMA_FILE (what
 * --schema-file sets), else db/schema.sql, from the directory dbmate runs in (the project's).
 */
export function dbmateSchemaFile(projectDir: string): string {
  return path.resolve(projectDir, process.env.DBMATE_SCHEMA_FILE || path.join('db', 'schema.sql'))
}
