// The job summary (Markdown): the verdict in one line, a table of findings, timings and the server
// that served. Pure; capped under GitHub's 1 MiB limit.
import type { GateReport } from '../report.js'

export const SUMMARY_LIMIT = 1024 * 1024 - 1024

/** Escapes user-controlled text for a Markdown table cell: no HTML, no pipes, no line breaks. */
export function cell(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ')
}

export function renderSummary(report: GateReport): string {
  const icon = report.result === 'pass' ? '✅' : '❌'
  const errors = report.findings.filter((f) => f.severity === 'error').length
  const lines: string[] = [
    `## ${icon} migration-gate: ${report.result === 'pass' ? 'pass' : `fail (${errors} error${errors === 1 ? '' : 's'})`}`,
    '',
  ]
  const facts = [
    `tool **${report.tool}**`,
    `mode **${report.mode}**`,
    report.chain
      ? `${report.chain.revisions} revisions, head${report.chain.heads.length === 1 ? '' : 's'} ${report.chain.heads.map((h) => `\`${cell(h)}\``).join(', ')}`
      : '',
    report.postgres
      ? `PostgreSQL ${report.postgres.serverVersion} (${report.postgres.provider}, ready in ${report.postgres.startMs} ms)`
      : '',
  ].filter(Boolean)
  lines.push(facts.join(' · '), '')
  for (const note of report.notes) lines.push(`> ${cell(note)}`, '')
  if (report.findings.length > 0) {
    lines.push('| severity | id | revision | where | message |', '|---|---|---|---|---|')
    for (const f of report.findings) {
      const where = f.file ? `\`${cell(f.file)}${f.line ? `:${f.line}` : ''}\`` : ''
      const details = (f.details ?? [])
        .slice(0, 30)
        .map((d) => `<br>• ${cell(d)}`)
        .join('')
      lines.push(
        `| ${f.severity} | \`${f.id}\` | ${f.revision ? `\`${cell(f.revision)}\`` : ''} | ${where} | ${cell(f.message)}${details} |`,
      )
    }
    lines.push('')
  }
  const phases = Object.entries(report.timings.phases).map(([k, v]) => `${k} ${v} ms`)
  lines.push(`Total ${report.timings.totalMs} ms${phases.length ? ` (${phases.join(', ')})` : ''}.`)
  let text = lines.join('\n') + '\n'
  if (text.length > SUMMARY_LIMIT)
    text = `${text.slice(0, SUMMARY_LIMIT)}\n\n_(truncated: see the JSON report for every finding)_\n`
  return text
}
