// What the replay checks (roundtrip, stairway) work with: a database with a migration session and a
// catalog probe, the revision graph, and the policy for irreversible migrations. Tool-agnostic.
import {
  SessionStartTimeout,
  type MigrationSession,
  type RevisionGraph,
  type RevisionNode,
  type StepError,
  type StepOptions,
  type StepResult,
} from '../drivers/driver.js'
import type { Logger } from '../logger.js'
import type { SchemaChange } from '../schema/diff.js'
import { isConstraintRename, undoStatements } from '../schema/undo.js'
import type { Finding, FindingId, Severity, Step } from '../report.js'
import { downgradeFailed } from '../findings/downgrade-failed.js'
import { downgradeResidue } from '../findings/downgrade-residue.js'
import { irreversibleMigration } from '../findings/irreversible-migration.js'
import { loadTimeout, stepTimeout } from '../findings/step-timeout.js'
import { placed } from '../findings/transform.js'
import { idsWhere } from '../findings/catalogue.js'
import { upgradeFailed } from '../findings/upgrade-failed.js'

/** Reads the schema of the replay database at chosen moments and compares them. */
export interface CatalogProbe {
  /** Records the schema as it is now under `key`; returns its fingerprint (equal fingerprints = equal schemas). */
  capture(key: string): Promise<string>
  /** Human-readable differences going from the schema captured as `fromKey` to the one captured as `toKey`. */
  diff(fromKey: string, toKey: string): Promise<string[]>
  /** The same differences as objects (kind, name, change), for what follows from them. */
  changes(fromKey: string, toKey: string): Promise<SchemaChange[]>
  /** Frees a captured schema. */
  forget(key: string): Promise<void>
  /** Removes what the probe installed in the database, before the models are compared with it. */
  release(): Promise<void>
  /**
   * Runs statements of the gate's own in the database (removing what a downgrade left behind), in one
   * transaction: all of them or, when one fails, none (it throws).
   */
  undo(statements: string[]): Promise<void>
}

export interface ReplayDatabase {
  session: MigrationSession
  probe: CatalogProbe
  /** Closes the session and drops the database; a second call does nothing. */
  dispose(): Promise<void>
  /**
   * Closes the session and the probe but keeps the database, whose name it returns (the caller then
   * owns it: a template copy needs a database nobody is connected to). Dispose then drops nothing.
   */
  detach?(): Promise<string>
  /**
   * Lowers (or restores) the CPU priority of what works on this database: the session's process and,
   * on a cluster the gate runs on this machine, the server processes serving it (replay-follower.ts).
   */
  setBackground?(background: boolean): Promise<void>
}

/** Copies of the gate's own databases (CREATE DATABASE ... TEMPLATE): what stairway rebuilds start from. */
export interface DatabaseCopies {
  /** A new database copied from `template`, which the gate created and nobody is connected to. */
  copy(template: string): Promise<string>
  drop(name: string): Promise<void>
  /** Keep a checkpoint at every rebuild, not only where it pays (tests: every path taken on small fixtures). */
  always?: boolean
}

export interface IrreversiblePolicy {
  /** Severity of irreversible-migration findings (warning by default). */
  severity: Severity
  /** Revisions a team accepts as irreversible, each with its required reason. */
  allow: Map<string, string>
}

export interface ReplayContext {
  graph: RevisionGraph
  /** Revision ids, parents before children. */
  order: string[]
  /**
   * A fresh, empty database with a session and a probe (a rebuild after a broken state uses it too);
   * `existing`: the session and probe on a database the gate already created (a copy), instead.
   */
  open(existing?: string): Promise<ReplayDatabase>
  /** Template copies for rebuilds (replay-checkpoints.ts); absent: every rebuild upgrades from base. */
  copies?: DatabaseCopies
  /** False: residue is never removed in place (replay-repair.ts), every broken state rebuilds. */
  repair?: boolean
  irreversible: IrreversiblePolicy
  /** Called once with the database at head, when every revision upgraded (model drift runs here). */
  atHead?(session: MigrationSession): Promise<void>
  /** Databases the stairway may replay slices of the chain on, side by side (1: one database). */
  workers?: number
  /** How the tool names its commands in messages (the driver's `tool`). */
  tool: string
  logger: Logger
  /**
   * Revisions whose first upgrade (stairway and roundtrip alike) runs with `{ observe: true }`: its
   * statements and what the server saw go into the report's step (the dangerous-operation rules read
   * them there). None: nothing is observed, at no cost.
   */
  observe?: (revision: string) => boolean
}

/** The options of `revision`'s first upgrade: observed when the context asks for it. */
export function firstUpgradeOptions(ctx: ReplayContext, revision: string): StepOptions | undefined {
  return ctx.observe?.(revision) ? { observe: true } : undefined
}

export interface ReplayOutcome {
  findings: Finding[]
  steps: Step[]
  /** Things the report should say that are not findings. */
  notes?: string[]
}

/** Collects steps and findings, and knows where each revision lives. */
export class ReplayLog {
  readonly findings: Finding[] = []
  readonly steps: Step[] = []
  private readonly nodes: Map<string, RevisionNode>

  /** `logger`: each step is logged at debug level (the CLI's --verbose), as it happens. */
  constructor(
    graph: RevisionGraph,
    private readonly logger?: Logger,
  ) {
    this.nodes = new Map(graph.nodes.map((n) => [n.id, n]))
  }

  node(revision: string): RevisionNode | undefined {
    return this.nodes.get(revision)
  }

  step(revision: string, direction: Step['direction'], phase: Step['phase'], result: StepResult): void {
    const what =
      phase === 'first' ? direction : phase === 'down' ? 'downgrade' : phase === 're' ? 'upgrade again' : direction
    this.logger?.debug(
      `${what} ${revision}: ${result.ok ? 'ok' : `failed (${result.error?.message ?? 'unknown error'})`} in ${result.ms} ms`,
    )
    this.steps.push({
      revision,
      direction,
      ...(phase ? { phase } : {}),
      ms: result.ms,
      ok: result.ok,
      ...(result.error ? { error: result.error.message } : {}),
      ...(result.sent ? { sent: result.sent } : {}),
      ...(result.observed ? { observed: result.observed } : {}),
    })
  }

  /**
   * A finding at the revision's file: at its downgrade (`def downgrade()`, the down file) for what
   * the downgrade did, else at the revision's declaration. The error's own file:line (the failing
   * statement) wins when it points into the project.
   */
  add(finding: Finding, error?: StepError): void {
    const node = finding.revision ? this.nodes.get(finding.revision) : undefined
    const atDowngrade = DOWNGRADE_FINDINGS.has(finding.id) && node?.downgradeLine !== undefined
    const file = error?.file ?? (atDowngrade ? (node?.downgradeFile ?? node?.file) : node?.file)
    const line = error?.file ? error.line : atDowngrade ? node?.downgradeLine : node?.line
    this.findings.push(placed(finding, { ...(file ? { file } : {}), ...(line ? { line } : {}) }))
  }
}

/** Findings about what a downgrade did: they point at the downgrade, not at the revision id. */
const DOWNGRADE_FINDINGS: ReadonlySet<FindingId> = idsWhere('atDowngrade')

export function describeRevision(log: ReplayLog, revision: string): string {
  const node = log.node(revision)
  return node?.message ? `${revision} ("${node.message}")` : revision
}

/** downgrade-residue: what the downgrade left, and the statements that would remove it. */
export function residueFinding(revision: string, what: string, residue: SchemaChange[]): Finding {
  return downgradeResidue(
    {
      what,
      differences: residue.length,
      statements: undoStatements(residue),
      // What the downgrade left, or left renamed, has a statement; what it removed or changed
      // otherwise is restored by hand.
      restored: residue.filter((c) => c.change !== 'added' && !isConstraintRename(c)).length,
      renamesOnly: residue.every(isConstraintRename),
    },
    { revision, details: residue.map((c) => c.message) },
  )
}

/** Findings for a step that did not run through. */
export function stepFailure(
  log: ReplayLog,
  revision: string,
  direction: 'upgrade' | 'downgrade',
  result: StepResult,
  ctx: ReplayContext,
): void {
  const error = result.error ?? { message: 'unknown error' }
  const what = describeRevision(log, revision)
  if (error.kind === 'timeout') {
    log.add(stepTimeout({ direction, what }, { revision, details: [error.message] }), error)
    return
  }
  if (direction === 'downgrade' && error.kind === 'not-implemented') {
    // `raise NotImplemented(...)` calls the constant: a TypeError that stops a rollback all the same.
    // Django's IrreversibleError says which operation has no reverse (drivers/django/helper.py).
    const why = error.message.startsWith('IrreversibleError: ')
      ? error.message.slice('IrreversibleError: '.length)
      : error.message.startsWith('TypeError')
        ? 'its downgrade calls NotImplemented(...), which raises TypeError (NotImplementedError was meant)'
        : 'its downgrade raises NotImplementedError'
    irreversible(log, revision, ctx, why, error)
    return
  }
  if (direction === 'upgrade') {
    log.add(
      upgradeFailed(
        { what, error: error.message, ...(error.hint ? { hint: error.hint } : {}) },
        { revision, details: [error.message] },
      ),
      error,
    )
    return
  }
  log.add(
    downgradeFailed(
      { what, error: error.message, ...(error.hint ? { hint: error.hint } : {}) },
      { revision, details: [error.message] },
    ),
    error,
  )
}

export function irreversible(
  log: ReplayLog,
  revision: string,
  ctx: ReplayContext,
  why: string,
  error?: StepError,
): void {
  const reason = ctx.irreversible.allow.get(revision)
  log.add(
    irreversibleMigration(
      {
        what: describeRevision(log, revision),
        why,
        ...(reason ? { allowed: reason } : {}),
        consequence: 'A rollback past it is impossible',
        fix: error?.hint ?? 'write a downgrade, or allow-list the revision with a reason.',
      },
      { revision },
      ctx.irreversible.severity,
    ),
    error,
  )
}

/** The tool's environment hung while loading, before any step: a step-timeout at the file that was loading. */
export function startTimeoutFinding(error: SessionStartTimeout): Finding {
  return loadTimeout(
    { why: error.message, loading: error.loading ?? "the tool's environment (or a module it imports)" },
    error.file ? { file: error.file } : {},
  )
}

/** What a replay that could not open its first database yields, when the cause was a start timeout. */
export function startTimeoutOutcome(error: unknown): ReplayOutcome {
  if (!(error instanceof SessionStartTimeout)) throw error
  return { findings: [startTimeoutFinding(error)], steps: [] }
}
