// The job summary (Markdown): the verdict in one line, the findings table, the chain as a Mermaid
// diagram, per-phase timings and the PostgreSQL that served. Pure; under GitHub's 1 MiB per step.
import type { Finding, GateReport } from '../report.js'
import type { AnnotationPlan } from './annotations.js'
import { boundReport } from './bound.js'
import { clip, code, md } from './escape.js'
import {
  facts,
  FINDINGS_HEADER,
  findingRow,
  fitParts,
  gitLines,
  plural,
  seconds,
  verdict,
  type LinkOptions,
  type Part,
} from './markdown.js'
import { liveSummaryParts } from './live.js'
import { lockTableLines } from './locks.js'
import { chainDiagram } from './mermaid.js'

/** GitHub refuses a step summary over 1 MiB (1,048,576 bytes); a margin for what others append. */
export const SUMMARY_LIMIT = 1024 * 1024 - 16 * 1024

export interface SummaryOptions extends LinkOptions {
  /** The annotations made for this report: findings they left out are named here. */
  annotations?: AnnotationPlan
  /** Revisions drawn at most in the chain diagram. */
  maxDiagramNodes?: number
  /** A line about the PR comment ("comment updated", or why there is none). */
  commentNote?: string
  /**
   * A monorepo's project: its section of the run's summary, headed by this (its directory and
   * tool) one level below the run's verdict, within `limit` bytes.
   */
  section?: { name: string; limit: number }
}

export function renderSummary(whole: GateReport, options: SummaryOptions = {}): string {
  const report = boundReport(whole)
  const size = (s: string) => Buffer.byteLength(s, 'utf8')
  const section = options.section
  // A project's section sits one heading level below the run's verdict.
  const h3 = section ? '####' : '###'
  const head = [section ? `### ${verdict(report, section.name)}` : `## ${verdict(report)}`, '', facts(report), '']
  for (const line of gitLines(report)) head.push(line, '')
  for (const note of report.notes) head.push(`> ${md(note)}`, '')
  const current = report.findings.filter((f) => !f.preExisting)
  const old = report.findings.filter((f) => f.preExisting)
  const row = (f: Finding) => findingRow(f, report, options)
  const more = (n: number) =>
    `_${plural(n, 'more finding')} left out to stay under GitHub's 1 MiB summary limit: the JSON report (output report-path) has every one._`

  const parts: Part[] = [head, ...liveSummaryParts(report)]
  if (current.length > 0) parts.push([`${h3} Findings`, '', ...FINDINGS_HEADER], { rows: current.map(row), more })
  if (old.length > 0) {
    // Listed apart and folded: they are not this change's doing (notices unless strict).
    const base = report.git ? ` ${code(report.git.base)}` : ' the base'
    parts.push(
      [
        '',
        `<details><summary>${plural(old.length, 'pre-existing finding')}: revisions${base} already has</summary>`,
        '',
        ...FINDINGS_HEADER,
      ],
      { rows: old.map(row), more },
      ['', '</details>'],
    )
  }

  const locks = lockTableLines(report)
  if (locks.length > 0) parts.push(['', ...locks])
  const tail: string[] = ['']
  const omitted = options.annotations?.omitted ?? []
  if (omitted.length > 0) {
    tail.push(
      `GitHub shows at most 10 annotations of each severity per step, so ${plural(omitted.length, 'finding')} ` +
        `(${[...new Set(omitted.map((f) => f.id))].join(', ')}) have no annotation in the diff: the tables above and the JSON report list them.`,
      '',
    )
  }
  if (options.commentNote) tail.push(md(options.commentNote), '')
  const diagram = chainDiagram(report, options.maxDiagramNodes ? { maxNodes: options.maxDiagramNodes } : {})
  if (diagram) {
    tail.push(`${h3} Migration chain`, '', diagram.text, '')
    if (diagram.baseHeads.length > 0 && report.git) {
      const base = code(report.git.base)
      const list = diagram.baseHeads.map((h) => code(clip(h, 60))).join(', ')
      tail.push(
        `_"${md(clip(report.git.base, 30))} head" marks the head of ${base} as it is now (${list}): this change's revisions should follow it._`,
        '',
      )
    }
    if (diagram.shown < diagram.total) {
      tail.push(
        `_${diagram.shown} of ${diagram.total} revisions drawn: those with findings, this change's, the heads and their neighbours; "…" marks revisions left out._`,
        '',
      )
    }
  }
  tail.push(...timings(report, h3))
  parts.push(tail)
  return fitParts(parts, section?.limit ?? SUMMARY_LIMIT, size)
}

/** What postgres-version asked for, beside the version served (reports before the input lack it). */
const asked = (version: string | undefined) => (version ? `; postgres-version: ${md(version)}` : '')

function timings(report: GateReport, h3: string): string[] {
  const rows = Object.entries(report.timings.phases).map(([phase, ms]) => `| ${md(phase)} | ${seconds(ms ?? 0)} |`)
  const server = report.postgres
    ? `PostgreSQL ${md(report.postgres.serverVersion)} served, from the ${md(report.postgres.provider)} provider (ready in ${seconds(report.postgres.startMs)}${asked(report.postgres.version)}).`
    : 'No PostgreSQL was started (static or live mode, or the replay was skipped).'
  return [
    `${h3} Timings`,
    '',
    '| phase | time |',
    '|---|---|',
    ...rows,
    `| **total** | **${seconds(report.timings.totalMs)}** |`,
    '',
    server,
  ]
}
