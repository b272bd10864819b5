// Markdown pieces the job summary and the PR comment share: the verdict line, the facts line, the
// findings table, and fitting rows under a size cap. User text goes through escape.ts.
import type { Finding, GateReport, Severity } from '../report.js'
import { repositoryPath } from './annotations.js'
import { clip, code, md, urlPath } from './escape.js'
import { messageParts, shorten } from './message.js'

/** Where files live and how to link them: both optional, a plain path is shown without them. */
export interface LinkOptions {
  /** The repository root (GITHUB_WORKSPACE): files are shown relative to it. */
  rootDir?: string
  /** `https://github.com/OWNER/REPO/blob/SHA/`: files become links to the line. */
  blobUrl?: string
}

const ICON: Record<Severity, string> = { error: '❌', warning: '⚠️', notice: 'ℹ️' }

export const count = (report: Pick<GateReport, 'findings'>, s: Severity) =>
  report.findings.filter((f) => f.severity === s).length
export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

/** "❌ migration-gate: fail (1 error, 2 warnings)": the verdict in one line; `name` for a monorepo's project. */
export function verdict(report: Pick<GateReport, 'result' | 'findings'>, name = 'migration-gate'): string {
  const tally = (['error', 'warning', 'notice'] as const)
    .filter((s) => count(report, s) > 0)
    .map((s) => plural(count(report, s), s))
  const icon = report.result === 'pass' ? '✅' : '❌'
  return `${icon} ${name}: ${report.result}${tally.length ? ` (${tally.join(', ')})` : ''}`
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

/** What the git checks compared with, and an accepted no-migration exemption. */
export function gitLines(report: GateReport): string[] {
  const git = report.git
  if (!git) return []
  const revisions = git.prRevisions.length
    ? `; this change's revisions: ${git.prRevisions.map((r) => code(clip(r, 60))).join(', ')}`
    : '; no revision of its own'
  const lines = [
    `Compared with ${code(git.base)} (merge base ${code(git.mergeBase.slice(0, 12))}): ${plural(git.changedFiles, 'file')} changed${revisions}.`,
  ]
  if (git.exemption) {
    lines.push(
      `Model changes accepted without a migration (${md(git.exemption.source)}): ${md(clip(git.exemption.reason, 500))}`,
    )
  }
  return lines
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`

export const FINDINGS_HEADER = ['| id | severity | revision | file:line | message |', '|---|---|---|---|---|']

/** Characters of a finding's message shown in its row; the rest is folded under it. */
const SHORT_MESSAGE = 280

/** One table row; `detailLines` caps the detail lines folded under the message. */
export function findingRow(f: Finding, report: GateReport, links: LinkOptions, detailLines = 30): string {
  return [
    '',
    code(f.id),
    `${ICON[f.severity]} ${f.severity}`,
    f.revision ? code(clip(f.revision, 60)) : '',
    f.file ? where(f, report, links) : '',
    messageCell(f, detailLines),
    '',
  ]
    .join(' | ')
    .trim()
}

/**
 * The short message in view; under it, folded (<details> renders in a table cell, and every line
 * break is a <br>, so the row stays one line): the rest of a long message, the fix, the details.
 */
function messageCell(f: Finding, detailLines: number): string {
  const { short, fix } = messageParts(f)
  const cut = shorten(short, SHORT_MESSAGE)
  const folded: string[] = []
  if (cut.rest) folded.push(`…${md(clip(cut.rest, 2000))}`)
  if (fix) folded.push(`Fix: ${md(clip(fix, 2000))}`)
  if (f.statement) folded.push(`SQL: ${code(clip(f.statement.replace(/\s+/g, ' '), 300))}`)
  const details = f.details ?? []
  folded.push(...details.slice(0, detailLines).map((d) => `• ${md(clip(d, 300))}`))
  if (details.length > detailLines)
    folded.push(`• … ${plural(details.length - detailLines, 'more line')} in the JSON report`)
  if (folded.length === 0) return md(cut.shown)
  const summary = [
    fix ? 'fix' : cut.rest ? 'more' : f.statement ? 'SQL' : '',
    details.length ? plural(details.length, 'detail') : '',
  ]
    .filter(Boolean)
    .join(' · ')
  return `${md(cut.shown)} <details><summary>${summary}</summary>${folded.join('<br>')}</details>`
}

/** file:line, relative to the repository root when known, linked to the line when a blob URL is. */
function where(f: Finding, report: GateReport, links: LinkOptions): string {
  const file = f.file as string
  const inRepo = links.rootDir ? repositoryPath(report.projectDir, file, links.rootDir) : undefined
  const shown = `${inRepo ?? file}${f.line ? `:${f.line}` : ''}`
  if (!inRepo || !links.blobUrl) return code(shown)
  return `[${code(shown)}](${links.blobUrl}${urlPath(inRepo)}${f.line ? `#L${f.line}` : ''})`
}

/** A part of a capped document: fixed lines, always kept, or table rows, kept while they fit. */
export type Part = string[] | { rows: string[]; more: (n: number) => string }

/**
 * The parts in order under `limit` as measured by `size`. Fixed lines always fit (the callers keep
 * them small); row parts take what is left, the first ones first, and the rows that do not fit are
 * counted in a line from `more(n)`, whose room is set aside up front.
 */
export function fitParts(parts: Part[], limit: number, size: (s: string) => number): string {
  let used = 0
  for (const p of parts) {
    if (Array.isArray(p)) used += p.reduce((n, line) => n + size(line) + 1, 0)
    else if (p.rows.length > 0) used += size(p.more(p.rows.length)) + 2
  }
  const out: string[] = []
  for (const p of parts) {
    if (Array.isArray(p)) {
      out.push(...p)
      continue
    }
    let fitted = 0
    for (const row of p.rows) {
      const n = size(row) + 1
      if (used + n > limit) break
      used += n
      fitted++
    }
    out.push(...p.rows.slice(0, fitted))
    if (fitted < p.rows.length) out.push('', p.more(p.rows.length - fitted))
  }
  return out.join('\n') + '\n'
}
