// live-drift: the live database's schema, read through the caller's read-only QueryRunner, against the
// schema the chain builds at the live revision (expected-schema.ts), both through the same catalog
// snapshot and the same compared part (compared-schema.ts). One finding per difference, naming the
// object, what the live database has and what the migrations build, at the file that should own it;
// or, when the live schema is exactly another revision's, one finding saying which revision to stamp.
// Nothing here writes: the live side is one snapshot query (a SELECT on the catalogs, ACCESS SHARE
// locks only) on the runner it is given. That runner must use the server's default search_path, as
// the scratch connection does: pg_get_*def qualifies names outside search_path, so another one
// would make every definition differ (schema/queries.ts).
import type { ExpectedSchema } from './expected-schema.js'
import { comparedSchema, type ComparedSchema, type IgnoredObject } from './compared-schema.js'
import type { IgnoreRule } from './ignore.js'
import { liveDrift, liveDriftOtherRevision, type DriftDirection } from '../findings/live-drift.js'
import type { Finding, Severity } from '../report.js'
import { diff, type SchemaChange, type Sides } from '../schema/diff.js'
import { takeSnapshot } from '../schema/snapshot.js'
import type { QueryRunner } from '../schema/types.js'

/** How the two sides are named in each difference. */
export const LIVE_SIDES: Sides = { after: 'in the live database', before: 'in the migrations' }

export interface LiveDriftInput {
  /** Runs one statement on the live database, inside the caller's read-only transaction. */
  live: QueryRunner
  /**
   * The tool's version table(s) where the live database keeps them ("schema.table", or a bare name
   * for any schema), left out of its snapshot as the scratch database's are.
   */
  versionTables: string[]
  /** Built by ExpectedSchema.build at the live revisions, with the live-ignore rules. */
  expected: ExpectedSchema
  /** live-drift-severity. */
  severity: Severity
  /** How to record revisions as applied without running them, as Markdown (`` `alembic stamp X` ``), for the fix. */
  stamp?: (revisions: string[]) => string
  /**
   * Called once the live database has been read (one statement), before the comparison and the search,
   * which may upgrade the scratch database further: end the read-only transaction here, so that its
   * ACCESS SHARE locks are held for that one statement only.
   */
  liveRead?: () => Promise<void>
}

export interface LiveDriftResult {
  findings: Finding[]
  /** What was left out and why, and a search that stopped early: lines for the report's notes. */
  notes: string[]
  /** The revisions whose schema the live database has exactly, when it is not its own revision's. */
  matching?: string[]
}

export async function liveDriftFindings(input: LiveDriftInput): Promise<LiveDriftResult> {
  const { expected, severity } = input
  const live = await readLiveSchema(input.live, input.versionTables, expected.ignore)
  await input.liveRead?.()
  const { changes, serverExtensions } = liveChanges(expected.target, live)
  const notes = [...ignoreNotes(expected.ignore, live.ignored, expected.target.ignored)]
  if (serverExtensions.length > 0) {
    notes.push(
      `live-drift left out extensions the live database has beyond the migrations, or at another version (${serverExtensions.join(', ')}): what a server offers is its packaging, not the migrations'`,
    )
  }
  if (changes.length === 0) return { findings: [], notes }

  // Cheapest first: equal fingerprints are equal compared schemas (extensions aside), so only a
  // fingerprint that differs from the live revision's own is worth a search.
  const name = (revisions: string[]) => (revisions.length > 0 ? revisions.join(', ') : 'base (no revision)')
  const matches =
    live.fingerprint === expected.target.fingerprint
      ? []
      : (await expected.matching(live.fingerprint)).filter((m) => !sameSet(m.revisions, expected.revisions))
  if (expected.searchStopped) notes.push(`live-drift: ${expected.searchStopped}`)
  // Revisions that change no schema (data migrations, an empty merge) match together. Past the live
  // revision the latest is the likelier (they ran, unrecorded); before it the earliest (nothing after ran).
  const first = matches[0]?.beyondLive ? matches.at(-1) : matches[0]
  if (first) {
    const place = first.revisions.length === 1 ? expected.placeOf(first.revisions[0]!) : {}
    return {
      findings: [
        liveDriftOtherRevision(
          {
            stamped: name(expected.revisions),
            matches: name(first.revisions),
            alsoMatching: matches.filter((m) => m !== first).map((m) => name(m.revisions)),
            differences: changes.map((c) => c.message),
            stamp: input.stamp
              ? input.stamp(first.revisions)
              : `record ${name(first.revisions)} as applied in the version table without running it`,
          },
          place,
          severity,
        ),
      ],
      notes,
      matching: first.revisions,
    }
  }
  return { findings: changes.map((c) => differenceFinding(c, expected, severity)), notes }
}

/**
 * The live database's compared schema: one snapshot statement through the read-only runner, without
 * the tool's version table(s) and what the rules and live-ignore leave out.
 */
export async function readLiveSchema(
  live: QueryRunner,
  versionTables: string[],
  ignore: readonly IgnoreRule[],
): Promise<ComparedSchema> {
  return comparedSchema(await takeSnapshot(live, { excludeTables: versionTables }), ignore)
}

/**
 * The differences from `expected` (a schema the chain builds) to `live`, as live-drift names them,
 * without the server's extensions (returned apart, by name, for a note).
 */
export function liveChanges(
  expected: ComparedSchema,
  live: ComparedSchema,
): { changes: SchemaChange[]; serverExtensions: string[] } {
  const all = diff(expected.snapshot, live.snapshot, { columnOrder: false, sides: LIVE_SIDES })
  return {
    changes: all.filter((c) => !isServerExtension(c)),
    serverExtensions: [...new Set(all.filter(isServerExtension).map((c) => c.name))],
  }
}

const DIRECTION: Record<SchemaChange['change'], DriftDirection> = {
  added: 'extra',
  removed: 'missing',
  changed: 'differs',
}

function differenceFinding(change: SchemaChange, expected: ExpectedSchema, severity: Severity): Finding {
  const owner = expected.ownerOf(change)
  return liveDrift(
    {
      difference: change.message,
      direction: DIRECTION[change.change],
      ...(owner
        ? { owner: { revision: owner.revision, ...(owner.of === 'relation' ? { relation: owner.relation! } : {}) } }
        : {}),
    },
    owner ? { file: owner.file, line: owner.line } : {},
    severity,
  )
}

/**
 * An extension only the live database has, or at another version: the server's packages and its
 * DBAs' monitoring (pg_stat_statements), not the migrations'. One the migrations create that the
 * live database lacks stays a finding.
 */
function isServerExtension(c: SchemaChange): boolean {
  return c.kind === 'extension' && (c.change === 'added' || c.attribute === 'version')
}

/** What live-ignore left out, by rule, and each rule that matched nothing on either side (a typo?). */
function ignoreNotes(rules: readonly IgnoreRule[], live: IgnoredObject[], expected: IgnoredObject[]): string[] {
  const notes: string[] = []
  for (const rule of rules) {
    const here = [...new Set(live.filter((o) => o.rule === rule).map((o) => o.object))]
    const used = here.length > 0 || expected.some((o) => o.rule === rule)
    if (here.length > 0) {
      notes.push(`live-ignore ${rule.pattern} left out ${here.join(', ')} of the live database: ${rule.reason}`)
    } else if (!used) {
      notes.push(`live-ignore ${rule.pattern} matches nothing in the live database or the migrations' schema`)
    }
  }
  return notes
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x))
}
