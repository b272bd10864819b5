// What the gate says when a run ends in an exception, and with which exit code: a usage or
// infrastructure problem (the user or the machine can fix it) is one line and exit 2; anything else
// is a bug in migration-gate, said as such so that nobody hunts for a mistake in their input.
import { errorLine, GateError, isKnownSystemError, oneLine } from './errors.js'

/** Exit codes of the CLI (README "Exit codes"); signals end the run with 130 (SIGINT) or 143 (SIGTERM). */
export const EXIT_CODES = { pass: 0, findings: 1, usage: 2, bug: 3 } as const

/** No repository URL is published (package.json has none): a bug is reported to the maintainers. */
const REPORT_TO = 'report it to the maintainers'

export interface Failure {
  /** True when the exception is not one the gate raises on purpose: a bug in migration-gate. */
  bug: boolean
  /** The one line to print (without the "migration-gate: " prefix). */
  line: string
  exitCode: number
}

/**
 * The machine's or a server's own errors that reached the top unwrapped: a system call that failed
 * (ENOSPC, EACCES, ECONNRESET: a Node error with an errno code and the syscall) or an error a
 * PostgreSQL server sent (a five-character SQLSTATE, e.g. 57P01 when an admin shut it down). Their
 * message says what happened; they are the environment's, not a bug in the gate.
 */
function fromTheEnvironment(error: unknown): boolean {
  const e = error as { code?: unknown; syscall?: unknown; severity?: unknown } | undefined
  if (typeof e?.code !== 'string') return false
  if (/^E[A-Z0-9]+$/.test(e.code) && typeof e.syscall === 'string') return true
  return /^[0-9A-Z]{5}$/.test(e.code) && typeof e.severity === 'string'
}

export function describeFailure(error: unknown): Failure {
  if (error instanceof GateError || isKnownSystemError(error) || fromTheEnvironment(error)) {
    return { bug: false, line: errorLine(error), exitCode: EXIT_CODES.usage }
  }
  // The class name tells a TypeError from a RangeError; a thrown non-Error has none.
  const name = error instanceof Error && error.name && error.name !== 'Error' ? `${error.name}: ` : ''
  return {
    bug: true,
    line: `internal error (a bug in migration-gate, not in your input): ${name}${oneLine(error)}; please ${REPORT_TO} with the output of --verbose`,
    exitCode: EXIT_CODES.bug,
  }
}
