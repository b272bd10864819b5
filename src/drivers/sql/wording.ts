// How findings speak about golang-migrate and dbmate: what the tool does with a duplicated
// version, a missing down, an out-of-order version, and how a version is renamed.
import type { ChainWording } from '../driver.js'
import type { SqlFormat } from './model.js'

export interface SqlWording {
  chain: Partial<ChainWording>
  /** What the tool does with two files of one version, as a sentence (a tool name keeps its lower case). */
  duplicate: string
  /** How to give a file a version after `after` (`free`: the version to take, where the tool's versions are counted), as a clause about "it". */
  rename: (after: string, free?: string) => string
  /** What the tool does rolling back a version without down SQL, as a sentence. */
  noDown: string
  /** What the tool does with a version older than the database's latest, as a clause. */
  outOfOrder: (latest: string) => string
  /** An up with nothing in it (block at `line`): what is empty, why it usually is, and the fix. */
  emptyUp: (file: string, line: number) => { subject: string; cause: string; fix: string }
}

export const SQL_WORDING: Record<SqlFormat, SqlWording> = {
  'golang-migrate': {
    chain: { tool: 'golang-migrate', parentField: 'previous version', dependsField: 'dependency', labels: false },
    duplicate: 'golang-migrate refuses the whole directory ("duplicate migration file"), so no migration runs anywhere',
    rename: (after, free) =>
      free
        ? `rename its .up.sql and .down.sql to version ${free} (a free one after ${after})`
        : `rename its .up.sql and .down.sql to a version after ${after}`,
    noDown:
      'golang-migrate rolls back past it as an empty migration: the version goes, the schema stays, and the next upgrade meets objects that already exist',
    outOfOrder: (latest) =>
      `golang-migrate only runs versions after the current one, so every database already at ${latest} skips it for good`,
    emptyUp: (file) => ({
      subject: file,
      cause: 'a file never saved, or the empty file `migrate create` makes never filled in',
      fix: 'write its SQL, or for a deliberate no-op say so in a comment in it, as golang-migrate advises.',
    }),
  },
  dbmate: {
    chain: { tool: 'dbmate', parentField: 'previous version', dependsField: 'dependency', labels: false },
    duplicate:
      'On a fresh database dbmate runs both and then fails recording the second (duplicate key in schema_migrations); where the version is already recorded it takes both as applied, so the second never runs',
    rename: (after) => `rename it with a fresh timestamp after ${after} (\`dbmate new\` makes one)`,
    noDown:
      'dbmate rolls back past it running nothing: the version goes, the schema stays, and the next upgrade meets objects that already exist',
    outOfOrder: (latest) =>
      `databases already at ${latest} run it after newer migrations it was never tested with (and \`dbmate --strict\` refuses to migrate at all)`,
    emptyUp: (file, line) => ({
      subject: `The \`-- migrate:up\` block of ${file}${line > 1 ? ` (line ${line})` : ''}`,
      cause: 'the template `dbmate new` makes never filled in, or a file never saved',
      fix: 'write its SQL under the marker, or for a deliberate no-op say so in a comment there.',
    }),
  },
}
