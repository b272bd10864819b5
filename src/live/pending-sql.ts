// mode live: the SQL each pending migration will run on the live database, told by the driver without
// any database (the up file, or the tool's offline mode). Kept whole for the data risks (a risky
// statement may sit past any bound); bounded for the report, where the summary shows it collapsed.
import type { MigrationDriver, RevisionNode } from '../drivers/driver.js'
import { clipMiddle } from '../clip.js'
import type { ResourceTracker } from '../resource-tracker.js'

/** The most of one revision's SQL the report carries (characters): both ends are kept. */
export const PENDING_SQL_LIMIT = 8_000

export interface PendingSqlText {
  revision: string
  /** Relative to the project dir, POSIX separators. */
  file: string
  line: number
  /** The whole text; absent where it cannot be told. */
  sql?: string
}

export interface PendingSqlResult {
  /** One per pending revision, in order. */
  revisions: PendingSqlText[]
  /** Why a revision's SQL is missing, one line each. */
  notes: string[]
}

export async function readPendingSql(
  driver: MigrationDriver,
  pending: RevisionNode[],
  options: { timeoutSeconds: number; resources: ResourceTracker },
): Promise<PendingSqlResult> {
  const bare = pending.map(({ id, file, line }) => ({ revision: id, file, line }))
  if (pending.length === 0) return { revisions: [], notes: [] }
  if (!driver.pendingSql) {
    return { revisions: bare, notes: [`the SQL of the pending migrations cannot be told for ${driver.tool}`] }
  }
  const told = new Map((await driver.pendingSql({ pending, ...options })).map((p) => [p.revision, p] as const))
  const notes: string[] = []
  const revisions = bare.map((r) => {
    const t = told.get(r.revision)
    if (t?.sql !== undefined) return { ...r, sql: t.sql }
    notes.push(`${r.revision}: ${t?.note ?? 'its SQL cannot be told'}`)
    return r
  })
  return { revisions, notes }
}

/** The text the report shows for a revision's SQL: bounded, both ends kept. */
export function shownSql(sql: string): string {
  return clipMiddle(sql.trim(), PENDING_SQL_LIMIT)
}
