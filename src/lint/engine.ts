// The dangerous-operation rules' engine: the statements each upgrade step sent, parsed by the real
// PostgreSQL parser, judged by every rule with what the server observed the step do; suppressions
// applied; the lock table of each flagged revision. judgeSteps is pure (its parser is handed in);
// lintSteps loads the parser first, and only when there is something to judge.
import type { SentStatement, StepObservation } from '../drivers/driver.js'
import { CATALOGUE } from '../findings/catalogue.js'
import { lintFinding } from '../findings/lint-rule.js'
import { invalidSuppression, unusedSuppression } from '../findings/lint-suppression.js'
import type { Finding, LintedRevision, LintRuleId, Severity } from '../report.js'
import { clipMiddle } from '../clip.js'
import { sameRelation } from './ast.js'
import { severityOf, type LintConfig } from './config.js'
import { loadParser, type ParseSql } from './parser.js'
import type { Hit, Rule, Statement } from './rule.js'
import { isRuleId, RULES } from './rules/index.js'
import { covers, readDirectives, type Directive } from './suppressions.js'

/** One upgrade step, as the replay ran it with `{ observe: true }`. */
export interface LintStep {
  revision: string
  /** The revision's file, relative to the project dir: where a finding points when its statement has no file. */
  file: string
  /** StepResult.sent. */
  sent: SentStatement[]
  /** StepResult.observed: absent when the step failed or was not observed. */
  observed?: StepObservation
  /** StepResult.error.message, when the step failed: its last statement sent is the one that failed. */
  error?: string
}

export interface LintResult {
  findings: Finding[]
  /** What the reader should know: statements the parser rejected, revisions left unjudged. */
  notes: string[]
  /** The lock table of every flagged revision whose step was observed (GateReport.lint.revisions). */
  revisions: LintedRevision[]
}

/** Reads a file of the project (relative path) for its suppression comments; undefined when unreadable. */
export type ReadSource = (file: string) => string | undefined

const EMPTY: LintResult = { findings: [], notes: [], revisions: [] }

/** The steps `config` judges: none when lint is off, only the pull request's revisions when it says. */
function judged(steps: readonly LintStep[], config: LintConfig): LintStep[] {
  if (config.level === 'off') return []
  return steps.filter((s) => (config.revisions ? config.revisions.has(s.revision) : true))
}

/**
 * The entry point the replay calls with the upgrade steps it observed. Loads the parser (tens of
 * milliseconds, once per process) only when some step has a statement to judge. `parser`: one that
 * parsed the statements ahead, during the replay (parse-ahead.ts).
 */
export async function lintSteps(
  steps: readonly LintStep[],
  config: LintConfig,
  readSource: ReadSource,
  parser?: () => Promise<ParseSql>,
): Promise<LintResult> {
  if (!judged(steps, config).some((s) => s.sent.length > 0)) return EMPTY
  return judgeSteps(steps, config, readSource, await (parser ?? loadParser)())
}

interface Flagged {
  rule: Rule
  severity: Severity
  hit: Hit
  statement: Statement
}

/** lintSteps with the parser given: pure. */
export function judgeSteps(
  steps: readonly LintStep[],
  config: LintConfig,
  readSource: ReadSource,
  parse: ParseSql,
): LintResult {
  const findings: Finding[] = []
  const notes: string[] = []
  const revisions: LintedRevision[] = []
  const active = RULES.flatMap((rule) => {
    const severity = severityOf(config, rule.id)
    return severity === 'off' ? [] : [{ rule, severity }]
  })
  const sources = new Sources(readSource)
  const usedAllow = new Set<string>()

  for (const step of judged(steps, config)) {
    const statements = parseStep(step, parse, notes)
    const flagged: Flagged[] = []
    statements.forEach((statement, i) => {
      const context = {
        statement,
        before: statements.slice(0, i),
        after: statements.slice(i + 1),
        ...(step.observed ? { observed: step.observed } : {}),
        ...(step.error !== undefined ? { error: step.error } : {}),
      }
      for (const { rule, severity } of active) {
        for (const hit of rule.check(context)) flagged.push({ rule, severity, hit, statement })
      }
    })
    const kept = withoutRepeatedLocks(flagged)
    for (const f of kept) {
      const sent = step.sent[f.statement.sent]
      const file = sent?.file ?? step.file
      // A SQL file sent whole: each statement at its own line. (In a Python file the line is the
      // call's, whatever the lines of the SQL string it sent.)
      const line =
        sent?.line === undefined ? undefined : sent.line + (file.endsWith('.sql') ? f.statement.lineOffset : 0)
      const place = { revision: step.revision, file, ...(line !== undefined ? { line } : {}) }
      const allowed =
        sources.allowing(file, line, f.rule.id) ?? allowListed(config, step.revision, f.rule.id, usedAllow)
      findings.push(
        lintFinding(
          CATALOGUE[f.rule.id],
          { hit: f.hit, statement: f.statement.sql, ...(allowed ? { allowed } : {}) },
          place,
          f.severity,
        ),
      )
    }
    if (kept.length > 0 && step.observed) revisions.push(lockTable(step.revision, step.observed))
    sources.visit(step.file, step.revision)
    for (const s of step.sent) if (s.file !== undefined) sources.visit(s.file, step.revision)
  }

  findings.push(...sources.problems())
  for (const step of judged(steps, config)) {
    for (const [rule, reason] of config.allow.get(step.revision) ?? []) {
      const key = `${step.revision}\u0000${rule}`
      if (usedAllow.has(key)) continue
      usedAllow.add(key)
      findings.push(
        unusedSuppression(
          { what: `lint-allow's entry "${step.revision} ${rule}: ${clipMiddle(reason, 200)}"`, rule },
          { revision: step.revision },
        ),
      )
    }
  }
  return { findings, notes, revisions }
}

/** A step's statements, parsed; a text the parser rejects is a note and is not judged. */
function parseStep(step: LintStep, parse: ParseSql, notes: string[]): Statement[] {
  return step.sent.flatMap((sent, index) => {
    try {
      const parsed = parse(sent.sql)
      return parsed.map((p) => ({
        stmt: p.stmt,
        sql: p.sql,
        sent: index,
        multi: parsed.length > 1,
        lineOffset: p.lineOffset,
      }))
    } catch (error) {
      const where = sent.file ? ` at ${sent.file}${sent.line ? `:${sent.line}` : ''}` : ''
      const why = error instanceof Error ? error.message : String(error)
      notes.push(
        `lint: a statement of revision ${step.revision}${where} was not judged: the PostgreSQL parser rejects it (${clipMiddle(why, 200)}): ${clipMiddle(sent.sql.replace(/\s+/g, ' '), 120)}`,
      )
      return []
    }
  })
}

/**
 * observed-access-exclusive-lock's hits on a relation another hit of the step already names: that
 * finding says what the lock does, so the same lock is not reported twice.
 */
function withoutRepeatedLocks(flagged: Flagged[]): Flagged[] {
  const named = flagged.filter((f) => f.rule.id !== 'observed-access-exclusive-lock' && f.hit.relation !== undefined)
  const others = flagged.filter((f) => f.rule.id !== 'observed-access-exclusive-lock')
  return flagged.filter(
    (f) =>
      f.rule.id !== 'observed-access-exclusive-lock' ||
      // A lock no statement names, placed at a statement another rule already flags (DROP INDEX locks
      // the table of an index it drops, which the server then names no more).
      (!(f.hit.stepLevel && others.some((o) => o.statement === f.statement)) &&
        !named.some((n) =>
          [f.hit.relation as string, ...(f.hit.also ?? [])].some((r) => sameRelation(n.hit.relation as string, r)),
        )),
  )
}

function allowListed(
  config: LintConfig,
  revision: string,
  rule: LintRuleId,
  used: Set<string>,
): { by: string; reason: string } | undefined {
  const reason = config.allow.get(revision)?.get(rule)
  if (reason === undefined) return undefined
  used.add(`${revision}\u0000${rule}`)
  return { by: 'lint-allow', reason }
}

/** The relations a step locked that existed before it, with whether each was rewritten. */
function lockTable(revision: string, observed: StepObservation): LintedRevision {
  const before = observed.locks.filter((l) => l.existedBefore)
  const locks = before.map((l) => ({
    relation: l.relation,
    mode: l.mode,
    rewritten: observed.rewritten.includes(l.relation),
  }))
  // A rewrite whose lock was not seen (part of the step outside a transaction) is still a row.
  for (const r of observed.rewritten) {
    if (!locks.some((l) => l.relation === r)) locks.push({ relation: r, mode: 'unknown', rewritten: true })
  }
  return { revision, locks, created: observed.created.length, locksComplete: observed.locksComplete }
}

/** The suppression comments of the files the judged steps came from, each file read once. */
class Sources {
  private readonly files = new Map<string, { lines: string[]; directives: Directive[] }>()
  /** Valid directive-rule pairs that accepted a hit: `file:line rule`. */
  private readonly used = new Set<string>()
  /** Files read for directives -> the revision whose step sent statements from them. */
  private readonly visited = new Map<string, string>()

  constructor(private readonly read: ReadSource) {}

  private load(file: string) {
    let entry = this.files.get(file)
    if (!entry) {
      const text = this.read(file) ?? ''
      entry = { lines: text.split('\n'), directives: readDirectives(file, text) }
      this.files.set(file, entry)
    }
    return entry
  }

  visit(file: string, revision: string): void {
    if (!this.visited.has(file)) this.visited.set(file, revision)
    this.load(file)
  }

  /** The valid directive of `file` covering `line` that allows `rule`. */
  allowing(file: string, line: number | undefined, rule: LintRuleId): { by: string; reason: string } | undefined {
    if (line === undefined) return undefined
    const { lines, directives } = this.load(file)
    const d = directives.find((d) => valid(d) && d.rules.includes(rule) && covers(d, line, lines))
    if (!d) return undefined
    this.used.add(`${d.file}:${d.line} ${rule}`)
    return { by: `the comment at ${d.file}:${d.line}`, reason: d.reason }
  }

  /** Directives that cannot be honoured (errors), and valid ones that accepted nothing (notices). */
  problems(): Finding[] {
    const out: Finding[] = []
    for (const [file, revision] of this.visited) {
      for (const d of this.load(file).directives) {
        const place = { revision, file: d.file, line: d.line }
        const what = `The suppression comment at ${d.file}:${d.line}`
        const unknown = d.rules.filter((r) => !isRuleId(r))
        if (d.rules.length === 0 || unknown.length > 0) {
          out.push(
            invalidSuppression(
              {
                what,
                problem: d.rules.length === 0 ? 'names no rule' : `names ${unknown.join(', ')}, which is no lint rule`,
                fix: `Write "migration-gate: allow RULE -- reason" with RULE one of ${RULES.map((r) => r.id).join(', ')}`,
              },
              place,
            ),
          )
        } else if (d.reason === '') {
          out.push(
            invalidSuppression(
              {
                what,
                problem: 'gives no reason',
                fix: `Say why after " -- ": "migration-gate: allow ${d.rules.join(', ')} -- small table, 200 rows"`,
              },
              place,
            ),
          )
        } else {
          for (const rule of d.rules) {
            if (!this.used.has(`${d.file}:${d.line} ${rule}`)) out.push(unusedSuppression({ what, rule }, place))
          }
        }
      }
    }
    return out
  }
}

const valid = (d: Directive) => d.rules.length > 0 && d.reason !== '' && d.rules.every(isRuleId)
