// unversioned-database: the live database has tables but no version table, or an empty one (made
// by create_all() or by hand): the tool takes it for an empty database and replays the chain from
// its first migration, whose CREATE TABLE meets the tables already there.
import { build, count, type FindingEntry } from './entry.js'
import type { Finding } from '../report.js'

export const UNVERSIONED_DATABASE: FindingEntry<'unversioned-database'> = {
  id: 'unversioned-database',
  severity: 'error',
  checked: 'live',
  happened: 'the live database has tables but no version table, or an empty one (`create_all()`, or made by hand)',
  seen: '`relation "..." already exists` at the first migration of a deploy',
}

export function unversionedDatabase(facts: {
  table: string
  /** The version table is missing, or there and empty. */
  reason: 'missing' | 'empty'
  tables: number
  /** How to record a revision as applied (the tool's stamp, as Markdown), with REVISION to fill in. */
  stamp: string
}): Finding {
  const why =
    facts.reason === 'missing' ? `no version table (${facts.table})` : `an empty version table (${facts.table})`
  return build(UNVERSIONED_DATABASE, {
    message: `The live database has ${count(facts.tables, 'table')} but ${why}: the tool takes it for an empty database, so an upgrade starts from the first migration, whose first CREATE meets a table already there and fails.`,
    fix: `find the revision whose schema the database matches (compare it with what the migrations build) and record it without running anything: ${facts.stamp}.`,
  })
}
