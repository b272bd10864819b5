// empty-migration: an up migration with nothing in it. The tool runs it as nothing and records the
// version, so no error stops it, but the change it was meant to make never reaches a database: it
// is almost always a file never saved or a template never filled in. A warning.
import { build, type FindingEntry, type Place } from './entry.js'
import type { Finding } from '../report.js'

export const EMPTY_MIGRATION: FindingEntry<'empty-migration'> = {
  id: 'empty-migration',
  severity: 'warning',
  checked: 'replay',
  happened:
    'a golang-migrate up file or a dbmate `-- migrate:up` block with nothing in it: the tool runs it as nothing and records the version (a comment in it marks a deliberate no-op)',
  seen: 'the change it was meant to make never reaches a database',
  revisionScoped: true,
}

export function emptyMigration(
  facts: {
    /** What is empty, as a sentence's subject ("db/migrations/1_x.up.sql"). */
    subject: string
    tool: string
    version: string
    /** How such a file usually comes about. */
    cause: string
    fix: string
  },
  place: Place,
): Finding {
  return build(
    EMPTY_MIGRATION,
    {
      message: `${facts.subject} is empty: ${facts.tool} runs it as nothing and records version ${facts.version} as applied, so every database passes it without the change it was meant to make (most often ${facts.cause}).`,
      fix: facts.fix,
    },
    place,
  )
}
