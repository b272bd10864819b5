// Judging one run of the gate on bad input. Whatever a case expects, some outcomes are never
// acceptable: a stack trace (a Node "    at " frame, a Python Traceback), a hang past the deadline,
// exit 0 on broken input, leftovers. A case then expects either a finding id in the JSON report or
// exit 2 with one error line naming the input; or, for input the tool itself runs as a no-op, exit
// 0 with a named warning (anything else exiting 0 is a silent pass).
import { existsSync, readFileSync } from 'node:fs'
import type { FindingId, GateReport } from '../../../src/report.js'
import type { CliResult } from './run-cli.js'

export type Expectation =
  /**
   * One of these finding ids (several where the contract allows either), at `revision` and naming
   * `file` (a part of its path) if given; '*' for any id (a hostile migration must be a finding at
   * its revision, whatever the finding is called).
   */
  | { finding: FindingId | FindingId[] | '*'; revision?: string; file?: string }
  /** Exit 2, and the one error line contains `names` (the flag, the setting, the file). */
  | { error: string }
  /**
   * Input the tool itself accepts, as a no-op, but that is almost surely a mistake (an empty
   * migration): exit 0, and this finding as a warning, at `revision` and naming `file` if given.
   */
  | { warning: FindingId; revision?: string; file?: string }

export type Outcome =
  'clean error' | 'finding' | 'warning' | 'stack trace' | 'hang' | 'silent pass' | 'leftovers' | 'other'

export interface Judgement {
  outcome: Outcome
  met: boolean
  /** Why the expectation was not met, or what the run did; one line. */
  detail: string
}

const STACK_FRAME = /^\s{2,}at \S.*(\(.*:\d+:\d+\)|:\d+:\d+)$/m
const PY_TRACEBACK = /Traceback \(most recent call last\)/

/** A workflow command the runner would obey: a line starting with `::`, or `##[` anywhere. */
const WORKFLOW_COMMAND = /^[ \t]*::|##\[/m

export function judge(
  r: CliResult,
  expectation: Expectation,
  reportPath: string | undefined,
  leftovers: string | null,
  extra?: (r: CliResult) => string | null,
): Judgement {
  const output = `${r.stdout}\n${r.stderr}`
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '')
  const last = lines.at(-1) ?? ''
  const exit = r.signal ? `killed by ${r.signal}` : `exit ${r.code}`
  const miss = (outcome: Outcome, detail: string): Judgement => ({ outcome, met: false, detail })

  if (r.hung) return miss('hang', `still running at the deadline (killed); last line: ${clip(last)}`)
  if (STACK_FRAME.test(output) || PY_TRACEBACK.test(output))
    return miss('stack trace', `${exit}; ${clip((STACK_FRAME.exec(output) ?? PY_TRACEBACK.exec(output))?.[0] ?? '')}`)
  if (leftovers) return miss('leftovers', `${exit}; left: ${leftovers}`)
  const command = output.split('\n').find((l) => WORKFLOW_COMMAND.test(l))
  if (command !== undefined)
    return miss('other', `${exit}; a workflow command reached the output raw: ${clip(command)}`)
  // NO_COLOR and no terminal: the gate colours nothing, so an ESC came from the project's text.
  const escape = output.split('\n').find((l) => l.includes('\x1b'))
  if (escape !== undefined)
    return miss('other', `${exit}; a terminal escape reached the output raw: ${JSON.stringify(clip(escape, 120))}`)
  const extraProblem = extra?.(r)
  if (extraProblem) return miss('other', `${exit}; ${extraProblem}`)

  const report = reportPath && existsSync(reportPath) ? readReport(reportPath) : null
  const findings = report?.findings ?? []
  const said = findings.map((f) => `${f.id}${f.revision ? `@${f.revision}` : ''}`).join(', ')
  if ('warning' in expectation) {
    const hit = findings.find(
      (f) =>
        f.id === expectation.warning &&
        f.severity === 'warning' &&
        (expectation.revision === undefined || f.revision === expectation.revision) &&
        (expectation.file === undefined || (f.file ?? '').includes(expectation.file)),
    )
    if (r.code === 0 && hit) return { outcome: 'warning', met: true, detail: `exit 0, warning ${said}` }
    const at = `${expectation.revision ? ` at ${expectation.revision}` : ''}${expectation.file ? ` in ${expectation.file}` : ''}`
    const got = `${exit}${findings.length ? `, findings ${findings.map((f) => `${f.id} as ${f.severity}`).join(', ')}` : ''}`
    return miss(
      r.code === 0 ? 'silent pass' : 'other',
      `expected exit 0 with a ${expectation.warning} warning${at}; got ${got}`,
    )
  }
  if (r.code === 0) {
    const warned = findings.length ? ` (only ${findings.map((f) => `${f.id} as ${f.severity}`).join(', ')})` : ''
    return miss('silent pass', `exit 0 on broken input${warned}; ${clip(r.stdout.split('\n')[0] ?? '')}`)
  }
  const outcome: Outcome = r.code === 1 && findings.length > 0 ? 'finding' : r.code === 2 ? 'clean error' : 'other'
  const errorLines = lines.filter((l) => l.startsWith('migration-gate: '))
  const cleanError = r.code === 2 && errorLines.length === 1 && last === errorLines[0]
  const actual =
    outcome === 'finding' ? `findings ${said}` : cleanError ? `error: ${clip(last)}` : `${exit}: ${clip(last)}`

  if ('finding' in expectation) {
    const ids = [expectation.finding].flat()
    const hit = findings.find(
      (f) =>
        (ids.includes('*') || ids.includes(f.id)) &&
        (expectation.revision === undefined || f.revision === expectation.revision) &&
        (expectation.file === undefined || (f.file ?? '').includes(expectation.file)),
    )
    const at = `${expectation.revision ? ` at ${expectation.revision}` : ''}${expectation.file ? ` in ${expectation.file}` : ''}`
    const wanted = `${ids.includes('*') ? 'a finding' : ids.join(' or ')}${at}`
    if (r.code === 1 && hit) return { outcome: 'finding', met: true, detail: actual }
    return miss(cleanError ? 'clean error' : outcome, `expected ${wanted}; got ${actual}`)
  }
  if (!cleanError) return miss(outcome, `expected exit 2 with one line naming ${expectation.error}; got ${actual}`)
  if (!last.includes(expectation.error))
    return miss('clean error', `the error line does not name ${expectation.error}: ${clip(last)}`)
  return { outcome: 'clean error', met: true, detail: actual }
}

function readReport(path: string): GateReport | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as GateReport
  } catch {
    return null
  }
}

function clip(text: string, max = 240): string {
  const one = text.replace(/\s+/g, ' ').trim()
  return one.length > max ? `${one.slice(0, max)}… (${one.length} chars)` : one
}
