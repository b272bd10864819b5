// The sticky PR comment's body: the hidden marker that finds it again, the verdict, the findings
// table, a link to the run. Pure; under GitHub's 65,536-character comment limit. The chain diagram
// and timings stay in the job summary: the comment is what a reviewer reads in the conversation.
import type { GateReport } from '../report.js'
import { boundReport } from './bound.js'
import { md } from './escape.js'
import {
  facts,
  FINDINGS_HEADER,
  findingRow,
  fitParts,
  gitLines,
  plural,
  verdict,
  type LinkOptions,
  type Part,
} from './markdown.js'

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

/** A monorepo's project: its section of the run's comment (no marker, no footer), within `limit` characters. */
export interface CommentSection {
  name: string
  limit: number
}

export function renderComment(whole: GateReport, options: CommentOptions = {}, section?: CommentSection): string {
  const report = boundReport(whole)
  const head = section
    ? [`#### ${verdict(report, section.name)}`, '', facts(report), '']
    : [COMMENT_MARKER, `### ${verdict(report)}`, '', facts(report), '']
  for (const line of gitLines(report)) head.push(line, '')
  for (const note of report.notes) head.push(`> ${md(note)}`, '')
  // This change's findings only: the pre-existing ones are counted and left to the job summary.
  const current = report.findings.filter((f) => !f.preExisting)
  const old = report.findings.length - current.length
  const parts: Part[] = [head]
  if (current.length > 0) {
    parts.push(FINDINGS_HEADER, {
      // Fewer detail lines than the summary: a comment is read in the conversation, not studied.
      rows: current.map((f) => findingRow(f, report, options, 10)),
      more: (n) => `_${plural(n, 'more finding')} in the job summary._`,
    })
  }
  const tail = ['']
  if (old > 0)
    tail.push(`${plural(old, 'pre-existing finding')} (revisions the base already has) in the job summary.`, '')
  if (!section) tail.push(footer(options))
  parts.push(tail)
  return fitParts(parts, section?.limit ?? COMMENT_LIMIT, (s) => s.length)
}

/** What the comment becomes once the gate passes again: short, the findings are history. */
export function renderPassingComment(whole: GateReport, options: CommentOptions = {}): string {
  const report = boundReport(whole)
  return [COMMENT_MARKER, `### ✅ migration-gate passes now`, '', facts(report), '', footer(options), ''].join('\n')
}

export function footer(options: CommentOptions): string {
  const commit = options.sha ? ` at ${md(options.sha.slice(0, 12))}` : ''
  const run = options.runUrl ? ` · [job summary and chain diagram](${options.runUrl})` : ''
  return `<sub>Checked${commit}${run}. This comment is updated in place on every run.</sub>`
}
