// Where the live database stands (mode live), for the job summary and the terminal: the revision it
// is at, the chain's head, how far behind, and the revisions `upgrade head` will apply there, in order.
import type { GateReport, LiveInfo } from '../report.js'
import { clip, code, md, preText } from './escape.js'
import { plural, type Part } from './markdown.js'

/** "is at `a` (public.alembic_version); the chain's head is `b`: 4 revisions behind." */
function standing(live: LiveInfo, quote: (s: string) => string): string {
  const at = live.revisions.length
    ? `is at ${live.revisions.map((r) => quote(clip(r, 60))).join(', ')} (${quote(live.versionTable)})`
    : `has no revision in ${quote(live.versionTable)}`
  const heads = `the chain's ${live.heads.length === 1 ? 'head is' : 'heads are'} ${live.heads.map((h) => quote(clip(h, 60))).join(', ') || 'none'}`
  const behind =
    live.behind === null
      ? 'how far behind cannot be told'
      : live.behind === 0
        ? 'up to date'
        : `${plural(live.behind, 'revision')} behind`
  return `${at}; ${heads}: ${behind}`
}

/** The most of one revision's SQL the summary shows (the JSON report keeps more). */
const SQL_SHOWN = 3000

/** The summary's section: a sentence, then the pending revisions as table rows (kept while they fit). */
export function liveSummaryParts(report: GateReport): Part[] {
  const live = report.live
  if (!live) return []
  const head = [
    '### Live database',
    '',
    `${code(live.database)} (PostgreSQL ${md(live.serverVersion)}) ${standing(live, code)}. ${live.queries} read-only ${live.queries === 1 ? 'query' : 'queries'}, nothing written.`,
    '',
  ]
  const pending = live.pending ?? []
  if (pending.length === 0) return [head]
  // From the repository root, as the findings name files.
  const root = report.projectPath ? `${report.projectPath}/` : ''
  const rows = pending.map(
    (p, i) =>
      `| ${i + 1} | ${code(clip(p.revision, 60))} | ${code(`${root}${p.file}:${p.line}`)} | ${md(clip(p.message ?? '', 200))} |`,
  )
  return [
    [
      ...head,
      `<details${pending.length <= 10 ? ' open' : ''}><summary>${plural(pending.length, 'pending revision')}, in the order they will run</summary>`,
      '',
      '| # | revision | file | message |',
      '|---|---|---|---|',
    ],
    { rows, more: (n) => `_${plural(n, 'more pending revision')} left out: the JSON report has them all._` },
    ['', '</details>', ''],
    // The SQL each will run (where the tool can tell it), each folded: kept while they fit.
    {
      rows: pending
        .filter((p) => p.sql)
        .map(
          (p) =>
            `<details><summary>SQL of ${code(clip(p.revision, 60))}</summary>\n\n<pre>${preText(clip(p.sql ?? '', SQL_SHOWN))}</pre>\n\n</details>`,
        ),
      more: (n) => `_The SQL of ${plural(n, 'more pending revision')} is left out: the JSON report has it._`,
    },
  ]
}

/** The terminal's lines (plain text; the caller makes them inert). */
export function liveTerminalLines(report: GateReport): string[] {
  const live = report.live
  if (!live) return []
  const plain = (s: string) => s
  const lines = [
    `  live: ${live.database} (PostgreSQL ${live.serverVersion}) ${standing(live, plain)}; ${live.queries} read-only ${live.queries === 1 ? 'query' : 'queries'}`,
  ]
  const pending = live.pending ?? []
  if (pending.length > 0) {
    lines.push(
      `  pending, in order: ${pending
        .slice(0, 20)
        .map((p) => p.revision)
        .join(', ')}${pending.length > 20 ? `, … (${pending.length - 20} more)` : ''}`,
    )
  }
  return lines
}
