// What the git checks need to know about a migration tool's project: where revisions live and which
// files are revisions, where the models live, the command that writes a migration, and how to read
// a revision file as another commit has it. A driver provides it through gitLayout() (Alembic's is
// drivers/alembic/git-layout.ts); a tool without one gets no git rules that need to know migrations.
import type { RevisionGraph, RevisionNode } from '../drivers/driver.js'
import type { Finding } from '../report.js'

export interface MigrationLayout {
  /** Absolute directories holding the revision files (Alembic: the versions directories). */
  migrationDirs: string[]
  /** True for an absolute path the tool would load as a revision. */
  isRevisionFile(abs: string): boolean
  /** Absolute model files the tool's own config points at (env.py's target_metadata module). */
  modelFiles: string[]
  /** The command that writes a migration from the models, for messages. */
  newMigrationCommand: string
  /** A revision file's text (as a commit has it) as a node; `file` is relative to the project dir. */
  readRevision(text: string, file: string): RevisionNode | Finding
  /**
   * The tool's own judgement of the merge result, instead of the chain check over parents
   * (checks/stale.ts): SQL versions are ordered by number, not linked by parents.
   */
  checkMerged?(merged: RevisionGraph, prAdded: ReadonlySet<string>, base: string): Finding[]
  /**
   * The tool's order of two revision ids, for tools whose versions are ordered rather than linked
   * (SQL): the base's head is then its latest version.
   */
  compareIds?(a: string, b: string): number
}
