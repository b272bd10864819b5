// The live findings, from where the live database stands (the driver's LiveState), the chain, and
// how many tables the database has: dirty-database, unversioned-database, unknown-revision,
// pending-migrations. Pure: the phase reads, this decides.
import type { LiveState, LiveWording, RevisionGraph } from '../drivers/driver.js'
import { dirtyDatabase, type DirtyProgress } from '../findings/dirty-database.js'
import { pendingMigrations } from '../findings/pending-migrations.js'
import { unknownRevision, type SchemaMatch } from '../findings/unknown-revision.js'
import { unversionedDatabase } from '../findings/unversioned-database.js'
import type { Finding, PendingRevision } from '../report.js'
import type { RevisionOrigin } from '../git/revision-origin.js'
import { liveStanding, versionBefore } from './pending.js'

export interface LiveFacts {
  graph: RevisionGraph
  state: LiveState
  /** Tables of the live database besides the version table (extension members left out). */
  tables: number
  expect: 'any' | 'head'
  wording: LiveWording
  /** Where each unknown revision's file came from in git, where found. */
  origins: ReadonlyMap<string, RevisionOrigin>
  /** A dirty version's: what of its up SQL the live schema shows (dirty-progress.ts), when compared. */
  dirtyProgress?: DirtyProgress
  /** An unknown revision's: the revision whose schema the live database has (schema-match.ts), when searched. */
  schemaMatch?: SchemaMatch
}

export interface LiveJudgement {
  findings: Finding[]
  notes: string[]
  /** Revisions `upgrade head` will apply, in order; null when it cannot be told. */
  pending: PendingRevision[] | null
  /** Revisions the version table holds that no migration declares. */
  unknown: string[]
}

export function judgeLive(facts: LiveFacts): LiveJudgement {
  const { state, graph, wording } = facts
  const findings: Finding[] = []
  const notes: string[] = [...state.notes]
  const byId = new Map(graph.nodes.map((n) => [n.id, n]))
  if (state.dirty !== undefined) {
    const node = byId.get(state.dirty)
    const previous = versionBefore(graph, state.dirty)
    findings.push(
      dirtyDatabase(
        {
          version: state.dirty,
          table: state.table,
          forceThis: wording.force?.(state.dirty) ?? wording.stamp(state.dirty),
          ...(previous && wording.force ? { forcePrevious: wording.force(previous) } : {}),
          ...(facts.dirtyProgress ? { progress: facts.dirtyProgress } : {}),
        },
        { revision: state.dirty, ...(node ? { file: node.file, line: node.line } : {}) },
      ),
    )
  }
  if (state.revisions.length === 0 && facts.tables > 0) {
    // An upgrade would start from the first migration over tables already there: no pending list to give.
    findings.push(
      unversionedDatabase({
        table: state.table,
        reason: state.exists ? 'empty' : 'missing',
        tables: facts.tables,
        stamp: wording.stamp('REVISION'),
      }),
    )
    return { findings, notes, pending: null, unknown: [] }
  }
  if (state.revisions.length === 0)
    notes.push(`the live database is empty (no tables, no ${state.table}): every migration is pending`)
  const standing = liveStanding(graph, state)
  for (const revision of standing.unknown) {
    const origin = facts.origins.get(revision)
    findings.push(
      unknownRevision({
        revision,
        table: state.table,
        stamp: wording.stamp('REVISION'),
        ...(origin ? { origin: origin.said, restore: origin.restore } : {}),
        ...(facts.schemaMatch ? { match: facts.schemaMatch } : {}),
      }),
    )
  }
  if (standing.pending === null) {
    notes.push('the pending migrations cannot be listed: the live database is at a revision the chain does not have')
    return { findings, notes, pending: null, unknown: standing.unknown }
  }
  const pending = standing.pending.map(({ id, file, line, message }) => ({
    revision: id,
    file,
    line,
    ...(message ? { message } : {}),
  }))
  const first = pending[0]
  if (first) {
    findings.push(
      pendingMigrations(
        {
          lines: pending.map((p) => `${p.revision}${p.message ? ` ${p.message}` : ''} (${p.file}:${p.line})`),
          expect: facts.expect,
          upgrade: wording.upgrade,
        },
        { revision: first.revision, file: first.file, line: first.line },
      ),
    )
  }
  return { findings, notes, pending, unknown: standing.unknown }
}
