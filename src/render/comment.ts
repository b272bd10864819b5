// The sticky PR comment's body: the hidden marker that finds it again, the verdict, the findings
// table, a link to the run. Pure; under GitHub's 65,536-character comment limit. The chain diagram
// and timings stay in the job summary: the comment is what a reviewer reads in the conversation.
import type { GateReport } from '../report.js'
import { md } from './escape.js'
import { facts, FINDINGS_HEADER, findingRow, fitRows, plural, verdict, type LinkOptions } from './markdown.js'

/** Starts every comment the gate writes; user text cannot produce it (`<` is always escaped). */
export const COMMENT_MARKER = '<!-- migration-gate -->'

/** GitHub rejects a comment body over 65,536 characters; a margin below it. */
export const COMMENT_LIMIT = 65_536 - 536

export interface CommentOptions extends LinkOptions {
  /** The workflow run, where the job summary has the chain diagram and timings. */
  runUrl?: string
  /** The commit the gate checked. */
  sha?: string
}

export function renderComment(report: GateReport, options: CommentOptions = {}): string {
  const head = [COMMENT_MARKER, `### ${verdict(report)}`, '', facts(report), '']
  for (const note of report.notes) head.push(`> ${md(note)}`, '')
  if (report.findings.length > 0) head.push(...FINDINGS_HEADER)
  // Fewer detail lines than the summary: a comment is read in the conversation, not studied.
  const rows = report.findings.map((f) => findingRow(f, report, options, 10))
  const tail = ['', footer(options)]
  return fitRows(
    head,
    rows,
    tail,
    COMMENT_LIMIT,
    (s) => s.length,
    (n) => `_${plural(n, 'more finding')} in the job summary._`,
  )
}

/** What the comment becomes once the gate passes again: short, the findings are history. */
export function renderPassingComment(report: GateReport, options: CommentOptions = {}): string {
  return [COMMENT_MARKER, `### ✅ migration-gate passes now`, '', facts(report), '', footer(options), ''].join('\n')
}

function footer(options: CommentOptions): string {
  const commit = options.sha ? ` at ${md(options.sha.slice(0, 12))}` : ''
  const run = options.runUrl ? ` · [job summary and chain diagram](${options.runUrl})` : ''
  return `<sub>Checked${commit}${run}. This comment is updated in place on every run.</sub>`
}
