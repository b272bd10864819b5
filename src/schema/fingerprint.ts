// A cheap "did the schema change?" test: the server hashes the very document a snapshot would read and
// returns 64 hex characters, so a replay can compare states at every step and take the full snapshot and
// diff only when fingerprints differ. Equal fingerprints mean equal snapshots (for any excludeTables);
// different fingerprints may still give equal snapshots when only an excluded table changed.
import { FINGERPRINT_SQL } from './queries.js'
import { toRunner } from './snapshot.js'
import type { Queryable, QueryRunner } from './types.js'

export async function fingerprint(source: Queryable | QueryRunner): Promise<string> {
  const rows = await toRunner(source)(FINGERPRINT_SQL)
  const value = rows[0]?.fingerprint
  if (rows.length !== 1 || typeof value !== 'string') {
    throw new Error(`schema fingerprint: expected one row with a "fingerprint" column, got ${rows.length} row(s)`)
  }
  return value
}
