// The last line of defence for credentials: the secrets of the run (those of the database-url) are
// registered once, and everything the gate prints or stores passes through scrub(), which removes
// them in any encoding, then hides whatever else looks like a credential in a connection string.
// Drivers and libraries (pg, psycopg2, SQLAlchemy, a project's own code) may repeat a connection
// string in an error with their own quoting, so matching the key alone (password=) is not enough.
import type { Logger } from './logger.js'
import { publicPartsOf, REDACTED, redactCredentials, secretsIn } from './postgres/credentials.js'
import { escapeRegExp } from './regexp.js'

/**
 * Shorter values are left to redactCredentials: a 1 to 3 character password would otherwise blank
 * that string in every word of the output, which hides nothing an attacker could not guess.
 */
const MIN_SECRET_LENGTH = 4

const patterns = new Map<string, RegExp>()
/** The patterns, longest secret first: a secret containing another must go whole. */
let ordered: RegExp[] = []

/**
 * Registers the credentials of a connection string (the database-url input) for scrub(), but for
 * one that is also its user, host or database name (see publicPartsOf), which stays redacted by form.
 */
export function registerSecrets(connection: string | undefined): string[] {
  if (!connection) return []
  const named = new Set(publicPartsOf(connection))
  const secrets = secretsIn(connection).filter((s) => s.length >= MIN_SECRET_LENGTH && !named.has(s))
  for (const secret of secrets) if (!patterns.has(secret)) patterns.set(secret, anyEncoding(secret))
  ordered = [...patterns].sort(([a], [b]) => b.length - a.length).map(([, pattern]) => pattern)
  return secrets
}

/**
 * Each character as itself, percent-encoded (either case of hex), backslash-escaped, or a space as
 * +: the ways URL encoders (encodeURIComponent, Python's quote_plus, SQLAlchemy's URL rendering) and
 * quoting (libpq's key='value', JSON) write the same secret.
 */
function anyEncoding(secret: string): RegExp {
  let source = ''
  for (const ch of secret) {
    const hex = [...new TextEncoder().encode(ch)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')
    const forms = new Set([escapeRegExp(ch), hex.toUpperCase(), hex.toLowerCase()])
    if (!/[A-Za-z0-9]/.test(ch)) forms.add(`\\\\${escapeRegExp(ch)}`)
    if (ch === ' ') forms.add('\\+')
    source += `(?:${[...forms].join('|')})`
  }
  return new RegExp(source, 'g')
}

/** `text` without any registered secret and without any credential of a connection string in it. */
export function scrub(text: string): string {
  let out = text
  for (const pattern of ordered) out = out.replace(pattern, REDACTED)
  return redactCredentials(out)
}

/** A copy of a JSON-like value (the report) with every string scrubbed; anything but plain data as it is. */
export function scrubDeep<T>(value: T): T {
  if (typeof value === 'string') return scrub(value) as T
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v)) as T
  if (value && typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubDeep(v)])) as T
  }
  return value
}

/** The logger with every line scrubbed. */
export function scrubbedLogger(logger: Logger): Logger {
  return {
    info: (m) => logger.info(scrub(m)),
    warn: (m) => logger.warn(scrub(m)),
    debug: (m) => logger.debug(scrub(m)),
  }
}

/** The error's message (and stack, for MIGRATION_GATE_DEBUG) scrubbed in place; other values as they are. */
export function scrubError(error: unknown): unknown {
  if (error instanceof Error) {
    error.message = scrub(error.message)
    if (error.stack) error.stack = scrub(error.stack)
  }
  return error
}
