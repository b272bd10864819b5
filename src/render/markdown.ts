// Markdown pieces the job summary and the PR comment share: the verdict line, the facts line, the
// findings table, and fitting rows under a size cap. User text goes through escape.ts.
import type { Finding, GateReport, Severity } from '../report.js'
import { repositoryPath } from './annotations.js'
import { clip, code, md, urlPath } from './escape.js'

/** Where files live and how to link them: both optional, a plain path is shown without them. */
export interface LinkOptions {
  /** The repository root (GITHUB_WORKSPACE): files are shown relative to it. */
  rootDir?: string
  /** `https://github.com/OWNER/REPO/blob/SHA/`: files become links to the line. */
  blobUrl?: string
}

const ICON: Record<Severity, string> = { error: '❌', warning: '⚠️', notice: 'ℹ️' }

export const count = (report: GateReport, s: Severity) => report.findings.filter((f) => f.severity === s).length
export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

/** "❌ migration-gate: fail (1 error, 2 warnings)": the verdict in one line. */
export function verdict(report: GateReport): string {
  const tally = (['error', 'warning', 'notice'] as const)
    .filter((s) => count(report, s) > 0)
    .map((s) => plural(count(report, s), s))
  const icon = report.result === 'pass' ? '✅' : '❌'
  return `${icon} migration-gate: ${report.result}${tally.length ? ` (${tally.join(', ')})` : ''}`
}

/** Tool, mode, chain size and heads, and the PostgreSQL that served. */
export function facts(report: GateReport): string {
  const heads = report.chain?.heads ?? []
  return [
    `${md(report.tool)}, ${report.mode}`,
    report.chain ? plural(report.chain.revisions, 'revision') : '',
    heads.length ? `${heads.length === 1 ? 'head' : 'heads'} ${heads.map((h) => code(h)).join(', ')}` : '',
    report.postgres
      ? `PostgreSQL ${md(report.postgres.serverVersion)} (${md(report.postgres.provider)}, ready in ${seconds(report.postgres.startMs)})`
      : '',
  ]
    .filter(Boolean)
    .join(' · ')
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`

export const FINDINGS_HEADER = ['| id | severity | revision | file:line | message |', '|---|---|---|---|---|']

/** One table row; `detailLines` caps the detail lines shown under the message. */
export function findingRow(f: Finding, report: GateReport, links: LinkOptions, detailLines = 30): string {
  const details = (f.details ?? []).slice(0, detailLines).map((d) => `<br>• ${md(clip(d, 300))}`)
  const more = (f.details?.length ?? 0) - detailLines
  if (more > 0) details.push(`<br>• … ${plural(more, 'more line')} in the JSON report`)
  return [
    '',
    code(f.id),
    `${ICON[f.severity]} ${f.severity}`,
    f.revision ? code(clip(f.revision, 60)) : '',
    f.file ? where(f, report, links) : '',
    md(clip(f.message, 2000)) + details.join(''),
    '',
  ]
    .join(' | ')
    .trim()
}

/** file:line, relative to the repository root when known, linked to the line when a blob URL is. */
function where(f: Finding, report: GateReport, links: LinkOptions): string {
  const file = f.file as string
  const inRepo = links.rootDir ? repositoryPath(report.projectDir, file, links.rootDir) : undefined
  const shown = `${inRepo ?? file}${f.line ? `:${f.line}` : ''}`
  if (!inRepo || !links.blobUrl) return code(shown)
  return `[${code(shown)}](${links.blobUrl}${urlPath(inRepo)}${f.line ? `#L${f.line}` : ''})`
}

/**
 * head + as many rows as fit + tail, under `limit` as measured by `size`; the rows that do not fit
 * are counted in a line from `more(n)`. The head and tail always fit (the callers keep them small).
 */
export function fitRows(
  head: string[],
  rows: string[],
  tail: string[],
  limit: number,
  size: (s: string) => number,
  more: (n: number) => string,
): string {
  const join = (parts: string[]) => parts.join('\n') + '\n'
  // Room for the "n more" line, whose length barely depends on n.
  let used = size(join([...head, ...tail])) + size(more(rows.length)) + 2
  let fitted = 0
  for (const row of rows) {
    const n = size(row) + 1
    if (used + n > limit) break
    used += n
    fitted++
  }
  const rest = rows.length - fitted
  return join([...head, ...rows.slice(0, fitted), ...(rest > 0 ? ['', more(rest)] : []), ...tail])
}
