// A GateError is a usage or infrastructure problem: one clear line, exit code 2, never a stack trace.
// Anything else thrown is a bug in the gate (failure.ts): throw a GateError naming the input for
// whatever a user or their machine can cause.
import { existsSync, statSync } from 'node:fs'
export class GateError extends Error {
  /** The input (flag or action input) the error is about, when there is one. */
  readonly input: string | undefined
  constructor(message: string, input?: string) {
    super(message)
    this.name = 'GateError'
    this.input = input
  }
}

/** A GateError naming `input` unless `dir` is a directory. */
export function requireDirectory(dir: string, input: string): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new GateError(`${input}: ${dir} is not a directory`, input)
}

/** One line for a user, whatever was thrown. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return (
    text
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean)
      .join(' ') || 'unknown error'
  )
}

/** The system errors errorLine says in words: the environment's doing, not the gate's. */
export function isKnownSystemError(error: unknown): boolean {
  const e = error as NodeJS.ErrnoException | undefined
  return e?.code === 'ENOENT' && e.syscall === 'uv_cwd'
}

/**
 * One line for a user, with the system errors that name nothing said in words: the current
 * directory removed under a running process makes every relative path fail with "uv_cwd".
 */
export function errorLine(error: unknown): string {
  if (isKnownSystemError(error)) {
    return 'the current working directory no longer exists (removed while the gate ran?): run it from a directory that exists'
  }
  return oneLine(error)
}
