// The schema the chain builds at the live database's revision(s): a plain upgrade from an empty scratch
// database to exactly those revisions (their ancestors, parents first; no stairway: each step is run
// once and not judged, the replay judges them), with the catalog snapshot after each step. It gives
// (a) the schema to compare the live one with, (b) which revision created or last changed each object,
// for the finding's "which file should own it", and (c) the fingerprints of the schema after every
// step, for the search of the revision whose schema the live database has, to stamp when the version
// table is wrong. The search is cheapest first: the schemas already built on the way to the live
// revision, then the chain beyond it, built one step at a time only as far as the search needs.
import pg from 'pg'
import { comparedSchema, type ComparedSchema } from './compared-schema.js'
import type { IgnoreRule } from './ignore.js'
import { indexGraph, orderedNodes, resolve, type GraphIndex } from '../checks/topo.js'
import type { MigrationDriver, MigrationSession, RevisionGraph, RevisionNode, StepError } from '../drivers/driver.js'
import { PROBE_APPLICATION_NAME } from '../postgres/names.js'
import { diff, type SchemaChange } from '../schema/diff.js'
import { takeSnapshot } from '../schema/snapshot.js'
import type { ResourceTracker } from '../resource-tracker.js'

/** The schema after one step of the build: which revisions were the heads, and its fingerprint. */
export interface BuiltSchema {
  /** The heads of the applied revisions (empty: the empty database, before any step). */
  revisions: string[]
  fingerprint: string
  /** Built past the live revisions, by the search (the live database may have run them unrecorded). */
  beyondLive: boolean
}

/** The revision whose file should hold an object, as far as the chain can tell. */
export interface Owner {
  revision: string
  /** Relative to the project directory. */
  file: string
  line: number
  /**
   * object: the revision created or last changed this very object; relation: the object is not
   * the migrations' (or is theirs but has no history of its own), and this revision creates the
   * relation it belongs to.
   */
  of: 'object' | 'relation'
  /** The relation's display name, for `of: 'relation'`. */
  relation?: string
}

export interface ExpectedSchemaInput {
  driver: MigrationDriver
  /** A scratch database on the gate's ephemeral server, empty; the build migrates it. */
  url: string
  graph: RevisionGraph
  /** The revisions the live database is at (its version table's rows); empty: none applied. */
  revisions: string[]
  /** live-ignore: left out of every schema, so that fingerprints compare what the comparison compares. */
  ignore: readonly IgnoreRule[]
  stepTimeoutSeconds: number
  /** The run's resource tracker: the driver's session (a helper process) is tracked there. */
  resources: ResourceTracker
}

export type ExpectedSchemaResult =
  | { ok: true; schema: ExpectedSchema }
  /** The chain could not be built there; `reason` is one line for a note ("live-drift skipped: ..."). */
  | { ok: false; reason: string; error?: StepError; revision?: string }

/** First creation and latest change of one object, by revision id. */
interface History {
  created: string
  changed?: string
}

export class ExpectedSchema {
  /** Every schema built so far: the empty database, then one per step. */
  private readonly built: BuiltSchema[] = []
  private readonly history = new Map<string, History>()
  private readonly applied = new Set<string>()
  private last: ComparedSchema | undefined
  /** Set once the build to the live revisions is done. */
  private targetSchema: ComparedSchema | undefined
  /** Revisions beyond the live ones, in the order the search builds them. */
  private beyond: RevisionNode[] = []
  /** Why the search beyond the live revision stopped early, if it did. */
  private stopped: string | undefined

  private constructor(
    private readonly index: GraphIndex,
    private readonly session: MigrationSession,
    private readonly client: pg.Client,
    private readonly excludeTables: string[],
    /** live-ignore, applied to every schema built (and by drift.ts to the live one). */
    readonly ignore: readonly IgnoreRule[],
    /** The live revisions: the version table's rows without those another one needs. */
    readonly revisions: string[],
  ) {}

  /** Migrates the scratch database at `url` to the live revisions; the caller closes the result. */
  static async build(input: ExpectedSchemaInput): Promise<ExpectedSchemaResult> {
    const index = indexGraph(input.graph)
    const unknown = input.revisions.filter((r) => !resolve(index, r))
    if (unknown.length > 0) {
      return { ok: false, reason: `the chain has no revision ${unknown.join(', ')}` }
    }
    const wanted = ancestry(index, input.revisions)
    const order = orderedNodes(index)
    const client = new pg.Client({ connectionString: input.url, application_name: PROBE_APPLICATION_NAME })
    client.on('error', () => {}) // a dropped connection surfaces on the next query instead
    let session: MigrationSession | undefined
    try {
      await client.connect()
      session = await input.driver.open(input.url, {
        stepTimeoutSeconds: input.stepTimeoutSeconds,
        resources: input.resources,
      })
      const schema = new ExpectedSchema(
        index,
        session,
        client,
        input.driver.bookkeepingTables,
        input.ignore,
        headsOf(index, input.revisions, wanted),
      )
      await schema.record(undefined)
      for (const node of order.filter((n) => wanted.has(n.id))) {
        const failure = await schema.step(node)
        if (failure) {
          await schema.close()
          return {
            ok: false,
            reason: `revision ${node.id} (${node.file}) fails to upgrade on an empty database: ${failure.message}`,
            error: failure,
            revision: node.id,
          }
        }
      }
      schema.targetSchema = schema.last
      schema.beyond = order.filter((n) => !wanted.has(n.id))
      return { ok: true, schema }
    } catch (error) {
      await session?.close().catch(() => {})
      await client.end().catch(() => {})
      throw error
    }
  }

  /** The compared schema the chain builds at the live revisions. */
  get target(): ComparedSchema {
    if (!this.targetSchema) throw new Error('expected schema: not built')
    return this.targetSchema
  }

  /** Why the search stopped before head, if it did (a step beyond the live revision failed). */
  get searchStopped(): string | undefined {
    return this.stopped
  }

  /**
   * Where the object of a difference (expected -> live, as drift.ts diffs them) belongs: the revision
   * that built it (for an attribute that differs: the one that last changed it), else the revision
   * that creates its relation. Undefined for an object of its own (a table) no migration creates.
   */
  ownerOf(change: SchemaChange): Owner | undefined {
    const own = this.history.get(objectKey(change))
    const relation = change.table === undefined ? undefined : this.history.get(relationKey(change.table))
    if (own && change.change !== 'added') {
      return this.owner(change.change === 'changed' ? (own.changed ?? own.created) : own.created, 'object')
    }
    if (relation) return { ...this.owner(relation.created, 'relation')!, relation: change.table! }
    return undefined
  }

  /**
   * The schemas equal to the one with `fingerprint` (a live database's compared schema): those built
   * on the way to the live revisions first, then the chain beyond them, one step at a time until the
   * run of equal schemas after a match ends (revisions that change no schema match together).
   * Empty when none does.
   */
  async matching(fingerprint: string): Promise<BuiltSchema[]> {
    const found = this.built.filter((b) => b.fingerprint === fingerprint)
    if (found.length > 0) return found
    while (this.beyond.length > 0) {
      const node = this.beyond.shift()!
      const failure = await this.step(node)
      if (failure) {
        this.stopped = `revision ${node.id} failed to upgrade (${failure.message}), so the chain after it was not searched`
        this.beyond = []
        break
      }
      const now = this.built.at(-1)!
      if (now.fingerprint === fingerprint) found.push(now)
      else if (found.length > 0) break
    }
    return found
  }

  /** The file and line of a revision, for a finding placed at it. */
  placeOf(revision: string): { file: string; line: number } | Record<string, never> {
    const node = this.index.byId.get(revision)
    return node ? { file: node.file, line: node.line } : {}
  }

  async close(): Promise<void> {
    await this.session.close().catch(() => {})
    await this.client.end().catch(() => {})
  }

  /** Upgrades one revision and records the schema after it; the step's error when it fails. */
  private async step(node: RevisionNode): Promise<StepError | undefined> {
    const result = await this.session.upgrade(node.id)
    if (!result.ok) return result.error ?? { message: 'the upgrade failed' }
    this.applied.add(node.id)
    await this.record(node.id)
    return undefined
  }

  /** Takes the snapshot after `revision` (undefined: the empty database) and learns what it built. */
  private async record(revision: string | undefined): Promise<void> {
    const now = comparedSchema(await takeSnapshot(this.client, { excludeTables: this.excludeTables }), this.ignore)
    if (this.last && revision) {
      for (const change of diff(this.last.snapshot, now.snapshot, { columnOrder: false })) {
        const key = objectKey(change)
        if (change.change === 'added') this.history.set(key, { created: revision })
        else if (change.change === 'removed') this.history.delete(key)
        else {
          const h = this.history.get(key)
          if (h) h.changed = revision
          // An object the empty database already had (schema public) gets its history here.
          else this.history.set(key, { created: revision })
        }
      }
    }
    this.last = now
    this.built.push({
      revisions: this.heads(),
      fingerprint: now.fingerprint,
      beyondLive: this.targetSchema !== undefined,
    })
  }

  /** The applied revisions no applied revision names as a parent: what the version table would hold. */
  private heads(): string[] {
    const parents = new Set<string>()
    for (const id of this.applied) {
      for (const p of this.index.byId.get(id)?.parents ?? []) {
        const node = resolve(this.index, p)
        if (node) parents.add(node.id)
      }
    }
    return [...this.applied].filter((id) => !parents.has(id))
  }

  private owner(revision: string, of: Owner['of']): Owner | undefined {
    const node = this.index.byId.get(revision)
    return node ? { revision, file: node.file, line: node.line, of } : undefined
  }
}

/**
 * The given revisions without those another one needs: a version table listing every applied version
 * (dbmate, the gate's own SQL bookkeeping) stands at its latest, as Alembic's rows are its heads.
 */
function headsOf(index: GraphIndex, revisions: string[], closure: Set<string>): string[] {
  const ids = [...new Set(revisions.map((r) => resolve(index, r)!.id))]
  const needed = new Set<string>()
  for (const id of closure) {
    const node = index.byId.get(id)!
    for (const ref of [...node.parents, ...node.dependsOn]) {
      const parent = resolve(index, ref)
      if (parent) needed.add(parent.id)
    }
  }
  return ids.filter((id) => !needed.has(id))
}

/** The revisions and everything they need (parents, depends_on), by id. */
function ancestry(index: GraphIndex, revisions: string[]): Set<string> {
  const seen = new Set<string>()
  const stack = revisions.map((r) => resolve(index, r)!).filter(Boolean)
  while (stack.length > 0) {
    const node = stack.pop()!
    if (seen.has(node.id)) continue
    seen.add(node.id)
    for (const ref of [...node.parents, ...node.dependsOn]) {
      const parent = resolve(index, ref)
      if (parent) stack.push(parent)
    }
  }
  return seen
}

const RELATION_KINDS = new Set(['table', 'partitioned table', 'view', 'materialized view', 'foreign table'])
const FUNCTION_KINDS = new Set(['function', 'procedure', 'aggregate', 'window function'])

/** One key per object whatever changed about it (a table that became a view is the same name). */
function objectKey(change: SchemaChange): string {
  if (change.table === undefined && RELATION_KINDS.has(change.kind)) return relationKey(change.name)
  const group = FUNCTION_KINDS.has(change.kind) ? 'function' : change.kind
  return `${group}\u0000${change.table ?? ''}\u0000${change.name}`
}

function relationKey(name: string): string {
  return `relation\u0000\u0000${name}`
}
