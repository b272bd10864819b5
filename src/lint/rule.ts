// What a rule is: a pure function of one parsed statement, the statements sent before it in the
// same step, and what the server observed the step do; plus the words the README's "Dangerous
// operations" section and the findings are made of. One rule per file in rules/, named after its id.
import type { Node } from 'libpg-query'
import type { StepObservation } from '../drivers/driver.js'
import type { LintRuleId } from '../report.js'

/** A statement of a step, parsed. */
export interface Statement {
  stmt: Node
  /** Its text (one statement: a text sent with several is split). */
  sql: string
  /** Index of the SentStatement it came from in the step's `sent`. */
  sent: number
  /** Sent in one text with other statements: PostgreSQL runs those in one implicit transaction. */
  multi: boolean
  /** Lines between the start of the text sent and this statement (a SQL file sent whole). */
  lineOffset: number
}

/** What a rule sees. */
export interface RuleContext {
  statement: Statement
  /** The statements the step sent before this one, in order. */
  before: readonly Statement[]
  /** The step's statements after this one (observed-access-exclusive-lock attributes leftovers to the last). */
  after: readonly Statement[]
  /** What the server saw the step do; absent for a step that failed or ran without observation. */
  observed?: StepObservation
  /** The step's error, when it failed (its last statement sent is the one that failed). */
  error?: string
}

/** A rule's verdict on one statement. */
export interface Hit {
  /** What is wrong and what it does in production (a sentence or two). */
  message: string
  /** How to do it safely. */
  fix: string
  /** The relation (`name` or `schema.name` as written) the hit is about: the lock table and de-duplication use it. */
  relation?: string
  /**
   * The hit is the step's, placed at its last statement because no statement names the relation (a
   * function took the lock, or a dropped index's table, which the server no longer names): another
   * hit on that statement already speaks of it.
   */
  stepLevel?: boolean
  /** Other relations the hit stands for (the indexes through which a table was locked): de-duplication matches them too. */
  also?: string[]
}

export interface Rule<I extends LintRuleId = LintRuleId> {
  id: I
  /** Squawk's rule for the same danger, so its users can map theirs (its name, where Squawk has one). */
  squawk?: string
  /** What the rule flags (Markdown, a clause): the README and the findings table. */
  what: string
  /** Why it is dangerous in production (Markdown). */
  why: string
  /** How to do it safely (Markdown). */
  fix: string
  /**
   * 'notice' for a rule whose hits are usually deliberate (a drop): a notice whatever the `lint`
   * level; otherwise the level's severity (warning under `lint: warn`, error under `lint: error`).
   */
  usual?: 'notice'
  check(context: RuleContext): Hit[]
}
