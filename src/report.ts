// The report model. Renderers read only this; checks produce Finding[] through the catalogue
// (src/findings/); gate.ts assembles a GateReport.

import type { SentStatement, StepObservation } from './drivers/step-observation.js'

export type Severity = 'error' | 'warning' | 'notice'

/**
 * Stable, kebab-case finding IDs (users filter and suppress by them). Each has its entry, wording and
 * constructors in src/findings/ (catalogue.ts lists them); the README's table is generated from there.
 */
export type FindingId =
  // chain
  | 'multiple-heads'
  | 'multiple-bases'
  | 'missing-parent'
  | 'duplicate-revision'
  | 'revision-cycle'
  | 'unparseable-migration'
  | 'stale-parent'
  // replay
  | 'upgrade-failed'
  | 'downgrade-failed'
  | 'downgrade-residue'
  | 'reupgrade-mismatch'
  | 'irreversible-migration'
  | 'step-timeout'
  | 'background-process'
  | 'database-dropped'
  // a migration the tool accepts that does nothing (an up with no SQL in it)
  | 'empty-migration'
  // drift
  | 'models-changed-without-migration'
  | 'model-drift'
  | 'migration-edited'
  // cross-check between the static parser and the tool's own view
  | 'tool-disagreement'
  // mode live: the database about to be migrated
  | 'unknown-revision'
  | 'dirty-database'
  | 'unversioned-database'
  | 'pending-migrations'
  // live: the database about to be migrated, read only
  | 'live-drift'
  // live: the pending migrations applied to a copy of the live schema, and rolled back
  | 'pending-upgrade-failed'
  | 'pending-rollback-failed'
  | 'pending-data-risk'
  // lint: dangerous operations in the statements a migration step sent, and what the server saw
  | LintRuleId
  // a `migration-gate: allow` suppression without a reason, naming no rule, or unused
  | 'lint-suppression'

/**
 * The dangerous-operation rules (src/lint/rules/, one file each, Squawk's names where Squawk has the
 * rule): each is a finding id of its own, so users filter and suppress by it.
 */
export type LintRuleId =
  | 'adding-required-field'
  | 'require-concurrent-index-creation'
  | 'require-concurrent-index-deletion'
  | 'ban-concurrent-index-creation-in-transaction'
  | 'constraint-missing-not-valid'
  | 'adding-foreign-key-constraint'
  | 'disallowed-unique-constraint'
  | 'changing-column-type'
  | 'adding-field-with-default'
  | 'renaming-column'
  | 'renaming-table'
  | 'ban-drop-column'
  | 'ban-drop-table'
  | 'require-timeout-settings'
  | 'observed-access-exclusive-lock'

export interface Finding {
  id: FindingId
  severity: Severity
  /** What is wrong and what it breaks (the consequence). */
  message: string
  /**
   * How to fix it, as sentences. Absent only where nothing needs doing (a change accepted without a
   * migration, an allow-listed irreversible revision). Renderers fold it under the message.
   */
  fix?: string
  revision?: string
  /** Relative to the repository (or project) root, POSIX separators. */
  file?: string
  line?: number
  /** Extra lines: leftover objects, database error text, and so on. */
  details?: string[]
  /**
   * A replay finding on a revision the base branch already has (set only when a base is known and
   * strict is off): its severity was lowered to notice (warning when it kept the PR's revisions from
   * being replayed) and its message starts with "pre-existing:". Renderers may list these apart.
   */
  preExisting?: boolean
  /**
   * A lint finding: the statement it is about, as the server received it (clipped to 2000
   * characters). Renderers show it under the message.
   */
  statement?: string
}

/** One relation a flagged revision's upgrade locked, as the server reported it at commit. */
export interface LockRow {
  /** `schema.name`. */
  relation: string
  /** As pg_locks names the mode: 'AccessExclusiveLock', 'ShareLock', ... */
  mode: string
  /** The relation's storage was rewritten (a table rewrite: ALTER COLUMN TYPE, a volatile default). */
  rewritten: boolean
}

/** What the server saw the upgrade of a revision with lint findings do: the job summary's lock table. */
export interface LintedRevision {
  revision: string
  /** Locks on relations that existed before the step, strongest mode each. */
  locks: LockRow[]
  /** Relations the step created (their locks block nobody), counted. */
  created: number
  /** False when part of the step ran where its locks could not be seen (an autocommit block): the table is partial. */
  locksComplete: boolean
}

export interface Step {
  revision: string
  direction: 'upgrade' | 'downgrade'
  /**
   * 'first' upgrade, the checking 'down', or the 're' upgrade; 'rebuild': a plain upgrade that failed
   * while a database was being built from base (recorded only when it fails).
   */
  phase?: 'first' | 'down' | 're' | 'rebuild'
  ms: number
  ok: boolean
  error?: string
  /** What an observed step sent (the replay's `observe` asked for it): the dangerous-operation rules' input. */
  sent?: SentStatement[]
  /** What the server saw an observed step do, when it succeeded. */
  observed?: StepObservation
}

export interface PostgresInfo {
  provider: string
  /** The major postgres-version asked for ("16"), or "any"; absent in reports written before the input. */
  version?: string
  serverVersion: string
  startMs: number
}

export interface ChainInfo {
  revisions: number
  heads: string[]
  bases: string[]
}

export type Phase = 'static' | 'git' | 'postgres' | 'replay' | 'lint' | 'drift' | 'live'

/** One revision as the static read found it: what a renderer needs to draw the chain (Mermaid). */
export interface GraphNode {
  id: string
  parents: string[]
  /** Relative to the project dir, POSIX separators. */
  file?: string
  line?: number
  message?: string
}

/** What the git checks compared (present only when a base was known: base-ref, or the PR's event). */
export interface GitInfo {
  /** The base as reports name it: the branch ("main") when known, else the ref or sha given. */
  base: string
  /** Where the base came from: the base-ref input, the pull_request or merge_group event payload, or GITHUB_BASE_REF. */
  baseSource: 'base-ref' | 'pull_request' | 'merge_group' | 'GITHUB_BASE_REF'
  /** The base commit (the base branch's tip when the check ran). */
  baseSha: string
  /** Where HEAD forked from the base: changes are measured from here. */
  mergeBase: string
  /** The commit checked out. */
  headSha: string
  /** Commits fetched to find the merge base in a shallow clone (0: none needed). */
  deepened: number
  /** The project directory relative to the repository root ('' when it is the root). */
  projectPath: string
  /** Files changed between the merge base and the working tree (untracked files included). */
  changedFiles: number
  /** Revisions the PR adds or changes (their findings count; others' replay findings are pre-existing). */
  prRevisions: string[]
  /**
   * The base's head revisions as the base has them now (SQL tools: its latest version): what a PR
   * behind it re-parents onto. Absent for a tool the git checks cannot read revisions of.
   */
  baseHeads?: string[]
  /**
   * The base's revisions the checked tree lacks (added on the base since the fork), from its heads
   * back to the tree and at most 50; absent when there are none. The chain diagram draws them.
   */
  baseRevisions?: GraphNode[]
  /** Replay findings on revisions already on the base (notices unless strict). */
  preExisting: number
  /** The accepted no-migration exemption, when the models changed without a migration. */
  exemption?: { reason: string; source: string }
}

/** A revision `upgrade head` will apply to the live database. */
export interface PendingRevision {
  revision: string
  /** Relative to the project dir, POSIX separators. */
  file: string
  line: number
  message?: string
  /** The SQL it will run (bounded), where the tool can tell it without a database. */
  sql?: string
}

/** mode live: where the database about to be migrated stands (read only). */
export interface LiveInfo {
  /** host:port/database, without credentials. */
  database: string
  serverVersion: string
  /** The tool's version table as found (schema.table), or as configured when it does not exist. */
  versionTable: string
  /** The revision(s) its version table holds (Alembic: one per applied branch; dbmate: every applied version). */
  revisions: string[]
  /** The chain's heads, as the project has them. */
  heads: string[]
  /** Revisions `upgrade head` will apply, in order; null when it cannot be told (an unknown revision). */
  pending: PendingRevision[] | null
  /** How many revisions behind the chain it is (pending's length); null when it cannot be told. */
  behind: number | null
  /** The version golang-migrate marked as failed half way. */
  dirty?: string
  /** any, or head (pending migrations are an error). */
  expect: 'any' | 'head'
  /** Queries the gate ran there, each its own READ ONLY transaction. */
  queries: number
  /** The longest of those transactions (ms): the longest any lock the gate took there (ACCESS SHARE) was held. */
  longestTransactionMs: number
}

export interface GateReport {
  version: 1
  result: 'pass' | 'fail'
  tool: string
  mode: 'static' | 'roundtrip' | 'stairway' | 'live'
  projectDir: string
  /**
   * The project directory relative to its git repository's root ('' at the root; absent outside a
   * repository). Finding files stay relative to projectDir; messages name files from the root.
   */
  projectPath?: string
  postgres?: PostgresInfo
  chain?: ChainInfo
  /** The revision graph (edges child -> parents), for the job summary's chain diagram. */
  graph?: { nodes: GraphNode[] }
  /** The git checks' base and scope; absent when no base was known (a push, the CLI without --base-ref). */
  git?: GitInfo
  /** mode live: where the live database stands against the chain. */
  live?: LiveInfo
  /**
   * The dangerous-operation rules: per revision with a lint finding whose upgrade was observed, the
   * locks the server saw it take. Absent when lint is off or nothing was flagged.
   */
  lint?: { revisions: LintedRevision[] }
  steps: Step[]
  findings: Finding[]
  /** Things the reader should know that are not findings ("replay skipped: fix the chain first"). */
  notes: string[]
  timings: { totalMs: number; phases: Partial<Record<Phase, number>> }
}

/** The verdict: any finding of severity error fails the gate. */
export function resultOf(findings: Finding[]): 'pass' | 'fail' {
  return findings.some((f) => f.severity === 'error') ? 'fail' : 'pass'
}

/** A monorepo's project the gate could not judge (bad input, a server that would not start). */
export interface ProjectError {
  projectDir: string
  result: 'error'
  /** The one line a run of this project alone would have ended with. */
  error: string
}

/** A finding of a monorepo run's aggregate: the project it belongs to named (its file stays relative to it). */
export type ProjectFinding = Finding & { projectDir: string }

/**
 * A monorepo run (working-directory lists several directories): each project's own report, as a run
 * of it alone would have made it, and their aggregate. A run of one directory makes a GateReport.
 */
export interface ProjectsReport {
  version: 1
  /** fail when any project fails or could not be judged. */
  result: 'pass' | 'fail'
  mode: GateReport['mode']
  projects: Array<GateReport | ProjectError>
  /** Every project's findings, in project order. */
  findings: ProjectFinding[]
  /** The run's own notes (a project that could not be judged, and why). */
  notes: string[]
  /** totalMs: the whole run; phases: each phase's time summed over the projects. */
  timings: { totalMs: number; phases: Partial<Record<Phase, number>> }
}

/** What a run writes: one project's report, or a monorepo's. */
export type AnyReport = GateReport | ProjectsReport

export function isProjectsReport(report: AnyReport): report is ProjectsReport {
  return 'projects' in report
}

export function isProjectError(project: GateReport | ProjectError): project is ProjectError {
  return project.result === 'error'
}
