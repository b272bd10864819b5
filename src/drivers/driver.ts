// One interface every migration tool plugs in through. Checks (chain, replay, drift) are written
// against this, never against a tool: Alembic is one driver, plain SQL directories another.
import type { Finding, FindingId } from '../report.js'
import type { ResourceTracker } from '../resource-tracker.js'
import type { SentStatement, StepObservation } from './step-observation.js'

// The observation types live in a module of their own, which imports nothing, so that the report
// (src/report.ts, whose steps carry them) can use them without an import cycle; exported here too.
export type { ObservedLock, SentStatement, StepObservation } from './step-observation.js'

export interface RevisionNode {
  /** The revision id (Alembic: the `revision` string; SQL: the version number as text). */
  id: string
  /** Parent revision ids (Alembic: down_revision, several for a merge; empty for a base). */
  parents: string[]
  /** Alembic depends_on: revisions that must be applied first without being parents. */
  dependsOn: string[]
  /** Alembic branch_labels declared on purpose. */
  branchLabels: string[]
  /** Path of the file, relative to the project directory, POSIX separators. */
  file: string
  /** 1-based line of the revision id's declaration. */
  line: number
  /** 1-based line of the parent declaration (down_revision), when there is one. */
  parentsLine?: number
  /** The revision message (the docstring's first line, or the file name's words); none when it has none. */
  message?: string
  /**
   * Where findings about the downgrade point, when it is not `file:line`: Alembic's
   * `def downgrade()` line; a golang-migrate down file; dbmate's `-- migrate:down` line.
   */
  downgradeFile?: string
  downgradeLine?: number
  /**
   * Where heads are counted (Django: the app label, as Django counts leaf nodes per app). Nodes
   * without one are all in one scope: the whole chain (Alembic, SQL).
   */
  scope?: string
}

export interface RevisionGraph {
  nodes: RevisionNode[]
  /** Findings made while reading files (unparseable-migration). */
  problems: Finding[]
  /** What the reading could not tell for sure, for the report's notes (Django: settings read by a fallback). */
  notes?: string[]
}

export interface StepError {
  /** One-line cause: the database error or the exception, without framework traceback. */
  message: string
  /** The user's own file and line where the error surfaced, relative to the project dir. */
  file?: string
  line?: number
  /** NotImplementedError in a downgrade, or a step stopped at the step timeout. */
  kind?: 'error' | 'not-implemented' | 'timeout'
  /** The fix, where the tool knows one for this error (the name to give drop_constraint(None, ...)). */
  hint?: string
}

export interface StepResult {
  ok: boolean
  ms: number
  /** Statements the step sent, the tool's own bookkeeping left out (0 = an empty migration). */
  statements?: number
  /** The statements themselves: only for a step run with `{ observe: true }`. */
  sent?: SentStatement[]
  /** Locks and rewrites the server saw: only for a step run with `{ observe: true }` that succeeded. */
  observed?: StepObservation
  error?: StepError
  /**
   * Processes the step started and left running (command lines), which the driver stopped: a
   * migration must not leave a daemon behind. Absent where the driver cannot see processes.
   */
  background?: string[]
}

/** A difference between what the models declare and what the migrations built. */
export interface DriftItem {
  /** "models declare pdfs.processing_started_at (TIMESTAMP); no migration creates it" */
  message: string
  /** missing: the models declare it and the database lacks it; extra: the reverse; differs: both have it, unlike. */
  direction?: 'missing' | 'extra' | 'differs'
  table?: string
  column?: string
  /** Where the model declares it, relative to the project dir, when it could be found. */
  file?: string
  line?: number
  /** Where its migration belongs, for tools that write migrations per scope (Django: the app label). */
  scope?: string
}

/** What a model comparison found, and where each table of the models is declared. */
export interface ModelDrift {
  items: DriftItem[]
  /**
   * Every table the models declare -> the file declaring it (relative to the project dir; null
   * where no file was found). Lets the git rule tell a model file whose tables all match the
   * migrations (a docstring edit) from one that needs a migration.
   */
  declaredIn: Record<string, string | null>
}

export interface SessionOptions {
  /** A step running longer than this is stopped and reported (seconds). */
  stepTimeoutSeconds: number
  /** The run's resource tracker: a process the session starts is stopped through it on every path out. */
  resources: ResourceTracker
}

export interface StepOptions {
  observe?: boolean
}

/** One long-lived runner per database. */
export interface MigrationSession {
  /**
   * Applies exactly the revision `target` (its parents must be applied). `observe`: also record the
   * statements sent and what the server saw (StepResult.sent/observed), for the dangerous-operation
   * rules; off by default, since it costs a few queries a step.
   */
  upgrade(target: string, options?: StepOptions): Promise<StepResult>
  /** Unapplies exactly `revision`, back to its parents (or to base). */
  downgrade(revision: string): Promise<StepResult>
  /** Revision ids the database is at now. */
  current(): Promise<string[]>
  /** Null when the project gives the tool no model metadata to compare. */
  modelDrift?(options: { compareServerDefault: boolean }): Promise<ModelDrift | null>
  /**
   * Runs the session's own process (a helper) at a low CPU priority, or back at the normal one where
   * the system allows raising it again: a database built ahead of need (replay-follower.ts) must not
   * take the cores from the stairway. Sessions without a process of their own leave it out.
   */
  setBackground?(background: boolean): void
  close(): Promise<void>
}

/** The tool's own reading under way (MigrationDriver.startCrossCheck). */
export interface CrossCheck {
  judge(staticHeads: string[], staticFindings: Finding[]): Promise<Finding[]>
}

export interface MigrationDriver {
  tool: string
  /** Static read of the revisions: no database, no import of user code. */
  graph(): Promise<RevisionGraph>
  /** Tables the tool keeps for itself (alembic_version), left out of snapshots. */
  bookkeepingTables: string[]
  open(databaseUrl: string, options: SessionOptions): Promise<MigrationSession>
  /** Ends what the driver keeps ready between sessions (a spare process); called when the run ends. */
  release?(): Promise<void>
  /**
   * Checks what a replay needs besides the database (Alembic: an interpreter that imports it), before
   * a server is started for nothing; throws a GateError naming the input. With `context` it may also
   * start what the first session needs (a spare helper), which release() ends.
   */
  prepare?(context?: { resources: ResourceTracker }): Promise<void>
  /** How chain findings name the tool's fields and fix commands. */
  chainWording?: Partial<ChainWording>
  /**
   * Chain findings the replay can go on despite (they block it by default). SQL: a duplicated
   * version, whose first file is replayed.
   */
  replayDespite?: FindingId[]
  /**
   * Starts the tool's own reading of the chain, where the tool can run here, before the static
   * reading (it needs nothing of it, so the two run side by side); `judge` compares the two. What it
   * starts is stopped through the run's `resources` on every path out. `background`: at a lower
   * priority, beside a replay that needs the cores more.
   */
  startCrossCheck?(resources: ResourceTracker, how: { background: boolean }): CrossCheck
  /** What the git checks need to know about the project (MigrationLayout, below); Alembic's is drivers/alembic/git-layout.ts. */
  gitLayout?(): MigrationLayout
  /**
   * How model-drift's findings and notes speak of the tool's models (ModelsWording, below); none
   * for a tool without models (plain SQL), whose sessions have no modelDrift.
   */
  models?: ModelsWording
  /**
   * A clause the cross-check's error messages carry while no replay showed that the tool loads the
   * chain, and the clause that replaces it once a replay ran steps through the tool (the finding is
   * then a warning: checks/loaded-online.ts).
   */
  loadedOnlineWording?: { unshown: string; shown: string }
  /**
   * mode live: where the live database stands, from the tool's version table, read through `reader`
   * (every query a READ ONLY transaction; src/live/connection.ts). The table's location is the
   * tool's configuration (Alembic's version_table, golang-migrate's x-migrations-table, dbmate's
   * DBMATE_MIGRATIONS_TABLE). A tool without it cannot run in mode live.
   */
  readLiveState?(reader: LiveReader): Promise<LiveState>
  /** mode live: the tool's commands, for the fixes of the live findings. */
  liveWording?: LiveWording
  /**
   * mode live: the SQL each pending revision will run, without a database (SQL tools: the up file;
   * Alembic: offline mode). One entry per revision, in order; a revision whose SQL cannot be told
   * has a note saying why instead, never an exception.
   */
  pendingSql?(request: PendingSqlRequest): Promise<PendingSql[]>
}

/** What pendingSql is asked for. */
export interface PendingSqlRequest {
  /** The pending revisions, in the order `upgrade head` applies them. */
  pending: RevisionNode[]
  /** How long the tool may take for one revision (seconds). */
  timeoutSeconds: number
  /** The run's tracker: a process the driver starts is stopped through it on every path out. */
  resources: ResourceTracker
}

/** One pending revision's SQL as the tool will send it, or why it cannot be told. */
export interface PendingSql {
  revision: string
  sql?: string
  /** "offline SQL unavailable: ..." */
  note?: string
}

/** One read-only query on the live database: its own READ ONLY transaction, under the live timeouts. */
export type LiveQuery = <R extends object = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<R[]>

/** What a driver reads the live database with. */
export interface LiveReader {
  query: LiveQuery
  /** The live URL's parameters only the tool reads (x-migrations-table), decoded; never credentials. */
  toolParams: ReadonlyMap<string, string>
}

/** Where the live database stands, as the tool's version table says. */
export interface LiveState {
  /** The version table as messages name it: schema.table where found, else as configured. */
  table: string
  /** False when there is no such table. */
  exists: boolean
  /** The revision ids its rows hold, in the table's order. */
  revisions: string[]
  /**
   * How the rows say what is applied: 'heads', each row a head whose ancestors are applied too
   * (Alembic, several rows when branches are applied); 'latest', one version, every version up to
   * it applied (golang-migrate); 'each', every applied version a row (dbmate).
   */
  applied: 'heads' | 'latest' | 'each'
  /** The version the tool marked as failed half way (golang-migrate's dirty flag). */
  dirty?: string
  /** What the reader could not tell for sure (a version table env.py computes at run time). */
  notes: string[]
}

/** The tool's commands the live findings' fixes name. */
export interface LiveWording {
  /** The command applying every pending revision: `alembic upgrade head`. */
  upgrade: string
  /** How to record `revision` as applied without running it, as Markdown (commands in backticks): `` `alembic stamp <revision>` ``. */
  stamp(revision: string): string
  /** The command clearing a failed version's mark (golang-migrate: `migrate force <version>`), for a tool that has one. */
  force?(version: string): string
}

/**
 * What model-drift says in the tool's own words: the command that writes the missing migration and
 * what the comparison reads, so generic code names no tool. Alembic's is drivers/alembic/models-wording.ts.
 */
export interface ModelsWording {
  /** The command that writes a new migration from the models (autogenerate), for fixes: `alembic revision --autogenerate -m "..."`. */
  autogenerate: string
  /** The command for a difference whose migration belongs to one scope (Django: `python manage.py makemigrations <app>`). */
  autogenerateIn?: (scope: string) => string
  /** The models the comparison covers, as a noun phrase: "the models env.py compares". */
  compared: string
  /** Why there was nothing to compare (the session's modelDrift gave null), for a note: "env.py gives Alembic no target_metadata to compare". */
  nothingToCompare: string
  /** What a comparison that throws may trip on, as a list for the fix: "the models' imports, env.py's target_metadata or include_object". */
  comparisonInputs: string
}

/**
 * Opening a session ran into the step timeout before the first step: the tool's environment
 * (Alembic: env.py and what it imports) hangs while loading. The replay reports it as a step-timeout
 * at `file`, the way a hanging step is reported, instead of ending the run with an infrastructure error.
 */
export class SessionStartTimeout extends Error {
  constructor(
    message: string,
    /** The file that was loading, relative to the project directory. */
    readonly file?: string,
    /** What was loading, as the fix names it: "env.py (or a module it imports)". */
    readonly loading?: string,
  ) {
    super(message)
    this.name = 'SessionStartTimeout'
  }
}

export interface ChainWording {
  /** The tool as messages name it, e.g. "Alembic". */
  tool: string
  /** The field naming a revision's parents, e.g. "down_revision". */
  parentField: string
  /** The field naming other prerequisites, e.g. "depends_on". */
  dependsField: string
  /**
   * Whether users of the tool can declare branch labels, so messages may suggest one. The rules
   * respect labels the graph carries whatever this says: only a tool with labels puts them there.
   */
  labels: boolean
  /** What several heads break, as a clause: '`alembic upgrade head` fails with "..."'. */
  multipleHeads: string
  /** A command merging the given heads (all heads when none are given), if the tool has one. */
  merge?: (heads?: string[]) => string
  /** What a missing parent or prerequisite breaks, as a clause. */
  missing: (ref: string) => string
  /** What a duplicated id breaks, as a clause. */
  duplicate: string
  /** What a cycle breaks, as a clause. */
  cycle: string
  /** How to make a fresh id, as a clause. */
  newId: string
  /**
   * False where several bases are normal (Django: every app starts with its own initial migration):
   * multiple-bases is then not judged. Default true.
   */
  singleBase?: boolean
  /** What a node's scope is called in messages ("app"), for tools whose nodes carry one. */
  scopeNoun?: string
  /** The scope a reference (a parent id, maybe missing) is in, for tools whose nodes carry one (Django: the id's app). */
  scopeOf?: (ref: string) => string
  /** How a revision is written in the parent field, for the re-parenting fix (Django: ("orders", "0003_a")); default '<id>'. */
  parentValue?: (id: string) => string
}

/** How a tool's files divide into scopes (MigrationLayout.scopes). */
export interface MigrationScopes {
  /** What a scope is called in messages ("app"). */
  noun: string
  /** The scope of an absolute path (a model or migration file); undefined where it is in none. */
  of(abs: string): string | undefined
  /** The command that writes a new migration in one scope (Django: `python manage.py makemigrations <app>`). */
  newMigrationCommand(scope: string): string
}

// What the git checks need to know about a migration tool's project: where revisions live and which
// files are revisions, where the models live, the command that writes a migration, and how to read
// a revision file as another commit has it. A driver provides it through gitLayout() (Alembic's is
// drivers/alembic/git-layout.ts); a tool without one gets no git rules that need to know migrations.
export interface MigrationLayout {
  /** Absolute directories holding the revision files (Alembic: the versions directories). */
  migrationDirs: string[]
  /** True for an absolute path the tool would load as a revision. */
  isRevisionFile(abs: string): boolean
  /** Absolute model files the tool's own config points at (Alembic: env.py's target_metadata module). */
  modelFiles: string[]
  /**
   * Where models live by the tool's convention, globs relative to the project directory, used when
   * model-paths is not given (Alembic: models.py and models/ packages); none for a tool without models.
   */
  modelGlobs: string[]
  /**
   * Absolute directories holding the files the migrations run with besides the revisions (Alembic:
   * the script directory above versions/, with env.py and helper modules): a change there can break
   * revisions the PR did not touch, so it makes every revision the PR's. The project directory
   * itself never counts.
   */
  supportDirs: string[]
  /**
   * The command that writes a new migration, for the fix of models-changed-without-migration
   * (Alembic: autogenerate from the models; SQL tools: a new empty version to fill in).
   */
  newMigrationCommand: string
  /**
   * For tools whose migrations belong to one scope each (Django: an app, whose models only its own
   * migrations follow): a changed model file needs a new migration in its own scope, not just any,
   * and the fix names the scope's command.
   */
  scopes?: MigrationScopes
  /**
   * Absolute files the tool rewrites itself (dbmate's schema dump after every migrate): a change to
   * one is neither a migration nor something the migrations run with, so it makes no revision the PR's.
   */
  generatedFiles?: string[]
  /** A revision file's text (as a commit has it) as a node; `file` is relative to the project dir. */
  readRevision(text: string, file: string): RevisionNode | Finding
  /**
   * The tool's own judgement of the merge result, instead of the chain check over parents
   * (checks/merged-chain.ts): SQL versions are ordered by number, not linked by parents.
   */
  checkMerged?(merged: RevisionGraph, prAdded: ReadonlySet<string>, base: string): Finding[]
  /**
   * The tool's order of two revision ids, for tools whose versions are ordered rather than linked
   * (SQL): the base's head is then its latest version.
   */
  compareIds?(a: string, b: string): number
}
