// Bounding text that comes from outside (a database error, a migration's own message, a path):
// a migration can raise a megabyte, and a report must stay readable. Both ends are kept, as the
// Alembic helper's clip() keeps them: the start says what failed, the end often names the object.

/** The limit the drivers clip an error message to (the Alembic helper's, in characters). */
export const MESSAGE_LIMIT = 600

/**
 * At most `limit` characters (code points, so a character is never cut in half; `limit` at least
 * 100): the start and the end of a longer text, joined by a marker saying how much was left out.
 */
export function clipMiddle(text: string, limit = MESSAGE_LIMIT): string {
  // Cheap test first: a megabyte of text is not split into code points unless it must be.
  if (text.length <= limit) return text
  const chars = Array.from(text)
  if (chars.length <= limit) return text
  // The marker's length depends on the count; the count's digits are at most those of the whole length.
  const room = limit - ` ... [${chars.length} characters left out] ... `.length
  const half = Math.max(1, Math.floor(room / 2))
  const marker = ` ... [${chars.length - 2 * half} characters left out] ... `
  return `${chars.slice(0, half).join('').trimEnd()}${marker}${chars.slice(-half).join('').trimStart()}`
}
