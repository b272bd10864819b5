// Every form in which a PostgreSQL connection string carries a credential, in one place: hiding them
// in text, taking them out of a URL to store it, and putting them back. libpq reads a password from
// a URL's userinfo (postgresql://user:secret@host), from its query (?password=secret, with the key
// or the value percent-encoded: ?pass%77ord=s%65cret), from key=value strings (host=h password=secret
// or password='a secret'), and the paths or passphrases of passfile= and sslpassword=. The same
// strings reach drivers (pg, psycopg2) whose errors may repeat them, in any of these forms.

/** What a credential is replaced by. */
export const REDACTED = '***'

/** Parameters whose value is a credential (sslkey and sslcert are paths to files and not secret). */
const SECRET_KEYS = new Set(['password', 'passfile', 'sslpassword'])

/** The userinfo password of a URL: libpq's authority ends at the first '/', the password at its '@'. */
const USERINFO = /([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*):([^\s/]*)@/gi
/** A query parameter: the key is tested once decoded (pass%77ord is password to libpq and to pg). */
const QUERY_PARAM = /([?&])([^=&#\s]+)=([^&#\s]*)/g
/**
 * key=value, as libpq's conninfo strings and environment dumps write it (PGPASSWORD=..., too): a
 * single- or double-quoted value with backslash escapes, else everything up to the next whitespace,
 * which is what libpq itself would take as the value.
 */
const KEY_VALUE = /(?<![\w?&%])(\w*password|passfile)([ \t]*=[ \t]*)('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\S+)/gi

function decoded(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

const isSecretKey = (rawKey: string) => SECRET_KEYS.has(decoded(rawKey).toLowerCase())

/** `text` with every credential of every connection string in it (URL or key=value) as ***. */
export function redactCredentials(text: string): string {
  return text
    .replace(USERINFO, (_all, head: string, password: string) => `${head}:${password ? REDACTED : ''}@`)
    .replace(QUERY_PARAM, (all, sep: string, key: string, value: string) =>
      isSecretKey(key) && value && !value.startsWith(REDACTED) ? `${sep}${key}=${REDACTED}` : all,
    )
    .replace(KEY_VALUE, (all, key: string, eq: string, value: string) =>
      value.startsWith(REDACTED) ? all : `${key}${eq}${REDACTED}`,
    )
}

/**
 * The secret values in a connection string, decoded as libpq and pg decode them, for scrubbing free
 * text where they may appear without the key that marks them (a driver's error, a stray argument).
 */
export function secretsIn(connection: string): string[] {
  const found = new Set<string>()
  for (const m of connection.matchAll(USERINFO)) if (m[2]) found.add(decoded(m[2]))
  for (const m of connection.matchAll(QUERY_PARAM)) {
    if (!isSecretKey(m[2]!) || !m[3]) continue
    found.add(decoded(m[3]))
    // pg reads the query as a form would (+ is a space), libpq does not: both are the secret.
    found.add(decoded(m[3].replace(/\+/g, ' ')))
  }
  for (const m of connection.matchAll(KEY_VALUE)) {
    const value = m[3]!
    const quoted = /^(['"]).*\1$/s.test(value)
    found.add(quoted ? value.slice(1, -1).replace(/\\(.)/gs, '$1') : value)
  }
  found.delete('')
  return [...found]
}

/**
 * The parts of a connection string every message may name (user, host, database), decoded. A
 * password equal to one of them (postgres:postgres, a CI service container's) is no secret once
 * the user is named, and blanking it everywhere would turn PostgreSQL into ***QL.
 */
export function publicPartsOf(connection: string): string[] {
  const parts: string[] = []
  try {
    const u = new URL(connection)
    parts.push(decoded(u.username), decoded(u.hostname), decoded(u.pathname.replace(/^\//, '')))
  } catch {
    for (const m of connection.matchAll(/(?<![\w?&%])(?:user|host|dbname)[ \t]*=[ \t]*('(?:[^'\\]|\\.)*'|\S+)/g)) {
      parts.push(m[1]!.replace(/^'(.*)'$/s, '$1').replace(/\\(.)/gs, '$1'))
    }
  }
  return parts.filter(Boolean)
}

/** A URL without any credential, to store in a file (the ledger). The post step gets them back from its input. */
export function withoutCredentials(url: string): string {
  try {
    const u = new URL(url)
    u.password = ''
    // Edited as text: URLSearchParams would re-encode the other parameters (a space as +, which libpq keeps as +).
    const kept = u.search
      .slice(1)
      .split('&')
      .filter((p) => p && !isSecretKey(p.split('=')[0]!))
    u.search = kept.length ? `?${kept.join('&')}` : ''
    return u.toString()
  } catch {
    return redactCredentials(url)
  }
}

/**
 * `recorded` (a URL stored without credentials) with the credentials of `input` when both name the
 * same server and user: the userinfo password and the secret query parameters.
 */
export function withCredentialsFrom(recorded: string, input: string | undefined): string {
  if (!input) return recorded
  try {
    const r = new URL(recorded)
    const d = new URL(input)
    const sameServer =
      r.hostname === d.hostname && (r.port || '5432') === (d.port || '5432') && r.username === d.username
    if (!sameServer) return recorded
    r.password = d.password
    const secrets = d.search
      .slice(1)
      .split('&')
      .filter((p) => p && isSecretKey(p.split('=')[0]!))
    const kept = r.search.slice(1).split('&').filter(Boolean)
    const all = [...kept, ...secrets]
    r.search = all.length ? `?${all.join('&')}` : ''
    return r.toString()
  } catch {
    return recorded
  }
}
