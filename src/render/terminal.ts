// The CLI's view of a report: the verdict, each finding with file:line and details, the timings.
// Pure: returns text. Colour only when asked (the CLI asks when stdout is a TTY).
import type { Finding, GateReport, Severity } from '../report.js'
import { boundReport } from './bound.js'
import { inertLog } from './escape.js'
import { clipMiddle } from '../clip.js'
import { liveTerminalLines } from './live.js'

const COLOURS: Record<Severity | 'pass' | 'fail' | 'dim', string> = {
  error: '\x1b[31m',
  warning: '\x1b[33m',
  notice: '\x1b[36m',
  pass: '\x1b[32m',
  fail: '\x1b[31m',
  dim: '\x1b[2m',
}
const RESET = '\x1b[0m'

/**
 * User text (revision messages, database errors) without control characters: an escape sequence in
 * a migration's docstring must not recolour, move the cursor or retitle the reader's terminal.
 */
const plain = (text: string) => text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '?')

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`

export function renderTerminal(
  whole: GateReport,
  options: {
    colour: boolean
    /** What the verdict line starts with instead of "migration-gate" (a monorepo's project). */
    label?: string
  },
): string {
  const report = boundReport(whole)
  const paint = (kind: keyof typeof COLOURS, text: string) =>
    options.colour ? `${COLOURS[kind]}${text}${RESET}` : text
  const out: string[] = []
  const where = [
    report.tool,
    report.mode,
    report.chain ? `${report.chain.revisions} revision${report.chain.revisions === 1 ? '' : 's'}` : undefined,
    report.postgres ? `${report.postgres.provider} PostgreSQL ${report.postgres.serverVersion}` : undefined,
  ]
    .filter(Boolean)
    .join(', ')
  out.push(`${options.label ?? 'migration-gate'}: ${paint(report.result, report.result.toUpperCase())} (${where})`)
  out.push(...liveTerminalLines(report).map(plain))
  for (const note of report.notes ?? []) out.push(paint('dim', `  note: ${plain(note)}`))
  for (const f of report.findings) out.push(...renderFinding(f, paint, report.projectPath))
  const count = (s: Severity) => report.findings.filter((f) => f.severity === s).length
  const tally = (['error', 'warning', 'notice'] as const)
    .map((s) => [s, count(s)] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}${n === 1 ? '' : 's'}`)
  const phases = Object.entries(report.timings.phases)
    .map(([k, v]) => `${k} ${seconds(v ?? 0)}`)
    .join(', ')
  out.push(
    `${tally.length ? tally.join(', ') : 'no findings'} · ${seconds(report.timings.totalMs)}${phases ? ` (${phases})` : ''}`,
  )
  // Also read by the runner when the CLI runs in a workflow step: no line may be a workflow command.
  return inertLog(out.join('\n') + '\n')
}

function renderFinding(
  f: Finding,
  paint: (k: keyof typeof COLOURS, t: string) => string,
  projectPath: string | undefined,
): string[] {
  // From the repository root, as the messages name files.
  const file = f.file && projectPath ? `${projectPath}/${f.file}` : f.file
  const location = file ? `${plain(file)}${f.line ? `:${f.line}` : ''}` : ''
  const revision = f.revision ? `(revision ${plain(f.revision)})` : ''
  const head = [paint(f.severity, f.severity.padEnd(7)), f.id, location, revision].filter(Boolean).join('  ')
  // A multi-line message keeps its indentation under the finding.
  const lines = [`  ${head}`, ...f.message.split('\n').map((l) => `    ${plain(l)}`)]
  if (f.statement) lines.push(`    SQL: ${clipMiddle(plain(f.statement.replace(/\s+/g, ' ')), 160)}`)
  if (f.fix) lines.push(`    Fix: ${plain(f.fix).replace(/\n/g, ' ')}`)
  for (const d of f.details ?? []) lines.push(paint('dim', `      - ${plain(d).replace(/\n/g, ' ')}`))
  return lines
}
