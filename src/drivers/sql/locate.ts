// Turns a PostgreSQL error into a StepError that points at the file and line to fix. The server
// gives a position (in characters of the text sent) for parse errors and many others; for the rest
// (`type "mood" already exists`, a NOT NULL violation) it does not say which statement of a
// multi-statement text failed, so the session finds it by replaying the statements one by one in a
// transaction it rolls back.
import { clipMiddle } from '../../clip.js'
import type { StepError } from '../driver.js'
import { lineAt, type SqlUnit } from './model.js'

export interface PgErrorLike {
  message: string
  code?: string
  /** 1-based character (code point) offset into the text sent. */
  position?: string
}

export function isPgError(error: unknown): error is PgErrorLike & Error {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string'
}

/** The UTF-16 index of a 1-based code point position (the server counts characters, JavaScript code units). */
export function indexOfPosition(text: string, position: number): number {
  let index = 0
  for (let cp = 1; cp < position && index < text.length; cp++) {
    const code = text.charCodeAt(index)
    index += code >= 0xd800 && code <= 0xdbff ? 2 : 1
  }
  return index
}

/** The file line of an index into a unit's text. */
export function unitLine(unit: SqlUnit, index: number): number {
  return unit.line + lineAt(unit.text, index) - 1
}

/**
 * A StepError for an error raised by `sent`, a text that starts at `offset` in the unit. With a
 * position, the line is the position's; without one, `fallback` (an index into the unit) decides.
 */
export function stepError(error: unknown, unit: SqlUnit, sent: { offset: number; text: string }, fallback?: number) {
  // A migration can raise a megabyte (RAISE EXCEPTION '%', repeat(...)): both ends kept, as the Alembic helper keeps them.
  const message = clipMiddle(error instanceof Error ? error.message : String(error))
  const result: StepError = { message, file: unit.file, kind: 'error' }
  const position = isPgError(error) && error.position ? Number(error.position) : NaN
  if (Number.isInteger(position) && position > 0) {
    result.line = unitLine(unit, sent.offset + indexOfPosition(sent.text, position))
  } else if (fallback !== undefined) {
    result.line = unitLine(unit, fallback)
  }
  return result
}
